// A tab whose sign-in keeps it to one tenant, end to end below the browser: the
// credential the dashboard mints for it (grantFor, operator mode) and the tab's own
// feed (AuditFeed in tenant mode) against a real nats-server and the real indexer.
// The feed lists that tenant's executions only, opens one from its copies and keeps
// it current as new lines arrive, says "not found" for another tenant's, and never
// asks the server for anything its credential does not allow (no permission error).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOperatorRig, type OperatorRig } from "../nats/auth-testing";
import type { NatsConnection } from "../nats/browser-connection";
import { grantFor } from "../nats/browser-grant";
import { waitUntil } from "../nats/fault-testing";
import { indexCaughtUp, Indexer } from "../nats/indexer";
import { AuditPublisher } from "../nats/publish";
import { AuditFeed } from "./audit-feed";
import { CredentialLease } from "./credential-lease";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };

let rig: OperatorRig;
let server: OperatorRig["server"];
let admin: NatsConnection;
let env: Record<string, string>;
let indexing: Promise<void>;
const stop = new AbortController();
let seq = 0;

function publish(x: string, org: string, event = "tool_exec") {
  seq++;
  return new AuditPublisher(admin, names.subject).publish(
    JSON.stringify({
      ts: new Date(Date.UTC(2026, 10, 24, 10, 0, seq)).toISOString(),
      event,
      seq,
      workflow_id: `${org}-flow`,
      workflow_execution_id: x,
      org_id: org,
      entity_type: "agent",
      entity_id: `agent-${org}`,
    }),
  );
}

beforeAll(async () => {
  rig = await startOperatorRig(names.stream, names.subject);
  ({ server, admin, env } = rig);
  for (const [x, org, n] of [
    ["a-1", "acme", 3],
    ["g-1", "globex", 4],
    ["a-2", "acme", 2],
    ["g-2", "globex", 1],
  ] as const)
    for (let i = 0; i < n; i++) await publish(x, org, i === 0 ? "workflow_started" : "tool_exec");
  indexing = new Indexer(admin, { stream: names.stream, batch: 3 }).run(stop.signal);
  await waitUntil("the indexer caught up", () => indexCaughtUp(admin, names.stream), 30_000);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await indexing;
  await rig?.stop();
});

/** The tab's feed on the credential minted for `viewer`, as the page makes it. */
function tabFeed(viewer: { id: string; org?: string }) {
  const lease = new CredentialLease({ fetchGrant: () => grantFor(env, { viewer, stream: names.stream }) });
  const feed = new AuditFeed(
    { servers: [server.wsUrl], ...names, historyLimit: 1_000 },
    (flush) => void setTimeout(flush, 0),
    { credential: () => lease.credential() },
  );
  void feed.start();
  return { feed, lease };
}

const listed = (feed: AuditFeed) => [...(feed.getSnapshot().indexed?.values() ?? [])].map((s) => s.entry.id).sort();
const problems = (feed: AuditFeed) =>
  feed.getSnapshot().connectionLog.filter((e) => /permission|not allowed|authorization/i.test(e.detail ?? ""));

describe("a tab kept to one tenant", () => {
  it("lists its tenant's executions, opens one and follows it, and finds no other tenant's", async () => {
    const { feed, lease } = tabFeed({ id: "alice", org: "acme" });
    try {
      // Made before the tab knows it is a tenant's (a page opened by its URL): still index only.
      const early = feed.openExecution("g-2").run();
      feed.followIndex({});
      await waitUntil("acme's executions listed and the feed live", async () => {
        const s = feed.getSnapshot();
        return s.status.phase === "live" && listed(feed).join() === "a-1,a-2" && s.indexed?.reach.complete === true;
      });
      expect(feed.getSnapshot().tenant).toBe("acme");
      expect(await feed.streamStats()).toBeUndefined();

      const opened = await feed.openExecution("a-1").run();
      expect(opened).toMatchObject({ phase: "found", mode: "index", read: 3 });
      expect(feed.getSnapshot().log.execution("a-1")?.eventCount).toBe(3);

      // New lines of the open execution arrive through its summary's change and a re-read of its copies.
      await publish("a-1", "acme");
      await publish("a-1", "acme", "workflow_complete");
      await waitUntil(
        "a-1's two new lines",
        async () => feed.getSnapshot().log.execution("a-1")?.eventCount === 5,
        20_000,
      );

      expect((await early).phase).toBe("not-found");
      const other = await feed.openExecution("g-1").run();
      expect(other.phase).toBe("not-found");
      expect(feed.getSnapshot().log.execution("g-1")).toBeUndefined();
      // Nothing of globex's reached the tab, and it never asked for what it may not have.
      expect(
        feed
          .getSnapshot()
          .log.executions()
          .some((x) => x.id.startsWith("g-")),
      ).toBe(false);
      expect(problems(feed)).toEqual([]);
    } finally {
      await feed.stop();
      lease.stop();
    }
  });

  it("an unrestricted tab reads the stream itself and lists every tenant's", async () => {
    const { feed, lease } = tabFeed({ id: "root" });
    try {
      feed.followIndex({});
      await waitUntil("every execution listed, the stream read", async () => {
        const s = feed.getSnapshot();
        return s.status.phase === "live" && listed(feed).join() === "a-1,a-2,g-1,g-2" && s.received === seq;
      });
      expect(feed.getSnapshot().tenant).toBeUndefined();
      expect((await feed.streamStats())?.messages).toBe(seq);
    } finally {
      await feed.stop();
      lease.stop();
    }
  });

  it("gets no shared browser user: only a minted credential can keep it to its tenant", async () => {
    const shared = { SEQSCOPE_BROWSER_NATS_USER: "tabs", SEQSCOPE_BROWSER_NATS_PASSWORD: "pw" };
    await expect(grantFor(shared, { viewer: { id: "alice", org: "acme" }, stream: names.stream })).rejects.toThrow(
      /tenant acme.*minted per session/,
    );
    await expect(grantFor({}, { viewer: { id: "alice", org: "acme" }, stream: names.stream })).rejects.toThrow(
      /SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY/,
    );
    expect(await grantFor(shared, { viewer: { id: "root" }, stream: names.stream })).toEqual({
      kind: "user",
      user: "tabs",
      pass: "pw",
    });
  });
});
