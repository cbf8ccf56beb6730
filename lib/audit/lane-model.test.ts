import { describe, expect, it } from "vitest";
import { analyzeEvents } from "./analyze";
import { isWorkflowEvent } from "./event-kinds";
import { buildLanes, compareLanes, leadsLane, type LaneOrderKey } from "./lane-model";
import { keyById, type PartitionKey } from "./partition-key";
import { BASE_TS_MS, makeEvent } from "./testing";

describe("buildLanes", () => {
  // agent b speaks first, then the orchestrator, then agent a; agent a reuses seq 1 (a collision under the naive key).
  const events = [
    makeEvent({ streamSeq: 1, workflow_execution_id: "x", entity_type: "agent", entity_id: "b", seq: 1 }),
    makeEvent({ streamSeq: 2, workflow_execution_id: "x", event: "workflow_started", seq: 2 }),
    makeEvent({ streamSeq: 3, workflow_execution_id: "x", entity_type: "agent", entity_id: "a", seq: 1 }),
    makeEvent({ streamSeq: 4, workflow_execution_id: "x", entity_type: "agent", entity_id: "b", seq: 3 }),
  ];

  it("puts the orchestrator first, then lanes by first event", () => {
    const lanes = buildLanes(events);
    expect(lanes.map((l) => [l.producer.id, l.events.map((e) => e.streamSeq)])).toEqual([
      ["workflow:x", [2]],
      ["agent:b", [1, 4]],
      ["agent:a", [3]],
    ]);
    expect(lanes[1]).toMatchObject({ firstTsMs: BASE_TS_MS + 1000, lastTsMs: BASE_TS_MS + 4000 });
  });

  it("counts the anomalies touching each lane once", () => {
    const analysis = analyzeEvents({ events }, keyById("execution") as PartitionKey, { nowMs: BASE_TS_MS });
    // collision seq 1 → streams 1 (b) and 3 (a); out of order: seq 1 (stream 3) after seq 2 (stream 2).
    expect(analysis.counts).toMatchObject({ collision: 1, "out-of-order": 1 });
    expect(Object.fromEntries(buildLanes(events, analysis).map((l) => [l.producer.id, l.anomalyCount]))).toEqual({
      "workflow:x": 1,
      "agent:b": 1,
      "agent:a": 2,
    });
  });

  it("treats a lane that emits workflow_* events as the orchestrator whatever rule named it", () => {
    const evs = [
      makeEvent({ streamSeq: 1, producer: "agent-1" }),
      makeEvent({ streamSeq: 2, producer: "orchestrator", event: "workflow_started", workflow_execution_id: "x" }),
    ];
    expect(buildLanes(evs).map((l) => l.producer.id)).toEqual(["producer:orchestrator", "producer:agent-1"]);
  });
});

describe("compareLanes", () => {
  it("orders leaders first, then by first ts, then by first stream sequence", () => {
    const k = (name: string, leads: boolean, firstTsMs: number, firstStreamSeq: number) => ({
      name,
      leads,
      firstTsMs,
      firstStreamSeq,
    });
    const keys: (LaneOrderKey & { name: string })[] = [
      k("late", false, 30, 1),
      k("tie-later-seq", false, 10, 9),
      k("orchestrator", true, 50, 50),
      k("tie-earlier-seq", false, 10, 2),
    ];
    expect(keys.sort(compareLanes).map((x) => x.name)).toEqual([
      "orchestrator",
      "tie-earlier-seq",
      "tie-later-seq",
      "late",
    ]);
  });

  it("lets a lane lead by its identity or by a workflow_* event", () => {
    const agent = makeEvent({ entity_type: "agent", entity_id: "a" }).identity;
    const orchestrator = makeEvent({ workflow_execution_id: "x", event: "workflow_started" }).identity;
    expect(orchestrator.orchestrator).toBe(true);
    expect(leadsLane(orchestrator, isWorkflowEvent("tool_exec"))).toBe(true);
    expect(leadsLane(agent, isWorkflowEvent("workflow_step_started"))).toBe(true);
    expect(leadsLane(agent, isWorkflowEvent("tool_exec"))).toBe(false);
  });
});
