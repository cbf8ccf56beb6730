import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { parseMessage } from "./parse";
import { makeWire, messagesFrom } from "./testing";
import type { AuditEvent, RawMessage } from "./types";

/** What the log hands out must be what parseMessage makes of the same message: values and key order. */
function expectAsParsed(got: readonly AuditEvent[], msgs: readonly RawMessage[]): void {
  const want = msgs.map((m) => parseMessage(m));
  expect(got).toEqual(want);
  expect(got.map((e) => Object.keys(e))).toEqual(want.map((e) => Object.keys(e)));
}

// One run: two invocations of two agents, an event with null and empty join fields, one with
// fields outside the contract (one named like an event property), one without a correlation.
const wires = [
  makeWire({ event: "workflow_started", seq: 1, workflow_execution_id: "wfx-1" }),
  makeWire({
    seq: 1,
    workflow_execution_id: "wfx-1",
    correlation_id: "c-1",
    task_id: "t-1",
    entity_type: "agent",
    entity_id: "a",
  }),
  makeWire({
    seq: 2,
    workflow_execution_id: "wfx-1",
    correlation_id: "c-1",
    task_id: null,
    entity_type: "agent",
    entity_id: "",
  }),
  makeWire({
    seq: 1,
    workflow_execution_id: "wfx-1",
    correlation_id: "c-2",
    task_id: "t-1",
    entity_id: "b",
    kind: "x",
    extra: 1,
  }),
  makeWire({
    seq: 2,
    workflow_execution_id: "wfx-1",
    correlation_id: "c-1",
    task_id: "t-2",
    entity_type: "agent",
    entity_id: "b",
  }),
];

describe("EventCache: events made from the kept bytes", () => {
  it("are parseMessage's events of the run's messages, on first open and after a live batch", () => {
    const msgs = messagesFrom(wires);
    const log = new AuditLog();
    log.add(msgs.slice(0, 3));
    expectAsParsed(log.events("wfx-1"), msgs.slice(0, 3));
    // The run's cache now holds objects: the next list reuses them and makes only the new rows'.
    const before = log.events("wfx-1");
    log.add(msgs.slice(3));
    const after = log.events("wfx-1");
    expectAsParsed(after, msgs);
    expect(after[0]).toBe(before[0]);
  });

  it("are the same on first open whatever order the messages came in", () => {
    const msgs = messagesFrom(wires);
    const log = new AuditLog();
    log.add([...msgs].reverse());
    expectAsParsed(log.events("wfx-1"), msgs);
  });
});
