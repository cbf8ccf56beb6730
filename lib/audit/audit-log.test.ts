import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Analysis } from "./anomaly";
import { AuditLog, type ExecutionSummary } from "./audit-log";
import { BUILTIN_KEYS, keyById, type PartitionKey } from "./partition-key";
import { BASE_TS_MS, generateWorkload, makeMessage, makeWire, seededRandom, type MessageMeta } from "./testing";
import { resolveProducer } from "./producer";
import { sha256Hex } from "./sha256";
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

describe("AuditLog: one execution's analysis", () => {
  it("of an execution the log does not hold has none of the log's anomalies", () => {
    const { messages } = generateWorkload({ seed: 5, executions: 30, faultRate: 0.3, hash: sha256Hex });
    const log = new AuditLog();
    log.add(messages);
    const whole = log.analyze(BUILTIN_KEYS[0] as PartitionKey);
    // The workload's faults give the whole log duplicates, malformed lines and chain breaks to leak.
    for (const kind of ["duplicate", "malformed", "chain-break"] as const)
      expect(whole.counts[kind]).toBeGreaterThan(0);
    const none = log.analyze(BUILTIN_KEYS[0] as PartitionKey, { executionId: "wfx-not-in-this-log" });
    expect(none.anomalies).toEqual([]);
    expect(Object.values(none.counts).every((n) => n === 0)).toBe(true);
  });

  it("of each execution holds the chain breaks at its own lines, as the whole log's list has them", () => {
    const { messages } = generateWorkload({ seed: 6, executions: 30, faultRate: 0.2, hash: sha256Hex });
    const log = new AuditLog();
    log.add(messages);
    const key = BUILTIN_KEYS[0] as PartitionKey;
    const breaks = (a: Analysis) =>
      a.anomalies.filter((x) => x.kind === "chain-break").map((x) => x.streamSeqs.join(","));
    const perExecution = log.executions().flatMap((e) => breaks(log.analyze(key, { executionId: e.id })));
    expect(perExecution.length).toBeGreaterThan(0);
    const inExecutions = new Set(log.executions().flatMap((e) => log.events(e.id).map((ev) => ev.streamSeq)));
    const expected = log
      .chainBreaks()
      .filter((b) => inExecutions.has(b.at))
      .map((b) => b.streamSeqs.join(","));
    expect(perExecution.sort()).toEqual(expected.sort());
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

describe("AuditLog: memory budget", () => {
  // Two finished runs, each with a gap, a collision, a malformed line, a redelivery and a producer retry;
  // then a run still going. A budget of one byte evicts whatever it may.
  const agent = (x: string) => ({ correlation_id: `c-${x}`, task_id: `t-${x}`, entity_type: "agent", entity_id: "a" });
  const finished = (x: string, from: number): RawMessage[] => {
    const ms = [
      wire(x, "workflow_started", { seq: 1 }, from),
      wire(x, "session_start", { ...agent(x), seq: 1 }, from + 1),
      wire(x, "tool_exec", { ...agent(x), seq: 3 }, from + 2),
      wire(x, "tool_exec", { ...agent(x), seq: 3, fields: { again: true } }, from + 3),
      wire(x, "tool_exec", { ...agent(x), seq: "4" }, from + 4), // malformed (its run readable): seq 2 and 4 missing
      wire(x, "session_end", { ...agent(x), seq: 5 }, from + 5),
      wire(x, "workflow_complete", { seq: 2 }, from + 6),
    ].map((w, i) => msg(w, from + i));
    const retried = ms[2] as RawMessage;
    return [...ms, { ...(ms[1] as RawMessage), deliveryCount: 2 }, { ...retried, streamSeq: from + 7 }];
  };
  const running = [msg(wire("r", "workflow_started", { seq: 1 }, 30), 30)];
  const stream = [...finished("a", 1), ...finished("b", 11), ...running];
  const stretch = (from: number, to: number) =>
    stream
      .filter((m) => m.deliveryCount === 1 && m.streamSeq >= from && m.streamSeq <= to)
      .map((m) => ({ ...m, reread: true }));

  const unbounded = new AuditLog();
  unbounded.add(stream);
  const withoutEvicted = (summary: ExecutionSummary | undefined) => {
    const s: Partial<ExecutionSummary> = { ...summary };
    delete s.evicted;
    return s;
  };

  it("evicts finished executions, lists every one with exact counts and the anomaly counts it had", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    log.add(stream);
    expect(log.executions().map(withoutEvicted)).toEqual(unbounded.executions().map(withoutEvicted));
    for (const x of ["a", "b"]) {
      const ref = unbounded.execution(x);
      const counts = Object.fromEntries(
        BUILTIN_KEYS.map((k) => [k.id, unbounded.analyze(k, { executionId: x }).counts]),
      );
      expect(log.execution(x)?.evicted).toEqual({ events: ref?.eventCount, malformed: ref?.malformedCount, counts });
      expect(counts.invocation).toMatchObject({ gap: 2, collision: 1, duplicate: 2, malformed: 1 });
      expect(log.events(x)).toEqual([]);
    }
    expect(log.execution("r")?.evicted).toBeUndefined();
    const evicted = 2 * (6 + 1);
    expect(log.memory()).toMatchObject({
      budgetBytes: 1,
      evictedExecutions: 2,
      evictedMessages: evicted,
      heldMessages: unbounded.size - evicted,
    });
    expect(log.size).toBe(unbounded.size - evicted);
    // The log's own duplicates and malformed lines stay listed; only the rows went.
    expect(log.duplicates()).toEqual(unbounded.duplicates());
  });

  it("never evicts a pinned execution, and evicts it once unpinned", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    const unpin = log.pin("a");
    log.add(stream);
    expect(log.execution("a")?.evicted).toBeUndefined();
    expect(log.execution("b")?.evicted).toBeDefined();
    expect(log.events("a")).toHaveLength(unbounded.events("a").length);
    unpin();
    log.add([]);
    expect(log.execution("a")?.evicted).toBeDefined();
    expect(log.execution("r")?.evicted).toBeUndefined();
  });

  it("never evicts a running execution, however far over budget", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    const live = Array.from({ length: 50 }, (_, i) => msg(wire("r", "tool_exec", { seq: i + 1 }, i), i + 1));
    log.add(live);
    expect(log.execution("r")).toMatchObject({ status: "running", eventCount: 50 });
    expect(log.execution("r")?.evicted).toBeUndefined();
    expect(log.memory()).toMatchObject({ evictedExecutions: 0, evictedMessages: 0, heldMessages: 50 });
  });

  it("brings an execution back on a re-read of its stretch, with the analysis of a log that never evicted", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    log.add(stream);
    const unpin = log.pin("a");
    const { firstStreamSeq, lastStreamSeq } = log.execution("a") as { firstStreamSeq: number; lastStreamSeq: number };
    expect([firstStreamSeq, lastStreamSeq]).toEqual([1, 8]);
    // Part of the stretch: still evicted, counts still exact.
    log.add(stretch(1, 3));
    expect(log.execution("a")?.evicted).toMatchObject({ events: 6 - 3, malformed: 1 });
    expect(log.execution("a")?.eventCount).toBe(6);
    log.add(stretch(firstStreamSeq, lastStreamSeq));
    expect(log.execution("a")?.evicted).toBeUndefined();
    expect(withoutEvicted(log.execution("a"))).toEqual(withoutEvicted(unbounded.execution("a")));
    for (const key of BUILTIN_KEYS) {
      expect(strip(log.analyze(key, { executionId: "a" }))).toEqual(
        strip(unbounded.analyze(key, { executionId: "a" })),
      );
    }
    expect(log.events("a").map((e) => e.raw)).toEqual(unbounded.events("a").map((e) => e.raw));
    expect(log.malformed("a").map((m) => m.raw)).toEqual(unbounded.malformed("a").map((m) => m.raw));
    expect(log.duplicates("a")).toEqual(unbounded.duplicates("a"));
    expect(log.chainBreaks()).toEqual(unbounded.chainBreaks());
    unpin();
  });

  it("counts no duplicate for a re-read of messages it holds", () => {
    for (const log of [new AuditLog(), new AuditLog({ budgetBytes: 1 })]) {
      log.add(stream);
      const before = { size: log.size, dups: log.duplicates(), list: log.executions() };
      log.add(stretch(21, 40)); // the running execution's stretch: held, never evicted
      expect(log.size).toBe(before.size);
      expect(log.duplicates()).toEqual(before.dups);
      expect(log.executions().map(withoutEvicted)).toEqual(before.list.map(withoutEvicted));
    }
  });
  // KNOWN BUG (issue 11): evicted executions of *every* AuditLog share one module-level Hints
  // (SHARED_HINTS, memory-budget.ts), whose cached string ids belong to whichever log set them
  // last; a re-read in another log then files its rows under the wrong strings. When this passes,
  // drop `.fails` here and un-skip the memory-budget property in audit-log.property.test.ts.
  it("interns a re-read execution's strings in its own log, whatever other logs did", () => {
    const done = (x: string, agent: string, streamSeq: number) =>
      msg(wire(x, "workflow_complete", { entity_type: "agent", entity_id: agent }), streamSeq);
    const one = new AuditLog({ budgetBytes: 1 });
    one.add([done("x", "agent-c", 1)]); // evicted at once
    one.pin("x");
    one.add([{ ...done("x", "agent-c", 1), reread: true }]);
    const two = new AuditLog({ budgetBytes: 1 });
    two.add([done("y", "agent-a", 1), done("z", "agent-c", 2)]);
    two.pin("z");
    two.add([{ ...done("z", "agent-c", 2), reread: true }]);
    const byEntity = two.analyze(keyById("execution-entity") as PartitionKey, { executionId: "z" });
    expect(byEntity.partitions.map((p) => p.values.entity_id)).toEqual(["agent-c"]);
  });
});

describe("AuditLog: lanes of interleaved events", () => {
  // The ingest caches a context's last id tuple per kind of event (workflow_* or not): however a run's
  // orchestrator events, agents and explicit producers interleave, each event's lane is resolveProducer's.
  const fields = fc.record({
    run: fc.constantFrom("r1", "r2", undefined),
    event: fc.constantFrom("workflow_step_started", "workflow_started", "tool_exec", "llm_call"),
    producer: fc.constantFrom(undefined, "p1", "p2"),
    source: fc.constantFrom(undefined, "s1"),
    entity: fc.constantFrom(undefined, ["agent", "a"], ["agent", "b"], ["workflow", "w"], ["tool", "a"]),
    corr: fc.constantFrom(undefined, "c1"),
  });
  it("each event's lane is the one resolveProducer names", () => {
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 40 }), (events) => {
        const msgs = events.map((f, i) => {
          const wire: Record<string, unknown> = { event: f.event };
          if (f.run !== undefined) wire.workflow_execution_id = f.run;
          if (f.producer !== undefined) wire.producer = f.producer;
          if (f.source !== undefined) wire.source = f.source;
          if (f.entity !== undefined) [wire.entity_type, wire.entity_id] = f.entity;
          if (f.corr !== undefined) wire.correlation_id = f.corr;
          return makeMessage(makeWire(wire, BASE_TS_MS + i), { streamSeq: i + 1 });
        });
        const log = new AuditLog();
        log.add(msgs);
        msgs.forEach((m, i) => {
          const f = events[i]!;
          const want = resolveProducer({
            event: f.event,
            workflow_execution_id: f.run,
            producer: f.producer,
            source: f.source,
            entity_type: f.entity?.[0],
            entity_id: f.entity?.[1],
          }).id;
          expect([m.streamSeq, log.producerAt(m.streamSeq)?.id]).toEqual([m.streamSeq, want]);
        });
      }),
      { numRuns: 300 },
    );
  });
});
