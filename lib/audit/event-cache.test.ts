import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { RowEvents } from "./event-cache";
import { parseMessage } from "./parse";
import { RowStore } from "./row-store";
import { makeEvent, makeWire, messagesFrom } from "./testing";
import type { AuditEvent, RawMessage } from "./types";

/** What the log hands out must be what parseMessage makes of the same message: values and key order. */
function expectAsParsed(got: readonly AuditEvent[], msgs: readonly RawMessage[]): void {
  const want = msgs.map((m) => parseMessage(m));
  expect(got).toEqual(want);
  expect(got.map((e) => Object.keys(e))).toEqual(want.map((e) => Object.keys(e)));
}

// One run: two invocations of two agents, an event with null and empty join fields, one with
// fields outside the contract (one named like an event property), events of one step.
const step = { invocation_caller: "workflow:wfx-1", stage_id: "stage-1", step_id: "step-1", model: "gpt-4o-mini" };
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
  // Three events of one step, carrying its caller, ids and model (one with no model: null).
  makeWire({ seq: 3, workflow_execution_id: "wfx-1", correlation_id: "c-1", task_id: "t-2", ...step }),
  makeWire({
    seq: 4,
    workflow_execution_id: "wfx-1",
    correlation_id: "c-1",
    task_id: "t-2",
    ...step,
    step_id: "step-2",
  }),
  makeWire({ seq: 5, workflow_execution_id: "wfx-1", correlation_id: "c-1", task_id: "t-2", ...step, model: null }),
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

describe("RowEvents", () => {
  // Rows 0..11 with stream sequences in another order than the row numbers (rows are added as messages
  // arrive); a list holds some of them, ascending stream sequence, then any Map operations follow.
  const store = new RowStore(() => {});
  const seqOfRow = [7, 3, 12, 1, 9, 4, 11, 2, 8, 5, 10, 6];
  for (const q of seqOfRow) {
    const r = store.append(new Uint8Array([0x7b, 0x7d])); // may grow the columns: index them after
    store.streamSeq[r] = q;
  }
  const rowsBySeq = [...seqOfRow.keys()].sort((a, b) => (seqOfRow[a] as number) - (seqOfRow[b] as number));
  const objects = seqOfRow.map((q) => makeEvent({ streamSeq: q }));
  const other = seqOfRow.map((q) => makeEvent({ streamSeq: q, seq: 1 }));

  const row = fc.integer({ min: 0, max: seqOfRow.length + 1 }); // two rows past those stored: never listed
  const op = fc.oneof(
    fc.record({ kind: fc.constant("list" as const), keep: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }) }),
    fc.record({ kind: fc.constantFrom("get" as const, "has" as const, "delete" as const), row }),
    fc.record({ kind: fc.constant("set" as const), row, fresh: fc.boolean() }),
    fc.record({ kind: fc.constant("clear" as const) }),
  );

  it("answers every Map operation as a plain Map with the same entries", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const got = new RowEvents(store);
        const want = new Map<number, (typeof objects)[number]>();
        for (const o of ops) {
          switch (o.kind) {
            case "list": {
              const rows = rowsBySeq.filter((_, i) => o.keep[i]);
              const events = rows.map((r) => want.get(r) ?? (objects[r] as (typeof objects)[number]));
              got.holdList(rows, events);
              want.clear();
              rows.forEach((r, i) => want.set(r, events[i] as (typeof objects)[number]));
              break;
            }
            case "get":
              expect(got.get(o.row)).toBe(want.get(o.row));
              break;
            case "has":
              expect(got.has(o.row)).toBe(want.has(o.row));
              break;
            case "delete":
              expect(got.delete(o.row)).toBe(want.delete(o.row));
              break;
            case "set": {
              const e = (o.fresh ? other : objects)[o.row % objects.length] as (typeof objects)[number];
              expect(got.set(o.row, e)).toBe(got);
              want.set(o.row, e);
              break;
            }
            case "clear":
              got.clear();
              want.clear();
              break;
          }
          expect(got.size).toBe(want.size);
          const sorted = (m: Iterable<[number, unknown]>) => [...m].sort((a, b) => a[0] - b[0]);
          expect(sorted(got)).toEqual(sorted(want));
          expect(sorted(got.entries())).toEqual(sorted(want.entries()));
          expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
          expect(new Set(got.values())).toEqual(new Set(want.values()));
          const each: [number, unknown][] = [];
          got.forEach((e, r) => each.push([r, e]));
          expect(sorted(each)).toEqual(sorted(want));
        }
      }),
    );
  });
});
