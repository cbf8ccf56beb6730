// The list's and the metrics' views of the index, fed as a KV watch feeds them:
// puts, a key that moves (its workflow became known: a delete and a put), deletes.
import { describe, expect, it } from "vitest";
import { makeMessage } from "../audit/testing";
import { IndexedExecution, type IndexEntry } from "./index-entry";
import { IndexTotals } from "./index-totals";
import { indexedCounts, IndexView } from "./index-view";

/** A run whose agent skips seq 2 (a gap under every key that partitions it), finished or not. */
function entry(id: string, finished: boolean, lastSeenMs = 2_000): { key: string; entry: IndexEntry } {
  const x = new IndexedExecution(id);
  const at = (i: number) => `2025-01-15T10:00:0${i}Z`;
  const base = { workflow_execution_id: id, workflow_id: "billing", correlation_id: "c1", task_id: "t1" };
  const lines = [
    { ...base, ts: at(0), event: "workflow_started", seq: 1 },
    { ...base, ts: at(1), event: "tool_exec", entity_type: "agent", entity_id: "pay", seq: 1 },
    { ...base, ts: at(2), event: "tool_exec", entity_type: "agent", entity_id: "pay", seq: 3 },
    ...(finished ? [{ ...base, ts: at(3), event: "workflow_complete", seq: 2 }] : []),
  ];
  x.add(lines.map((l, i) => makeMessage(l, { streamSeq: i + 1, receivedMs: lastSeenMs - 10 + i })));
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
