import { describe, expect, it } from "vitest";
import { AuditLog, BUILTIN_KEYS, buildLanes, keyById } from "../audit";
import { makeMessage, messagesFrom } from "../audit/testing";
import { benchFixture } from "./bench-fixture";
import { firstMark, stepInRow, stepRow } from "./keyboard-nav";
import {
  buildTimelineModel,
  DUPLICATED,
  IN_ANOMALY,
  NO_SEQ,
  partitionNeighbours,
  visibleRowRange,
  type OrderMode,
} from "./timeline-model";

const X = "wfx-1";
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const ts = (ms: number) => new Date(T0 + ms).toISOString();
const orch = (ms: number, event: string, seq: number, extra = {}) => ({
  ts: ts(ms),
  event,
  seq,
  workflow_execution_id: X,
  ...extra,
});
const agent = (ms: number, name: string, corr: string, event: string, seq?: number, extra = {}) => ({
  ts: ts(ms),
  event,
  ...(seq === undefined ? {} : { seq }),
  workflow_execution_id: X,
  entity_type: "agent",
  entity_id: name,
  correlation_id: corr,
  task_id: `t-${corr}`,
  stage_id: "s1",
  step_id: "p1",
  ...extra,
});

/*
 * orchestrator: seq 1 2 3                     (per execution)
 * agent a, invocation c1: seq 1 2 _ 4         (seq 3 dropped)
 * agent b, invocation c2: seq 1 2 and a tool event without seq; its clock runs 50 ms early
 * agent a, invocation c3: seq 1 2
 */
function scenario() {
  const wire = [
    orch(0, "workflow_started", 1),
    orch(100, "workflow_step_started", 2, { stage_id: "s1", step_id: "p1" }),
    agent(110, "a", "c1", "session_start", 1),
    agent(50, "b", "c2", "session_start", 1),
    agent(120, "a", "c1", "llm_call", 2, { duration_ms: 15 }),
    agent(130, "b", "c2", "tool_exec", undefined),
    agent(140, "a", "c1", "session_end", 4),
    agent(150, "b", "c2", "session_end", 2),
    agent(160, "a", "c3", "session_start", 1),
    agent(170, "a", "c3", "session_end", 2),
    orch(200, "workflow_complete", 3),
  ];
  const log = new AuditLog();
  log.add(messagesFrom(wire));
  return log;
}

function model(log: AuditLog, keyId: string, order: OrderMode = "ts", expansion?: Map<string, boolean>) {
  const analysis = log.analyze(keyById(keyId)!, { executionId: X });
  const lanes = buildLanes(log.events(X), analysis);
  return { analysis, model: buildTimelineModel({ lanes, analysis, malformed: log.malformed(X), order, expansion }) };
}

describe("buildTimelineModel", () => {
  it("puts every event in exactly one row, sorted by x within the row", () => {
    const { model: m } = model(scenario(), "invocation");
    expect(m.marks.count).toBe(11);
    for (const row of m.rows) {
      for (let i = row.markStart + 1; i < row.markEnd; i++)
        expect(m.marks.x[i]).toBeGreaterThanOrEqual(m.marks.x[i - 1]!);
    }
    expect(m.rows.map((r) => `${r.kind}:${r.key.split("\u0000")[0]}:${r.eventCount}`)).toEqual([
      "lane:workflow:wfx-1:3",
      // agent b's clock runs early, so its first event comes first
      "lane:agent:b:3",
      // agent a has two invocations: expanded by default into one sub-lane each
      "lane-header:agent:a:5",
      "partition:agent:a:3",
      "partition:agent:a:2",
    ]);
    expect(m.rows.at(-1)!.top + m.rows.at(-1)!.height).toBe(m.totalHeight);
  });

  it("collapses a lane on request and keeps all of its events in one row", () => {
    const { model: m } = model(scenario(), "invocation", "ts", new Map([["agent:a", false]]));
    expect(m.rows.map((r) => r.kind)).toEqual(["lane", "lane", "lane"]);
    expect(m.rows[2]!.markEnd - m.rows[2]!.markStart).toBe(5);
  });

  it("draws the gap where the missing seq should be, labelled with its range", () => {
    const { model: m } = model(scenario(), "invocation");
    const gap = m.overlays.find((o) => o.kind === "gap");
    expect(gap).toMatchObject({ kind: "gap", label: "seq 3 missing" });
    if (gap?.kind !== "gap") throw new Error("no gap");
    expect(gap.from).toBe(T0 + 120);
    expect(gap.to).toBe(T0 + 140);
    expect(m.rows[gap.row]!.key).toContain("agent:a");
    // By seq, the placeholder covers exactly the missing seq.
    const bySeq = model(scenario(), "invocation", "seq").model.overlays.find((o) => o.kind === "gap");
    expect(bySeq).toMatchObject({ from: 2.5, to: 3.5 });
  });

  it("connects colliding events across lanes under the naive key", () => {
    const { analysis, model: m } = model(scenario(), "execution");
    const collisions = m.overlays.filter((o) => o.kind === "collision");
    expect(collisions.length).toBe(analysis.counts.collision);
    const one = collisions.find((o) => o.kind === "collision" && o.seq === 1);
    if (one?.kind !== "collision") throw new Error("no collision on seq 1");
    const lanes = new Set(one.marks.map((mk) => m.rows[m.marks.row[mk]!]!.producer!.id));
    expect(lanes).toEqual(new Set(["workflow:wfx-1", "agent:a", "agent:b"]));
    for (const mk of one.marks) expect(m.marks.flags[mk]! & IN_ANOMALY).toBeTruthy();
  });

  it("maps every anomaly the engine reports to an overlay", () => {
    for (const key of BUILTIN_KEYS) {
      const { analysis, model: m } = model(scenario(), key.id);
      analysis.anomalies.forEach((a, i) =>
        expect(m.overlayOfAnomaly[i], `${key.id} ${a.kind}`).toBeGreaterThanOrEqual(0),
      );
    }
  });

  it("marks events without seq and stacks duplicates", () => {
    const log = scenario();
    const again = log.events(X)[2]!;
    log.add([makeMessage(again.raw, { streamSeq: 100, receivedMs: T0 + 500 })]);
    const { model: m } = model(log, "invocation");
    const tool = m.markOfStreamSeq.get(6)!;
    expect(m.marks.flags[tool]! & NO_SEQ).toBeTruthy();
    const dup = m.markOfStreamSeq.get(again.streamSeq)!;
    expect(m.marks.flags[dup]! & DUPLICATED).toBeTruthy();
    expect(m.overlays.find((o) => o.kind === "duplicate")).toMatchObject({ mark: dup, count: 2 });
  });

  it("points out an agent whose clock puts it before the step that caused it", () => {
    const { model: m } = model(scenario(), "invocation");
    expect(m.skews).toEqual([{ cause: 2, effect: 4, deltaMs: 50, producer: "agent:b", stepId: "p1" }]);
    expect(m.overlays.some((o) => o.kind === "skew")).toBe(true);
  });

  it("orders by arrival and by seq", () => {
    const arrival = model(scenario(), "invocation", "arrival").model;
    expect(Array.from(arrival.marks.x).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const seq = model(scenario(), "invocation", "seq").model;
    const tool = seq.markOfStreamSeq.get(6)!;
    expect(seq.marks.x[tool]).toBe(1.5); // after agent b's seq 1
  });

  it("gives a malformed message its own row", () => {
    const log = scenario();
    log.add([
      makeMessage(`{"ts":"${ts(300)}","event":"tool_exec","seq":"3","workflow_execution_id":"${X}"}`, {
        streamSeq: 50,
      }),
    ]);
    const { model: m } = model(log, "invocation");
    expect(m.rows.at(-1)!.kind).toBe("malformed");
    expect(m.overlays.some((o) => o.kind === "malformed")).toBe(true);
  });

  it("finds the previous and next event of the same partition", () => {
    const { model: m } = model(scenario(), "invocation");
    const mk = m.markOfStreamSeq.get(5)!; // agent a, c1, seq 2
    const { prev, next } = partitionNeighbours(m, mk);
    expect(m.marks.streamSeq[prev!]).toBe(3);
    expect(m.marks.streamSeq[next!]).toBe(7);
  });
});

describe("keyboard navigation", () => {
  it("walks a row in order and moves between rows", () => {
    const { model: m } = model(scenario(), "invocation");
    let mk = firstMark(m)!;
    const seen = [m.marks.streamSeq[mk]];
    for (let next = stepInRow(m, mk, 1); next !== undefined; next = stepInRow(m, mk, 1)) {
      mk = next;
      seen.push(m.marks.streamSeq[mk]);
    }
    expect(seen).toEqual([1, 2, 11]);
    expect(stepInRow(m, firstMark(m)!, -1)).toBeUndefined();
    const down = stepRow(m, firstMark(m)!, 1)!;
    expect(m.rows[m.marks.row[down]!]!.key).toBe("agent:b");
    // skips agent a's header row (no marks) into its first sub-lane
    expect(m.rows[m.marks.row[stepRow(m, down, 1)!]!]!.kind).toBe("partition");
  });
});

describe("visibleRowRange", () => {
  it("returns the rows intersecting a vertical window", () => {
    const { model: m } = model(scenario(), "invocation");
    expect(visibleRowRange(m.rows, 0, 1)).toEqual([0, 1]);
    expect(visibleRowRange(m.rows, 0, m.totalHeight)).toEqual([0, m.rows.length]);
    expect(visibleRowRange(m.rows, m.totalHeight, 100)).toEqual([m.rows.length, m.rows.length]);
  });
});

describe("benchFixture", () => {
  it("generates the requested size across the requested producers, deterministically", () => {
    const a = benchFixture({ events: 2_000, producers: 10, seed: 3 });
    const b = benchFixture({ events: 2_000, producers: 10, seed: 3 });
    expect(a.messages.length).toBe(b.messages.length);
    expect(a.messages.length).toBeGreaterThanOrEqual(2_000);
    expect(a.messages.length).toBeLessThan(2_100);
    const log = new AuditLog();
    log.add(a.messages);
    expect(log.execution(a.executionId)!.producers.length).toBe(10);
    const analysis = log.analyze(keyById("invocation")!, { executionId: a.executionId });
    const m = buildTimelineModel({ lanes: buildLanes(log.events(a.executionId), analysis), analysis, order: "ts" });
    expect(m.marks.count).toBe(log.execution(a.executionId)!.eventCount);
  });
});

describe("out-of-order arrows", () => {
  // One invocation of agent a, by arrival: seq 1, 2 (twice, at 120 and 125 ms), 4 at 140, then 3 late at 160 ms.
  // The late seq 3 points between the rightmost of its partition's seq 2 marks and the leftmost seq 4 mark.
  function late(keyId: string) {
    const log = new AuditLog();
    log.add(
      messagesFrom([
        agent(110, "a", "c1", "session_start", 1),
        agent(120, "a", "c1", "llm_call", 2),
        agent(125, "a", "c1", "tool_exec", 2),
        agent(140, "a", "c1", "tool_exec", 4),
        agent(145, "a", "c1", "tool_exec", 5),
        agent(160, "a", "c1", "llm_call", 3),
        agent(170, "a", "c1", "session_end", 6),
      ]),
    );
    return model(log, keyId);
  }
  it("points from the late event to between its seq's neighbours, in ts and in seq order", () => {
    const { analysis, model: m } = late("invocation");
    const arrows = m.overlays.filter((o) => o.kind === "out-of-order");
    expect(arrows).toHaveLength(analysis.counts["out-of-order"]);
    expect(arrows).toHaveLength(1);
    const arrow = arrows[0] as Extract<(typeof arrows)[number], { kind: "out-of-order" }>;
    const xOfSeq = (s: number) =>
      [...m.marks.seq.subarray(0, m.marks.count)].flatMap((q, i) => (q === s ? [m.marks.x[i] as number] : []));
    expect(m.marks.seq[arrow.mark]).toBe(3);
    expect(arrow.toX).toBe((Math.max(...xOfSeq(2)) + Math.min(...xOfSeq(4))) / 2);
    expect(arrow.toX).toBe(T0 + (125 + 140) / 2);
    expect([arrow.x0, arrow.x1]).toEqual([arrow.toX, m.marks.x[arrow.mark]]);
  });
});
