"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { useThrottled } from "@/hooks/use-throttled";
import type { ListView } from "@/lib/links/executions-params";
import type { AuditLog, ExecutionStatus, FoldedTotals } from "@/lib/audit";
import { formatCount } from "@/lib/format";

const TABS: { view: ListView; label: string }[] = [
  { view: "executions", label: "Workflow executions" },
  { view: "invocations", label: "Invocations" },
  { view: "all", label: "Everything" },
];

/**
 * Which contexts the list shows, and how the tab's events divide among them: every event read is an
 * execution's, an invocation's, or a process-level event (shown on its producer's page) — never unshown.
 */
export function ListViews({ view, onView }: { view: ListView; onView(v: ListView): void }) {
  const { log, version } = useAuditFeed();
  const throttled = useThrottled(version, 1_000);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `throttled` tracks the mutable log
  const counts = useMemo(() => ({ ...log.eventCounts(), n: contextsOf(log), folded: log.folded() }), [log, throttled]);
  const folded = foldedIn(counts.folded, view);
  return (
    <div className="mb-3 flex flex-wrap items-baseline gap-x-4 gap-y-1">
      <div role="tablist" aria-label="What the list shows" className="flex gap-1">
        {TABS.map((t) => (
          <button
            key={t.view}
            type="button"
            role="tab"
            aria-selected={view === t.view}
            data-testid={`list-view-${t.view}`}
            onClick={() => onView(t.view)}
            className={`rounded px-2 py-1 text-base ${
              view === t.view
                ? "bg-slate-200 font-semibold dark:bg-slate-800"
                : "text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-900"
            }`}
          >
            {t.label}
            {t.view !== "all" && (
              <span className="ml-1 text-xs font-normal tabular-nums text-slate-500">
                {formatCount(t.view === "executions" ? counts.n.executions : counts.n.invocations)}
              </span>
            )}
          </button>
        ))}
      </div>
      <p className="text-xs text-slate-500 tabular-nums" data-testid="event-division">
        <span data-testid="events-in-executions" data-count={counts.executions}>
          {formatCount(counts.executions)} events in executions
        </span>
        {" · "}
        <span data-testid="events-in-invocations" data-count={counts.invocations}>
          {formatCount(counts.invocations)} in invocations outside any run
        </span>
        {" · "}
        <Link
          href="/producers"
          className="text-sky-700 hover:underline dark:text-sky-400"
          data-testid="events-outside"
          data-count={counts.outside}
          title="Events with neither a workflow_execution_id nor a correlation_id (policy_loaded, agent_card_published…): each is on its producer process's page"
        >
          {formatCount(counts.outside)} outside any invocation
        </Link>
        {counts.malformed > 0 && (
          <>
            {" · "}
            <span data-testid="events-malformed" data-count={counts.malformed}>
              {formatCount(counts.malformed)} malformed
            </span>
          </>
        )}
      </p>
      {folded.contexts > 0 && (
        <p
          className="basis-full text-xs text-slate-500 tabular-nums"
          data-testid="folded-note"
          data-count={folded.contexts}
          title="Past the summaries' share of the tab's memory budget (SEQSCOPE_MEMORY_MIB), the oldest finished ones leave the list; their events, malformed messages and anomalies stay in every count. Open one by its id (/executions/<id>): it is read again from the stream."
        >
          + {formatCount(folded.contexts)} older{" "}
          {view === "invocations" ? "invocations" : view === "all" ? "runs and invocations" : "executions"} only counted
          ({describeStatuses(folded.byStatus)}; {formatCount(folded.events)} events), not listed: the tab&apos;s memory
          budget keeps the newest summaries
        </p>
      )}
    </div>
  );
}

const STATUS_ORDER: ExecutionStatus[] = ["complete", "failed", "cancelled", "stalled", "running"];

function describeStatuses(by: FoldedTotals["byStatus"]): string {
  return STATUS_ORDER.filter((s) => (by[s] ?? 0) > 0)
    .map((s) => `${formatCount(by[s] ?? 0)} ${s}`)
    .join(", ");
}

/** The folded totals the view counts: one kind, or both added up. */
function foldedIn(
  f: ReturnType<AuditLog["folded"]>,
  view: ListView,
): Pick<FoldedTotals, "contexts" | "events" | "byStatus"> {
  if (view === "executions") return f.execution;
  if (view === "invocations") return f.invocation;
  const byStatus: FoldedTotals["byStatus"] = {};
  for (const t of [f.execution, f.invocation])
    for (const s of STATUS_ORDER)
      if (t.byStatus[s] !== undefined) byStatus[s] = (byStatus[s] ?? 0) + (t.byStatus[s] ?? 0);
  return {
    contexts: f.execution.contexts + f.invocation.contexts,
    events: f.execution.events + f.invocation.events,
    byStatus,
  };
}

function contextsOf(log: ReturnType<typeof useAuditFeed>["log"]): { executions: number; invocations: number } {
  return { executions: log.executions().length, invocations: log.invocations().length };
}
