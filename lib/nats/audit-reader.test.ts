// Integration: a real nats-server (JetStream + WebSocket, free ports, temp
// store), the demo producer publishing, and the browser's reader over WebSocket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectNode, type NatsConnection } from "./node-connection";
import { connectBrowser } from "./browser-connection";
import { ensureStream } from "./stream";
import { readAuditStream, type ReaderStatus } from "./audit-reader";
import { runSimulation } from "../sim/simulator";
import type { RawMessage } from "../audit/types";
import { AuditPublisher } from "./publish";

const names = { stream: "AUDIT_EVENTS_IT", subject: "auditEventIt" };

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNode(server.url);
  await ensureStream(nc, names);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** Reads until `count` messages arrived and the reader said it is live (or failed, or 10 s passed). */
async function readUntil(
  count: number,
  opts: { historyLimit?: number; startSeq?: number; stream?: string } = {},
): Promise<{ msgs: RawMessage[]; statuses: ReaderStatus[] }> {
  const ws = await connectBrowser({
    servers: [server.wsUrl],
    stream: names.stream,
    subject: names.subject,
    historyLimit: 0,
  });
  const controller = new AbortController();
  const msgs: RawMessage[] = [];
  const statuses: ReaderStatus[] = [];
  await new Promise<void>((done) => {
    const timer = setTimeout(done, 10_000);
    const finish = () => (clearTimeout(timer), done());
    void readAuditStream(ws, {
      stream: opts.stream ?? names.stream,
      historyLimit: opts.historyLimit ?? 1_000_000,
      startSeq: opts.startSeq,
      signal: controller.signal,
      onMessage: (m) => {
        msgs.push(m);
        if (msgs.length >= count && statuses.at(-1)?.phase === "live") finish();
      },
      onStatus: (s) => {
        statuses.push(s);
        if (s.phase === "error" || (s.phase === "live" && msgs.length >= count)) finish();
      },
    });
  });
  controller.abort();
  await ws.close();
  return { msgs, statuses };
}

describe("audit stream over WebSocket", () => {
  it("reads history then live, in stream order, with the bytes as published", async () => {
    // A seeded run with duplicates, reordering and malformed lines: all must arrive as published.
    const { lines } = runSimulation({
      seed: 7,
      executions: 3,
      faults: { duplicate: 0.05, reorder: { rate: 0.05 }, malformed: 0.05 },
    });
    const pub = new AuditPublisher(nc, names.subject);
    for (const l of lines) await pub.publish(l.bytes);
    const published = lines.map((l) => new TextDecoder().decode(l.bytes));
    expect(published.length).toBeGreaterThan(20);

    const { msgs, statuses } = await readUntil(published.length);
    // History fully read, then the reader reports it is live...
    expect(msgs.map((m) => m.streamSeq)).toEqual(published.map((_, i) => i + 1));
    expect(statuses.at(-1)?.phase).toBe("live");
    // ...and payloads arrive byte-for-byte as the producer wrote them, in publish order.
    expect(msgs.map((m) => new TextDecoder().decode(m.data))).toEqual(published);
    expect(msgs.every((m) => m.subject === names.subject && m.deliveryCount === 1 && m.receivedMs > 0)).toBe(true);
  });

  it("starts at a given stream sequence and follows new messages live", async () => {
    const info = await (await import("./stream")).streamInfo(nc, names.stream);
    const last = info.state.last_seq;
    const reading = readUntil(3, { startSeq: last });
    await new Promise((r) => setTimeout(r, 300));
    const pub = new AuditPublisher(nc, names.subject);
    await pub.publish('{"ts":"2026-01-01T00:00:00Z","event":"late_one"}');
    await pub.publish("not json at all");
    const { msgs } = await reading;
    expect(msgs.map((m) => m.streamSeq)).toEqual([last, last + 1, last + 2]);
    expect(new TextDecoder().decode(msgs[2]!.data)).toBe("not json at all");
  });

  it("limits history to the newest N messages", async () => {
    const info = await (await import("./stream")).streamInfo(nc, names.stream);
    const { msgs } = await readUntil(5, { historyLimit: 5 });
    expect(msgs[0]?.streamSeq).toBe(info.state.last_seq - 4);
  });

  it("reports a missing stream with what to do, instead of throwing", async () => {
    const { msgs, statuses } = await readUntil(1, { stream: "NO_SUCH_STREAM" });
    expect(msgs).toHaveLength(0);
    const err = statuses.find((s) => s.phase === "error");
    expect(err?.reason).toMatch(/Stream NO_SUCH_STREAM does not exist.*SEQSCOPE_STREAM/);
  });
});
