// Integration: a real nats-server, a seeded simulated run published with acks,
// read back from the stream; truths arrive on their side subject.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../../lib/node/nats-server";
import { connectNode, type NatsConnection } from "../../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../../lib/nats/stream";
import { readAuditStream } from "../../lib/nats/audit-reader";
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

async function readAll(stream: string, count: number): Promise<RawMessage[]> {
  const controller = new AbortController();
  const msgs: RawMessage[] = [];
  let live = false;
  await new Promise<void>((done) => {
    const timer = setTimeout(done, 10_000);
    const check = () => live && msgs.length >= count && (clearTimeout(timer), done());
    void readAuditStream(nc, {
      stream,
      historyLimit: 1_000_000,
      signal: controller.signal,
      onMessage: (m) => (msgs.push(m), check()),
      onStatus: (s) => {
        if (s.phase === "error") done();
        live = s.phase === "live";
        check();
      },
    });
  });
  controller.abort();
  return msgs;
}

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
    const msgs = await readAll(names.stream, expected.lines.length);
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
