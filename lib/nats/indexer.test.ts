// The indexer against a real nats-server: what it stores equals what the
// engine makes of the stream's own messages, however it got there — in one
// go, through a kill -9 mid-stream, with two indexers at once and the active
// one killed, or rebuilt from scratch — and every execution's messages read
// back through the index are exactly the stream's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import { AuditLog } from "../audit/audit-log";
import { invocationKey } from "../audit/context-ref";
import { executionOf } from "../audit/execution-of";
import { FORGE_MIXED_EXPECT, FORGE_MIXED_LINES } from "../audit/forge-fixtures";
import { entryToSummary, type IndexEntry } from "../index/index-entry";
import { exactFilters } from "../index/index-query";
import { decodeProcessEntry, LEDGER_KEY, processEntries, processKey } from "../index/process-entry";
import { readLedgerKeys } from "./process-index";
import { sha256Hex } from "../audit/sha256";
import { generateWorkload } from "../audit/testing";
import type { RawMessage } from "../audit/types";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectBrowser, type NatsConnection } from "./browser-connection";
import { waitUntil } from "./fault-testing";
import { IndexStore } from "./index-store";
import { expectedIndex, indexContents, IndexerProcess, streamMessages } from "./index-testing";
import { indexCaughtUp, Indexer } from "./indexer";
import { ensureStream } from "./stream";

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectBrowser({ servers: [server.wsUrl], stream: "unused", subject: "unused", historyLimit: 0 });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

let streamNo = 0;
async function freshStream() {
  const names = { stream: `IDX_${++streamNo}`, subject: `idx.${streamNo}` };
  await ensureStream(nc, names);
  return names;
}

/** Publishes a seeded workload's lines in order; resolves with how many the stream acked. */
async function publish(subject: string, seed: number, executions: number, paceEvery = 0): Promise<number> {
  const js = jetstream(nc);
  const { messages } = generateWorkload({ seed, executions, faultRate: 0.05 });
  const once = [...new Map(messages.map((m) => [m.streamSeq, m])).values()];
  for (let i = 0; i < once.length; i++) {
    await js.publish(subject, (once[i] as RawMessage).data);
    if (paceEvery > 0 && i % paceEvery === 0) await new Promise((ok) => setTimeout(ok, 5));
  }
  return once.length;
}

async function expectIndexOf(stream: string) {
  await waitUntil("the indexer has acknowledged every message", () => indexCaughtUp(nc, stream), 60_000);
  const expected = expectedIndex(await streamMessages(nc, stream));
  expect(expected.size).toBeGreaterThan(5);
  const got = await indexContents(nc, stream);
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, v] of expected) expect(got.get(k), k).toBe(v);
  return got;
}

/** waitUntil, saying what the indexer processes printed when it times out. */
async function until(what: string, pred: () => boolean | Promise<boolean>, ms: number, ...procs: IndexerProcess[]) {
  try {
    await waitUntil(what, pred, ms);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${procs.map((p) => p.out).join("\n---\n")}`);
  }
}

describe("indexer", () => {
  it("stores what the engine makes of each execution, and reads every execution back exactly", async () => {
    const { stream, subject } = await freshStream();
    // Hostile ids too: one with the characters of markup and subjects, one far too long for a subject token.
    const odd = ['"><svg onload=alert(1)> a.b*>', `run-${"x".repeat(5_000)}`];
    const js = jetstream(nc);
    for (const id of odd)
      await js.publish(
        subject,
        JSON.stringify({ ts: "2025-01-15T10:00:00Z", event: "workflow_started", workflow_execution_id: id, seq: 1 }),
      );
    // And a line as big as the server takes: its copy cannot carry it again with headers (it goes by reference).
    const big = "run-big";
    const line = { ts: "2025-01-15T10:00:00Z", event: "tool_exec", workflow_execution_id: big, seq: 1, note: "" };
    line.note = "n".repeat((nc.info?.max_payload ?? 1_048_576) - JSON.stringify(line).length - 64);
    await js.publish(subject, JSON.stringify(line));
    odd.push(big);
    const published = odd.length + (await publish(subject, 11, 30));
    const stop = new AbortController();
    const indexer = new Indexer(nc, { stream, batch: 200 });
    const running = indexer.run(stop.signal);
    try {
      await expectIndexOf(stream);
      expect(indexer.stats.messagesIndexed).toBe(published);
      // Each execution's messages through the index: the audit stream's, each once, in order.
      const store = (await IndexStore.open(nc, stream))!;
      const all = await streamMessages(nc, stream);
      const ids = [...new Set(all.map((m) => executionOf(m)).filter((x) => x !== undefined))];
      expect(ids.slice(0, 3)).toEqual(odd);
      for (const id of ids.slice(0, 8)) {
        const want = all.filter((m) => executionOf(m) === id);
        const got = await store.readExecution(id, stop.signal);
        expect(got.map((m) => m.streamSeq)).toEqual(want.map((m) => m.streamSeq));
        expect(got.map((m) => Buffer.from(m.data).toString())).toEqual(want.map((m) => Buffer.from(m.data).toString()));
        expect(got.map((m) => m.receivedMs)).toEqual(want.map((m) => m.receivedMs));
        expect((await store.entry(id))?.entry.events).toBeGreaterThan(0);
      }
      expect(await store.readExecution("no-such-run", stop.signal)).toEqual([]);
      expect(await store.entry("no-such-run")).toBeUndefined();
    } finally {
      stop.abort();
      await running;
    }
  }, 90_000);

  it("indexes invocations outside any run like executions, and counts what belongs to neither", async () => {
    const { stream, subject } = await freshStream();
    const js = jetstream(nc);
    for (const line of FORGE_MIXED_LINES) await js.publish(subject, line);
    const stop = new AbortController();
    const indexer = new Indexer(nc, { stream, batch: 7 });
    const running = indexer.run(stop.signal);
    try {
      await waitUntil("the indexer has acknowledged every message", () => indexCaughtUp(nc, stream), 60_000);
      const all = await streamMessages(nc, stream);
      const expected = expectedIndex(all);
      const got = await indexContents(nc, stream);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [k, v] of expected) expect(got.get(k), k).toBe(v);
      expect(indexer.stats.messagesIndexed).toBe(FORGE_MIXED_EXPECT.lines);
      expect(indexer.stats.outsideExecutions).toBe(FORGE_MIXED_EXPECT.outside);
      const store = (await IndexStore.open(nc, stream))!;
      const kinds = [...got.values()].map((v) => entryToSummary(JSON.parse(v) as IndexEntry, 0, 1).kind);
      expect(kinds.filter((k) => k === "execution")).toHaveLength(FORGE_MIXED_EXPECT.executions);
      expect(kinds.filter((k) => k === "invocation")).toHaveLength(FORGE_MIXED_EXPECT.invocations);
      for (const corr of FORGE_MIXED_EXPECT.standalone) {
        const key = invocationKey(corr);
        const want = all.filter((m) => executionOf(m) === key);
        const read = await store.readExecution(key, stop.signal);
        expect(read.map((m) => m.streamSeq)).toEqual(want.map((m) => m.streamSeq));
        expect(want.length).toBeGreaterThan(0);
      }
      // The agent invocation inside the run is the run's, not one of its own.
      expect(await store.entry(invocationKey(FORGE_MIXED_EXPECT.inRunCorrelationId))).toBeUndefined();
      // Found by an exact search for its correlation id, as the list asks the index.
      const exact = exactFilters({ search: "a1b2c3d4" });
      const found: string[] = [];
      for (const f of exact) await store.readSummaries(f, (_k, e) => e && found.push(e.id), stop.signal);
      expect(found).toEqual([invocationKey("a1b2c3d4")]);
    } finally {
      stop.abort();
      await running;
    }
  }, 90_000);

  it("keeps each producer process's ledger in the index, equal to the engine's over the whole stream, across a restart", async () => {
    const { stream, subject } = await freshStream();
    const js = jetstream(nc);
    const publishChained = async (seed: number, executions: number) => {
      // Chained lines, some dropped before they reach the stream: the breaks are where the engine finds them.
      const { messages } = generateWorkload({ seed, executions, faultRate: 0.08, faults: ["drop"], hash: sha256Hex });
      for (const m of new Map(messages.map((x) => [x.streamSeq, x])).values()) await js.publish(subject, m.data);
    };
    const ledgerInIndex = async () => {
      const store = await IndexStore.open(nc, stream);
      return store === undefined ? new Map<string, string>() : readLedgerKeys(store.kv);
    };
    const expectLedgerOfStream = async () => {
      const all = await streamMessages(nc, stream);
      const log = new AuditLog();
      log.add(all);
      const want = processEntries(log.processLedger());
      await waitUntil(
        "the index's ledger has read the whole stream",
        async () => (await ledgerInIndex()).get(LEDGER_KEY) === want.get(LEDGER_KEY),
        60_000,
      );
      const got = await ledgerInIndex();
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, v] of want) expect(got.get(k), k).toBe(v);
      return log.processLedger();
    };
    await publishChained(21, 12);
    let stop = new AbortController();
    let running = new Indexer(nc, { stream, batch: 50, ledgerFlushMs: 100 }).run(stop.signal);
    try {
      const ledger = await expectLedgerOfStream();
      // The drops broke chains: each break is in the index at exactly the stream sequence the engine names.
      const broken = ledger.processes.filter((p) => p.status === "breaks");
      expect(broken.length).toBeGreaterThan(0);
      const store = (await IndexStore.open(nc, stream))!;
      for (const p of broken) {
        const e = await store.kv.get(processKey(p.id));
        const entry = decodeProcessEntry(e!.string())!;
        expect(entry.process.breaks.map((b) => b.at)).toEqual(p.breaks.map((b) => b.at));
      }
    } finally {
      stop.abort();
      await running;
    }
    // Stopped, more written, started again: the new holder reads the stream again and carries on.
    await publishChained(22, 6);
    stop = new AbortController();
    running = new Indexer(nc, { stream, batch: 50, ledgerFlushMs: 100 }).run(stop.signal);
    try {
      await expectLedgerOfStream();
    } finally {
      stop.abort();
      await running;
    }
  }, 120_000);

  it("stopped mid-batch again and again, never leaves a partial summary behind", async () => {
    const { stream, subject } = await freshStream();
    await publish(subject, 14, 40);
    const runFor = async (ms: number | undefined) => {
      const stop = new AbortController();
      const running = new Indexer(nc, { stream, batch: 50 }).run(stop.signal);
      if (ms === undefined) await expectIndexOf(stream);
      else await new Promise((ok) => setTimeout(ok, ms));
      stop.abort();
      await running;
    };
    await runFor(undefined);
    // The same lines again (duplicates of every execution's messages), and indexers stopped early while they
    // bring the executions back from their copies: what they leave must still be whole.
    await publish(subject, 14, 40);
    for (let ms = 30; ms <= 600; ms += 30) await runFor(ms);
    await runFor(undefined);
  }, 120_000);

  it("ends identical to a rebuilt index after kill -9 mid-stream and a restart", async () => {
    const { stream, subject } = await freshStream();
    let p = new IndexerProcess([server.wsUrl], stream, ["--batch", "50"]);
    try {
      const publishing = publish(subject, 12, 40, 20);
      await until(
        "the indexer has written some summaries",
        async () => (await indexContents(nc, stream)).size > 5,
        60_000,
        p,
      );
      await p.kill("SIGKILL");
      await publishing;
      p = new IndexerProcess([server.wsUrl], stream, ["--batch", "50"]);
      const kept = await expectIndexOf(stream);
      await p.stop();
      // From scratch: the same index, entry for entry.
      p = new IndexerProcess([server.wsUrl], stream, ["--rebuild"]);
      await until("the rebuild has begun", () => /rebuilding/.test(p.out), 30_000, p);
      const rebuilt = await expectIndexOf(stream);
      expect(rebuilt).toEqual(kept);
    } finally {
      await p.stop();
    }
  }, 180_000);

  it("with two indexers one stands by, takes over when the active one is killed, and nothing is lost", async () => {
    const { stream, subject } = await freshStream();
    const a = new IndexerProcess([server.wsUrl], stream, ["--batch", "50"]);
    await until("one indexer is active", () => a.active, 30_000, a);
    const b = new IndexerProcess([server.wsUrl], stream, ["--batch", "50"]);
    try {
      await until("the second stands by", () => /standing by/.test(b.out), 30_000, a, b);
      const publishing = publish(subject, 13, 40, 20);
      await until(
        "the first has written some summaries",
        async () => (await indexContents(nc, stream)).size > 5,
        60_000,
        a,
        b,
      );
      expect(b.active).toBe(false);
      await a.kill("SIGKILL");
      await publishing;
      await until("the second takes over", () => b.active, 30_000, a, b);
      await expectIndexOf(stream);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 180_000);
});
