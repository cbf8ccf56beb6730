import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Analysis } from "./anomaly";
import { AuditLog } from "./audit-log";
import { BUILTIN_KEYS, keyById, type PartitionKey } from "./partition-key";
import { BASE_TS_MS, generateWorkload, makeMessage, makeWire, seededRandom, type MessageMeta } from "./testing";
import type { RawMessage } from "./types";

const INVOCATION = keyById("invocation") as PartitionKey;
const MIN = 60_000;

/** An event of execution `x`, `sec` seconds after BASE_TS_MS. */
const wire = (x: string, event: string, extra: Record<string, unknown> = {}, sec = 0) =>
  makeWire({ event, workflow_execution_id: x, ...extra }, BASE_TS_MS + sec * 1000);

/** Received one second per stream sequence after BASE_TS_MS. */
const msg = (payload: object | string, streamSeq: number, meta: MessageMeta = {}): RawMessage =>
  makeMessage(payload, { streamSeq, receivedMs: BASE_TS_MS + streamSeq * 1000, ...meta });

describe("AuditLog: duplicates", () => {
  const a1 = wire("x1", "tool_exec", {
    seq: 1,
    correlation_id: "c",
    task_id: "t",
    entity_type: "agent",
    entity_id: "a",
  });
  const a2 = wire(
    "x1",
    "tool_exec",
    { seq: 2, correlation_id: "c", task_id: "t", entity_type: "agent", entity_id: "a" },
    1,
  );

  it("records a redelivery as a duplicate, not as a second event", () => {
    const log = new AuditLog();
    log.add([msg(a1, 1), msg(a2, 2), msg(a1, 1, { deliveryCount: 2 })]);
    expect(log.size).toBe(2);
    expect(log.events().map((e) => e.streamSeq)).toEqual([1, 2]);
    expect(log.duplicates()).toEqual([{ streamSeq: 1, of: 1, deliveryCount: 2, receivedMs: BASE_TS_MS + 1000 }]);
    const a = log.analyze(INVOCATION);
    expect(a.counts).toMatchObject({ duplicate: 1, collision: 0 });
    expect(log.execution("x1")).toMatchObject({ eventCount: 2, duplicateCount: 1 });
  });

  it("records a byte-identical copy under a new stream sequence as a duplicate, not a collision", () => {
    const log = new AuditLog();
    log.add([msg(a1, 1), msg(a1, 2), msg(a2, 3)]);
    expect(log.events().map((e) => e.streamSeq)).toEqual([1, 3]);
    const a = log.analyze(INVOCATION);
    expect(a.anomalies.filter((x) => x.kind === "duplicate").map((d) => d.streamSeqs)).toEqual([[1, 2]]);
    expect(a.counts.collision).toBe(0);
  });

  it("keeps the lowest stream sequence even when it arrives last", () => {
    const log = new AuditLog();
    log.add([msg(a1, 5)]);
    log.add([msg(a1, 2)]);
    expect(log.events().map((e) => e.streamSeq)).toEqual([2]);
    expect(log.duplicates()).toMatchObject([{ streamSeq: 5, of: 2 }]);
  });

  it("tells apart two events that differ in one byte", () => {
    const log = new AuditLog();
    log.add([msg(a1, 1), msg({ ...a1, entity_id: "b" }, 2)]);
    expect(log.size).toBe(2);
    expect(log.duplicates()).toHaveLength(0);
  });

  it("counts and keeps malformed messages, with their run when readable", () => {
    const log = new AuditLog();
    log.add([msg(a1, 1), msg("{oops", 2), msg({ ...a2, seq: "2" }, 3)]);
    expect(log.size).toBe(3);
    expect(log.malformed().map((m) => m.reason)).toEqual([
      'not JSON: Unexpected token "o" at 1',
      'seq must be a positive integer, got "2"',
    ]);
    expect(log.malformed("x1").map((m) => m.streamSeq)).toEqual([3]);
    expect(log.execution("x1")?.malformedCount).toBe(1);
    expect(log.analyze(INVOCATION).counts.malformed).toBe(2);
  });
});

describe("AuditLog: executions", () => {
  const orch = (x: string, event: string, sec: number, fields?: object) =>
    wire(x, event, { workflow_id: "wf", ...(fields ? { fields } : {}) }, sec);
  const agent = (x: string, sec: number, id = "a") =>
    wire(x, "tool_exec", { entity_type: "agent", entity_id: id, seq: 1 }, sec);

  it.each<[string, object[], string]>([
    ["complete", [orch("x", "workflow_started", 0), orch("x", "workflow_complete", 1)], "complete"],
    ["cancelled", [orch("x", "workflow_started", 0), orch("x", "workflow_cancelled", 1)], "cancelled"],
    [
      "failed after a failed step",
      [orch("x", "workflow_started", 0), orch("x", "workflow_step_failed", 1), orch("x", "workflow_complete", 2)],
      "failed",
    ],
    [
      "failed by its outcome",
      [orch("x", "workflow_started", 0), orch("x", "workflow_complete", 1, { status: "failed" })],
      "failed",
    ],
    [
      "a failed step alone is still running",
      [orch("x", "workflow_started", 0), orch("x", "workflow_step_failed", 1)],
      "running",
    ],
    ["running", [orch("x", "workflow_started", 0), agent("x", 1)], "running"],
  ])("%s", (_, payloads, status) => {
    const log = new AuditLog();
    log.add(payloads.map((p, i) => msg(p, i + 1)));
    expect(log.execution("x")?.status).toBe(status);
  });

  it("is stalled after the quiet period, relative to now", () => {
    const log = new AuditLog({ quietPeriodMs: 5 * MIN });
    log.add([msg(orch("x", "workflow_started", 0), 1)]);
    const last = BASE_TS_MS + 1000;
    expect(log.execution("x", { nowMs: last + 5 * MIN - 1 })?.status).toBe("running");
    expect(log.execution("x", { nowMs: last + 5 * MIN })?.status).toBe("stalled");
    // Without nowMs, the newest message anywhere in the log is "now".
    log.add([msg(orch("y", "workflow_started", 0), 400)]);
    expect(log.execution("x")?.status).toBe("stalled");
  });

  it("lists newest first, producers orchestrator first, and only events with a run id", () => {
    const log = new AuditLog();
    log.add([
      msg(agent("old", 0, "b"), 1),
      msg(orch("old", "workflow_started", 1), 2),
      msg(agent("old", 2, "a"), 3),
      msg(orch("new", "workflow_started", 10), 4),
      msg({ ts: new Date(BASE_TS_MS).toISOString(), event: "policy_loaded" }, 5),
    ]);
    expect(log.executions().map((e) => e.id)).toEqual(["new", "old"]);
    expect(log.execution("old")?.producers.map((p) => p.id)).toEqual(["workflow:old", "agent:b", "agent:a"]);
    expect(log.execution("old")).toMatchObject({
      eventCount: 3,
      firstStreamSeq: 1,
      lastStreamSeq: 3,
      workflowId: "wf",
    });
    expect(log.events().map((e) => e.streamSeq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.events("old").map((e) => e.streamSeq)).toEqual([1, 2, 3]);
  });

  it("bumps version on every change and memoises analysis per version", () => {
    const log = new AuditLog();
    expect(log.version).toBe(0);
    log.add([]);
    expect(log.version).toBe(0);
    log.add([msg(agent("x", 0), 1)]);
    const v = log.version;
    const a = log.analyze(INVOCATION);
    expect(log.analyze(INVOCATION)).toBe(a);
    log.add([msg(agent("x", 0), 1, { deliveryCount: 2 })]);
    expect(log.version).toBe(v + 1);
    expect(log.analyze(INVOCATION)).not.toBe(a);
  });
});

// ---- properties: the result is a function of the set of messages ----

function fingerprintOf(log: AuditLog) {
  const analyses = BUILTIN_KEYS.map((k) => strip(log.analyze(k)));
  return {
    size: log.size,
    events: log.events().map((e) => [e.streamSeq, e.deliveryCount]),
    malformed: log.malformed().map((m) => [m.streamSeq, m.deliveryCount]),
    duplicates: log.duplicates(),
    executions: log.executions(),
    analyses,
  };
}

function strip(a: Analysis) {
  return { ...a, key: a.key.id };
}

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const rand = seededRandom(seed);
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function workload(seed: number): RawMessage[] {
  // A high fault rate so every run exercises duplicates, gaps, reorders and malformed lines.
  return generateWorkload({ seed, executions: 4, concurrency: 3, faultRate: 0.25, agents: 3 }).messages;
}

/** Copies payloads into read buffers of `size` bytes, `gap` bytes apart, and hands out views, as a socket reader does. */
function packInto(msgs: readonly RawMessage[], size: number, gap: number): RawMessage[] {
  let buf = new Uint8Array(size);
  let off = 0;
  return msgs.map((m) => {
    const n = m.data.length;
    if (off + n > buf.length) {
      buf = new Uint8Array(Math.max(size, n));
      off = 0;
    }
    buf.set(m.data, off);
    const data = buf.subarray(off, off + n);
    off += n + gap;
    return { ...m, data };
  });
}

describe("AuditLog: properties", () => {
  it("gives the same result however the messages are chunked", () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        (seed, sizes) => {
          const msgs = workload(seed);
          const whole = new AuditLog();
          whole.add(msgs);
          const chunked = new AuditLog();
          let i = 0;
          for (let k = 0; i < msgs.length; k++) {
            const n = sizes[k % sizes.length] as number;
            chunked.add(msgs.slice(i, i + n));
            i += n;
          }
          expect(fingerprintOf(chunked)).toEqual(fingerprintOf(whole));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("gives the same collisions, gaps and duplicates in any arrival order", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (seed, order) => {
        const msgs = workload(seed);
        const inOrder = new AuditLog();
        inOrder.add(msgs);
        const shuffled = new AuditLog();
        for (const m of shuffle(msgs, order)) shuffled.add([m]);
        for (const key of BUILTIN_KEYS) {
          const pick = (a: Analysis) =>
            a.anomalies.filter((x) => x.kind === "collision" || x.kind === "gap" || x.kind === "duplicate");
          expect(pick(shuffled.analyze(key))).toEqual(pick(inOrder.analyze(key)));
        }
        // Stronger than promised: arrival order is stream-sequence order, so nothing else moves either.
        expect(fingerprintOf(shuffled)).toEqual(fingerprintOf(inOrder));
      }),
      { numRuns: 40 },
    );
  });

  it("gives the same result whether payloads come in their own buffers or as views into large read buffers", () => {
    // A socket reader hands out views into read buffers: dense ones (mostly payload) are kept as they are,
    // sparse ones are copied from. Either way nothing may change, down to the raw bytes.
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1 << 14, max: 1 << 17 }),
        fc.constantFrom(0, 40, 4000),
        fc.integer({ min: 1, max: 60 }),
        (seed, bufferSize, gap, batch) => {
          const msgs = workload(seed);
          const packed = packInto(msgs, bufferSize, gap);
          const plain = new AuditLog();
          plain.add(msgs);
          const viaBuffers = new AuditLog();
          for (let i = 0; i < packed.length; i += batch) viaBuffers.add(packed.slice(i, i + batch));
          expect(fingerprintOf(viaBuffers)).toEqual(fingerprintOf(plain));
          expect(viaBuffers.events().map((e) => e.raw)).toEqual(plain.events().map((e) => e.raw));
          expect(viaBuffers.malformed().map((m) => m.raw)).toEqual(plain.malformed().map((m) => m.raw));
          for (const x of plain.executions()) {
            expect(viaBuffers.events(x.id).map((e) => e.raw)).toEqual(plain.events(x.id).map((e) => e.raw));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it("generated faults show up: every injected duplicate is found", () => {
    const { messages, stats } = generateWorkload({
      seed: 7,
      executions: 30,
      faultRate: 0.1,
      faults: ["redeliver", "retry"],
    });
    const log = new AuditLog();
    log.add(messages);
    expect(log.duplicates()).toHaveLength(stats.faults.redeliver + stats.faults.retry);
    expect(stats.faults.redeliver + stats.faults.retry).toBeGreaterThan(0);
  });
});
