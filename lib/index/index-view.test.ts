// The list's and the metrics' views of the index, fed as a KV watch feeds them:
// puts, a key that moves (its workflow became known: a delete and a put), deletes.
import { describe, expect, it } from "vitest";
import { makeMessage } from "../audit/testing";
import { IndexedExecution, type IndexEntry } from "./index-entry";
import { IndexTotals } from "./index-totals";
import { indexedCounts, IndexView } from "./index-view";

/** A run whose agent skips seq 2 (a gap under every key that partitions it), finished or not. */
function entry(id: string, finished: boolean, lastSeenMs = 2_000, firstSeq = 1): { key: string; entry: IndexEntry } {
  const x = new IndexedExecution(id);
  const at = (i: number) => `2025-01-15T10:00:0${i}Z`;
  const base = { workflow_execution_id: id, workflow_id: "billing", correlation_id: "c1", task_id: "t1" };
  const lines = [
    { ...base, ts: at(0), event: "workflow_started", seq: 1 },
    { ...base, ts: at(1), event: "tool_exec", entity_type: "agent", entity_id: "pay", seq: 1 },
    { ...base, ts: at(2), event: "tool_exec", entity_type: "agent", entity_id: "pay", seq: 3 },
    ...(finished ? [{ ...base, ts: at(3), event: "workflow_complete", seq: 2 }] : []),
  ];
  x.add(lines.map((l, i) => makeMessage(l, { streamSeq: firstSeq + i, receivedMs: lastSeenMs - 10 + i })));
  return { key: x.key()!, entry: x.entry()! };
}

describe("IndexView", () => {
  it("keeps one summary per execution, follows a moved key, and fills counts for every kind", () => {
    const v = new IndexView();
    const a = entry("run-a", true);
    v.set(a.key, a.entry);
    v.set("=.2025011510.run-a", undefined); // an older key of it, deleted: nothing else changes
    expect(v.size).toBe(1);
    const moved = "other.2025011510.run-a";
    v.set(moved, a.entry);
    v.set(a.key, undefined);
    expect(v.size).toBe(1);
    expect(v.get("run-a")?.entry.id).toBe("run-a");
    const c = indexedCounts(v.get("run-a")!, "execution-entity", true)!;
    expect(c.gap).toBe(1);
    expect(c.collision).toBe(0);
    expect(indexedCounts(v.get("run-a")!, "custom:x", false)).toBeUndefined();
    v.clear();
    expect([v.size, v.get("run-a")]).toEqual([0, undefined]);
  });
});

describe("IndexView as a live watch and history reads feed it", () => {
  it("keeps the newest revision of each execution, whatever order reads and the watch tell it in", () => {
    const v = new IndexView();
    const a = entry("run-a", false, 1_000);
    const later = entry("run-a", true, 5_000); // finished in a later hour: a new key
    expect(later.key).not.toBe(a.key);
    v.set(later.key, later.entry, 20); // the live watch saw the move first
    v.set(a.key, a.entry, 10); // a history read of the older hour, afterwards: stale
    v.set(a.key, undefined, 21); // the move's delete of the old key: not the key held
    expect(v.size).toBe(1);
    expect(v.get("run-a")?.entry.status).toBe("complete");
    v.set(later.key, undefined, 19); // a delete older than what is held changes nothing
    expect(v.size).toBe(1);
    v.remove("run-a", 15);
    expect(v.size).toBe(1);
    v.remove("run-a", 30); // it no longer answers the query
    expect(v.size).toBe(0);
  });

  it("holds at most its limit, the most recently active, and what was asked for by id", () => {
    const v = new IndexView(10);
    v.pin("run-0");
    for (let i = 0; i < 100; i++) {
      const e = entry(`run-${i}`, true, 1_000 + i * 1_000);
      v.set(e.key, e.entry, i + 1);
    }
    v.settle();
    expect(v.size).toBe(10);
    expect(v.get("run-0")).toBeDefined(); // pinned: the oldest, kept
    expect(v.get("run-99")).toBeDefined();
    expect(v.get("run-50")).toBeUndefined();
    expect(v.reach.capped).toBe(true);
    // The walk ends where it reached, but what the limit let go keeps it capped.
    v.setReach({ sinceMs: 0, complete: true, capped: false });
    expect(v.reach).toMatchObject({ complete: false, capped: true });
    expect(v.reach.sinceMs).toBeGreaterThan(90_000);
    v.clear();
    v.setReach({ sinceMs: 0, complete: true, capped: false });
    expect(v.reach).toEqual({ sinceMs: 0, complete: true, capped: false });
  });

  it("lets the older go when the newest share a millisecond, in whatever order they arrived", () => {
    // A burst: six executions published one after another, their last messages stamped in one server
    // millisecond; the stream's sequence says which came last. Arrival order is the index's (oldest write
    // first) or the reverse; either way the three most recently active stay.
    const burst = Array.from({ length: 6 }, (_, i) => entry(`run-${i}`, true, 5_000, 1 + i * 10));
    expect(new Set(burst.map((b) => b.entry.lastSeenMs)).size).toBe(1);
    for (const order of [burst, [...burst].reverse()]) {
      const v = new IndexView(3);
      for (const [i, b] of order.entries()) v.set(b.key, b.entry, i + 1);
      v.settle();
      expect([...v.values()].map((s) => s.entry.id).sort()).toEqual(["run-3", "run-4", "run-5"]);
      expect(v.reach.capped).toBe(true);
    }
  });
});

describe("IndexTotals", () => {
  it("totals statuses and anomalies as summaries are written, replaced and removed", () => {
    const t = new IndexTotals();
    const a = entry("run-a", true);
    const b = entry("run-b", false, 1_000);
    t.set(a.key, a.entry);
    t.set(b.key, b.entry);
    t.set(b.key, b.entry); // the same summary again: counted once
    expect(t.byStatus(2_000, 60_000)).toMatchObject({ complete: 1, running: 1, stalled: 0 });
    expect(t.byStatus(1_000 + 60_000, 60_000)).toMatchObject({ complete: 1, running: 0, stalled: 1 });
    const gaps = t.anomalyTotals().filter((x) => x.kind === "gap" && x.key === "execution-entity");
    expect(gaps.reduce((n, x) => n + x.count, 0)).toBe(2);
    t.set(a.key, undefined);
    expect(t.executions).toBe(1);
    expect(t.anomalyTotals().filter((x) => x.kind === "gap" && x.key === "execution-entity")[0]?.count).toBe(1);
  });
});
