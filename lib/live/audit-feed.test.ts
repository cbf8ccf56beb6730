// The browser feed against a real nats-server over WebSocket: it loads history
// and follows live, hands messages to the log in batches (one per frame, not one
// per message), and says what to do when the server is not there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, freePort, type RunningNatsServer } from "../node/nats-server";
import { connectNode, type NatsConnection } from "../nats/node-connection";
import { ensureStream } from "../nats/stream";
import { AuditPublisher } from "../nats/publish";
import { AuditFeed, type FeedSnapshot } from "./audit-feed";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };
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

function line(i: number, exec = "wfx-feed") {
  return JSON.stringify({
    ts: new Date(Date.UTC(2026, 10, 24, 10, 0, 0, i)).toISOString(),
    event: "tool_exec",
    seq: i,
    workflow_execution_id: exec,
    entity_type: "agent",
    entity_id: "a1",
  });
}

function waitFor(feed: AuditFeed, pred: (s: FeedSnapshot) => boolean, ms = 10_000): Promise<FeedSnapshot> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(
      () => (unsub(), fail(new Error(`timed out; last status ${JSON.stringify(feed.getSnapshot().status)}`))),
      ms,
    );
    const check = () => {
      const s = feed.getSnapshot();
      if (!pred(s)) return;
      clearTimeout(timer);
      unsub();
      ok(s);
    };
    const unsub = feed.subscribe(check);
    check();
  });
}

describe("AuditFeed", () => {
  it("loads history, follows live, and notifies per batch rather than per message", async () => {
    const pub = new AuditPublisher(nc, names.subject);
    for (let i = 1; i <= 200; i++) await pub.publish(line(i));

    // A frame every 50 ms stands in for requestAnimationFrame.
    const feed = new AuditFeed({ servers: [server.wsUrl], ...names, historyLimit: 1_000 }, (flush) =>
      setTimeout(flush, 50),
    );
    let notifications = 0;
    feed.subscribe(() => notifications++);
    void feed.start();
    const loaded = await waitFor(feed, (s) => s.status.phase === "live" && s.received === 200);
    expect(loaded.log.execution("wfx-feed")?.eventCount).toBe(200);
    expect(notifications).toBeLessThan(50);

    await pub.publish(line(201));
    const live = await waitFor(feed, (s) => s.received === 201);
    expect(live.log.execution("wfx-feed")?.eventCount).toBe(201);
    await feed.stop();
  });

  it("says the server cannot be reached, with what to do, and keeps retrying", async () => {
    const port = await freePort();
    const feed = new AuditFeed({ servers: [`ws://127.0.0.1:${port}`], ...names, historyLimit: 10 }, (f) =>
      setTimeout(f, 0),
    );
    void feed.start();
    const s = await waitFor(feed, (x) => x.status.phase === "error");
    expect(s.status.reason).toMatch(/Cannot reach NATS at ws:\/\/127\.0\.0\.1:\d+/);
    expect(s.status.reason).toMatch(/npm start.*SEQSCOPE_NATS_URL/);
    expect(s.status.reason).toMatch(/Retrying in \d+ s/);
    await feed.stop();
  });
});
