// The list's questions as the server's filters: whatever the query and the summary, a summary the query
// wants is under the live filter and under one of its history hours (nothing the server answers is
// missed), and a summary under neither is one it does not want. A tenant's filters (the query's org) lie
// under the one prefix its credential is allowed, and match none of another tenant's keys.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExecutionStatus } from "../audit/audit-log";
import { invocationKey } from "../audit/context-ref";
import { entryKey, statusAt, type IndexEntry } from "./index-entry";
import { orgToken } from "./index-keys";
import { exactFilters, historyFilters, liveFilter, matchesQuery, sameQuery, type IndexQuery } from "./index-query";

/** NATS subject matching: `*` one token, `>` the rest. */
function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length || (f[i] !== "*" && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

const QUIET = 5 * 60_000;
const NOW = Date.UTC(2026, 11, 2, 12, 30);
const HOUR = 3_600_000;
const workflows = ["billing", "pay.ments", "", "wf with space"];
// "meta" and "_" would be reserved tokens (index-keys.ts orgToken).
const orgs = ["acme", "globex", "meta", "_", "org.with dots"];
const statuses: IndexEntry["status"][] = ["running", "complete", "failed", "cancelled"];
const listStatuses: ExecutionStatus[] = ["running", "complete", "failed", "cancelled", "stalled"];

const entryArb = fc
  .record({
    id: fc.oneof(
      fc.constantFrom("run-1", "run.2", "rün 3"),
      fc.string({ minLength: 1, maxLength: 12 }),
      // An invocation outside any run (context-ref.ts): its key, under its correlation id.
      fc.constantFrom("run-1", "corr-9").map(invocationKey),
    ),
    org: fc.option(fc.constantFrom(...orgs), { nil: undefined }),
    workflowId: fc.option(fc.constantFrom(...workflows), { nil: undefined }),
    status: fc.constantFrom(...statuses),
    ageMs: fc.integer({ min: 0, max: 72 * HOUR }),
  })
  .map(({ id, org, workflowId, status, ageMs }): IndexEntry => ({
    v: 1,
    id,
    ...(org === undefined ? {} : { org }),
    ...(workflowId === undefined ? {} : { workflowId }),
    status,
    terminal: status !== "running",
    producers: [],
    events: 1,
    malformed: 0,
    duplicates: 0,
    firstTsMs: NOW - ageMs - 1_000,
    lastTsMs: NOW - ageMs,
    firstSeq: 1,
    lastSeq: 2,
    firstSeenMs: NOW - ageMs - 1_000,
    lastSeenMs: NOW - ageMs,
    anomalies: {},
    byProducer: {},
  }));

const queryArb: fc.Arbitrary<IndexQuery> = fc.record(
  {
    org: fc.constantFrom(...orgs),
    workflowId: fc.constantFrom(...workflows),
    status: fc.constantFrom(...listStatuses),
    withinMs: fc.integer({ min: 60_000, max: 48 * HOUR }),
    search: fc.constantFrom("run-1", "run.2", "rün 3", "corr-9", "nope"),
  },
  { requiredKeys: [] },
);

describe("index queries", () => {
  it("never miss a summary the query wants, and the hours' filters want nothing else", () => {
    fc.assert(
      fc.property(entryArb, queryArb, (e, q) => {
        const key = entryKey(e);
        const oldest = NOW - 80 * HOUR;
        const wanted = matchesQuery(q, e, NOW, QUIET);
        const inHistory = historyFilters(q, NOW, oldest).some((h) => subjectMatches(h.filter, key));
        if (wanted) {
          expect(subjectMatches(liveFilter(q), key)).toBe(true);
          expect(inHistory).toBe(true);
        }
        // Under a history filter: the same workflow and key status, active within the window to the hour.
        if (inHistory) {
          if (q.org !== undefined) expect(e.org).toBe(q.org);
          if (q.workflowId !== undefined) expect(e.workflowId ?? "").toBe(q.workflowId);
          if (q.status !== undefined && q.status !== "stalled") expect(e.status).toBe(q.status);
          if (q.status === "stalled") expect(e.status).toBe("running");
          if (q.withinMs !== undefined) expect(e.lastSeenMs).toBeGreaterThan(NOW - q.withinMs - HOUR);
        }
        // An exact search finds the execution of that id, or the invocation of that correlation id.
        const exact = exactFilters(q);
        const named =
          q.search === undefined ? [] : [q.search, ...(q.workflowId === undefined ? [invocationKey(q.search)] : [])];
        expect(exact.some((f) => subjectMatches(f, key))).toBe(named.includes(e.id) && inWorkflowAndStatus(q, e));
        // A tenant's every filter lies under what its credential allows (`<org>.>`), and reaches only its keys.
        if (q.org !== undefined) {
          const allowed = `${orgToken(q.org)}.>`;
          const filters = [liveFilter(q), ...historyFilters(q, NOW, oldest).map((h) => h.filter)];
          filters.push(...exact);
          for (const f of filters) {
            expect(subjectMatches(allowed, f)).toBe(true);
            if (subjectMatches(f, key)) expect(e.org).toBe(q.org);
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("tell a stalled run from a running one by the viewer's clock, and compare by value", () => {
    const e: IndexEntry = {
      ...fc.sample(entryArb, { numRuns: 1, seed: 3 })[0]!,
      status: "running",
      terminal: false,
      lastSeenMs: NOW - 2 * QUIET,
    };
    expect(statusAt(e, NOW, QUIET)).toBe("stalled");
    expect(matchesQuery({ status: "stalled" }, e, NOW, QUIET)).toBe(true);
    expect(matchesQuery({ status: "running" }, e, NOW, QUIET)).toBe(false);
    expect(matchesQuery({ status: "stalled" }, { ...e, lastSeenMs: NOW }, NOW, QUIET)).toBe(false);
    expect(sameQuery({ workflowId: "a", withinMs: 5 }, { withinMs: 5, workflowId: "a" })).toBe(true);
    expect(sameQuery({ workflowId: "a" }, { workflowId: "a", search: "x" })).toBe(false);
    expect(sameQuery({ org: "acme" }, { org: "globex" })).toBe(false);
    expect(matchesQuery({ org: "acme" }, { ...e, org: "globex" }, NOW, QUIET)).toBe(false);
    expect(liveFilter({ org: "acme", status: "failed" })).toBe("acme.*.*.failed.*");
    // No window: every hour back to the index's oldest summary; a window: only its hours.
    // (and the hour after the viewer's: see CLOCK_SLACK_MS).
    expect(historyFilters({}, NOW, NOW - 5 * HOUR)).toHaveLength(7);
    expect(historyFilters({ withinMs: 30 * 60_000 }, NOW, NOW - 5 * HOUR).map((h) => h.hour)).toEqual([
      "2026120213",
      "2026120212",
    ]);
    expect(exactFilters({ search: "  " })).toEqual([]);
    expect(exactFilters({ search: "c1", workflowId: "wf" })).toHaveLength(1);
  });

  it("read the server's newest hour when the viewer's clock runs behind across the hour", () => {
    // The server stamps a summary at 13:05; the viewer's clock says 12:55.
    const serverMs = Date.UTC(2026, 11, 2, 13, 5);
    const e: IndexEntry = { ...fc.sample(entryArb, { numRuns: 1, seed: 5 })[0]!, lastSeenMs: serverMs };
    const viewerMs = serverMs - 10 * 60_000;
    const hours = historyFilters({}, viewerMs, viewerMs - 3 * HOUR);
    expect(hours.some((h) => subjectMatches(h.filter, entryKey(e)))).toBe(true);
  });
});

function inWorkflowAndStatus(q: IndexQuery, e: IndexEntry): boolean {
  if (q.org !== undefined && e.org !== q.org) return false;
  if (q.workflowId !== undefined && (e.workflowId ?? "") !== q.workflowId) return false;
  if (q.status === undefined) return true;
  return q.status === "stalled" ? e.status === "running" : e.status === q.status;
}
