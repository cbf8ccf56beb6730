// The list's side of the index, against a real nats-server and a real indexer: the tab's feed follows
// only the summaries its query asks for (workflow, status, exact id answered by the server's key
// filters), holds at most its limit (the most recently active), keeps one asked for by id past it,
// follows new executions live, and knows every workflow of the index for its choices. Every figure is checked against what was published.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectBrowser, type NatsConnection } from "../nats/browser-connection";
import { waitUntil } from "../nats/fault-testing";
import { indexCaughtUp, Indexer } from "../nats/indexer";
import { AuditPublisher } from "../nats/publish";
import { ensureStream } from "../nats/stream";
import { AuditFeed } from "./audit-feed";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };
const WORKFLOWS = ["billing", "refunds", "payouts"];
/** 30 executions: wfx-0…29, workflow by i % 3, every fifth one failed, the last three still running. */
const EXECUTIONS = 30;
const workflowOf = (i: number) => WORKFLOWS[i % 3] as string;
const failed = (i: number) => i % 5 === 0;
const running = (i: number) => i >= EXECUTIONS - 3;

function lines(i: number): string[] {
  const base = { workflow_execution_id: `wfx-${i}`, workflow_id: workflowOf(i) };
  const ts = (s: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, i * 4 + s)).toISOString();
  const out = [
    { ...base, ts: ts(0), event: "workflow_started", seq: 1 },
    { ...base, ts: ts(1), event: "tool_exec", entity_type: "agent", entity_id: "a1", seq: 1 },
  ];
  if (!running(i))
    out.push({
      ...base,
      ts: ts(2),
      event: "workflow_complete",
      seq: 2,
      ...(failed(i) ? { fields: { status: "failed" } } : {}),
    });
  return out.map((o) => JSON.stringify(o));
}

let server: RunningNatsServer;
let nc: NatsConnection;
let stop: AbortController;
let indexing: Promise<void>;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBrowser({ servers: [server.wsUrl], ...names, historyLimit: 0 });
  await ensureStream(nc, names);
  const pub = new AuditPublisher(nc, names.subject);
  // One at a time, in order: wfx-29 is the most recently active.
  for (let i = 0; i < EXECUTIONS; i++) for (const l of lines(i)) await pub.publish(l);
  stop = new AbortController();
  indexing = new Indexer(nc, { stream: names.stream, batch: 7 }).run(stop.signal);
  await waitUntil("the indexer caught up", () => indexCaughtUp(nc, names.stream), 30_000);
}, 60_000);
afterAll(async () => {
  stop?.abort();
  await indexing;
  await nc?.close();
  await server?.stop();
});

/** A feed that reads no history (only the index), with `limit` summaries at most; frames run at once. */
async function feedWith(limit: number) {
  const feed = new AuditFeed(
    { servers: [server.wsUrl], ...names, historyLimit: 0, indexListLimit: limit },
    (flush) => void setTimeout(flush, 0),
  );
  void feed.start();
  return feed;
}

function ids(feed: AuditFeed): string[] {
  return [...(feed.getSnapshot().indexed?.values() ?? [])].map((s) => s.entry.id).sort();
}

async function settled(feed: AuditFeed, what: string, pred: (ids: string[]) => boolean) {
  await waitUntil(
    what,
    async () => {
      const v = feed.getSnapshot().indexed;
      return v !== undefined && (v.reach.complete || v.reach.capped) && pred(ids(feed));
    },
    20_000,
  );
}

const all = Array.from({ length: EXECUTIONS }, (_, i) => i);
const expect_ = (pred: (i: number) => boolean) =>
  all
    .filter(pred)
    .map((i) => `wfx-${i}`)
    .sort();

describe("the list's follow of the index", () => {
  it("asks the server for one workflow, one status, or both, and gets exactly those", async () => {
    const feed = await feedWith(1_000);
    try {
      feed.followIndex({});
      await settled(feed, "every execution listed", (x) => x.length === EXECUTIONS);
      expect(feed.getSnapshot().indexed?.reach).toMatchObject({ complete: true, capped: false });

      feed.followIndex({ workflowId: "refunds" });
      const refunds = expect_((i) => workflowOf(i) === "refunds");
      await settled(feed, "the refunds executions", (x) => x.join() === refunds.join());
      // The choices stay every workflow of the index, not only those of the summaries held.
      expect([...feed.getSnapshot().indexed!.workflows].sort()).toEqual([...WORKFLOWS].sort());

      feed.followIndex({ status: "failed" });
      const failures = expect_((i) => failed(i) && !running(i));
      await settled(feed, "the failed executions", (x) => x.join() === failures.join());

      feed.followIndex({ workflowId: "billing", status: "running" });
      const live = expect_((i) => workflowOf(i) === "billing" && running(i));
      await settled(feed, "billing's running executions", (x) => x.join() === live.join());
      expect(live.length).toBeGreaterThan(0);
    } finally {
      await feed.stop();
    }
  });

  it("holds at most its limit, the most recently active, keeps one asked for by id, and follows live", async () => {
    const feed = await feedWith(5);
    try {
      feed.followIndex({});
      const newest = expect_((i) => i >= EXECUTIONS - 5);
      await settled(feed, "the five most recently active", (x) => x.join() === newest.join());
      expect(feed.getSnapshot().indexed?.reach.capped).toBe(true);

      // The oldest, asked for by id: the server finds it past the limit.
      feed.followIndex({ search: "wfx-0" });
      await settled(feed, "wfx-0 and the newest", (x) => x.includes("wfx-0") && x.length === 5);

      // A new execution while the list is shown: it comes in live, and the limit still holds.
      const pub = new AuditPublisher(nc, names.subject);
      for (const l of lines(EXECUTIONS)) await pub.publish(l);
      await waitUntil("the new execution listed", async () => ids(feed).includes(`wfx-${EXECUTIONS}`), 20_000);
      expect(ids(feed)).toContain("wfx-0");
      expect(feed.getSnapshot().indexed!.size).toBeLessThanOrEqual(5 * 1.1 + 16);
    } finally {
      await feed.stop();
    }
  });
});
