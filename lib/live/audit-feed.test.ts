// The browser feed against a real nats-server over WebSocket: it loads history
// and follows live, hands messages to the log in batches (one per frame, not one
// per message), and says what to do when the server is not there.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startNatsServer, freePort, type RunningNatsServer } from "../node/nats-server";
import { connectNode, type NatsConnection } from "../nats/node-connection";
import { deleteStream, ensureStream } from "../nats/stream";
import { AuditPublisher } from "../nats/publish";
import { AuditFeed, MAX_PENDING, type FeedSnapshot } from "./audit-feed";
import type { OpenState } from "./execution-opener";

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
  it("loads history, follows live, and hands messages over once per frame, not per message", async () => {
    const pub = new AuditPublisher(nc, names.subject);
    for (let i = 1; i <= 196; i++) await pub.publish(line(i));

    // Frames run only when the test says so: it stands in for requestAnimationFrame.
    const frames: (() => void)[] = [];
    const runFrames = () => frames.splice(0).forEach((f) => f());
    const feed = new AuditFeed({ servers: [server.wsUrl], ...names, historyLimit: 1_000 }, (flush) =>
      frames.push(flush),
    );
    void feed.start();
    // When the reader says "live" the history is in the log: status and log never disagree.
    await waitFor(feed, (s) => s.status.phase === "live");
    expect(feed.getSnapshot().received).toBe(196);
    expect(feed.getSnapshot().log.execution("wfx-feed")?.eventCount).toBe(196);
    runFrames();

    // Live messages wait for the next frame, all of them in one batch.
    for (let i = 197; i <= 201; i++) await pub.publish(line(i));
    await vi.waitFor(() => expect(feed.buffered).toBe(5), { timeout: 10_000 });
    expect(frames).toHaveLength(1);
    let notifications = 0;
    const off = feed.subscribe(() => notifications++);
    runFrames();
    off();
    expect(notifications).toBe(1);
    expect(feed.getSnapshot().received).toBe(201);
    expect(feed.getSnapshot().log.execution("wfx-feed")?.eventCount).toBe(201);
    await feed.stop();
  });

  it("says the server cannot be reached, with what to do, and connects once it is there", async () => {
    const wsPort = await freePort();
    const feed = new AuditFeed({ servers: [`ws://127.0.0.1:${wsPort}`], ...names, historyLimit: 10 }, (f) =>
      setTimeout(f, 0),
    );
    void feed.start();
    const s = await waitFor(feed, (x) => x.status.phase === "error");
    expect(s.status.reason).toMatch(/Cannot reach NATS at ws:\/\/127\.0\.0\.1:\d+/);
    expect(s.status.reason).toMatch(/npm start.*SEQSCOPE_NATS_URL/);
    expect(s.status.reason).toMatch(/Retrying in \d+ s/);

    // The server appears on that port: the retry finds it without a reload.
    const late = await startNatsServer({ wsPort });
    try {
      const lateNc = await connectNode(late.url);
      await ensureStream(lateNc, names);
      await new AuditPublisher(lateNc, names.subject).publish(line(1, "wfx-late"));
      await lateNc.close();
      const live = await waitFor(feed, (x) => x.status.phase === "live" && x.received === 1, 20_000);
      expect(live.log.execution("wfx-late")?.eventCount).toBe(1);
    } finally {
      await feed.stop();
      await late.stop();
    }
  });

  it("survives start, stop, start (React's strict mode) and reads once", async () => {
    const feed = new AuditFeed({ servers: [server.wsUrl], ...names, historyLimit: 1_000 }, (f) => setTimeout(f, 0));
    void feed.start();
    void feed.stop();
    void feed.start();
    // The first test left 201 messages on the stream: each is read exactly once.
    const live = await waitFor(feed, (x) => x.status.phase === "live" && x.received === 201);
    expect(live.log.execution("wfx-feed")?.eventCount).toBe(201);
    expect(live.log.duplicates("wfx-feed")).toHaveLength(0);
    await feed.stop();
  });
});

describe("AuditFeed in a hidden tab", () => {
  it("takes messages in at a bounded cost without frames, and is current as soon as it is visible", async () => {
    const hidden = { stream: "AUDIT_HIDDEN", subject: "auditHidden" };
    await ensureStream(nc, hidden);
    // A hidden tab: the scheduled flush never runs.
    const asked: (() => void)[] = [];
    const feed = new AuditFeed({ servers: [server.wsUrl], ...hidden, historyLimit: 100_000 }, (f) => asked.push(f));
    const sizes: number[] = [];
    const off = feed.subscribe(() => sizes.push(feed.getSnapshot().received));
    void feed.start();
    const total = MAX_PENDING * 2 + 1_234;
    const pub = new AuditPublisher(nc, hidden.subject);
    for (let i = 0; i < total; i += 500)
      await Promise.all(
        Array.from({ length: Math.min(500, total - i) }, (_, k) => pub.publish(line(i + k + 1, "wfx-hidden"))),
      );
    // Without a single frame the log took it all in, in batches of at most MAX_PENDING.
    await vi.waitFor(() => expect(feed.getSnapshot().received + feed.buffered).toBe(total), { timeout: 20_000 });
    expect(asked.length).toBeGreaterThan(0);
    expect(feed.buffered).toBeLessThan(MAX_PENDING);
    const steps = sizes.map((n, i) => n - (sizes[i - 1] ?? 0));
    expect(Math.max(...steps)).toBeLessThanOrEqual(MAX_PENDING);
    feed.setVisible(true);
    expect(feed.getSnapshot().received).toBe(total);
    expect(feed.getSnapshot().log.execution("wfx-hidden")?.eventCount).toBe(total);
    expect(feed.getSnapshot().connectionLog.map((e) => e.kind)).toContain("visible");
    off();
    await feed.stop();
  });
});

describe("AuditFeed when the stream is recreated", () => {
  it("starts a new log (epoch + 1) with only the new stream's messages and a notice", async () => {
    const names2 = { stream: "AUDIT_RECREATE", subject: "auditRecreate" };
    await ensureStream(nc, names2);
    const pub = new AuditPublisher(nc, names2.subject);
    for (let i = 1; i <= 30; i++) await pub.publish(line(i, "wfx-before"));
    const feed = new AuditFeed({ servers: [server.wsUrl], ...names2, historyLimit: 1_000 }, (f) => setTimeout(f, 0), {
      timing: { watchdogMs: 300, verifiedForMs: 3_000, maxBackoffMs: 500 },
    });
    void feed.start();
    try {
      await waitFor(feed, (s) => s.received === 30 && s.status.phase === "live");
      await deleteStream(nc, names2.stream);
      await ensureStream(nc, names2);
      for (let i = 1; i <= 12; i++) await pub.publish(line(i, "wfx-after"));
      const s = await waitFor(feed, (x) => x.epoch === 1 && x.received === 12 && x.status.phase === "live", 20_000);
      expect(s.log.execution("wfx-before")).toBeUndefined();
      expect(s.log.execution("wfx-after")?.eventCount).toBe(12);
      expect(s.log.duplicates("wfx-after")).toHaveLength(0);
      expect(s.holes).toEqual([expect.objectContaining({ cause: "recreated", from: 1, to: 30 })]);
      expect(s.connectionLog.map((e) => e.kind)).toContain("stream_recreated");
    } finally {
      await feed.stop();
    }
  });
});

/*
 * Opening an execution outside the loaded history. The stream:
 *   1–400      noise (other executions)
 *   401–460    wfx-old's 20 events, each between two noise messages, the last workflow_complete
 *   461–1460   noise
 * and the tab loads only the newest 100 messages as history.
 */
describe("AuditFeed.openExecution", () => {
  const open = { stream: "AUDIT_OPEN", subject: "auditOpen" };
  const noise = (i: number) => line(i, `wfx-noise-${i % 7}`);
  const old = (i: number, last: boolean) =>
    JSON.stringify({
      ts: new Date(Date.UTC(2026, 10, 24, 9, 0, i)).toISOString(),
      event: last ? "workflow_complete" : "workflow_step_started",
      seq: i,
      workflow_execution_id: "wfx-old",
      entity_type: "workflow",
      entity_id: "wf-1",
    });
  const lines: string[] = [];
  for (let i = 1; i <= 400; i++) lines.push(noise(i));
  for (let i = 1; i <= 20; i++) lines.push(noise(1000 + i), old(i, i === 20), noise(2000 + i));
  for (let i = 1; i <= 1000; i++) lines.push(noise(3000 + i));
  const margins = { afterTerminalMessages: 50 };

  beforeAll(async () => {
    await ensureStream(nc, open);
    const pub = new AuditPublisher(nc, open.subject);
    for (let i = 0; i < lines.length; i += 100) await Promise.all(lines.slice(i, i + 100).map((l) => pub.publish(l)));
  });

  async function openIt(
    id: string,
    hint?: { from: number; to: number },
  ): Promise<{ state: OpenState; feed: AuditFeed }> {
    const feed = new AuditFeed({ servers: [server.wsUrl], ...open, historyLimit: 100 }, (f) => setTimeout(f, 5));
    void feed.start();
    const state = await feed.openExecution(id, hint, margins).run();
    await feed.stop();
    return { state, feed };
  }

  it("reads just the hinted stretch and a margin, and the execution is then in the log", async () => {
    const { state, feed } = await openIt("wfx-old", { from: 402, to: 459 });
    expect(state.phase).toBe("found");
    expect(state.mode).toBe("hint");
    expect(state.read).toBe(459 - 402 + 1 + margins.afterTerminalMessages);
    expect(feed.getSnapshot().log.execution("wfx-old")).toMatchObject({ eventCount: 20, status: "complete" });
  });

  it("without a hint scans from the oldest message and stops after the terminal event and the margin", async () => {
    const { state, feed } = await openIt("wfx-old");
    expect(state.phase).toBe("found");
    expect(state.mode).toBe("scan");
    expect(state.read).toBe(459 + margins.afterTerminalMessages);
    expect(state.read).toBeLessThan(state.to - state.from + 1);
    const summary = feed.getSnapshot().log.execution("wfx-old");
    expect(summary).toMatchObject({ eventCount: 20, firstStreamSeq: 402, lastStreamSeq: 459 });
    // Before the execution's first message nothing is kept: the scan does not fill the log with the stream.
    expect(feed.getSnapshot().log.size).toBeLessThan(100 + 200);
  });

  it("an execution that is nowhere is reported with everything that was searched", async () => {
    const { state } = await openIt("wfx-nowhere");
    expect(state.phase).toBe("not-found");
    expect(state.searched).toEqual([
      { from: 1361, to: 1460, how: "history" },
      { from: 1, to: 1360, how: "scan" },
    ]);
    expect(state.reason).toContain("Searched stream sequences 1–1,360 (scanned), 1,361–1,460 (loaded as history)");
  });

  it("a hint that points at the wrong place falls back to the scan", async () => {
    const { state, feed } = await openIt("wfx-old", { from: 10, to: 20 });
    expect(state.phase).toBe("found");
    expect(state.searched.map((r) => r.how)).toEqual(["hint", "history", "scan"]);
    expect(feed.getSnapshot().log.execution("wfx-old")?.eventCount).toBe(20);
  });
});
