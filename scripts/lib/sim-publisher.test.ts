// Integration: a real nats-server, a seeded simulated run published with acks,
// read back from the stream; truths arrive on their side subject.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNatsServer, type RunningNatsServer } from "../../lib/node/nats-server";
import { connectNode, type NatsConnection } from "../../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../../lib/nats/stream";
import { readStreamRange, streamBounds } from "../../lib/nats/range-reader";
import { subscribeSide } from "../../lib/nats/side-channel";
import { runSimulation } from "../../lib/sim/simulator";
import type { SimOptionsInput } from "../../lib/sim/options";
import type { TruthRecord } from "../../lib/sim/truth";
import type { RawMessage } from "../../lib/audit/types";
import { Simulator } from "../../lib/sim/simulator";
import { NODE_SIM_RUNTIME, publishSimulation, simOptionsForRate, type SimClock } from "./sim-publisher";

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNode(server.url);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

const FAULTY: SimOptionsInput = {
  seed: 77,
  executions: 12,
  agentScope: "mixed",
  sign: true,
  faults: { drop: 0.03, duplicate: 0.03, reorder: { rate: 0.03, window: 4 }, crash: 0.03, malformed: 0.03 },
};

/** A simulated clock: time moves only by the sleeps publishSimulation asks for, each of which it records. */
function simulatedClock(): SimClock & { requested: number[] } {
  let t = 0;
  const requested: number[] = [];
  return {
    requested,
    now: () => t,
    sleep: (ms) => {
      requested.push(ms);
      if (ms > 0) t += ms;
      return Promise.resolve();
    },
  };
}

/** Resolves once `cond()` holds (checked every 10 ms), or fails after `ms` saying what it waited for. */
async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every message the stream holds, oldest first. */
async function readStream(conn: NatsConnection, stream: string): Promise<RawMessage[]> {
  const { firstSeq, lastSeq } = await streamBounds(conn, stream);
  const msgs: RawMessage[] = [];
  await readStreamRange(conn, {
    stream,
    startSeq: firstSeq,
    endSeq: lastSeq,
    onMessage: (m) => void msgs.push(m),
    signal: new AbortController().signal,
  });
  return msgs;
}

/** Positions in the run's publish order of every line of an execution, from the run's final truths. */
const linesOf = (truths: TruthRecord[], executionId: string) =>
  truths.find((t) => t.executionId === executionId)?.events.flatMap((e) => e.published) ?? [];

const count = <T>(items: Iterable<T>) => {
  const n = new Map<T, number>();
  for (const i of items) n.set(i, (n.get(i) ?? 0) + 1);
  return n;
};

describe("Node runtime", () => {
  it("hashes chains with node:crypto into the very bytes the portable model writes", () => {
    const lines = (sim: Simulator) => [...sim].flatMap((i) => (i.kind === "line" ? [i.line.bytes] : []));
    expect(lines(new Simulator(FAULTY, NODE_SIM_RUNTIME))).toEqual(lines(new Simulator(FAULTY)));
  });

  it("turns a target of events per second into executions per second", () => {
    const slow = simOptionsForRate({ seed: 1 }, 50);
    const fast = simOptionsForRate({ seed: 1 }, 500);
    expect(fast.executionsPerSecond / slow.executionsPerSecond).toBeCloseTo(10, 5);
    expect(slow.executionsPerSecond).toBeGreaterThan(0.1);
    expect(slow.executionsPerSecond).toBeLessThan(5);
    expect(() => simOptionsForRate({}, 0)).toThrow(/rate/);
  });
});

describe("publishSimulation", () => {
  it("puts exactly the seeded run's lines on the stream, in order, and each truth on its side subject", async () => {
    const names = { stream: "SIM_IT", subject: "simIt" };
    await ensureStream(nc, names);
    const expected = runSimulation(FAULTY);
    const truthSub = subscribeSide(nc, "seqscope.truth.it.>");
    await truthSub.ready;
    const truths: TruthRecord[] = [];
    const subjects: string[] = [];
    let allTruthsIn = () => {};
    const truthsIn = new Promise<void>((ok) => (allTruthsIn = ok));
    void (async () => {
      for await (const m of truthSub) {
        subjects.push(m.subject);
        truths.push(JSON.parse(new TextDecoder().decode(m.data)) as TruthRecord);
        if (truths.length === expected.truths.length) allTruthsIn();
      }
    })();

    const done: string[] = [];
    const result = await publishSimulation(nc, {
      subject: names.subject,
      truthSubjectPrefix: "seqscope.truth.it",
      sim: FAULTY,
      speed: 0,
      signal: new AbortController().signal,
      onExecutionDone: (t) => done.push(t.executionId),
    });

    expect(result.lines).toBe(expected.lines.length);
    expect(result.executions).toBe(12);
    const msgs = await readStream(nc, names.stream);
    expect(msgs).toHaveLength(expected.lines.length);
    const dec = new TextDecoder();
    expect(msgs.map((m) => dec.decode(m.data))).toEqual(expected.lines.map((l) => dec.decode(l.bytes)));
    expect(msgs.map((m) => m.streamSeq)).toEqual(expected.lines.map((l) => l.index + 1));

    await truthsIn;
    truthSub.stop();
    expect(truths.map((t) => t.executionId).sort()).toEqual(expected.truths.map((t) => t.executionId).sort());
    expect(subjects.sort()).toEqual(expected.truths.map((t) => `seqscope.truth.it.${t.executionId}`).sort());
    const byId = new Map(truths.map((t) => [t.executionId, t]));
    for (const t of expected.truths) expect(byId.get(t.executionId)).toEqual(JSON.parse(JSON.stringify(t)));
    expect(done.sort()).toEqual(expected.truths.map((t) => t.executionId).sort());
    // The faults really reached the wire.
    const counts = expected.truths.reduce((n, t) => n + t.counts.duplicated + t.counts.malformed + t.counts.dropped, 0);
    expect(counts).toBeGreaterThan(0);
  });

  it("publishes a truth only once every line of its execution is acked, the copy of its last event too", async () => {
    // Seed 3, 30 % duplicates: three of the six executions end on a duplicated event. One publish in flight at a time.
    const names = { stream: "SIM_IT_LATE_COPY", subject: "simItLateCopy" };
    await ensureStream(nc, names);
    const sim: SimOptionsInput = { seed: 3, executions: 6, faults: { duplicate: 0.3 } };
    const expected = runSimulation(sim);
    expect(expected.truths.filter((t) => t.events.at(-1)?.fate === "duplicated")).toHaveLength(3);
    const acked = new Set<number>();
    const early: number[] = [];
    const result = await publishSimulation(nc, {
      subject: names.subject,
      sim,
      speed: 0,
      maxInFlight: 1,
      signal: new AbortController().signal,
      onLineAcked: (l) => acked.add(l.index),
      onExecutionDone: (t) => {
        for (const i of linesOf(expected.truths, t.executionId)) if (!acked.has(i)) early.push(i);
      },
    });
    expect(result.executions).toBe(6);
    expect(early).toEqual([]);
  });

  it("lets JetStream drop duplicate copies when Nats-Msg-Id is on", async () => {
    const names = { stream: "SIM_IT_MSGID", subject: "simItMsgId" };
    await ensureStream(nc, names);
    const sim: SimOptionsInput = { seed: 5, executions: 6, faults: { duplicate: 2 } };
    const result = await publishSimulation(nc, {
      subject: names.subject,
      sim,
      speed: 0,
      msgId: true,
      signal: new AbortController().signal,
    });
    const expected = runSimulation(sim);
    const dups = expected.truths.reduce((n, t) => n + t.counts.duplicated, 0);
    expect(dups).toBe(12);
    expect(result.deduplicated).toBe(dups);
    expect((await streamInfo(nc, names.stream)).state.messages).toBe(expected.lines.length - dups);
  });

  it("paces lines by their simulated offsets, scaled by the speed", async () => {
    const names = { stream: "SIM_IT_PACE", subject: "simItPace" };
    await ensureStream(nc, names);
    const sim: SimOptionsInput = { seed: 9, executions: 2 };
    const speed = 10;
    const clock = simulatedClock();
    const result = await publishSimulation(nc, {
      subject: names.subject,
      sim,
      speed,
      clock,
      signal: new AbortController().signal,
    });
    // Before each line it asks to sleep from where the clock stands to the line's offset (negative: already late).
    const offsets = runSimulation(sim).lines.map((l) => l.atMs / speed);
    let t = 0;
    const wanted = offsets.map((at) => {
      const ms = at - t;
      if (ms > 0) t += ms;
      return ms;
    });
    expect(clock.requested).toEqual(wanted);
    expect(clock.requested.filter((ms) => ms > 0).length).toBeGreaterThan(1);
    expect(result.lines).toBe(offsets.length);
    expect(result.executions).toBe(2);
    expect(result.elapsedMs).toBe(t);
  });

  it("stops when aborted and reports what it published", async () => {
    const names = { stream: "SIM_IT_ABORT", subject: "simItAbort" };
    await ensureStream(nc, names);
    const sim: SimOptionsInput = { seed: 1 }; // no execution count: runs until aborted
    const stopAfter = 3;
    // Lines the run writes before its third execution ends: all of them are acked before that execution is done.
    let before = 0;
    const run = new Simulator(sim);
    for (let ended = 0; ended < stopAfter;) {
      if (run.next()?.kind === "truth") ended++;
      else before++;
    }
    const controller = new AbortController();
    let done = 0;
    const result = await publishSimulation(nc, {
      subject: names.subject,
      sim,
      speed: 1,
      clock: simulatedClock(),
      signal: controller.signal,
      onExecutionDone: () => ++done === stopAfter && controller.abort(),
    });
    expect(controller.signal.aborted).toBe(true);
    expect(result.executions).toBeGreaterThanOrEqual(stopAfter);
    expect(result.lines).toBeGreaterThanOrEqual(before);
    expect((await streamInfo(nc, names.stream)).state.messages).toBe(result.lines);
  });

  it("fails with the server's error when no stream captures the subject", async () => {
    const errors: unknown[] = [];
    await publishSimulation(nc, {
      subject: "nobody.listens",
      sim: { seed: 1, executions: 1 },
      speed: 0,
      signal: new AbortController().signal,
      onError: (e) => errors.push(e),
    });
    expect(errors).toHaveLength(1);
    await expect(
      publishSimulation(nc, {
        subject: "nobody.listens",
        sim: { seed: 1, executions: 1 },
        speed: 0,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow();
  });
});

describe("publishSimulation with retry", () => {
  it("keeps resending what is not acked, reports it, and stops only when aborted", async () => {
    // No stream captures the subject: every attempt fails, as while a server is down.
    const controller = new AbortController();
    const seen: { retries: number; resent: number; retryError?: string }[] = [];
    const errors: unknown[] = [];
    const result = await publishSimulation(nc, {
      subject: "nobody.listens.retry",
      sim: { seed: 3, executions: 1 },
      speed: 0,
      maxInFlight: 4,
      retry: { initialMs: 1, maxMs: 5 },
      signal: controller.signal,
      progressMs: 0,
      onProgress: (p) => {
        seen.push({ retries: p.retries ?? 0, resent: p.resent ?? 0, retryError: p.retryError });
        if ((p.resent ?? 0) >= 20) controller.abort();
      },
      onError: (e) => errors.push(e),
    });
    expect(errors).toEqual([]);
    expect(result.lines).toBe(0);
    expect(result.executions).toBe(0);
    expect(result.resent).toBeGreaterThanOrEqual(20);
    // Never more lines waiting than the window holds, and why they wait is said.
    const busy = seen.filter((p) => p.retries > 0);
    expect(busy.length).toBeGreaterThan(0);
    expect(Math.max(...busy.map((p) => p.retries))).toBeLessThanOrEqual(4);
    expect(busy.every((p) => typeof p.retryError === "string" && p.retryError.length > 0)).toBe(true);
  });
});

describe("publishSimulation with retry, across server restarts", () => {
  let storeDir: string;
  let restartable: RunningNatsServer;
  let conn: NatsConnection;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), "seqscope-sim-retry-"));
    restartable = await startNatsServer({ storeDir });
    conn = await connectNode(restartable.url, "sim-retry-it");
  });

  afterAll(async () => {
    await conn?.close();
    await restartable?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });

  // 120 executions with every fault kind, intentional duplicates included, published as fast as acks allow;
  // the server is stopped (SIGTERM) once and killed (SIGKILL) twice while publishes are in flight.
  it("puts every line on the stream exactly as often as the simulator emitted it, truths after their lines", async () => {
    const names = { stream: "SIM_RETRY", subject: "simRetry" };
    await ensureStream(conn, names);
    const sim: SimOptionsInput = { ...FAULTY, seed: 31, executions: 120 };
    const expected = runSimulation(sim);
    const restarts: [number, "SIGTERM" | "SIGKILL"][] = [
      [10, "SIGTERM"],
      [45, "SIGKILL"],
      [80, "SIGKILL"],
    ];
    const acked = new Set<number>();
    const truthBeforeLines: string[] = [];
    let done = 0;
    let restarted = 0;
    let maxRetries = 0;
    const bouncing = (async () => {
      for (const [after, signal] of restarts) {
        await until(`${after} executions done`, () => done >= after);
        await restartable.kill(signal);
        await restartable.start();
        restarted++;
      }
    })();

    const result = await publishSimulation(conn, {
      subject: names.subject,
      sim,
      speed: 0,
      retry: true,
      signal: new AbortController().signal,
      progressMs: 0,
      onProgress: (p) => (maxRetries = Math.max(maxRetries, p.retries ?? 0)),
      onLineAcked: (l) => acked.add(l.index),
      onExecutionDone: (t) => {
        done++;
        for (const i of linesOf(expected.truths, t.executionId)) if (!acked.has(i)) truthBeforeLines.push(`line ${i}`);
      },
    });
    await bouncing;

    expect(restarted).toBe(restarts.length);
    expect(result.resent).toBeGreaterThan(0);
    expect(maxRetries).toBeGreaterThan(0);
    expect(result.retries).toBe(0);
    expect(result.lines).toBe(expected.lines.length);
    expect(result.executions).toBe(sim.executions);
    expect(truthBeforeLines).toEqual([]);

    const msgs = await readStream(conn, names.stream);
    expect(msgs).toHaveLength(expected.lines.length);
    // Each payload (and so each event id) as many times as the simulator emitted it: 0 lost, 0 doubled.
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    expect(count(msgs.map((m) => hex(m.data)))).toEqual(count(expected.lines.map((l) => hex(l.bytes))));
    const idOf = new Map(expected.lines.map((l) => [hex(l.bytes), l.id]));
    const ids = count(msgs.map((m) => idOf.get(hex(m.data))));
    expect(ids).toEqual(count(expected.lines.map((l) => l.id)));
    // The simulator's intentional duplicates are among them, kept although retries were de-duplicated.
    expect([...ids.values()].filter((n) => n === 2).length).toBe(
      expected.truths.reduce((n, t) => n + t.counts.duplicated, 0),
    );
    expect([...ids.values()].some((n) => n === 2)).toBe(true);
  }, 40_000);
});
