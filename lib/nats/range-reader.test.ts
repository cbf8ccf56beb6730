// The bounded reader against a real nats-server over WebSocket: it reads from a
// stream sequence, ends where asked, at the end of the stream, or when told to stop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectNode, type NatsConnection } from "./node-connection";
import { connectBrowser } from "./browser-connection";
import { ensureStream, streamStats } from "./stream";
import { AuditPublisher } from "./publish";
import { readStreamRange, streamBounds } from "./range-reader";

const names = { stream: "AUDIT_RANGE", subject: "auditRange" };
let server: RunningNatsServer;
let nc: NatsConnection;
let ws: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNode(server.url);
  await ensureStream(nc, names);
  const pub = new AuditPublisher(nc, names.subject);
  await Promise.all(Array.from({ length: 300 }, (_, i) => pub.publish(`{"i":${i}}`)));
  ws = await connectBrowser({ servers: [server.wsUrl], ...names, historyLimit: 0 });
});
afterAll(async () => {
  await ws?.close();
  await nc?.close();
  await server?.stop();
});

async function read(startSeq: number, endSeq: number, stopAt?: number) {
  const seqs: number[] = [];
  const result = await readStreamRange(ws, {
    stream: names.stream,
    startSeq,
    endSeq,
    signal: new AbortController().signal,
    onMessage: (m) => (seqs.push(m.streamSeq), m.streamSeq !== stopAt),
  });
  return { seqs, result };
}

describe("readStreamRange", () => {
  it("reads exactly [start, end]", async () => {
    const { seqs, result } = await read(100, 149);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(result).toEqual({ lastSeq: 149, end: "range-end" });
  });

  it("ends at the end of the stream, or where the caller stops it", async () => {
    expect((await read(290, 10_000)).result).toEqual({ lastSeq: 300, end: "stream-end" });
    expect((await read(1, 300, 7)).result).toEqual({ lastSeq: 7, end: "stopped" });
  });

  it("tells the stream's bounds and size", async () => {
    expect(await streamBounds(ws, names.stream)).toEqual({ firstSeq: 1, lastSeq: 300, messages: 300 });
    const stats = await streamStats(ws, names.stream);
    expect(stats).toMatchObject({ firstSeq: 1, lastSeq: 300, messages: 300 });
    expect(stats.bytes).toBeGreaterThan(0);
  });
});
