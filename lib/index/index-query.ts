// What the list asks the index, as KV key filters the server answers (see
// index-keys.ts): a live watch of changes under the query's workflow and
// status, and its history read an hour at a time, newest first, until the
// tab holds enough or the window (or the index) ends. Pure, so the mapping
// from the list's filters to the server's is tested without a server.
import type { ExecutionStatus } from "../audit/audit-log";
import { contextKey, invocationKey } from "../audit/context-ref";
import { statusAt, type IndexEntry } from "./index-entry";
import { hoursBetween, summaryFilter, type KeyStatus } from "./index-keys";

export interface IndexQuery {
  /**
   * The tenant the reader is restricted to (its credential allows only that tenant's keys): every filter
   * starts with it. Undefined: an unrestricted reader, every tenant's and those of none.
   */
  org?: string;
  workflowId?: string;
  status?: ExecutionStatus;
  /** Active within this long before now (server time): a time window. */
  withinMs?: number;
  /** Search text: besides the list's own substring match, looked up as an exact id anywhere in the index. */
  search?: string;
}

/** The key's status token for a list status: a stalled run's key says running (stalled is the viewer's call). */
export function keyStatus(s: ExecutionStatus | undefined): KeyStatus | undefined {
  return s === undefined ? undefined : s === "stalled" ? "running" : s;
}

/** The live watch's filter: any hour (a change lands in the hour it happens in), the query's workflow and status. */
export function liveFilter(q: IndexQuery): string {
  return summaryFilter({ org: q.org, workflowId: q.workflowId, status: keyStatus(q.status) });
}

/**
 * How far the viewer's clock may run behind the server's: summary keys carry the server's hour, and a
 * wall-screen machine without NTP drifts. The history reads the hour this much past the viewer's now too
 * (one empty read when the clocks agree), or a tab behind across an hour boundary never reads the newest.
 */
export const CLOCK_SLACK_MS = 60 * 60_000;

/**
 * The history's filters, an hour each, newest first: from the hour of `nowMs` + CLOCK_SLACK_MS back to
 * the window's start or `oldestMs`.
 */
export function historyFilters(q: IndexQuery, nowMs: number, oldestMs: number): { hour: string; filter: string }[] {
  const from = Math.max(oldestMs, q.withinMs === undefined ? -Infinity : nowMs - q.withinMs);
  return hoursBetween(from, nowMs + CLOCK_SLACK_MS).map((hour) => ({
    hour,
    filter: summaryFilter({ org: q.org, workflowId: q.workflowId, status: keyStatus(q.status), hour }),
  }));
}

/** The search text as an exact id anywhere in the index: an execution's, or an invocation's correlation id. */
export function exactFilters(q: IndexQuery): string[] {
  const id = q.search?.trim();
  if (!id) return [];
  const status = keyStatus(q.status);
  const keys = [contextKey({ kind: "execution", id })];
  // An invocation is outside any workflow: a workflow filter leaves it out.
  if (q.workflowId === undefined) keys.push(invocationKey(id));
  return keys.map((executionId) => summaryFilter({ org: q.org, workflowId: q.workflowId, status, executionId }));
}

/** Whether a summary answers the query at `nowMs`: what the filters ask, exactly (they work to the hour). */
export function matchesQuery(q: IndexQuery, e: IndexEntry, nowMs: number, quietPeriodMs: number): boolean {
  if (q.org !== undefined && e.org !== q.org) return false;
  if (q.workflowId !== undefined && e.workflowId !== q.workflowId) return false;
  if (q.status !== undefined && statusAt(e, nowMs, quietPeriodMs) !== q.status) return false;
  return q.withinMs === undefined || e.lastSeenMs >= nowMs - q.withinMs;
}

export function sameQuery(a: IndexQuery, b: IndexQuery): boolean {
  return (
    a.org === b.org &&
    a.workflowId === b.workflowId &&
    a.status === b.status &&
    a.withinMs === b.withinMs &&
    a.search === b.search
  );
}
