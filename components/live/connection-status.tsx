"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useAuditFeed, useFeed } from "@/hooks/use-audit-feed";
import { useStreamInfo } from "@/hooks/use-stream-info";
import { visible } from "@/lib/text/visible";
import type { MemoryStats } from "@/lib/audit/memory-budget";
import type { ReaderPhase, ReaderStatus } from "@/lib/live/static-feed";
import { ConnectionLogPanel } from "./connection-log-panel";
import { formatCount } from "@/lib/format";

const LOOK: Record<ReaderPhase, { label: string; dot: string }> = {
  connecting: { label: "Connecting", dot: "bg-slate-400 animate-pulse" },
  loading: { label: "Loading history", dot: "bg-sky-500 animate-pulse" },
  live: { label: "Live", dot: "bg-emerald-500" },
  stalled: { label: "Stalled", dot: "bg-orange-500 animate-pulse" },
  reconnecting: { label: "Reconnecting", dot: "bg-amber-500 animate-pulse" },
  error: { label: "Error", dot: "bg-red-600" },
  closed: { label: "Closed", dot: "bg-slate-500" },
};

/** Where the tab stands with NATS, and how far behind the stream it is; or which local file replaces it. */
export function ConnectionStatus({ stream }: { stream: string }) {
  const origin = useFeed().origin?.();
  if (origin?.kind === "file") {
    // A file opened in this tab replaces the stream for the views: say so where the stream status was.
    return (
      <div className="flex min-w-0 flex-col items-end gap-1 text-sm">
        <div className="flex items-center gap-2" data-testid="connection-status" data-phase="file" role="status">
          <span className="inline-block h-2.5 w-2.5 rounded-full bg-amber-500" aria-hidden />
          <span className="font-medium">Local file</span>
          <span className="max-w-56 truncate font-mono text-xs" title={origin.name}>
            {origin.name}
          </span>
        </div>
        <p className="text-xs text-slate-500 tabular-nums" data-testid="stream-info">
          {formatCount(origin.lines)} lines ({formatBytes(origin.bytes)}) · {formatCount(origin.malformed)} not events ·
          not connected to {stream}
        </p>
      </div>
    );
  }
  return <LiveStatus stream={stream} />;
}

/** The live stream's status: phase, lag, silence, reason, and the flight recorder behind a button. */
function LiveStatus({ stream }: { stream: string }) {
  const { log, status, received, connectionLog, index, indexed, tenant } = useAuditFeed();
  const memory = describeMemory(log.memory());
  const info = useStreamInfo(stream);
  const [logOpen, setLogOpen] = useState(false);
  const logButton = useRef<HTMLButtonElement>(null);
  const quiet = status.phase === "stalled" || status.phase === "reconnecting";
  const now = useNow(quiet);
  const closeLog = useCallback(() => setLogOpen(false), []);
  const look = LOOK[status.phase];
  return (
    <div className="relative flex min-w-0 flex-col items-end gap-1 text-sm">
      <div className="flex items-center gap-2">
        <div
          className="flex items-center gap-2"
          data-testid="connection-status"
          data-phase={status.phase}
          data-behind={status.behind}
          data-last-seq={status.lastSeq}
          data-pauses={status.pauses}
          role="status"
          title={heldOf(status, received)}
        >
          <span className={`inline-block h-2.5 w-2.5 rounded-full ${look.dot}`} aria-hidden />
          <span className="font-medium">{phaseLabel(status)}</span>
          <span className="text-slate-500 tabular-nums">{describeLag(status, quiet ? now : undefined)}</span>
        </div>
        <button
          ref={logButton}
          type="button"
          className="rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-600 tabular-nums hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
          aria-haspopup="dialog"
          aria-expanded={logOpen}
          onClick={() => setLogOpen((o) => !o)}
          data-testid="connection-log-button"
          data-count={connectionLog.length}
        >
          Connection log · {formatCount(connectionLog.length)}
        </button>
      </div>
      {logOpen && <ConnectionLogPanel entries={connectionLog} onClose={closeLog} returnFocusTo={logButton} />}
      {info.data && (
        <p className="text-xs text-slate-500 tabular-nums" data-testid="stream-info">
          stream holds {formatCount(info.data.messages)} messages ({formatBytes(info.data.bytes)})
          {status.startSeq !== undefined && status.startSeq > info.data.firstSeq
            ? ` · loaded from stream seq ${formatCount(status.startSeq)} (SEQSCOPE_HISTORY)`
            : ""}
        </p>
      )}
      {tenant !== undefined && (
        <p
          className="text-xs text-slate-500"
          data-testid="tenant-note"
          title="Your sign-in keeps you to one tenant: NATS lets this tab read only that tenant's part of the index (no stream tail, no stream figures)."
        >
          tenant {visible(tenant)} · its part of the index only
        </p>
      )}
      {index !== "checking" && (
        <p
          className="text-xs text-slate-500 tabular-nums"
          data-testid="index-note"
          data-index={index}
          title={
            index === "present"
              ? "An indexer keeps a summary of every execution in NATS (KV) and each execution's messages on their own subject."
              : "Nobody runs `npm run indexer` for this stream: the list shows the executions in the loaded history, and a link without its hint scans the stream."
          }
        >
          {index === "present"
            ? indexed === undefined
              ? "indexed · links open through the index"
              : indexed.reach.capped
                ? `index: the ${formatCount(indexed.size)} most recently active executions · links open through it`
                : `index: ${formatCount(indexed.size)} executions${indexed.reach.complete ? "" : " so far"} · links open through it`
            : "no index: reading the stream directly"}
        </p>
      )}
      {memory && (
        <p className="text-xs text-slate-500 tabular-nums" data-testid="memory-note" title={memory.title}>
          {memory.text}
        </p>
      )}
      {status.reason && status.phase !== "live" && status.phase !== "loading" && (
        <p
          className={`max-w-xl text-right text-xs ${quiet ? "text-amber-700 dark:text-amber-400" : "text-red-700 dark:text-red-400"}`}
          data-testid="connection-reason"
        >
          {status.reason}
        </p>
      )}
    </div>
  );
}

/** Compact: 1.2 M, 48 k, 950. */
function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)} k`;
  return formatCount(n);
}

/** What the memory budget let go, once it let anything go ("holding the newest 1.2 M messages; 3 400 older executions as summaries"). */
export function describeMemory(m: MemoryStats): { text: string; title: string } | undefined {
  if (m.evictedExecutions === 0 || m.budgetBytes === undefined) return undefined;
  const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  return {
    text:
      `holding the newest ${compact(m.heldMessages)} messages; ${formatCount(Math.max(0, m.evictedExecutions - m.foldedContexts))} older executions as summaries` +
      (m.foldedContexts > 0 ? `, ${formatCount(m.foldedContexts)} older still only counted` : ""),
    title:
      `${formatCount(m.evictedMessages)} messages of finished executions let go to stay within ${mib(m.budgetBytes)} ` +
      `(SEQSCOPE_MEMORY_MIB; about ${mib(m.heldBytes)} held). Their counts stay in the list; opening one reads it again.`,
  };
}

/** The tooltip: what the tab holds, how often its consumer had to be recreated, how often reading paused. */
function heldOf(s: ReaderStatus, received: number): string {
  const upTo = s.lastSeq === undefined ? "" : `, up to stream seq ${formatCount(s.lastSeq)}`;
  const recovered = (s.sessions ?? 0) > 1 ? `; consumer recreated ${formatCount((s.sessions ?? 1) - 1)}×` : "";
  const paused = (s.pauses ?? 0) > 0 ? `; reading paused ${formatCount(s.pauses ?? 0)}× for this tab to keep up` : "";
  return `${formatCount(received)} messages held${upTo}${recovered}${paused}`;
}

/** Still reading the history the tab started with (rather than catching up on what came since). */
function loadingHistory(s: ReaderStatus): boolean {
  return s.phase === "loading" && s.targetSeq !== undefined && (s.lastSeq ?? 0) < s.targetSeq;
}

export function phaseLabel(s: ReaderStatus): string {
  if (s.phase === "loading") return loadingHistory(s) ? "Loading history" : "Catching up";
  return LOOK[s.phase].label;
}

/**
 * ` · 12,300 behind`, ` · last message 42 s ago`: how far the tab is from the
 * stream, always. `now` only while nothing arrives (stalled, reconnecting).
 */
export function describeLag(s: ReaderStatus, now: number | undefined): string {
  const parts: string[] = [];
  if (loadingHistory(s) && s.startSeq !== undefined && s.targetSeq !== undefined)
    parts.push(
      `${formatCount(Math.max(0, (s.lastSeq ?? 0) - s.startSeq + 1))} / ${formatCount(s.targetSeq - s.startSeq + 1)}`,
    );
  if (s.phase === "live" || s.phase === "loading" || s.phase === "stalled")
    parts.push(s.behind === undefined ? "lag unknown" : `${formatCount(s.behind)} behind`);
  if (now !== undefined && now > 0)
    parts.push(s.lastMessageAt === undefined ? "no message yet" : `last message ${ago(now - s.lastMessageAt)} ago`);
  return parts.map((p) => ` · ${p}`).join("");
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7_200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3_600)} h`;
}

/**
 * Date.now(), refreshed every second while `active` (0 until the first tick, so
 * the server's render and the first client render agree). A hidden tab's timers
 * slow down; nobody is looking then.
 */
function useNow(active: boolean): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!active) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const every = setInterval(tick, 1_000);
    return () => {
      clearTimeout(first);
      clearInterval(every);
    };
  }, [active]);
  return now;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
