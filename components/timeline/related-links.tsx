"use client";

import Link from "next/link";
import { useMemo } from "react";
import type { AuditLog } from "@/lib/audit";
import { invocationKey, type ContextKind } from "@/lib/audit/context-ref";
import { contextPath } from "@/lib/links/url-text";
import { visible } from "@/lib/text/visible";
import { formatCount } from "@/lib/format";

interface RelatedProps {
  log: AuditLog;
  /** The log's version: what the memo follows. */
  version: number;
  /** The context's key. */
  executionId: string;
}

const linkClass = "font-mono text-sky-700 hover:underline dark:text-sky-400";

/**
 * The other side of a run ↔ invocation join: a run's invocations (by the correlation ids its events carry;
 * a link where the invocation also wrote outside the run), or the runs an invocation's events are filed under.
 */
export function RelatedLinks({ log, version, executionId, kind }: RelatedProps & { kind: ContextKind }) {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` tracks the mutable log
  const related = useMemo(() => log.related(executionId), [log, version, executionId]);
  if (related.length === 0) return null;
  if (kind === "invocation") {
    return (
      <p className="mb-2 text-sm text-slate-600 dark:text-slate-400" data-testid="related-runs">
        Part of workflow {related.length === 1 ? "run" : "runs"} <RunLinks ids={related} />: events of this invocation
        that carry a workflow_execution_id are shown on the run.
      </p>
    );
  }
  const shown = related.slice(0, MAX_SHOWN);
  return (
    <p className="mb-2 text-sm text-slate-600 dark:text-slate-400" data-testid="related-invocations">
      {formatCount(related.length)} {related.length === 1 ? "invocation" : "invocations"} in this run:{" "}
      {shown.map((corr, i) => (
        <span key={corr}>
          {i > 0 && ", "}
          {log.execution(invocationKey(corr)) === undefined ? (
            <span className="font-mono" title="All of its events are in this run">
              {visible(corr)}
            </span>
          ) : (
            <Link
              href={contextPath({ kind: "invocation", id: corr })}
              className={linkClass}
              title="It also wrote events outside the run"
            >
              {visible(corr)}
            </Link>
          )}
        </span>
      ))}
      {related.length > MAX_SHOWN && ` and ${formatCount(related.length - MAX_SHOWN)} more`}
    </p>
  );
}

/** Where an invocation that has no events of its own outside a run is: the runs that hold its events. */
export function InvocationRuns({ log, version, executionId }: RelatedProps) {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` tracks the mutable log
  const runs = useMemo(() => log.related(executionId), [log, version, executionId]);
  if (runs.length === 0) return null;
  return (
    <span className="mt-2 block" data-testid="invocation-runs">
      Its events are in workflow {runs.length === 1 ? "run" : "runs"} <RunLinks ids={runs} />.
    </span>
  );
}

const MAX_SHOWN = 20;

function RunLinks({ ids }: { ids: readonly string[] }) {
  return (
    <>
      {ids.slice(0, MAX_SHOWN).map((x, i) => (
        <span key={x}>
          {i > 0 && ", "}
          <Link href={contextPath({ kind: "execution", id: x })} className={linkClass}>
            {visible(x)}
          </Link>
        </span>
      ))}
      {ids.length > MAX_SHOWN && ` and ${formatCount(ids.length - MAX_SHOWN)} more`}
    </>
  );
}
