// Tenants kept apart by the server (issue 13, part 4), against a real operator-mode
// nats-server and the real indexer: a credential minted for a viewer of org "acme"
// lists and watches acme's summaries and reads acme's copies; globex's keys and
// copies, every tenant's at once, the raw audit stream, stream info and gets by
// sequence are refused as permission violations; requests crafted to slip past the
// subject checks get nothing of globex's; an unrestricted credential sees both.
//
//   acme:   a-1 (billing, 4 events), a-2 (billing, 3), a-3 (onboarding, 2), later a-4 (1)
//   globex: g-1 (secret-wf, 3), g-2 (payroll, 2)
//   none:   n-1 (2 events, no org_id)          — only unrestricted readers
//   mixed:  m-1 no org_id, then acme's, then globex's: no tenant's, then acme's, then no tenant's again
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { decodeEntry, type IndexEntry } from "../index/index-entry";
import { executionSubject, indexNames, summaryFilter, summaryKey } from "../index/index-keys";
import { liveFilter } from "../index/index-query";
import { startOperatorRig, type OperatorRig } from "./auth-testing";
import { connectBrowser } from "./browser-connection";
import { grantFor } from "./browser-grant";
import { waitUntil } from "./fault-testing";
import { IndexStore } from "./index-store";
import { expectedIndex, indexContents, streamMessages } from "./index-testing";
import { indexCaughtUp, Indexer } from "./indexer";

const STREAM = "AUDIT_EVENTS";
const SUBJECT = "auditEvent";
const names = indexNames(STREAM);
const KV_STREAM = `KV_${names.bucket}`;

let rig: OperatorRig;
let server: OperatorRig["server"];
let admin: NatsConnection;
let env: Record<string, string>;
const stop = new AbortController();
let indexing: Promise<void>;
/** What was published, by execution. */
const published = new Map<string, number>();
let total = 0;
let seq = 0;

async function publish(x: string, org: string | undefined, event = "tool_exec", workflow = "wf") {
  seq++;
  total++;
  published.set(x, (published.get(x) ?? 0) + 1);
  const line = {
    ts: "2026-11-24T10:00:00Z",
    event,
    seq,
    workflow_id: workflow,
    workflow_execution_id: x,
    ...(org === undefined ? {} : { org_id: org }),
    entity_type: "agent",
    entity_id: `agent-${org ?? "none"}`,
  };
  await jetstream(admin).publish(SUBJECT, JSON.stringify(line));
}

async function indexed() {
  await waitUntil("the indexer has acknowledged every message", () => indexCaughtUp(admin, STREAM), 30_000);
}

beforeAll(async () => {
  // The indexer's own user, over WebSocket like the tabs; it publishes the test's events too.
  rig = await startOperatorRig(STREAM, SUBJECT);
  ({ server, admin, env } = rig);
  for (const [x, org, wf, n] of [
    ["a-1", "acme", "billing", 4],
    ["g-1", "globex", "secret-wf", 3],
    ["a-2", "acme", "billing", 3],
    ["n-1", undefined, "chores", 2],
    ["g-2", "globex", "payroll", 2],
    ["a-3", "acme", "onboarding", 2],
  ] as const)
    for (let i = 0; i < n; i++) await publish(x, org, i === 0 ? "workflow_started" : "tool_exec", wf);
  indexing = new Indexer(admin, { stream: STREAM, batch: 4 }).run(stop.signal);
  await indexed();
}, 60_000);

afterAll(async () => {
  stop.abort();
  await indexing;
  await rig?.stop();
});

/** A tab's connection on what grantFor mints for this viewer, and the errors the server sent it. */
async function tab(viewer: { id: string; org?: string }) {
  const g = await grantFor(env, { viewer, stream: STREAM });
  if (g.kind !== "jwt") throw new Error(`expected a minted credential, got ${g.kind}`);
  const nc = await connectBrowser({ servers: [server.wsUrl] }, "tab", { jwt: () => g.jwt, inboxPrefix: g.inboxPrefix });
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.error));
  })();
  return { nc, errors };
}

async function summaries(store: IndexStore, filter: string): Promise<IndexEntry[]> {
  const out: IndexEntry[] = [];
  await store.readSummaries(filter, (_k, e) => void (e && out.push(e)), new AbortController().signal);
  return out;
}

function violated(errors: string[], subject: string) {
  return errors.some((e) => /permissions violation/i.test(e) && e.includes(subject));
}

describe("a viewer restricted to a tenant", () => {
  it("lists, watches and opens that tenant's executions, and no one else's", async () => {
    const { nc, errors } = await tab({ id: "alice", org: "acme" });
    try {
      const store = (await IndexStore.open(nc, STREAM, { org: "acme" }))!;
      expect(store).toBeDefined();
      const mine = await summaries(store, liveFilter({ org: "acme" }));
      expect(mine.map((e) => e.id).sort()).toEqual(["a-1", "a-2", "a-3"]);
      expect(mine.every((e) => e.org === "acme")).toBe(true);
      expect(mine.reduce((n, e) => n + e.events, 0)).toBe(4 + 3 + 2);
      expect(await store.workflows(new AbortController().signal)).toEqual(["billing", "onboarding"]);
      expect((await store.entry("a-2"))?.entry.events).toBe(3);
      expect(await store.entry("g-1")).toBeUndefined();
      const a1 = await store.readExecution("a-1", new AbortController().signal);
      expect(a1).toHaveLength(4);
      expect(a1.every((m) => JSON.parse(Buffer.from(m.data).toString()).org_id === "acme")).toBe(true);
      expect(await store.oldestMs()).toBeLessThanOrEqual(Date.now());

      // Watched live: acme's new execution arrives, a globex one published meanwhile does not.
      const seen = new Map<string, IndexEntry>();
      const watching = new AbortController();
      let ready = () => {};
      const isReady = new Promise<void>((ok) => (ready = ok));
      const watch = store.watch((_k, e) => void (e && seen.set(e.id, e)), watching.signal, undefined, {
        onReady: ready,
      });
      await isReady;
      await publish("g-3", "globex", "workflow_started", "secret-wf");
      await publish("a-4", "acme", "workflow_started", "billing");
      await indexed();
      await waitUntil("a-4 in the watch", () => seen.has("a-4"), 10_000);
      watching.abort();
      await watch;
      expect([...seen.keys()].sort()).toEqual(["a-1", "a-2", "a-3", "a-4"]);
      expect(errors).toEqual([]);
    } finally {
      await nc.close();
    }
  });

  it("is refused globex's keys and copies, every tenant's at once, and the raw audit stream", async () => {
    const { nc, errors } = await tab({ id: "alice", org: "acme" });
    try {
      const signal = new AbortController().signal;
      const store = (await IndexStore.open(nc, STREAM, { org: "acme" }))!;
      const kv = await new Kvm(nc).open(names.bucket, { allow_direct: true });
      const jsm = await jetstreamManager(nc);
      const g1Key = summaryKey({
        org: "globex",
        executionId: "g-1",
        workflowId: "secret-wf",
        lastSeenMs: Date.now(),
        status: "running",
      });
      const openAs = (org: string) => IndexStore.open(nc, STREAM, { org });
      const refusals: [string, () => Promise<unknown>][] = [
        // The index's keys: another tenant's, and everyone's.
        ["list globex", () => store.readSummaries(summaryFilter({ org: "globex" }), () => {}, signal)],
        ["list all", () => store.readSummaries(summaryFilter(), () => {}, signal)],
        ["watch globex", () => kv.watch({ key: "globex.>" })],
        ["keys of all", () => kv.keys(">")],
        ["get a globex key", () => kv.get(g1Key)],
        ["globex's workflows", () => openAs("globex").then((s) => s!.workflows(signal))],
        // Its copies.
        ["read globex's copies", () => openAs("globex").then((s) => s!.readExecution("g-1", signal))],
        [
          "consume globex's copies",
          () =>
            jsm.consumers.add(names.byExecution, {
              name: "peek",
              filter_subject: executionSubject(names, "g-1", "globex"),
            }),
        ],
        ["consume every copy", () => jsm.consumers.add(names.byExecution, { name: "peek2", filter_subject: ">" })],
        // Stream info (its subjects_filter lists every key) and gets by sequence (not scoped to a tenant).
        ["index stream info", () => jsm.streams.info(KV_STREAM, { subjects_filter: ">" })],
        ["copies stream info", () => jsm.streams.info(names.byExecution)],
        ["index get by seq", () => jsm.streams.getMessage(KV_STREAM, { seq: 1 })],
        ["index direct get by seq", () => jsm.direct.getMessage(KV_STREAM, { seq: 1 })],
        ["copies get by seq", () => jsm.streams.getMessage(names.byExecution, { seq: 1 })],
        // The raw audit stream: it holds every tenant.
        ["audit stream info", () => jsm.streams.info(STREAM)],
        ["audit get", () => jsm.streams.getMessage(STREAM, { seq: 1 })],
        ["audit direct get", () => jsm.direct.getMessage(STREAM, { seq: 1 })],
        ["audit consumer", () => jsm.consumers.add(STREAM, { name: "peek3" })],
        ["audit ordered consumer", () => jetstream(nc).consumers.get(STREAM)],
      ];
      for (const [what, attempt] of refusals) await expect(attempt(), what).rejects.toThrow(/permission/i);
      // Each one the server's own refusal, not a client-side check.
      for (const s of [
        `$JS.API.CONSUMER.CREATE.${KV_STREAM}`,
        `$JS.API.DIRECT.GET.${KV_STREAM}.$KV.${names.bucket}.globex.`,
        `$JS.API.CONSUMER.CREATE.${names.byExecution}`,
        `$JS.API.DIRECT.GET.${names.byExecution}.${names.subjectPrefix}.globex.g-1`,
        `$JS.API.STREAM.INFO.${KV_STREAM}`,
        `$JS.API.STREAM.MSG.GET.${KV_STREAM}`,
        `$JS.API.STREAM.INFO.${STREAM}`,
        `$JS.API.STREAM.MSG.GET.${STREAM}`,
        `$JS.API.DIRECT.GET.${STREAM}`,
      ])
        await waitUntil(`a permissions violation for ${s}`, () => violated(errors, s), 5_000);
    } finally {
      await nc.close();
    }
  });

  it("gets nothing of globex's from requests crafted past the subject checks", async () => {
    const { nc } = await tab({ id: "mallory", org: "acme" });
    try {
      const json = (o: unknown) => JSON.stringify(o);
      const parse = (d: Uint8Array) => JSON.parse(Buffer.from(d).toString()) as { error?: { description: string } };
      // A consumer create whose subject names acme's filter and whose config names globex's: the server refuses.
      for (const [stream, mine, theirs] of [
        [KV_STREAM, `$KV.${names.bucket}.acme.>`, `$KV.${names.bucket}.globex.>`],
        [names.byExecution, `${names.subjectPrefix}.acme.>`, `${names.subjectPrefix}.globex.>`],
      ] as const) {
        for (const config of [{ filter_subject: theirs }, { filter_subject: "" }, {}]) {
          const r = await nc.request(
            `$JS.API.CONSUMER.CREATE.${stream}.sneak.${mine}`,
            json({ stream_name: stream, config: { name: "sneak", ack_policy: "none", ...config } }),
          );
          expect(parse(r.data).error?.description, `${stream} ${json(config)}`).toMatch(
            /did not match filtered subject/i,
          );
        }
      }
      // A direct get by acme's key with a body asking for another sequence: no body is taken on this form.
      const admins = (await IndexStore.open(admin, STREAM))!;
      const g1 = (await admins.entry("g-1"))!;
      const a1 = (await admins.entry("a-1"))!;
      const r = await nc.request(
        `$JS.API.DIRECT.GET.${KV_STREAM}.$KV.${names.bucket}.${a1.key}`,
        json({ seq: g1.revision }),
      );
      expect(r.headers?.code).toBe(408);
      expect(r.data).toHaveLength(0);
      expect(Buffer.from(r.data).toString()).not.toContain("g-1");
      expect(Buffer.from(r.data).toString()).not.toContain("globex");
    } finally {
      await nc.close();
    }
  });
});

describe("an execution's tenant", () => {
  it("follows its messages: none, then acme's (filed again under acme), then two tenants: no tenant's", async () => {
    const { nc } = await tab({ id: "alice", org: "acme" });
    const signal = new AbortController().signal;
    try {
      const acme = (await IndexStore.open(nc, STREAM, { org: "acme" }))!;
      const admins = (await IndexStore.open(admin, STREAM))!;
      await publish("m-1", undefined, "workflow_started", "mixed");
      await indexed();
      expect((await admins.entry("m-1"))?.entry.org).toBeUndefined();
      expect(await acme.entry("m-1")).toBeUndefined();
      await publish("m-1", "acme", "tool_exec", "mixed");
      await indexed();
      // acme's now, with the line that named no tenant filed again under it.
      expect((await acme.entry("m-1"))?.entry).toMatchObject({ org: "acme", events: 2 });
      expect(await acme.readExecution("m-1", signal)).toHaveLength(2);
      await publish("m-1", "globex", "tool_exec", "mixed");
      await indexed();
      // Two tenants: neither's (fail closed), the conflict noted for those who see it.
      expect(await acme.entry("m-1")).toBeUndefined();
      expect((await admins.entry("m-1"))?.entry).toMatchObject({ events: 3, orgConflict: ["acme", "globex"] });
      expect((await admins.entry("m-1"))?.entry.org).toBeUndefined();
      expect((await admins.readExecution("m-1", signal)).map((m) => m.streamSeq)).toHaveLength(3);
      // Nothing of globex's ever under acme's copies.
      const underAcme = await acme.readExecution("m-1", signal);
      expect(underAcme.every((m) => !Buffer.from(m.data).toString().includes("globex"))).toBe(true);
    } finally {
      await nc.close();
    }
  });
});

describe("an unrestricted viewer", () => {
  it("sees every tenant's executions and those of none, each whole; the index is what the engine makes", async () => {
    const { nc, errors } = await tab({ id: "root" });
    const signal = new AbortController().signal;
    try {
      await indexed();
      const store = (await IndexStore.open(nc, STREAM))!;
      const all = await summaries(store, summaryFilter());
      expect(all.map((e) => e.id).sort()).toEqual([...published.keys()].sort());
      for (const e of all) expect(e.events, e.id).toBe(published.get(e.id));
      expect(all.reduce((n, e) => n + e.events, 0)).toBe(total);
      for (const [x, n] of published) expect(await store.readExecution(x, signal), x).toHaveLength(n);
      expect(await store.workflows(signal)).toEqual([
        "billing",
        "chores",
        "mixed",
        "onboarding",
        "payroll",
        "secret-wf",
      ]);
      const byOrg = (org: string | undefined) =>
        all
          .filter((e) => e.org === org)
          .map((e) => e.id)
          .sort();
      expect(byOrg("acme")).toEqual(["a-1", "a-2", "a-3", "a-4"]);
      expect(byOrg("globex")).toEqual(["g-1", "g-2", "g-3"]);
      expect(byOrg(undefined)).toEqual(["m-1", "n-1"]);
      // Only the ordered reader's tidy-up of its consumers, which no reader may do (they expire by themselves).
      expect(errors.filter((e) => !e.includes(`$JS.API.CONSUMER.DELETE.${names.byExecution}.`))).toEqual([]);
      // And the index is exactly what the engine makes of the stream's messages.
      const expected = expectedIndex(await streamMessages(admin, STREAM));
      const got = await indexContents(admin, STREAM);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [k, v] of expected) expect(decodeEntry(got.get(k)!), k).toEqual(decodeEntry(v));
      expect((await (await jetstreamManager(admin)).streams.info(STREAM)).state.messages).toBe(total);
    } finally {
      await nc.close();
    }
  });
});
