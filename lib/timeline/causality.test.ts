import { describe, expect, it } from "vitest";
import { makeEvent } from "../audit/testing";
import { findCausalitySkews } from "./causality";

const X = "wfx-1";
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
let streamSeq = 0;
const at = (ms: number, fields: Record<string, unknown>) =>
  makeEvent({ ts: new Date(T0 + ms).toISOString(), workflow_execution_id: X, streamSeq: ++streamSeq, ...fields });
const step = (ms: number, stepId: string) =>
  at(ms, {
    event: "workflow_step_started",
    seq: 1,
    stage_id: "s1",
    step_id: stepId,
    entity_type: "workflow",
    entity_id: X,
  });
const agent = (ms: number, name: string, stepId: string, corr?: string) =>
  at(ms, {
    event: "tool_exec",
    stage_id: "s1",
    step_id: stepId,
    entity_type: "agent",
    entity_id: name,
    ...(corr === undefined ? {} : { correlation_id: corr }),
  });

describe("findCausalitySkews", () => {
  /*
   * step p1 starts at 100; agent a's invocation c1 starts at 60 (its clock runs early), then runs on;
   * agent b's invocation c2 of the same step starts at 120 (fine); agent c, called with no correlation
   * id, starts at 90 (early); step p2 starts at 300 and agent a's second invocation c3 at 310 (fine).
   */
  const events = [
    step(100, "p1"),
    agent(130, "a", "p1", "c1"),
    agent(60, "a", "p1", "c1"),
    agent(120, "b", "p1", "c2"),
    agent(95, "c", "p1"),
    agent(90, "c", "p1"),
    step(300, "p2"),
    agent(310, "a", "p2", "c3"),
  ];

  it("names each invocation whose first event (by ts) precedes the step start that caused it", () => {
    const skews = findCausalitySkews(events);
    expect(skews.map((s) => [s.producer, s.stepId, s.deltaMs])).toEqual([
      ["agent:a", "p1", 40],
      ["agent:c", "p1", 10],
    ]);
    expect(skews[0]).toMatchObject({ cause: events[0]!.streamSeq, effect: events[2]!.streamSeq });
    expect(skews[1]).toMatchObject({ effect: events[5]!.streamSeq });
  });

  it("finds nothing without step starts", () => {
    expect(findCausalitySkews(events.filter((e) => e.event !== "workflow_step_started"))).toEqual([]);
  });
});
