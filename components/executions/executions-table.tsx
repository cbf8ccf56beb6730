"use client";

import Link from "next/link";
import { useQueryStates } from "nuqs";
import { useMemo, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { BUILTIN_KEYS, type AnomalyKind } from "@/lib/audit";
import { formatDateTime, formatDuration } from "@/lib/format";
import {
  DEFAULT_SORT,
  selectExecutions,
  workflowIds,
  type ExecutionFilter,
  type ExecutionRow,
  type ExecutionSort,
  type SortColumn,
} from "@/lib/executions/execution-rows";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { useExecutionRows } from "@/hooks/use-execution-rows";
import { executionsParams, kindOfView, type ListView } from "@/lib/links/executions-params";
import { ListViews } from "./list-views";
import { StatusBadge } from "./status-badge";
import { ExecutionsFilterBar } from "./executions-filter-bar";
import { visible } from "@/lib/text/visible";
import { contextKeyPath, contextPath } from "@/lib/links/url-text";

const GRID =
  "grid grid-cols-[minmax(11rem,1.2fr)_minmax(7rem,0.8fr)_6rem_minmax(10rem,1.4fr)_5rem_minmax(9rem,1fr)_10rem_5.5rem] gap-x-3";
const ROW_H = 34;
/** The anomaly counts default to Forge's documented key. */
const DEFAULT_KEY = "invocation";

const NOUN: Record<ListView, string> = { executions: "Execution", invocations: "Invocation", all: "Run or invocation" };

/**
 * Every workflow execution on the stream — or every invocation outside any run, or both — live,
 * virtualised: 10 000 rows scroll like 10.
 */
export function ExecutionsTable() {
  const { status } = useAuditFeed();
  // Filters, sort and key live in the URL: a filtered list is a link, and back undoes a filter.
  const [params, setParams] = useQueryStates(executionsParams, { history: "push", scroll: false });
  const key =
    BUILTIN_KEYS.find((k) => k.id === (params.key ?? DEFAULT_KEY)) ??
    BUILTIN_KEYS.find((k) => k.id === DEFAULT_KEY) ??
    BUILTIN_KEYS[0]!;
  const keyId = key.id;
  const sort: ExecutionSort = params.sort ?? DEFAULT_SORT;
  const view: ListView = params.view ?? "executions";
  const setView = (v: ListView) => void setParams({ view: v === "executions" ? null : v });
  const filter = useMemo<ExecutionFilter>(() => {
    const f: ExecutionFilter = {};
    if (params.q) f.search = params.q;
    if (params.workflow) f.workflowId = params.workflow;
    if (params.status) f.status = params.status;
    if (params.within !== null && params.within > 0) f.withinMs = params.within;
    if (params.anomalies) f.hasAnomalies = true;
    return f;
  }, [params.q, params.workflow, params.status, params.within, params.anomalies]);
  const setFilter = (f: ExecutionFilter) =>
    void setParams(
      {
        q: f.search || null,
        workflow: f.workflowId ?? null,
        status: f.status ?? null,
        within: f.withinMs ?? null,
        anomalies: f.hasAnomalies ? true : null,
      },
      // Typing in the search box replaces the entry; every other filter is a step back can undo.
      { history: (f.search ?? "") !== (filter.search ?? "") ? "replace" : "push" },
    );
  const setKeyId = (id: string) => void setParams({ key: id === DEFAULT_KEY ? null : id });
  const setSort = (update: (s: ExecutionSort) => ExecutionSort) => {
    const next = update(sort);
    void setParams({ sort: next.by === DEFAULT_SORT.by && next.desc === DEFAULT_SORT.desc ? null : next });
  };
  const { rows, total, reach, workflows: indexWorkflows } = useExecutionRows(key, filter, kindOfView(view));
  const shown = useMemo(() => selectExecutions(rows, filter, sort), [rows, filter, sort]);
  const exactSearch = filter.search?.trim() ?? "";
  // The index's workflows too: a filter reaches workflows none of the held rows belong to.
  const workflows = useMemo(
    () => [...new Set([...workflowIds(rows), ...(indexWorkflows ?? [])])].sort(),
    [rows, indexWorkflows],
  );

  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtual = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
    getItemKey: (i) => shown[i]?.id ?? i,
  });

  const ariaSort = (col: SortColumn) => (sort.by === col ? (sort.desc ? "descending" : "ascending") : "none");
  const header = (col: SortColumn, label: string, right = false) => (
    <button
      type="button"
      className={`flex items-center gap-1 uppercase tracking-wide hover:text-slate-900 dark:hover:text-white ${right ? "justify-end" : ""}`}
      onClick={() => setSort((s) => (s.by === col ? { by: col, desc: !s.desc } : { by: col, desc: true }))}
    >
      {label}
      {sort.by === col && <span aria-hidden>{sort.desc ? "▼" : "▲"}</span>}
    </button>
  );

  return (
    <div className="flex flex-col gap-2">
      <ListViews view={view} onView={setView} />
      <ExecutionsFilterBar
        view={view}
        filter={filter}
        onFilter={setFilter}
        workflows={workflows}
        keyId={keyId}
        onKey={setKeyId}
        shown={shown.length}
        total={total}
      />
      {reach?.capped && (
        <p className="text-xs text-slate-500" data-testid="index-reach">
          From the index: the most recently active executions
          {reach.sinceMs === undefined ? "" : ` (active since ${formatDateTime(reach.sinceMs)})`}. Older ones stay on
          the server: narrow by workflow, status or time window, or search an exact execution id.
        </p>
      )}
      {exactSearch !== "" && !rows.some((r) => r.name === exactSearch) && (
        // Temporal's list does the same for an exact workflow id: one the list does not hold may still be read.
        <p className="text-xs text-slate-500" data-testid="open-by-id">
          No {view === "invocations" ? "invocation" : "execution"} of this list is named exactly that:{" "}
          <Link
            href={contextPath({ kind: view === "invocations" ? "invocation" : "execution", id: exactSearch })}
            className="text-sky-700 underline dark:text-sky-400"
          >
            open “{visible(exactSearch)}” from the stream
          </Link>{" "}
          (an older one this tab keeps only counted, or one it never read).
        </p>
      )}
      {total === 0 ? (
        <p className="py-12 text-center text-slate-500" data-testid="executions-empty">
          {status.phase !== "live"
            ? "Waiting for the stream…"
            : view === "invocations"
              ? "No invocations outside a workflow run on the stream yet. Waiting for events…"
              : view === "all"
                ? "No executions or invocations on the stream yet. Waiting for events…"
                : "No workflow executions on the stream yet. Waiting for events…"}
        </p>
      ) : (
        <div
          role="table"
          aria-label={
            view === "executions"
              ? "Workflow executions"
              : view === "invocations"
                ? "Invocations"
                : "Runs and invocations"
          }
          data-testid="executions-table"
          className="text-sm"
        >
          <div
            role="row"
            className={`${GRID} border-b border-slate-200 py-2 text-left text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800`}
          >
            <span role="columnheader" aria-sort={ariaSort("id")}>
              {header("id", NOUN[view])}
            </span>
            <span role="columnheader">
              {view === "executions" ? "Workflow" : view === "invocations" ? "Task" : "Workflow / task"}
            </span>
            <span role="columnheader">Status</span>
            <span role="columnheader">Producers</span>
            <span role="columnheader" aria-sort={ariaSort("events")} className="flex justify-end">
              {header("events", "Events", true)}
            </span>
            <span role="columnheader" aria-sort={ariaSort("anomalies")}>
              {header("anomalies", "Anomalies")}
            </span>
            <span role="columnheader" aria-sort={ariaSort("first")}>
              {header("first", "First event")}
            </span>
            <span role="columnheader" aria-sort={ariaSort("duration")} className="flex justify-end">
              {header("duration", "Span", true)}
            </span>
          </div>
          <div
            ref={scroller}
            className="h-[calc(100vh-15rem)] min-h-64 overflow-auto"
            data-testid="executions-scroller"
          >
            <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
              {virtual.getVirtualItems().map((v) => {
                const row = shown[v.index];
                if (!row) return null;
                return (
                  <div
                    key={v.key}
                    style={{
                      position: "absolute",
                      top: 0,
                      left: 0,
                      right: 0,
                      transform: `translateY(${v.start}px)`,
                      height: ROW_H,
                    }}
                  >
                    <ExecutionRowView row={row} tagKind={view === "all"} />
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

const KIND_LABEL: Partial<Record<AnomalyKind, string>> = {
  collision: "coll",
  gap: "gap",
  "missing-head": "head",
  duplicate: "dup",
  "out-of-order": "ooo",
  "open-tail": "tail",
  "chain-break": "chain",
  "bad-signature": "sig",
  malformed: "bad",
};
const KIND_TONE: Partial<Record<AnomalyKind, string>> = {
  collision: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  gap: "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
  "missing-head": "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
  "chain-break": "bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300",
  "bad-signature": "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  malformed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

function ExecutionRowView({ row, tagKind }: { row: ExecutionRow; tagKind: boolean }) {
  const labels = visible(row.producers.map((p) => p.label).join(", "));
  const tasks = row.taskIds ?? [];
  return (
    <div
      role="row"
      className={`${GRID} h-full items-center border-b border-slate-100 hover:bg-slate-50 dark:border-slate-900 dark:hover:bg-slate-900`}
      data-testid="execution-row"
      data-execution-id={row.name}
      data-kind={row.kind}
    >
      <span role="cell" className="truncate font-mono">
        {tagKind && (
          <span
            className="mr-1 rounded bg-slate-100 px-1 font-sans text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300"
            title={
              row.kind === "invocation"
                ? "An invocation outside any workflow run (its correlation_id)"
                : "A workflow run"
            }
          >
            {row.kind === "invocation" ? "inv" : "run"}
          </span>
        )}
        <Link
          className="text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
          href={contextKeyPath(row.id)}
        >
          {visible(row.name)}
        </Link>
      </span>
      <span role="cell" className="truncate" title={tasks.length > 1 ? visible(tasks.join(", ")) : undefined}>
        {row.kind === "invocation"
          ? tasks.length === 0
            ? "no task id"
            : visible(tasks[0] as string) + (tasks.length > 1 ? ` +${tasks.length - 1}` : "")
          : row.workflowId === undefined
            ? "—"
            : visible(row.workflowId)}
      </span>
      <span role="cell">
        <StatusBadge status={row.status} />
        {row.evicted && (
          <span
            className="ml-1 text-xs text-slate-500"
            data-testid="execution-evicted"
            title="Let go to stay within the tab's memory budget (SEQSCOPE_MEMORY_MIB): counts are from its summary; opening it reads it again from the stream."
          >
            summary
          </span>
        )}
        {row.folded && (
          <span
            className="ml-1 text-xs text-slate-500"
            data-testid="execution-folded"
            title="Its earlier messages were folded into the older executions only counted (memory budget): these counts are what came since; opening it reads it again from the stream."
          >
            part counted
          </span>
        )}
        {row.indexed && (
          <span
            className="ml-1 text-xs text-slate-500"
            data-testid="execution-indexed"
            title="From the stream's index: not held by this tab; opening it reads just its messages through the index."
          >
            indexed
          </span>
        )}
      </span>
      <span role="cell" className="truncate" title={labels}>
        {row.producers.length} <span className="text-slate-500">({labels})</span>
      </span>
      <span role="cell" className="text-right tabular-nums" data-testid="execution-event-count">
        {row.eventCount}
      </span>
      <span role="cell" className="flex flex-wrap gap-1 text-xs" data-testid="execution-anomalies">
        {(row.evicted || row.indexed) && !row.anomalies ? (
          <span className="text-slate-400" title="Counted under the built-in keys only while it is not held">
            — (open to count)
          </span>
        ) : row.anomalyTotal === 0 ? (
          <span className="text-slate-400">none</span>
        ) : (
          (Object.keys(KIND_LABEL) as AnomalyKind[])
            .filter((k) => (row.anomalies?.[k] ?? 0) > 0)
            .map((k) => (
              <span
                key={k}
                className={`rounded px-1 tabular-nums ${KIND_TONE[k] ?? "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300"}`}
                title={`${row.anomalies?.[k]} ${k}`}
                data-kind={k}
              >
                {row.anomalies?.[k]} {KIND_LABEL[k]}
              </span>
            ))
        )}
      </span>
      <span role="cell" className="tabular-nums">
        {formatDateTime(row.firstTsMs)}
      </span>
      <span role="cell" className="text-right tabular-nums">
        {formatDuration(row.durationMs)}
      </span>
    </div>
  );
}
