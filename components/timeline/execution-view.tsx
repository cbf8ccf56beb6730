"use client";

import Link from "next/link";
import { useQueryStates } from "nuqs";
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { MalformedList } from "@/components/executions/malformed-list";
import { ExecutionExports } from "@/components/exports/execution-exports";
import { IntegrityNote } from "@/components/live/stream-holes-banner";
import { useAuditFeed, useFeed } from "@/hooks/use-audit-feed";
import { formatCount, formatDuration } from "@/lib/format";
import { executionParams } from "@/lib/links/execution-params";
import type { AuditFeed } from "@/lib/live/audit-feed";
import { describeSearch, type ExecutionHint, type OpenState } from "@/lib/live/execution-opener";
import type { FeedSource } from "@/lib/live/static-feed";
import { ExecutionTimeline } from "./execution-timeline";
import { visible } from "@/lib/text/visible";
import { contextPath } from "@/lib/links/url-text";
import { contextKey, type ContextRef } from "@/lib/audit/context-ref";
import { RelatedLinks, InvocationRuns } from "./related-links";

export interface ExecutionViewProps {
  /** A workflow execution, or an invocation outside any run: the same view, the same tools. */
  context: ContextRef;
  /** Partition key to open with (a BUILTIN_KEYS id or `custom:a,b`); default Forge's invocation key. */
  initialKeyId?: string;
}

type OpeningFeed = FeedSource & Pick<AuditFeed, "openExecution" | "restoreExecution" | "streamName">;

/** Only the live NATS feed can read more of the stream; a finished log (lab, file) is all there is. */
function canOpen(feed: FeedSource): feed is OpeningFeed {
  return typeof (feed as Partial<OpeningFeed>).openExecution === "function";
}

const HINT_PARAMS = { from: executionParams.from, to: executionParams.to };
const IDLE = () => () => undefined;

/** Opens the execution on the live feed (hinted read or scan); undefined for a finished log. */
function useExecutionOpener(feed: FeedSource, executionId: string, hint: ExecutionHint | undefined, enabled: boolean) {
  const from = hint?.from;
  const to = hint?.to;
  const opener = useMemo(
    () =>
      canOpen(feed) && enabled
        ? feed.openExecution(executionId, from !== undefined && to !== undefined ? { from, to } : undefined)
        : undefined,
    [feed, executionId, from, to, enabled],
  );
  useEffect(() => {
    if (!opener) return;
    void opener.run();
    return () => opener.cancel();
  }, [opener]);
  const state = useSyncExternalStore(
    opener?.subscribe ?? IDLE,
    () => opener?.getSnapshot(),
    () => undefined,
  );
  return { state, opener };
}

/** Re-reads an execution the tab's memory budget evicted, while `evicted`. */
function useExecutionRestorer(feed: FeedSource, executionId: string, evicted: boolean) {
  const restorer = useMemo(
    () => (evicted && canOpen(feed) ? feed.restoreExecution(executionId) : undefined),
    [feed, executionId, evicted],
  );
  useEffect(() => {
    if (!restorer) return;
    void restorer.run();
    return () => restorer.cancel();
  }, [restorer]);
  return useSyncExternalStore(
    restorer?.subscribe ?? IDLE,
    () => restorer?.getSnapshot(),
    () => undefined,
  );
}

/**
 * The live execution page: the tab's feed into the timeline. An execution
 * outside the loaded history is read from where the link's hint says it lies,
 * or searched for with a progress bar; when it is nowhere, the page says so and
 * what was searched.
 */
export function ExecutionView({ context, initialKeyId }: ExecutionViewProps) {
  // The log's key for it; an execution's is its id (context-ref.ts).
  const executionId = contextKey(context);
  const noun = context.kind === "invocation" ? "Invocation" : "Execution";
  const name = <span className="font-mono">{visible(context.id)}</span>;
  const feed = useFeed();
  const { log, version, holes } = useAuditFeed();
  // Held while shown: the memory budget never evicts what a view shows.
  useEffect(() => log.pin(executionId), [log, executionId]);
  const [{ from, to }] = useQueryStates(HINT_PARAMS);
  const hint = from !== null && to !== null && to >= from ? { from, to } : undefined;
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` tracks the mutable log
  const summary = useMemo(() => log.execution(executionId), [log, version, executionId]);
  const known = summary !== undefined;
  // An invocation whose events all lie in runs the tab holds has nothing of its own to search the stream for.
  const inRuns = useMemo(
    () => context.kind === "invocation" && !known && log.related(executionId).length > 0,
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` tracks the mutable log
    [log, version, executionId, known, context.kind],
  );
  const { state: open, opener } = useExecutionOpener(feed, executionId, hint, !inRuns);
  const live = canOpen(feed);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` tracks the mutable log
  const readAlone = useMemo(() => known && log.readAlone(executionId), [log, version, executionId, known]);
  const restore = useExecutionRestorer(feed, executionId, summary?.evicted !== undefined);
  // The timeline re-renders when its execution changed, not on every batch the tab takes in.
  const stamp = log.executionStamp(executionId);
  const footer = useMemo(() => <MalformedList executionId={executionId} />, [executionId]);
  const toolbar = useMemo(() => <ExecutionExports log={log} executionId={executionId} />, [log, executionId]);
  const restoring = restore?.phase === "reading";

  // An execution read from outside the loaded history shows once all of it is read, so it opens on the
  // sender's window and counts; one in the loaded history shows at once and grows in place, as before.
  const settled = open?.phase === "found" || open?.phase === "cancelled" || open?.phase === "error";
  const ready = known && !restoring && (!live || settled || (hint === undefined && open?.mode === "history"));

  if (known && restoring) {
    return (
      <div className="mx-auto max-w-2xl py-12 text-center text-slate-600 dark:text-slate-400">
        <p data-testid="execution-restoring" role="status">
          This tab let {noun.toLowerCase()} {name} go to stay within its memory budget. Reading it again from stream
          sequences {formatCount(restore.from)}–{formatCount(restore.to)}: {formatCount(restore.read)} of{" "}
          {formatCount(restore.to - restore.from + 1)} messages…
        </p>
      </div>
    );
  }
  if (inRuns) {
    return (
      <div className="mx-auto max-w-2xl py-12 text-center text-slate-600 dark:text-slate-400">
        <p data-testid="execution-missing">
          Invocation {name} has no events outside a workflow run.
          <InvocationRuns log={log} version={version} executionId={executionId} />
        </p>
      </div>
    );
  }
  if (!ready) {
    return (
      <div className="mx-auto max-w-2xl py-12 text-center text-slate-600 dark:text-slate-400">
        {!live ? (
          <p data-testid="execution-missing">
            {noun} {name} is not among the {formatCount(log.size)} messages of this log.
          </p>
        ) : open === undefined ? (
          <p data-testid="execution-opening">Connecting…</p>
        ) : (
          <OpenStatus
            state={open}
            context={context}
            streamName={feed.streamName}
            logSize={log.size}
            onCancel={() => opener?.cancel()}
            onRetry={() => void opener?.run()}
          />
        )}
      </div>
    );
  }
  return (
    <>
      {summary && <IntegrityNote holes={holes} from={summary.firstStreamSeq} to={summary.lastStreamSeq} />}
      {readAlone && (
        <p className="mb-2 text-xs text-slate-500" data-testid="execution-read-alone">
          Opened through the index: this execution&apos;s own messages only. Hash chains run through the lines a process
          wrote for other executions, so they are not checked here.
        </p>
      )}
      {restore?.phase === "error" && (
        <p role="alert" data-testid="execution-restore-error" className="mb-2 text-sm text-red-700 dark:text-red-400">
          Reading this execution again failed: {visible(restore.reason ?? "")}. Counts are from its summary.
        </p>
      )}
      {restore?.phase === "done" && (restore.missing ?? 0) > 0 && (
        <p
          role="status"
          data-testid="execution-restore-missing"
          className="mb-2 text-sm text-amber-700 dark:text-amber-400"
        >
          {formatCount(restore.missing ?? 0)} of its messages are no longer on the stream (they expired after this tab
          let them go); the counts in the list are from its summary.
        </p>
      )}
      <RelatedLinks log={log} version={version} executionId={executionId} kind={context.kind} />
      <ExecutionTimeline
        log={log}
        version={stamp}
        executionId={executionId}
        initialKeyId={initialKeyId}
        linkable={live}
        footer={footer}
        toolbar={toolbar}
      />
    </>
  );
}

interface OpenStatusProps {
  state: OpenState;
  context: ContextRef;
  streamName?: string;
  logSize: number;
  onCancel(): void;
  onRetry(): void;
}

/** Where the open is: waiting for history, reading the hinted stretch, scanning (with progress and cancel), or not found. */
function OpenStatus({ state, context, streamName, logSize, onCancel, onRetry }: OpenStatusProps) {
  const id = <span className="font-mono">{visible(context.id)}</span>;
  const noun = context.kind === "invocation" ? "Invocation" : "Execution";
  const stream = streamName ? `stream ${streamName}` : "the stream";
  if (state.phase === "not-found") {
    return (
      <div data-testid="execution-missing" data-searched={JSON.stringify(state.searched)} role="alert">
        {state.mode === "index" && state.reason ? (
          // A tenant's tab: the index is all it may read.
          <p>
            {noun} {id} is {state.reason}. It may belong to another tenant, or the id may be wrong.
          </p>
        ) : (
          <>
            <p>
              {noun} {id} is not among the {formatCount(logSize)} messages loaded from {stream}, nor in what was
              searched for it. It may have expired, or the id may be wrong.
            </p>
            <p className="mt-2 text-sm" data-testid="execution-searched">
              {state.hint && state.searched.length === 0 ? state.reason : describeSearch(state)}
            </p>
          </>
        )}
        <p className="mt-3 text-sm">
          {state.hint && (
            <>
              <Link href={contextPath(context)} className="text-sky-700 underline dark:text-sky-400">
                Search the whole stream
              </Link>{" "}
              ·{" "}
            </>
          )}
          <Link
            href={context.kind === "invocation" ? "/?view=invocations" : "/"}
            className="text-sky-700 underline dark:text-sky-400"
          >
            {context.kind === "invocation" ? "All invocations" : "All executions"}
          </Link>
        </p>
      </div>
    );
  }
  if (state.phase === "cancelled" || state.phase === "error") {
    return (
      <div data-testid="execution-opening" data-phase={state.phase} role="alert">
        <p>
          {state.phase === "cancelled" ? "Search stopped." : "Reading the stream failed:"} {visible(state.reason ?? "")}
        </p>
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Search again
        </button>
      </div>
    );
  }
  const total = Math.max(0, state.to - state.from + 1);
  const pct = total > 0 ? Math.min(100, (state.read / total) * 100) : 0;
  const what =
    state.mode === "history"
      ? "Loading the stream…"
      : state.mode === "index"
        ? `Reading through the stream's index: ${noun.toLowerCase()}`
        : state.mode === "hint"
          ? `Reading stream sequences ${formatCount(state.from)}–${formatCount(state.hint?.to ?? state.to)}, where the link says ${noun.toLowerCase()}`
          : `Searching the stream for ${noun.toLowerCase()}`;
  return (
    <div data-testid="execution-opening" data-phase={state.phase} data-mode={state.mode} className="space-y-3">
      <p>
        {what} {state.mode !== "history" && id}
        {state.mode === "hint" && " lies"}
        {state.mode === "scan" &&
          ` (not in the loaded history): oldest first, from sequence ${formatCount(state.from)}`}
      </p>
      {state.mode !== "history" && state.phase === "reading" && (
        <>
          <progress className="h-2 w-full" max={total} value={state.read} aria-label="Messages read" />
          <p className="text-sm tabular-nums" data-testid="open-progress" data-read={state.read} data-total={total}>
            {formatCount(state.read)} of {formatCount(total)} messages ({pct.toFixed(0)} %) ·{" "}
            {formatCount(Math.round(state.rate))} msg/s · {formatDuration(state.elapsedMs)}
            {state.seen > 0 && ` · ${formatCount(state.seen)} of its messages found`}
          </p>
          <button
            type="button"
            onClick={onCancel}
            className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            data-testid="open-cancel"
          >
            Cancel
          </button>
        </>
      )}
    </div>
  );
}
