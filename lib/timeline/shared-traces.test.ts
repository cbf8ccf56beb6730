import { describe, expect, it } from "vitest";
import { buildLanes } from "../audit";
import { makeEvent } from "../audit/testing";
import { describeSharedTraces, sharedTraces, sharedTracesOfLanes } from "./shared-traces";

const A = "4bf92f3577b34da6a3ce929d0e0e4736";
const B = "0af7651916cd43dd8448eb211c80319c";
const C = "c0ffee00c0ffee00c0ffee00c0ffee00";

describe("sharedTraces", () => {
  /*
   * trace A: orchestrator, agent-1, agent-2 (each shares it with 2 others); trace B: agent-1 and
   * agent-3; trace C: agent-4 alone (shares nothing); agent-5 has no trace id at all.
   */
  const events = [
    { lane: "orchestrator", trace_id: A },
    { lane: "orchestrator", trace_id: A },
    { lane: "agent-1", trace_id: A },
    { lane: "agent-1", trace_id: B },
    { lane: "agent-2", trace_id: A },
    { lane: "agent-3", trace_id: B },
    { lane: "agent-4", trace_id: C },
    { lane: "agent-4", trace_id: C },
    { lane: "agent-5" },
  ];

  it("lists, per lane, each trace it shares and with how many other lanes", () => {
    const shared = sharedTraces(events);
    expect(Object.fromEntries(shared)).toEqual({
      orchestrator: [{ traceId: A, otherLanes: 2 }],
      "agent-1": [
        { traceId: A, otherLanes: 2 },
        { traceId: B, otherLanes: 1 },
      ],
      "agent-2": [{ traceId: A, otherLanes: 2 }],
      "agent-3": [{ traceId: B, otherLanes: 1 }],
    });
  });

  it("counts lanes, not events: one lane's many events of a trace share nothing", () => {
    expect(sharedTraces(Array.from({ length: 50 }, () => ({ lane: "a", trace_id: A }))).size).toBe(0);
  });

  it("joins no lanes by text that is not a trace id", () => {
    const hostile = ["", "javascript:alert(1)", A.toUpperCase(), A.slice(1), "0".repeat(32), `${A} `];
    const shared = sharedTraces(
      hostile.flatMap((t) => [
        { lane: "x", trace_id: t },
        { lane: "y", trace_id: t },
      ]),
    );
    expect(shared.size).toBe(0);
    expect(
      sharedTraces([
        { lane: "x", trace_id: 7 },
        { lane: "y", trace_id: 7 },
      ]).size,
    ).toBe(0);
  });

  it("reads a timeline's lanes by producer", () => {
    const ev = (entity: string, trace_id: string | undefined, streamSeq: number) =>
      makeEvent({ entity_type: "agent", entity_id: entity, workflow_execution_id: "wfx", trace_id, streamSeq });
    const lanes = buildLanes([ev("a", A, 1), ev("a", A, 2), ev("b", A, 3), ev("b", B, 4), ev("c", undefined, 5)]);
    const byLabel = new Map(lanes.map((l) => [l.producer.label, l.producer.id]));
    const shared = sharedTracesOfLanes(lanes);
    expect(shared.get(byLabel.get("a")!)).toEqual([{ traceId: A, otherLanes: 1 }]);
    expect(shared.get(byLabel.get("b")!)).toEqual([{ traceId: A, otherLanes: 1 }]);
    expect(shared.has(byLabel.get("c")!)).toBe(false);
  });
});

describe("describeSharedTraces", () => {
  it("says which trace, shortened, and with how many lanes", () => {
    expect(describeSharedTraces([{ traceId: A, otherLanes: 2 }])).toBe("shares trace 4bf92f… with 2 other lanes");
    expect(describeSharedTraces([{ traceId: A, otherLanes: 1 }])).toBe("shares trace 4bf92f… with 1 other lane");
    expect(
      describeSharedTraces([
        { traceId: A, otherLanes: 2 },
        { traceId: B, otherLanes: 1 },
      ]),
    ).toBe("shares 2 traces: 4bf92f… with 2 other lanes, 0af765… with 1 other lane");
    const many = [A, B, C, "d".repeat(32), "e".repeat(32)].map((traceId) => ({ traceId, otherLanes: 1 }));
    expect(describeSharedTraces(many)).toMatch(/^shares 5 traces: .*, and 2 more$/);
    expect(describeSharedTraces([])).toBe("");
  });
});
