import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeEvents } from "./analyze";
import type { Analysis, AnomalyKind } from "./anomaly";
import { AuditLog } from "./audit-log";
import { findingsOf, oracleAnalyze, oracleSet } from "./oracle";
import { BUILTIN_KEYS, customKey, fieldReader, keyById, type PartitionKey } from "./partition-key";
import { BASE_TS_MS, makeEvent, makeMessage, seededRandom } from "./testing";
import type { AuditEvent } from "./types";

const EXECUTION = keyById("execution") as PartitionKey;
const EXECUTION_ENTITY = keyById("execution-entity") as PartitionKey;
const INVOCATION = keyById("invocation") as PartitionKey;
const X = "wfx-1";

/** Events in stream order from compact specs; streamSeq is the position + 1. */
function stream(specs: Record<string, unknown>[]): AuditEvent[] {
  return specs.map((s, i) => makeEvent({ workflow_execution_id: X, streamSeq: i + 1, ...s }));
}

/** An agent invocation with per-invocation seq 1..n, closed. */
function invocation(agent: string, corr: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    event: i === n - 1 ? "invocation_complete" : "tool_exec",
    seq: i + 1,
    entity_type: "agent",
    entity_id: agent,
    correlation_id: corr,
    task_id: `task-${corr}`,
  }));
}

function interleave<T>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i] as T);
    if (i < b.length) out.push(b[i] as T);
  }
  return out;
}

function only(a: Analysis, kind: AnomalyKind) {
  return a.anomalies.filter((x) => x.kind === kind);
}

// Closed run, so open tails stay out of the seq cases.
const RUN_END: Record<string, unknown> = { event: "workflow_complete", entity_type: "workflow", entity_id: X };

describe("analyzeEvents: one anomaly at a time", () => {
  it.each<[string, Record<string, unknown>[], PartitionKey, Partial<Record<AnomalyKind, number>>]>([
    ["a clean invocation", [...invocation("a", "c1", 4)], INVOCATION, {}],
    // seq: 1 2 2' 3 → one collision at 2
    [
      "collision",
      [
        ...invocation("a", "c1", 3).slice(0, 2),
        { ...invocation("a", "c1", 3)[1], event: "llm_call" },
        ...invocation("a", "c1", 3).slice(2),
      ],
      INVOCATION,
      { collision: 1 },
    ],
    // seq: 1 2 5 → gap 3–4
    ["gap", invocation("a", "c1", 5).filter((e) => e.seq !== 3 && e.seq !== 4), INVOCATION, { gap: 1 }],
    // seq: 3 4 5 → head 1–2 missing
    ["missing head", invocation("a", "c1", 5).slice(2), INVOCATION, { "missing-head": 1 }],
    // seq: 1 3 2 4 → 2 arrived after 3
    [
      "out of order",
      ((e) => [e[0], e[2], e[1], e[3]])(invocation("a", "c1", 4)) as Record<string, unknown>[],
      INVOCATION,
      { "out-of-order": 1 },
    ],
  ])("%s", (_, specs, key, expected) => {
    const a = analyzeEvents({ events: stream([...specs, RUN_END]) }, key);
    const want = { collision: 0, gap: 0, "missing-head": 0, "out-of-order": 0, "open-tail": 0, ...expected };
    for (const [kind, n] of Object.entries(want))
      expect(`${kind}: ${a.counts[kind as AnomalyKind]}`).toBe(`${kind}: ${n}`);
  });

  it("a gap names the missing range, its partition, the bounding events and the time window", () => {
    const events = stream([...invocation("a", "c1", 6).filter((e) => e.seq !== 3 && e.seq !== 4), RUN_END]);
    const [gap] = only(analyzeEvents({ events }, INVOCATION), "gap");
    expect(gap).toEqual({
      kind: "gap",
      partition: JSON.stringify(["c1", "task-c1"]),
      streamSeqs: [2, 3], // seq 2 and seq 5 (positions 2 and 3 on the stream)
      seq: 3,
      seqRange: [3, 4],
      window: { fromMs: BASE_TS_MS + 2000, toMs: BASE_TS_MS + 3000 },
      message: "seq 3–4 missing",
    });
  });

  it("counts events without seq instead of treating them as gaps", () => {
    const events = stream([
      { event: "policy_loaded", correlation_id: "c1", task_id: "task-c1" },
      ...invocation("a", "c1", 3),
      { event: "egress_allowed", correlation_id: "c1", task_id: "task-c1" },
      RUN_END,
    ]);
    const a = analyzeEvents({ events }, INVOCATION);
    expect(a.counts.gap).toBe(0);
    const p = a.partitions.find((x) => x.id === JSON.stringify(["c1", "task-c1"]));
    expect(p).toMatchObject({ eventCount: 5, withoutSeq: 2, minSeq: 1, maxSeq: 3 });
    expect(a.withoutSeq).toBe(3); // + the run end, in the no-key bucket
  });

  it("puts events lacking a key field in an explicit no-key bucket", () => {
    const events = stream([{ event: "auth_fail", seq: 1, correlation_id: "c9" }, ...invocation("a", "c1", 2), RUN_END]);
    const a = analyzeEvents({ events }, INVOCATION);
    expect(a.noKey).toBe(2); // auth_fail has no task_id; the run end has no correlation
    const bucket = a.partitions.find((p) => p.noKey);
    expect(bucket).toMatchObject({ id: "", eventCount: 2, values: {} });
    expect(a.partitions.filter((p) => !p.noKey).map((p) => p.values)).toEqual([
      { correlation_id: "c1", task_id: "task-c1" },
    ]);
    expect(a.counts["missing-head"]).toBe(0);
  });

  it("does not depend on the order events are handed in, only on stream sequence", () => {
    // A gap, a collision and a reordering in one invocation, next to a clean one: every seq check reads stream order.
    const c1 = invocation("a", "c1", 6).filter((e) => e.seq !== 2);
    const specs = [
      ...interleave(
        [c1[0], { ...c1[1], event: "llm_call" }, ...c1.slice(1, 3), c1[4], c1[3]],
        invocation("b", "c2", 4),
      ),
      RUN_END,
    ] as Record<string, unknown>[];
    const events = stream(specs);
    const a = analyzeEvents({ events }, INVOCATION);
    expect(a.counts).toMatchObject({ gap: 1, collision: 1, "out-of-order": 1 });

    const rand = seededRandom(42);
    const shuffled = [...events];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as AuditEvent, shuffled[i] as AuditEvent];
    }
    expect(shuffled.map((e) => e.streamSeq)).not.toEqual(events.map((e) => e.streamSeq));
    expect(analyzeEvents({ events: shuffled }, INVOCATION)).toEqual(a);
    expect(analyzeEvents({ events: [...events].reverse() }, INVOCATION)).toEqual(a);
  });
});

describe("analyzeEvents: open tails", () => {
  const QUIET = 60_000;
  const at = (s: number) => BASE_TS_MS + s * 1000;

  it("reports an invocation never closed once its run ended", () => {
    const events = stream([...invocation("a", "c1", 3).slice(0, 2), ...invocation("b", "c2", 2), RUN_END]);
    const tails = only(analyzeEvents({ events }, INVOCATION, { nowMs: at(6), quietPeriodMs: QUIET }), "open-tail");
    expect(tails).toHaveLength(1);
    expect(tails[0]).toMatchObject({ streamSeqs: [2], partition: JSON.stringify(["c1", "task-c1"]) });
    expect(tails[0]?.message).toContain("c1");
  });

  it("waits for the quiet period while the run is still going", () => {
    const events = stream(invocation("a", "c1", 3).slice(0, 2));
    const open = (now: number) =>
      only(analyzeEvents({ events }, INVOCATION, { nowMs: now, quietPeriodMs: QUIET }), "open-tail");
    expect(open(at(2) + QUIET - 1)).toHaveLength(0);
    // Both the invocation and the run are now overdue.
    expect(open(at(2) + QUIET).map((t) => t.message.split(" ")[0])).toEqual(["invocation", "run"]);
  });

  it("session_end closes an invocation as well as invocation_complete", () => {
    const specs = invocation("a", "c1", 3);
    (specs[2] as Record<string, unknown>).event = "session_end";
    const events = stream([...specs, RUN_END]);
    expect(analyzeEvents({ events }, INVOCATION, { nowMs: at(100), quietPeriodMs: QUIET }).counts["open-tail"]).toBe(0);
  });
});

describe("analyzeEvents: the scope cases of CONTRACT.md", () => {
  it("two agents with per-invocation seq under the naive key: one collision per shared seq", () => {
    // agent a: seq 1..4, agent b: seq 1..3, interleaved in one run → seqs 1, 2, 3 collide.
    const events = stream([...interleave(invocation("a", "c1", 4), invocation("b", "c2", 3)), RUN_END]);
    const a = analyzeEvents({ events }, EXECUTION);
    expect(only(a, "collision").map((c) => [c.seq, c.streamSeqs])).toEqual([
      [1, [1, 2]],
      [2, [3, 4]],
      [3, [5, 6]],
    ]);
    expect(a.counts.gap).toBe(0);
    expect(analyzeEvents({ events }, INVOCATION).counts.collision).toBe(0);
  });

  it("the same agent invoked twice in one run collides under execution+entity, not under Forge's key", () => {
    const events = stream([...invocation("a", "c1", 3), ...invocation("a", "c2", 2), RUN_END]);
    const byEntity = analyzeEvents({ events }, EXECUTION_ENTITY);
    expect(only(byEntity, "collision").map((c) => c.seq)).toEqual([1, 2]);
    expect(only(byEntity, "collision")[0]?.partition).toBe(JSON.stringify([X, "agent", "a"]));
    // The second invocation restarting at 1 also looks reordered: its seq 1 and 2 arrive after seq 3.
    expect(only(byEntity, "out-of-order").map((o) => o.streamSeqs)).toEqual([
      [3, 4],
      [3, 5],
    ]);
    const forge = analyzeEvents({ events }, INVOCATION);
    expect(forge.counts.collision + forge.counts.gap + forge.counts["out-of-order"]).toBe(0);
  });

  it("a dropped event is exactly one gap, naming the right seq and partition", () => {
    const specs = [...interleave(invocation("a", "c1", 5), invocation("b", "c2", 4)), RUN_END];
    const dropped = specs.filter((s) => !(s.correlation_id === "c2" && s.seq === 3));
    const a = analyzeEvents({ events: stream(dropped) }, INVOCATION);
    const gaps = only(a, "gap");
    expect(gaps.map((g) => [g.partition, g.seqRange])).toEqual([[JSON.stringify(["c2", "task-c2"]), [3, 3]]]);
    expect(a.counts.collision + a.counts["missing-head"] + a.counts["out-of-order"]).toBe(0);
  });

  it("execution+producer sends everything to no-key when producers do not send the field", () => {
    const events = stream([...invocation("a", "c1", 2), RUN_END]);
    const a = analyzeEvents({ events }, keyById("execution-producer") as PartitionKey);
    expect(a.noKey).toBe(3);
    expect(a.partitions.filter((p) => !p.noKey)).toHaveLength(0);
  });

  it("accepts a custom key, including the resolved identity", () => {
    const events = stream([...invocation("a", "c1", 3), ...invocation("a", "c2", 2), RUN_END]);
    expect(analyzeEvents({ events }, customKey(["workflow_execution_id", "@identity"])).counts.collision).toBe(2);
    expect(analyzeEvents({ events }, customKey(["correlation_id"])).counts.collision).toBe(0);
  });

  it("reports one partition list per built-in key", () => {
    const events = stream([...invocation("a", "c1", 3), ...invocation("b", "c2", 2), RUN_END]);
    const sizes = BUILTIN_KEYS.map((k) => analyzeEvents({ events }, k).partitions.filter((p) => !p.noKey).length);
    expect(sizes).toEqual([1, 3, 2, 0]);
  });
});

describe("analysis: the partition of every event", () => {
  /*
   * Random runs: up to 4 agents, each invoked up to 3 times, some events missing
   * a key field (no task_id, no correlation), all in one execution, interleaved.
   */
  const runs = fc
    .array(
      fc.record({
        agent: fc.integer({ min: 0, max: 3 }),
        inv: fc.integer({ min: 0, max: 2 }),
        seq: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        missing: fc.constantFrom("none", "none", "none", "task", "correlation"),
      }),
      { minLength: 1, maxLength: 60 },
    )
    .map((specs) =>
      stream(
        specs.map((s) => {
          const corr = `c${s.agent}-${s.inv}`;
          const e: Record<string, unknown> = {
            event: "tool_exec",
            entity_type: "agent",
            entity_id: `a${s.agent}`,
            correlation_id: corr,
            task_id: `task-${corr}`,
          };
          if (s.seq !== undefined) e.seq = s.seq;
          if (s.missing === "task") delete e.task_id;
          if (s.missing === "correlation") delete e.correlation_id;
          return e;
        }),
      ),
    );

  it("names, per event in stream order, the partition whose values are that event's key fields", () => {
    fc.assert(
      fc.property(runs, fc.constantFrom(...BUILTIN_KEYS), (events, key) => {
        const a = analyzeEvents({ events }, key);
        expect(a.partitionOfRow).toHaveLength(events.length);
        const readers = key.fields.map(fieldReader);
        const sizes = new Map<number, number>();
        events.forEach((e, i) => {
          const p = a.partitions[a.partitionOfRow[i] as number];
          if (p === undefined) throw new Error(`event ${i}: no partition`);
          const values = readers.map((r) => r(e));
          if (values.some((v) => v === undefined)) expect(p.noKey).toBe(true);
          else expect(key.fields.map((f) => p.values[f])).toEqual(values);
          sizes.set(a.partitionOfRow[i] as number, (sizes.get(a.partitionOfRow[i] as number) ?? 0) + 1);
        });
        // Every listed partition holds exactly the events that point at it.
        a.partitions.forEach((p, i) => expect(sizes.get(i) ?? 0).toBe(p.eventCount));
      }),
    );
  });

  it("is aligned with log.events(executionId) in the log's own analysis", () => {
    fc.assert(
      fc.property(runs, fc.constantFrom(...BUILTIN_KEYS), (events, key) => {
        const log = new AuditLog();
        log.add(events.map((e) => makeMessage(e.raw, { streamSeq: e.streamSeq })));
        const a = log.analyze(key, { executionId: X });
        const kept = log.events(X);
        expect(a.partitionOfRow).toHaveLength(kept.length);
        expect(a.partitionOfRow).toEqual(analyzeEvents({ events: kept }, key).partitionOfRow);
      }),
      { numRuns: 40 },
    );
  });
});

describe("analyze: seqs sorted by packing or by comparison", () => {
  // Small seqs are sorted packed into floats; a spread near 2^53 cannot be packed and takes the
  // comparator. Both must find what the oracle finds, in the same order.
  const seqs = fc.array(
    fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(2 ** 50, Number.MAX_SAFE_INTEGER - 1)),
    { minLength: 2, maxLength: 40 },
  );
  it("finds the oracle's collisions, gaps and out-of-order arrivals", () => {
    fc.assert(
      fc.property(seqs, (list) => {
        const msgs = list.map((seq, i) =>
          makeMessage(
            { ts: new Date(BASE_TS_MS + i * 1000).toISOString(), event: "tool_exec", seq, workflow_execution_id: X },
            { streamSeq: i + 1 },
          ),
        );
        const log = new AuditLog();
        log.add(msgs);
        const set = oracleSet(msgs);
        const got = findingsOf(log.analyze(EXECUTION, { executionId: X, nowMs: BASE_TS_MS }));
        expect(got).toEqual(
          oracleAnalyze(set, EXECUTION, { executionId: X, nowMs: BASE_TS_MS, quietPeriodMs: 5 * 60_000 }),
        );
      }),
      { numRuns: 200 },
    );
  });
});
