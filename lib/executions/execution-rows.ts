// The executions list as data: summaries joined with their anomaly counts,
// filtered and sorted. Pure, so the list's behaviour is tested without a browser.
import { ANOMALY_KINDS, type AnomalyKind, type ExecutionStatus, type ExecutionSummary } from "../audit";

export interface ExecutionRow extends ExecutionSummary {
  /** Anomalies of this execution under the list's partition key; undefined until computed. */
  anomalies?: Record<AnomalyKind, number>;
  anomalyTotal: number;
  durationMs: number;
  /** From the stream's index, not held by the tab: opening it reads just its messages through the index. */
  indexed?: boolean;
}

export interface ExecutionFilter {
  /** Substring of the execution id, or of an invocation's correlation id or a task id (case-insensitive). */
  search?: string;
  workflowId?: string;
  status?: ExecutionStatus;
  hasAnomalies?: boolean;
  /** Only executions with an event in the last `withinMs` before `nowMs` (see selectExecutions). */
  withinMs?: number;
}

export type SortColumn = "first" | "last" | "duration" | "events" | "anomalies" | "id";
export interface ExecutionSort {
  by: SortColumn;
  desc: boolean;
}

export const DEFAULT_SORT: ExecutionSort = { by: "first", desc: true };

export function toRow(s: ExecutionSummary, anomalies?: Record<AnomalyKind, number>): ExecutionRow {
  let total = 0;
  if (anomalies) for (const k of ANOMALY_KINDS) total += anomalies[k] ?? 0;
  return { ...s, anomalies, anomalyTotal: total, durationMs: Math.max(0, s.lastTsMs - s.firstTsMs) };
}

function sortValue(r: ExecutionRow, by: SortColumn): number | string {
  switch (by) {
    case "first":
      return r.firstTsMs;
    case "last":
      return r.lastTsMs;
    case "duration":
      return r.durationMs;
    case "events":
      return r.eventCount;
    case "anomalies":
      return r.anomalyTotal;
    case "id":
      return r.name;
  }
}

/**
 * The rows to show. `nowMs` anchors the time window; it defaults to the newest
 * event, so "last 5 min" of a replayed file means its last five minutes.
 */
export function selectExecutions(
  rows: readonly ExecutionRow[],
  filter: ExecutionFilter,
  sort: ExecutionSort,
  nowMs = newestMs(rows),
): ExecutionRow[] {
  const needle = filter.search?.trim().toLowerCase();
  const sinceMs = filter.withinMs === undefined ? undefined : nowMs - filter.withinMs;
  const out = rows.filter(
    (r) =>
      (!needle || matches(r, needle)) &&
      (!filter.workflowId || r.workflowId === filter.workflowId) &&
      (!filter.status || r.status === filter.status) &&
      (!filter.hasAnomalies || r.anomalyTotal > 0) &&
      (sinceMs === undefined || r.lastTsMs >= sinceMs),
  );
  const dir = sort.desc ? -1 : 1;
  // Ties fall back to newest first, then id, so the order is stable while live rows update.
  return out.sort((a, b) => {
    const x = sortValue(a, sort.by);
    const y = sortValue(b, sort.by);
    if (x !== y) return (x < y ? -1 : 1) * dir;
    if (a.firstTsMs !== b.firstTsMs) return b.firstTsMs - a.firstTsMs;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function matches(r: ExecutionRow, needle: string): boolean {
  return r.name.toLowerCase().includes(needle) || (r.taskIds?.some((t) => t.toLowerCase().includes(needle)) ?? false);
}

/** Distinct workflow ids, for the filter's choices. */
export function workflowIds(rows: readonly ExecutionRow[]): string[] {
  return [...new Set(rows.map((r) => r.workflowId).filter((w): w is string => !!w))].sort();
}

export function newestMs(rows: readonly ExecutionRow[]): number {
  let max = -Infinity;
  for (const r of rows) if (r.lastTsMs > max) max = r.lastTsMs;
  return max;
}
