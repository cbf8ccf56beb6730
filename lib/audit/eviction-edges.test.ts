import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { BUILTIN_KEYS, type PartitionKey } from "./partition-key";
import { findChainBreaks } from "./chain";
import { parseMessage } from "./parse";
import { sha256Hex } from "./sha256";
import { BASE_TS_MS, makeMessage, makeWire } from "./testing";
import type { RawMessage } from "./types";

const msg = (w: object, streamSeq: number, extra: Partial<RawMessage> = {}): RawMessage => ({
  ...makeMessage(w, { streamSeq, receivedMs: BASE_TS_MS + streamSeq * 1000 }),
  ...extra,
});
const at = (s: number) => BASE_TS_MS + s * 1000;
const done = (x: string, s: number, extra = {}) =>
  makeWire({ event: "workflow_complete", workflow_execution_id: x, ...extra }, at(s));
const reference = (ms: RawMessage[]) =>
  findChainBreaks(
    ms
      .slice()
      .sort((a, b) => a.streamSeq - b.streamSeq)
      .map((m) => parseMessage(m)),
  );

// Messages that reach an execution after the memory budget let it go: late events, redeliveries,
// producer retries, chain lines whose predecessor comes later. Budget 1 byte: every finished
// execution is evicted at once. Each case was found by the differential test against oracle.ts.
describe("AuditLog: messages for an evicted execution", () => {
  it("a late workflow event of an evicted run is its own run's orchestrator, not another evicted run's", () => {
    // Evicted runs share one cache of recent ids (Hints): a workflow_* event's identity names its run.
    const log = new AuditLog({ budgetBytes: 1 });
    log.add([msg(done("a", 1), 1), msg(done("b", 2), 2)]);
    expect([log.execution("a")?.evicted, log.execution("b")?.evicted].every((e) => e !== undefined)).toBe(true);
    const step = (x: string, s: number) =>
      msg(makeWire({ event: "workflow_step_started", workflow_execution_id: x }, at(s)), s);
    log.add([step("a", 3), step("b", 4)]);
    expect(log.execution("a")?.producers.map((p) => p.id)).toEqual(["workflow:a"]);
    expect(log.execution("b")?.producers.map((p) => p.id)).toEqual(["workflow:b"]);
  });
  it("a late event makes an evicted execution's counts unknown (not wrong) until it is read again", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    const first = msg(done("x", 1, { seq: 1 }), 1);
    log.add([first]); // complete: evicted
    expect(log.execution("x")?.evicted?.counts.execution?.collision).toBe(0);
    const late = msg(makeWire({ workflow_execution_id: "x", seq: 1 }, at(2)), 2);
    log.add([late]); // seq 1 again: held, evicted again
    expect(log.execution("x")?.eventCount).toBe(2);
    expect(log.execution("x")?.evicted?.counts.execution).toBeUndefined();
    log.pin("x");
    log.add([first, late].map((r) => ({ ...r, reread: true })));
    expect(log.execution("x")?.evicted).toBeUndefined();
    expect(log.analyze(BUILTIN_KEYS[0] as PartitionKey, { executionId: "x" }).counts.collision).toBe(1);
  });
  it("a redelivery of an evicted message is a duplicate of it", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    const m = msg(done("x", 1), 1);
    log.add([m]);
    log.add([{ ...m, deliveryCount: 2 }]);
    expect(log.duplicates()).toHaveLength(1);
    expect(log.execution("x")?.duplicateCount).toBe(1);
  });
  it("a producer retry (same bytes, new stream seq) of an evicted message is a duplicate, not an event", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    const m = msg(done("x", 1), 1);
    log.add([m]);
    log.add([{ ...m, streamSeq: 2 }]);
    expect(log.execution("x")?.eventCount).toBe(1);
    log.pin("x");
    log.add([m, { ...m, streamSeq: 2 }].map((r) => ({ ...r, reread: true })));
    expect(log.execution("x")?.evicted).toBeUndefined();
  });
  it("a chain break at an evicted line goes when its predecessor, stored later, arrives", () => {
    const l0 = new TextEncoder().encode(
      JSON.stringify(makeWire({ producer: "p", workflow_execution_id: "y", prev_hash: "0".repeat(64) }, at(1))),
    );
    const l1 = new TextEncoder().encode(
      JSON.stringify(makeWire({ producer: "p", workflow_execution_id: "y", prev_hash: sha256Hex(l0) }, at(2))),
    );
    const l2 = new TextEncoder().encode(JSON.stringify(done("z", 3, { producer: "p", prev_hash: sha256Hex(l1) })));
    const ms = [
      makeMessage(l0, { streamSeq: 1 }),
      makeMessage(l2, { streamSeq: 2 }),
      makeMessage(l1, { streamSeq: 3 }),
    ]; // l1 stored after l2
    const log = new AuditLog({ budgetBytes: 1 });
    log.add(ms.slice(0, 2)); // z complete: evicted, with its (so far right) break at 2
    log.add(ms.slice(2));
    expect(log.chainBreaks()).toEqual(reference(ms));
  });
  it("after an eviction, re-verification never takes a later evicted line as a held line's predecessor", () => {
    // Two processes whose chains began before the read: nothing is provable.
    const late = msg(done("z", 2, { producer: "p", prev_hash: "ab".repeat(32) }), 2);
    const early = msg(makeWire({ producer: "q", workflow_execution_id: "y", prev_hash: "cd".repeat(32) }, at(1)), 1);
    const log = new AuditLog({ budgetBytes: 1 });
    log.add([late]); // evicted
    log.add([early]); // older than what was verified: the next query re-verifies
    log.pin("z");
    log.add([{ ...late, reread: true }]);
    expect(log.chainBreaks()).toEqual(reference([late, early]));
  });
});
