// Differential tests: the AuditLog's own answers (the production path) against
// the plain reference in oracle.ts, on random streams fed in random batches,
// in stream order or any order, with and without a memory budget small enough
// that executions are evicted at random points and read back.

import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { GENESIS_HASH } from "./chain";
import { findingsOf, oracleAnalyze, oracleExecutions, oracleSet, type OracleSet } from "./oracle";
import { BUILTIN_KEYS } from "./partition-key";
import { BASE_TS_MS, generateWorkload, makeMessage, makeWire, seededRandom } from "./testing";
import type { RawMessage } from "./types";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const QUIET_DEFAULT = 5 * 60_000;
/** The producers' line hash (native, so that writing the chains costs little; the engine checks with its own). */
const sha256Hex = (line: Uint8Array) => createHash("sha256").update(line).digest("hex");

/**
 * Traffic beside the workflow runs: three services that name themselves with
 * the proposed `producer` field and chain their lines, serving direct
 * invocations (correlation + task, per-invocation seq, no run; auth_fail
 * without task), two runs of their own (seq per run and producer; a run may
 * "complete" and go on) and process-level events without seq. Counters skip
 * and repeat now and then; ts is sometimes whole seconds; lines are lost after
 * they were chained.
 */
function sideTraffic(rand: () => number, lines: number): { data: Uint8Array; receivedMs: number }[] {
  const prev = new Map<string, string>();
  const open = new Map<string, { corr: string; task: string; seq: number }>();
  const runSeq = new Map<string, number>();
  const out: { data: Uint8Array; receivedMs: number }[] = [];
  const step = () => (rand() < 0.1 ? 2 : rand() < 0.05 ? 0 : 1);
  let clock = BASE_TS_MS;
  let inv = 0;
  for (let i = 0; i < lines; i++) {
    clock += 1 + Math.floor(rand() * 60);
    const producer = ["svc-a", "svc-b", "svc-c"][Math.floor(rand() * 3)] as string;
    const w = makeWire({ producer }, rand() < 0.3 ? Math.floor(clock / 1000) * 1000 : clock);
    if (rand() < 0.3) w.ts = (w.ts as string).replace(".000Z", "Z");
    const r = rand();
    if (r < 0.1) w.event = "policy_loaded";
    else if (r < 0.35) {
      const x = `wfx-side-${Math.floor(rand() * 2)}`;
      const seq = (runSeq.get(`${x}/${producer}`) ?? 0) + step();
      runSeq.set(`${x}/${producer}`, seq);
      Object.assign(w, { event: rand() < 0.1 ? "workflow_complete" : "tool_exec", workflow_execution_id: x });
      if (seq > 0) w.seq = seq;
    } else {
      let o = open.get(producer);
      if (o === undefined || rand() < 0.1) {
        o = { corr: `corr-${inv}`, task: `task-${inv++}`, seq: 0 };
        open.set(producer, o);
      }
      o.seq = Math.max(1, o.seq + step());
      const end = rand() < 0.15;
      Object.assign(w, { event: end ? "invocation_complete" : "llm_call", correlation_id: o.corr, seq: o.seq });
      if (rand() < 0.05) w.event = "auth_fail";
      else w.task_id = o.task;
      if (end) open.delete(producer);
    }
    w.prev_hash = prev.get(producer) ?? GENESIS_HASH;
    const data = encoder.encode(JSON.stringify(w));
    prev.set(producer, sha256Hex(data));
    if (rand() < 0.05) continue; // lost before the stream
    out.push({ data, receivedMs: clock + 3 });
  }
  return out;
}

/** Changes a line after it was chained: its follower's prev_hash no longer fits, and its seq may collide. */
function alter(data: Uint8Array, rand: () => number): Uint8Array {
  const text = decoder.decode(data);
  return encoder.encode(
    rand() < 0.5
      ? text.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${Number(n) + 1}`)
      : text.replace(/"ts":"/, '"x_altered":true,"ts":"'),
  );
}

interface Stream {
  /** Every delivery, in stream order (a redelivery a little after its first delivery). */
  deliveries: RawMessage[];
  /** What the stream holds under each stream sequence: what a re-read returns. */
  stored: Map<number, RawMessage>;
}

/**
 * generateWorkload's runs (drops, redeliveries, retries, reorders, truncated
 * lines, open tails; chained when `chained`) interleaved with sideTraffic, under
 * fresh stream sequences with holes (deleted messages), some lines altered.
 */
function buildStream(seed: number, executions: number, faultRate: number, chained: boolean): Stream {
  const rand = seededRandom(seed ^ 0x5eed);
  const work = generateWorkload({
    seed,
    executions,
    concurrency: 1 + Math.floor(rand() * 5),
    faultRate,
    agents: 2 + Math.floor(rand() * 4),
    ...(chained ? { hash: sha256Hex } : {}),
  }).messages;
  const side = chained ? sideTraffic(rand, Math.floor(rand() * 40)) : [];
  const workSeqs = [...new Set(work.map((m) => m.streamSeq))].sort((a, b) => a - b);
  const newSeq = new Map<number, number>();
  const sideSeq: number[] = [];
  for (let wi = 0, si = 0, s = 0; wi < workSeqs.length || si < side.length;) {
    s += rand() < 0.05 ? 2 : 1;
    const left = side.length - si + workSeqs.length - wi;
    if (si < side.length && (wi >= workSeqs.length || rand() < (side.length - si) / left)) sideSeq[si++] = s;
    else newSeq.set(workSeqs[wi++] as number, s);
  }
  // Each delivery keeps its place in stream order: a redelivery right after the stream sequence last delivered.
  const keyed: { m: RawMessage; at: number }[] = [];
  const bytesAt = new Map<number, Uint8Array>();
  let last = 0;
  for (const m of work) {
    const s = newSeq.get(m.streamSeq) as number;
    if (!bytesAt.has(s)) bytesAt.set(s, rand() < faultRate / 4 ? alter(m.data, rand) : m.data);
    if (m.deliveryCount === 1) last = s;
    keyed.push({
      m: { ...m, streamSeq: s, data: bytesAt.get(s) as Uint8Array },
      at: m.deliveryCount === 1 ? s : last + 0.5,
    });
  }
  side.forEach((l, i) => {
    const m = makeMessage(l.data, { streamSeq: sideSeq[i], receivedMs: l.receivedMs });
    keyed.push({ m, at: m.streamSeq });
    if (rand() < faultRate) keyed.push({ m: { ...m, deliveryCount: 2 }, at: m.streamSeq + 0.5 });
  });
  const deliveries = keyed.sort((a, b) => a.at - b.at).map((k) => k.m);
  const stored = new Map<number, RawMessage>();
  for (const m of deliveries) if (m.deliveryCount === 1) stored.set(m.streamSeq, m);
  return { deliveries, stored };
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function chunks<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  for (let i = 0, k = 0; i < xs.length; k++) {
    const n = sizes[k % sizes.length] as number;
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

const scenario = fc.record({
  seed: fc.integer(),
  executions: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 7, max: 24 })),
  faultRate: fc.constantFrom(0, 0.05, 0.15, 0.3),
  chained: fc.boolean(),
  /** add() batch sizes, in turn. */
  sizes: fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 8 }),
  /** Small quiet periods make open tails and stalled runs; the default makes neither. */
  quietPeriodMs: fc.constantFrom(undefined, 300, 2_000),
  /** "Now" relative to the newest activity; undefined: the log's default. */
  nowOffsetMs: fc.option(fc.integer({ min: -3_000, max: 10_000 }), { nil: undefined }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** When each invocation and each run last showed life: one quiet period later its tail turns overdue. */
function lastActivities(set: OracleSet): number[] {
  const last = new Map<string, number>();
  const see = (k: string | undefined, ms: number) => {
    if (k !== undefined && k !== "") last.set(k, Math.max(last.get(k) ?? -Infinity, ms));
  };
  for (const e of set.events) {
    const ms = e.receivedMs > 0 ? e.receivedMs : e.tsMs;
    see(`c:${e.correlation_id ?? ""}`, ms);
    see(`x:${e.workflow_execution_id ?? ""}`, ms);
  }
  return [...last.values()].sort((a, b) => a - b);
}

function nowOf(sc: Scenario, set: OracleSet): number | undefined {
  return sc.nowOffsetMs === undefined ? undefined : set.newestMs + sc.nowOffsetMs;
}

/** The execution list as both sides state it. */
function summariesOf(log: AuditLog, nowMs?: number) {
  return log
    .executions(nowMs === undefined ? {} : { nowMs })
    .map((e) => ({
      id: e.id,
      eventCount: e.eventCount,
      malformedCount: e.malformedCount,
      duplicateCount: e.duplicateCount,
      firstStreamSeq: e.firstStreamSeq,
      lastStreamSeq: e.lastStreamSeq,
      firstTsMs: e.firstTsMs,
      lastTsMs: e.lastTsMs,
      status: e.status,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Every analysis of one execution, under each built-in key, against the oracle over the whole set. */
function expectExecutionMatches(log: AuditLog, set: OracleSet, x: string, sc: Scenario): void {
  const nowMs = nowOf(sc, set);
  const quietPeriodMs = sc.quietPeriodMs ?? QUIET_DEFAULT;
  for (const key of BUILTIN_KEYS) {
    const got = findingsOf(log.analyze(key, { executionId: x, ...(nowMs === undefined ? {} : { nowMs }) }));
    const want = oracleAnalyze(set, key, { executionId: x, nowMs, quietPeriodMs });
    expect({ x, key: key.id, ...got }).toEqual({ x, key: key.id, ...want });
  }
}

/** The log-wide answers against the oracle. */
function expectLogMatches(log: AuditLog, set: OracleSet, sc: Scenario): void {
  const quiet = sc.quietPeriodMs ?? QUIET_DEFAULT;
  expect(summariesOf(log)).toEqual(oracleExecutions(set, set.newestMs, quiet));
  const nowMs = nowOf(sc, set);
  if (nowMs !== undefined) expect(summariesOf(log, nowMs)).toEqual(oracleExecutions(set, nowMs, quiet));
  expect(log.chainBreaks()).toEqual(set.chainBreaks);
  const pairs = (ds: readonly { streamSeq: number; of: number }[]) =>
    ds
      .map((d) => [d.streamSeq, d.of])
      .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  expect(pairs(log.duplicates())).toEqual(pairs(set.duplicates));
}

function execOfLine(data: Uint8Array): string | undefined {
  try {
    const x = (JSON.parse(decoder.decode(data)) as { workflow_execution_id?: unknown }).workflow_execution_id;
    return typeof x === "string" && x !== "" ? x : undefined;
  } catch {
    return undefined;
  }
}

describe("AuditLog against the oracle (oracle.ts)", () => {
  it("finds what the oracle finds, per execution and over the whole log, whatever the batches and arrival order", () => {
    fc.assert(
      // Arrival: stream order, or shuffled (undefined: as the stream delivers).
      fc.property(scenario, fc.option(fc.integer(), { nil: undefined }), (sc, shuffle) => {
        const stream = buildStream(sc.seed, sc.executions, sc.faultRate, sc.chained);
        const arrival = shuffle === undefined ? stream.deliveries : shuffled(stream.deliveries, seededRandom(shuffle));
        const log = new AuditLog(sc.quietPeriodMs === undefined ? {} : { quietPeriodMs: sc.quietPeriodMs });
        for (const batch of chunks(arrival, sc.sizes)) log.add(batch);
        const set = oracleSet(stream.deliveries);

        expectLogMatches(log, set, sc);
        // The copy kept is the first delivery, whichever arrived first.
        const delivery = (e: { streamSeq: number; deliveryCount: number; receivedMs: number }) => [
          e.streamSeq,
          e.deliveryCount,
          e.receivedMs,
        ];
        expect(log.events().map(delivery)).toEqual(set.events.map(delivery));
        expect(log.malformed().map((m) => m.streamSeq)).toEqual(set.malformed.map((m) => m.streamSeq));
        const nowMs = nowOf(sc, set);
        const quietPeriodMs = sc.quietPeriodMs ?? QUIET_DEFAULT;
        for (const key of BUILTIN_KEYS) {
          const got = findingsOf(log.analyze(key, nowMs === undefined ? {} : { nowMs }));
          expect({ key: key.id, ...got }).toEqual({
            key: key.id,
            ...oracleAnalyze(set, key, { nowMs, quietPeriodMs }),
          });
        }
        for (const x of log.executions()) expectExecutionMatches(log, set, x.id, sc);
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it("under a memory budget: counts stay exact, an eviction keeps the oracle's counts, a re-read brings back the same findings", () => {
    // Stream order, as a consumer reads it. An execution is held (pinned) until its last delivery
    // has arrived, so nothing of it comes after its eviction; some stay pinned all along, as if in view.
    fc.assert(
      fc.property(scenario, fc.integer({ min: 20_000, max: 400_000 }), fc.integer(), (sc, budgetBytes, viewSeed) => {
        const stream = buildStream(sc.seed, sc.executions, sc.faultRate, sc.chained);
        const quiet = sc.quietPeriodMs ?? QUIET_DEFAULT;
        const log = new AuditLog({ budgetBytes, ...(sc.quietPeriodMs === undefined ? {} : { quietPeriodMs: quiet }) });
        const batches = chunks(stream.deliveries, sc.sizes);
        const execOf = new Map(stream.deliveries.map((m) => [m, execOfLine(m.data)]));
        const lastBatch = new Map<string, number>();
        batches.forEach((b, i) => b.forEach((m) => lastBatch.set(execOf.get(m) ?? "", i)));
        const viewRand = seededRandom(viewSeed);
        const viewed = new Set([...lastBatch.keys()].filter((x) => x !== "" && viewRand() < 0.2));
        const pins = new Map([...viewed].map((x) => [x, log.pin(x)]));
        const fed: RawMessage[] = [];
        const countsSeen = new Map<string, unknown>();
        batches.forEach((batch, i) => {
          for (const m of batch) {
            const x = execOf.get(m);
            if (x !== undefined && !pins.has(x)) pins.set(x, log.pin(x));
          }
          log.add(batch);
          fed.push(...batch);
          for (const [x, last] of lastBatch) {
            if (last === i && !viewed.has(x)) pins.get(x)?.();
          }
          // Just evicted: its counts are the oracle's over everything of it that had arrived.
          let sofar: OracleSet | undefined;
          for (const e of log.executions()) {
            const counts = e.evicted?.counts;
            if (counts === undefined || countsSeen.get(e.id) === counts) continue;
            countsSeen.set(e.id, counts);
            expect(viewed.has(e.id)).toBe(false);
            expect(e.status).not.toBe("running");
            sofar ??= oracleSet(fed);
            for (const key of BUILTIN_KEYS) {
              const want = oracleAnalyze(sofar, key, { executionId: e.id, quietPeriodMs: quiet }).counts;
              expect({ x: e.id, key: key.id, counts: counts[key.id] }).toEqual({ x: e.id, key: key.id, counts: want });
            }
          }
        });
        const set = oracleSet(stream.deliveries);
        expectLogMatches(log, set, sc);
        const memory = log.memory();
        // Invocations outside any run are evicted like executions: every context counts.
        const evicted = log.executions({ kind: "all" }).filter((e) => e.evicted !== undefined);
        expect(memory.evictedExecutions).toBeGreaterThanOrEqual(evicted.length);
        expect(
          memory.heldMessages + evicted.reduce((n, e) => n + (e.evicted?.events ?? 0) + (e.evicted?.malformed ?? 0), 0),
        ).toBe(set.events.length + set.malformed.length);

        // Open each one as a view does: pin it, re-read its stretch if it was evicted, analyse.
        for (const { id } of log.executions()) {
          const unpin = log.pin(id);
          const summary = log.execution(id);
          if (summary?.evicted !== undefined) {
            const { firstStreamSeq: from, lastStreamSeq: to } = summary;
            log.add(
              [...stream.stored.values()]
                .filter((m) => m.streamSeq >= from && m.streamSeq <= to)
                .map((m) => ({ ...m, reread: true })),
            );
            expect(log.execution(id)?.evicted).toBeUndefined();
          }
          expectExecutionMatches(log, set, id, sc);
          unpin();
        }
        expectLogMatches(log, set, sc);
      }),
      { numRuns: 25 },
    );
  }, 60_000);
  it("turns tails overdue and runs stalled exactly one quiet period after they last showed life, at any now in any order", () => {
    // Many "now"s on one log, each a millisecond before or at a threshold: the per-execution memo
    // must not hand out an answer from the other side of one.
    fc.assert(
      fc.property(
        scenario,
        fc.constantFrom(300, 2_000),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(-1, 0)), { minLength: 1, maxLength: 8 }),
        (sc, quietPeriodMs, picks) => {
          const stream = buildStream(sc.seed, Math.min(sc.executions, 10), sc.faultRate, sc.chained);
          const log = new AuditLog({ quietPeriodMs });
          for (const batch of chunks(stream.deliveries, sc.sizes)) log.add(batch);
          const set = oracleSet(stream.deliveries);
          const times = lastActivities(set);
          if (times.length === 0) return;
          const key = BUILTIN_KEYS[0] as (typeof BUILTIN_KEYS)[number];
          const tails = (a: { anomalies: readonly { kind: string }[] }) =>
            a.anomalies.filter((x) => x.kind === "open-tail");
          for (const [pick, skewMs] of picks) {
            const nowMs = (times[pick % times.length] as number) + quietPeriodMs + skewMs;
            expect(summariesOf(log, nowMs)).toEqual(oracleExecutions(set, nowMs, quietPeriodMs));
            for (const x of log.executions()) {
              const got = tails(findingsOf(log.analyze(key, { executionId: x.id, nowMs })));
              const want = tails(oracleAnalyze(set, key, { executionId: x.id, nowMs, quietPeriodMs }));
              expect({ x: x.id, nowMs, tails: got }).toEqual({ x: x.id, nowMs, tails: want });
            }
            expect(tails(findingsOf(log.analyze(key, { nowMs })))).toEqual(
              tails(oracleAnalyze(set, key, { nowMs, quietPeriodMs })),
            );
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);
});
