// The browser's live reader (over WebSocket, the code production runs) under
// the faults a real NATS deployment has, against real nats-servers: restarts by
// SIGTERM and SIGKILL while a publisher keeps publishing, a consumer deleted
// under it, the network cut and frozen, the stream deleted and recreated,
// messages expiring while the tab is away. Each case ends with the reader
// holding exactly the stream's messages (0 lost, 0 doubled), checked against
// what the publisher got acked, and with a status that says so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { startTcpProxy, type TcpProxy } from "../node/tcp-proxy";
import { connectBrowser, type NatsConnection } from "./browser-connection";
import { ensureStream } from "./stream";
import { readStreamRange } from "./range-reader";
import { RecordingReader, RetryingPublisher, lastSeqOf, lostAndDoubled, waitUntil } from "./fault-testing";

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  // Over WebSocket too: nats-core keeps one transport factory per process, so a TCP client
  // next to WebSocket ones would reconnect through the WebSocket transport and never come back.
  nc = await connectBrowser({ servers: [server.wsUrl], stream: "unused", subject: "unused", historyLimit: 0 });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

let streamNo = 0;
async function freshStream(config: { max_msgs?: number } = {}) {
  const names = { stream: `FAULTS_${++streamNo}`, subject: `faults.${streamNo}` };
  await ensureStream(nc, names);
  if (config.max_msgs !== undefined) {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(names.stream);
    await jsm.streams.update(names.stream, { ...info.config, max_msgs: config.max_msgs });
  }
  return names;
}

/** Consumers on the stream (the reader deletes each one it leaves; the client's own resets must not leak any). */
async function consumersOn(stream: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.consumers.list(stream).next()).length;
}

/** The reader ends holding every stream sequence 1…last exactly once, with the payloads published. */
async function expectExact(reader: RecordingReader, stream: string, acked: number) {
  const last = await lastSeqOf(nc, stream);
  await waitUntil(`the reader holds stream seq ${last} and says live`, () => reader.caughtUpTo(last), 40_000);
  expect(last).toBe(acked); // the retries stored nothing twice
  expect(lostAndDoubled(reader.seqs, 1, last)).toEqual({ lost: 0, doubled: 0 });
  expect(reader.seqs).toHaveLength(acked);
  const ns = new Set(reader.payloads.map((p) => (JSON.parse(p) as { n: number }).n));
  expect(ns.size).toBe(acked);
  expect(reader.status).toMatchObject({ phase: "live", behind: 0, lastSeq: last });
}

describe("the live reader under server restarts", () => {
  // The race of issue 10 starved the reader from the first restart on; six restarts with
  // both signals and varied downtime, while publishing, make it fail every time.
  const plans = [
    {
      name: "six restarts, SIGTERM and SIGKILL alternating, short and long downtime",
      restarts: [
        { signal: "SIGTERM", downMs: 200 },
        { signal: "SIGKILL", downMs: 1_500 },
        { signal: "SIGTERM", downMs: 800 },
        { signal: "SIGKILL", downMs: 50 },
        { signal: "SIGTERM", downMs: 2_500 },
        { signal: "SIGKILL", downMs: 400 },
      ] as const,
    },
    {
      name: "three quick SIGKILLs back to back",
      restarts: [
        { signal: "SIGKILL", downMs: 0 },
        { signal: "SIGKILL", downMs: 100 },
        { signal: "SIGKILL", downMs: 0 },
      ] as const,
    },
  ];
  for (const plan of plans) {
    it(
      plan.name,
      async () => {
        const { stream, subject } = await freshStream();
        const reader = await new RecordingReader([server.wsUrl], stream).start();
        const pub = new RetryingPublisher(nc, subject, { workers: 4, pauseMs: 4 }).start();
        try {
          for (const r of plan.restarts) {
            const before = reader.seqs.length;
            await waitUntil("the reader takes in messages", () => reader.seqs.length > before + 50);
            await server.kill(r.signal);
            await waitUntil("the reader says it lost the connection", () => reader.status.phase === "reconnecting");
            if (r.downMs) await new Promise((ok) => setTimeout(ok, r.downMs)); // downtime is the fault, not a sync
            await server.start();
          }
          const after = reader.seqs.length;
          await waitUntil(
            "the reader takes in messages after the last restart",
            () => reader.seqs.length > after + 200,
          );
          const acked = await pub.stop();
          await expectExact(reader, stream, acked);
          expect(reader.count("reconnect")).toBeGreaterThanOrEqual(plan.restarts.length);
          expect(reader.phases).toContain("reconnecting");
          // One consumer while reading; none left on the server once the tab is gone.
          expect(await consumersOn(stream)).toBe(1);
          await reader.stop();
          expect(await consumersOn(stream)).toBe(0);
        } finally {
          await pub.stop();
          await reader.stop();
        }
      },
      90_000,
    );
  }
});

describe("the live reader under consumer and network faults", () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(server.wsPort);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it("recreates its consumer when it is deleted under it, losing nothing", async () => {
    const { stream, subject } = await freshStream();
    const reader = await new RecordingReader([server.wsUrl], stream).start();
    const pub = new RetryingPublisher(nc, subject, { workers: 2, pauseMs: 2 }).start();
    try {
      const jsm = await jetstreamManager(nc);
      for (let round = 0; round < 3; round++) {
        const before = reader.seqs.length;
        await waitUntil("messages flow", () => reader.seqs.length > before + 100);
        const consumers = await jsm.consumers.list(stream).next();
        expect(consumers.length).toBeGreaterThan(0);
        for (const c of consumers) await jsm.consumers.delete(stream, c.name);
      }
      const after = reader.seqs.length;
      await waitUntil("messages flow after the last deletion", () => reader.seqs.length > after + 100);
      const acked = await pub.stop();
      await expectExact(reader, stream, acked);
      expect(reader.count("consumer_deleted") + reader.count("consumer_not_found")).toBeGreaterThanOrEqual(3);
    } finally {
      await pub.stop();
      await reader.stop();
    }
  }, 60_000);

  it("says stalled, not live, while the network is frozen, and catches up after", async () => {
    const { stream, subject } = await freshStream();
    const reader = await new RecordingReader([`ws://127.0.0.1:${proxy.port}`], stream).start();
    const pub = new RetryingPublisher(nc, subject, { workers: 2, pauseMs: 5 }).start();
    try {
      await waitUntil("messages flow", () => reader.seqs.length > 100);
      proxy.freeze();
      // Nothing arrives, no heartbeat, no answer: the status must stop saying live.
      await waitUntil("the status leaves live", () => reader.status.phase !== "live", 20_000);
      expect(["stalled", "loading", "reconnecting"]).toContain(reader.status.phase);
      await proxy.restore();
      const acked = await pub.stop();
      await expectExact(reader, stream, acked);
    } finally {
      await proxy.restore();
      await pub.stop();
      await reader.stop();
    }
  }, 60_000);

  it("classifies messages that expired while the tab was cut off, and holds all the rest", async () => {
    const { stream, subject } = await freshStream({ max_msgs: 100 });
    const reader = await new RecordingReader([`ws://127.0.0.1:${proxy.port}`], stream).start();
    try {
      await new RetryingPublisher(nc, subject, { workers: 1, limit: 50 }).start().done();
      await waitUntil("the first 50 are held", () => reader.caughtUpTo(50));
      await proxy.cut();
      await waitUntil("the reader says it lost the connection", () => reader.status.phase === "reconnecting");
      // 300 more while the tab is away: the stream keeps the newest 100 (seq 251–350).
      await new RetryingPublisher(nc, subject, { workers: 1, from: 50, limit: 350 }).start().done();
      await proxy.restore();
      await waitUntil("the reader holds seq 350 and says live", () => reader.caughtUpTo(350), 30_000).catch((e) => {
        console.log(
          JSON.stringify(reader.status),
          reader.seqs.length,
          reader.seqs.slice(-3),
          JSON.stringify(reader.events.slice(-10)),
        );
        throw e;
      });
      expect(reader.seqs).toEqual([...range(1, 50), ...range(251, 350)]);
      // Classified from a stream info the reader asks for when it sees the jump.
      await waitUntil("the hole is classified", () => reader.holes.length > 0);
      expect(reader.holes).toEqual([expect.objectContaining({ from: 51, to: 250, cause: "expired" })]);
      expect(reader.holes[0]?.detail).toMatch(/at most 100 messages/);
    } finally {
      await proxy.restore();
      await reader.stop();
    }
  }, 60_000);

  it("classifies messages deleted one by one as deleted, not lost", async () => {
    const { stream, subject } = await freshStream();
    const reader = await new RecordingReader([`ws://127.0.0.1:${proxy.port}`], stream).start();
    try {
      await new RetryingPublisher(nc, subject, { workers: 1, limit: 10 }).start().done();
      await waitUntil("10 are held", () => reader.caughtUpTo(10));
      await proxy.cut();
      await waitUntil("the reader says it lost the connection", () => reader.status.phase === "reconnecting");
      await new RetryingPublisher(nc, subject, { workers: 1, from: 10, limit: 30 }).start().done();
      const jsm = await jetstreamManager(nc);
      for (const seq of [15, 16, 22]) await jsm.streams.deleteMessage(stream, seq);
      await proxy.restore();
      await waitUntil("the reader holds seq 30", () => reader.caughtUpTo(30), 30_000);
      expect(reader.seqs).toEqual(range(1, 30).filter((s) => ![15, 16, 22].includes(s)));
      await waitUntil("both holes are classified", () => reader.holes.length >= 2);
      expect(reader.holes.map((h) => [h.from, h.to, h.cause]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
        [15, 16, "deleted"],
        [22, 22, "deleted"],
      ]);
    } finally {
      await proxy.restore();
      await reader.stop();
    }
  }, 60_000);

  it("says live when the stream's newest messages were deleted before the tab read them", async () => {
    const { stream, subject } = await freshStream();
    await new RetryingPublisher(nc, subject, { workers: 1, limit: 10 }).start().done();
    const jsm = await jetstreamManager(nc);
    for (const seq of [9, 10]) await jsm.streams.deleteMessage(stream, seq);
    // last_seq stays 10 while seq 8 is the newest message: only the server's "nothing to deliver" says caught up.
    expect(await lastSeqOf(nc, stream)).toBe(10);
    const reader = await new RecordingReader([server.wsUrl], stream).start();
    try {
      await waitUntil(
        "the reader holds seq 8 and says live",
        () => reader.status.phase === "live" && reader.seqs.at(-1) === 8,
      );
      const sessions = reader.status.sessions;
      await new Promise((ok) => setTimeout(ok, 3_000)); // time for the watchdog to (wrongly) call it stalled
      // Still live, without recreating its consumer over and over.
      expect(reader.status).toMatchObject({ phase: "live", behind: 0, sessions });
      expect(reader.count("stalled") + reader.count("consumer_recreated")).toBe(0);
      expect(reader.seqs).toEqual(range(1, 8));
    } finally {
      await reader.stop();
    }
  }, 30_000);

  it("starts a new log when the stream is deleted and recreated", async () => {
    const { stream, subject } = await freshStream();
    const reader = await new RecordingReader([server.wsUrl], stream).start();
    try {
      await new RetryingPublisher(nc, subject, { workers: 1, limit: 40 }).start().done();
      await waitUntil("40 are held", () => reader.caughtUpTo(40));
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(stream);
      await waitUntil("the reader says the stream is gone", () => reader.status.phase === "error", 20_000);
      expect(reader.status.reason).toMatch(/does not exist/);
      await ensureStream(nc, { stream, subject });
      // The new stream's messages reuse sequences 1…25: they must not pass for redeliveries.
      await new RetryingPublisher(nc, subject, { workers: 1, from: 1_000, limit: 1_025 }).start().done();
      await waitUntil("the reader holds the new stream's 25", () => reader.caughtUpTo(25), 30_000);
      expect(reader.recreated).toBe(1);
      expect(reader.seqs).toEqual(range(1, 25));
      expect(reader.payloads.map((p) => (JSON.parse(p) as { n: number }).n)).toEqual(range(1_000, 1_024));
    } finally {
      await reader.stop();
    }
  }, 60_000);
});

// The bounded reader behind links (with a hint) and the scan (without one) is the same
// ResumableReader: killed mid-read, it resumes after the last sequence it handed over.
describe("the bounded range reader under restarts", () => {
  it("reads a stretch exactly once while the server is killed twice mid-read", async () => {
    const { stream, subject } = await freshStream();
    const total = 6_000;
    await new RetryingPublisher(nc, subject, { workers: 8, limit: total }).start().done();
    const rnc = await connectBrowser({ servers: [server.wsUrl], stream, subject, historyLimit: 0 });
    const seqs: number[] = [];
    const faults: Promise<void>[] = [];
    const events: string[] = [];
    try {
      const r = await readStreamRange(rnc, {
        stream,
        startSeq: 101,
        endSeq: 5_900,
        signal: new AbortController().signal,
        timing: { heartbeatMs: 1_000, expiresMs: 5_000, watchdogMs: 500, stallMs: 3_000, maxBackoffMs: 1_000 },
        onEvent: (kind) => events.push(kind),
        onMessage: (m) => {
          seqs.push(m.streamSeq);
          // The fault lands mid-read, at a point the test chooses, not by timing luck.
          if (seqs.length === 1_000) faults.push(server.restart({ signal: "SIGKILL", downMs: 300 }));
          if (seqs.length === 3_500) faults.push(server.restart({ signal: "SIGTERM", downMs: 800 }));
        },
      });
      await Promise.all(faults);
      expect(r).toEqual({ lastSeq: 5_900, end: "range-end" });
      expect(seqs).toEqual(range(101, 5_900));
      expect(faults).toHaveLength(2);
      // It did resume with a new consumer (not merely drain what was buffered before the kill).
      expect(events.filter((k) => k === "consumer_recreated").length).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.all(faults);
      await rnc.close();
    }
  }, 60_000);
});

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}
