// Flow control: the live reader hands messages to a consumer that takes them
// in at its own pace (the page, for the reader in its worker). With a backlog
// the reader stops once the consumer holds that many untaken, and resumes from
// the held sequence once it has taken them in: the queue between them stays
// bounded, and nothing is lost, doubled or left behind on the server — also
// when the server is killed while the reader waits.
// A real nats-server, the browser's reader over WebSocket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectBrowser, type NatsConnection } from "./browser-connection";
import { ensureStream } from "./stream";
import { AuditStreamReader, type ReaderStatus } from "./audit-reader";
import { AuditPublisher } from "./publish";
import { FAST_TIMING, auditLine, lostAndDoubled, waitUntil } from "./fault-testing";
import type { ConnectionEventKind } from "../live/connection-log";

const names = { stream: "BACKLOG", subject: "backlog" };
const second = { stream: "BACKLOG_RESTART", subject: "backlog.restart" };
const PUBLISHED = 3_000;
const ROOM = 250;

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBrowser({ servers: [server.wsUrl], stream: names.stream, subject: names.subject, historyLimit: 0 });
  for (const n of [names, second]) {
    await ensureStream(nc, n);
    const pub = new AuditPublisher(nc, n.subject);
    for (let i = 0; i < PUBLISHED; i += 500)
      await Promise.all(Array.from({ length: 500 }, (_, k) => pub.publish(auditLine(i + k))));
  }
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** A consumer that takes in 50 queued messages per macrotask, far slower than the reader reads; or none, held. */
class SlowConsumer {
  queue: number[] = [];
  taken: number[] = [];
  most = 0;
  private waiters: (() => void)[] = [];

  constructor(private held = false) {}

  push(seq: number) {
    this.queue.push(seq);
    this.most = Math.max(this.most, this.queue.length);
    if (this.queue.length === 1 && !this.held) setImmediate(() => this.take());
  }

  release() {
    this.held = false;
    setImmediate(() => this.take());
  }

  private take() {
    this.taken.push(...this.queue.splice(0, 50));
    if (this.queue.length > 0) setImmediate(() => this.take());
    else for (const w of this.waiters.splice(0)) w();
  }

  readonly backlog = {
    full: () => this.queue.length >= ROOM,
    drained: (signal: AbortSignal) =>
      new Promise<void>((ok) => {
        if (this.queue.length === 0 || signal.aborted) return ok();
        this.waiters.push(ok);
        signal.addEventListener("abort", () => ok(), { once: true });
      }),
  };
}

function read(stream: string, consumer: SlowConsumer) {
  const events: ConnectionEventKind[] = [];
  const out = { status: { phase: "connecting" } as ReaderStatus, phases: new Set<string>(), events };
  const controller = new AbortController();
  const reader = new AuditStreamReader(nc, {
    stream,
    historyLimit: PUBLISHED,
    signal: controller.signal,
    timing: FAST_TIMING,
    backlog: consumer.backlog,
    onMessage: (m) => consumer.push(m.streamSeq),
    onStatus: (s) => {
      out.status = s;
      out.phases.add(s.phase);
    },
    onEvent: (kind) => events.push(kind),
  });
  const run = reader.run();
  return { out, stop: () => (controller.abort(), run) };
}

async function noConsumerLeft(stream: string) {
  const jsm = await jetstreamManager(nc);
  await waitUntil("no consumer left", async () => (await jsm.consumers.list(stream).next()).length === 0);
}

describe("the live reader with a backlog", () => {
  it("stops at the backlog's size, resumes once it drained, and ends with every message once", async () => {
    const consumer = new SlowConsumer();
    const { out, stop } = read(names.stream, consumer);
    try {
      await waitUntil(
        "every message taken in, live",
        () => consumer.taken.length === PUBLISHED && out.status.phase === "live",
        30_000,
      );
      expect(lostAndDoubled(consumer.taken, 1, PUBLISHED)).toEqual({ lost: 0, doubled: 0 });
      expect(consumer.taken).toEqual([...consumer.taken].sort((a, b) => a - b));
      // Bounded: it never handed over more than the backlog holds (without flow control: most of the stream).
      expect(consumer.most).toBeLessThanOrEqual(ROOM);
      // How often depends on how the two interleave; that it paused, and resumed, does not.
      expect(out.status.pauses).toBeGreaterThanOrEqual(2);
      // A pause is flow control, not trouble: one consumer created, none recreated, nothing stalled.
      expect(out.status.sessions).toBe(1);
      expect(out.events.filter((k) => k === "consumer_recreated" || k === "stalled")).toEqual([]);
      expect(out.phases.has("stalled")).toBe(false);
    } finally {
      await stop();
    }
    // Each consumer a pause ended was removed.
    await noConsumerLeft(names.stream);
  });

  it("killed while it waits for the backlog to drain: the server comes back, the reader resumes, every message once", async () => {
    const consumer = new SlowConsumer(true);
    const { out, stop } = read(second.stream, consumer);
    try {
      await waitUntil("paused with a full backlog", () => (out.status.pauses ?? 0) >= 1);
      expect(consumer.queue.length).toBe(ROOM);
      await server.restart({ signal: "SIGKILL", downMs: 300 });
      consumer.release();
      await waitUntil(
        "every message taken in, live",
        () => consumer.taken.length === PUBLISHED && out.status.phase === "live",
        40_000,
      );
      expect(lostAndDoubled(consumer.taken, 1, PUBLISHED)).toEqual({ lost: 0, doubled: 0 });
      expect(consumer.most).toBeLessThanOrEqual(ROOM);
      expect(out.events).toContain("disconnect");
      expect(out.events).toContain("reconnect");
    } finally {
      await stop();
    }
    await noConsumerLeft(second.stream);
  });
});
