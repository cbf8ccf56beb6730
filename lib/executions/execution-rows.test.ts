import { describe, expect, it } from "vitest";
import { emptyCounts, type ExecutionSummary } from "../audit";
import { selectExecutions, toRow, workflowIds, type ExecutionRow } from "./execution-rows";

function summary(id: string, over: Partial<ExecutionSummary> = {}): ExecutionSummary {
  return {
    id,
    kind: "execution",
    name: id,
    workflowId: "wf-a",
    producers: [],
    eventCount: 10,
    malformedCount: 0,
    duplicateCount: 0,
    firstTsMs: 1_000,
    lastTsMs: 2_000,
    firstStreamSeq: 1,
    lastStreamSeq: 10,
    status: "complete",
    ...over,
  };
}

// Four runs: an old clean one, a failed one with a gap, a running one with a
// collision and a duplicate, and a newest clean one of another workflow.
const rows: ExecutionRow[] = [
  toRow(summary("wfx-old", { firstTsMs: 0, lastTsMs: 500 }), emptyCounts()),
  toRow(summary("wfx-gap", { status: "failed", firstTsMs: 1_000, lastTsMs: 9_000, eventCount: 30 }), {
    ...emptyCounts(),
    gap: 2,
  }),
  toRow(summary("wfx-coll", { status: "running", firstTsMs: 2_000, lastTsMs: 3_000 }), {
    ...emptyCounts(),
    collision: 3,
    duplicate: 1,
  }),
  toRow(summary("wfx-new", { workflowId: "wf-b", firstTsMs: 5_000, lastTsMs: 5_100 }), emptyCounts()),
];
const ids = (r: ExecutionRow[]) => r.map((x) => x.id);

describe("selectExecutions", () => {
  it("lists newest first by default and sums anomalies", () => {
    expect(ids(selectExecutions(rows, {}, { by: "first", desc: true }))).toEqual([
      "wfx-new",
      "wfx-coll",
      "wfx-gap",
      "wfx-old",
    ]);
    expect(rows.map((r) => r.anomalyTotal)).toEqual([0, 2, 4, 0]);
    expect(rows[1]?.durationMs).toBe(8_000);
  });

  it("sorts by any column, either way", () => {
    expect(ids(selectExecutions(rows, {}, { by: "anomalies", desc: true }))).toEqual([
      "wfx-coll",
      "wfx-gap",
      "wfx-new",
      "wfx-old",
    ]);
    expect(ids(selectExecutions(rows, {}, { by: "duration", desc: false }))[0]).toBe("wfx-new");
    expect(ids(selectExecutions(rows, {}, { by: "events", desc: true }))[0]).toBe("wfx-gap");
    expect(ids(selectExecutions(rows, {}, { by: "id", desc: false }))).toEqual([
      "wfx-coll",
      "wfx-gap",
      "wfx-new",
      "wfx-old",
    ]);
  });

  it("filters by search, workflow, status, anomalies and time, combined", () => {
    const sort = { by: "first", desc: true } as const;
    expect(ids(selectExecutions(rows, { search: "GAP" }, sort))).toEqual(["wfx-gap"]);
    expect(ids(selectExecutions(rows, { workflowId: "wf-b" }, sort))).toEqual(["wfx-new"]);
    expect(ids(selectExecutions(rows, { status: "running" }, sort))).toEqual(["wfx-coll"]);
    expect(ids(selectExecutions(rows, { hasAnomalies: true }, sort))).toEqual(["wfx-coll", "wfx-gap"]);
    // Newest event is at 9 000: the last 5 s reach back to 4 000.
    expect(ids(selectExecutions(rows, { withinMs: 5_000 }, sort))).toEqual(["wfx-new", "wfx-gap"]);
    expect(ids(selectExecutions(rows, { withinMs: 5_000 }, sort, 20_000))).toEqual([]);
    expect(ids(selectExecutions(rows, { hasAnomalies: true, workflowId: "wf-a", status: "failed" }, sort))).toEqual([
      "wfx-gap",
    ]);
  });

  it("does not reorder its input", () => {
    const before = ids(rows);
    selectExecutions(rows, {}, { by: "id", desc: true });
    expect(ids(rows)).toEqual(before);
  });

  it("offers the distinct workflow ids", () => {
    expect(workflowIds(rows)).toEqual(["wf-a", "wf-b"]);
  });
});
