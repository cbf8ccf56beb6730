// The indexer on a 3-node JetStream cluster (loopback, audit stream replicated
// ×3), pointed at all three nodes: while a publisher keeps publishing a seeded
// workload with faults (each line retried until acked), the audit stream's
// leader is killed (SIGKILL), then the indexer is killed -9 and started again
// and indexes on the two nodes left, then the node comes back. Once it has
// caught up, the index must equal the engine's entries made from the stream's
// own messages, every execution's messages read back through the index must be
// exactly the stream's, and the index's own bucket and stream must be R3 like
// the audit stream.
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionOf } from "../audit/execution-of";
import { generateWorkload } from "../audit/testing";
import type { RawMessage } from "../audit/types";
import { indexNames } from "../index/index-keys";
import {
  jetStreamApi,
  startNatsCluster,
  streamLeader,
  type NatsCluster,
  type RunningNatsServer,
} from "../node/nats-server";
import { connectBrowser, type NatsConnection } from "./browser-connection";
import { RetryingPublisher, waitUntil } from "./fault-testing";
import { IndexStore } from "./index-store";
import {
  expectedIndex,
  indexContents,
  IndexerProcess,
  indexerTestsMissing as missing,
  streamMessages,
} from "./index-testing";
import { indexCaughtUp } from "./indexer";

const STREAM = "IDX_CLUSTER";
const SUBJECT = "idx.cluster";

let cluster: NatsCluster;
let nc: NatsConnection;

beforeAll(async () => {
  if (missing !== undefined) return;
  cluster = await startNatsCluster(3);
  // WebSocket for every connection in this process (one transport factory per process), as the indexer uses.
  nc = await connectBrowser({ servers: cluster.wsUrls, stream: "unused", subject: "unused", historyLimit: 0 });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

async function replicatedStream(): Promise<void> {
  await jetStreamApi(nc, `STREAM.CREATE.${STREAM}`, {
    name: STREAM,
    subjects: [SUBJECT],
    num_replicas: 3,
    storage: "file",
  });
  await waitUntil("the audit stream has a leader", () => leaderOf(STREAM).then((l) => l !== undefined));
}

async function leaderOf(stream: string): Promise<string | undefined> {
  return streamLeader(nc, stream).catch(() => undefined);
}

interface WireStreamInfo {
  config: { num_replicas: number };
  state: { messages: number; last_seq: number };
  cluster?: { leader?: string; replicas?: { name: string; current: boolean; offline?: boolean }[] };
}

function streamState(stream: string): Promise<WireStreamInfo> {
  return jetStreamApi<WireStreamInfo>(nc, `STREAM.INFO.${stream}`);
}

/** The stream has a leader and every other peer is a current replica (a node back from the dead has caught up). */
async function allCurrent(stream: string): Promise<boolean> {
  const c = await streamState(stream).then(
    (i) => i.cluster,
    () => undefined,
  );
  const peers = c?.replicas ?? [];
  return c?.leader !== undefined && peers.length === 2 && peers.every((r) => r.current && r.offline !== true);
}

/**
 * Summaries written so far (the KV bucket's last sequence: one per write), as the server says; 0 while it
 * cannot say (an election). Not a key listing: one of those in flight when a leader dies may never end.
 */
async function written(): Promise<number> {
  return streamState(`KV_${indexNames(STREAM).bucket}`).then(
    (i) => i.state.last_seq,
    () => 0,
  );
}

/** written(), once the server answers. */
async function writtenNow(): Promise<number> {
  let n = 0;
  await until("the KV bucket answers", async () => (n = await written()) > 0, 30_000);
  return n;
}

/** A stored summary's event count, for a readable list of the wrong ones. */
function eventsOf(value: string | undefined): number | string {
  return value === undefined ? "none" : ((JSON.parse(value) as { events?: number }).events ?? "?");
}

/** What a read must give back of each message: where it lies in the audit stream, and its bytes. */
function asRead(msgs: readonly RawMessage[]) {
  return msgs.map((m) => [m.streamSeq, m.receivedMs, m.subject, Buffer.from(m.data).toString("base64")]);
}

/** The indexer has every message of the stream acknowledged (false while the cluster cannot say). */
function caughtUp(): Promise<boolean> {
  return indexCaughtUp(nc, STREAM).catch(() => false);
}

/** waitUntil, saying how the publisher fares when it times out (the test prints the indexers' output). */
async function until(what: string, pred: () => boolean | Promise<boolean>, ms: number, pub?: RetryingPublisher) {
  try {
    await waitUntil(what, pred, ms);
  } catch (e) {
    const p = pub ? `\npublisher: ${pub.acked} acked, ${pub.retries} retries, last error ${pub.lastError}` : "";
    throw new Error(`${(e as Error).message}${p}`);
  }
}

describe("the indexer on a 3-node cluster", () => {
  it("ends equal to the stream after losing the stream leader and a kill -9 mid-stream", async (ctx) => {
    ctx.skip(missing !== undefined, `skipped: ${missing}`);
    await replicatedStream();
    // A workload larger than what is published: the publisher is stopped once every fault has happened.
    const { messages } = generateWorkload({ seed: 41, executions: 400, faultRate: 0.05 });
    const lines = [...new Map(messages.map((m) => [m.streamSeq, m])).values()].map((m) =>
      new TextDecoder().decode(m.data),
    );
    const procs: IndexerProcess[] = [];
    // What the indexers said, when anything fails (soft failures included).
    ctx.onTestFailed(() => console.log(`indexer output:\n${procs.map((p) => p.out).join("---\n")}`));
    let victim: RunningNatsServer | undefined;
    let pub: RetryingPublisher | undefined;
    try {
      procs.push(new IndexerProcess(cluster.wsUrls, STREAM, ["--batch", "100"]));
      await until("the indexer is active", () => procs[0]!.active, 30_000);
      pub = new RetryingPublisher(nc, SUBJECT, {
        workers: 2,
        pauseMs: 5,
        limit: lines.length,
        line: (i) => lines[i]!,
      }).start();
      await until("the indexer has written some summaries", async () => (await written()) > 5, 30_000, pub);

      // The audit stream's leader, SIGKILL: an election for the stream (and whatever else it led) under load.
      const leader = await streamLeader(nc, STREAM);
      victim = cluster.nodes.find((n) => n.serverName === leader);
      expect(victim, `the leader ${leader} is a node`).toBeDefined();
      const before = await writtenNow();
      const ackedAtKill = pub.acked;
      await victim!.kill("SIGKILL");
      await until(
        "the stream has a new leader",
        async () => ((await leaderOf(STREAM)) ?? leader) !== leader,
        30_000,
        pub,
      );
      // JetStream itself usable again on the two nodes left (a meta leader, current peers): from here on the
      // indexer has what it needs, and must go on.
      await cluster.waitForJetStream();
      await until(
        "publishing and indexing go on without the node",
        async () => pub!.acked > ackedAtKill + 200 && (await written()) > before + 20,
        30_000,
        pub,
      );

      // kill -9 the indexer mid-stream; a new one takes over once the dead one's lease expires.
      await procs[0]!.kill("SIGKILL");
      procs.push(new IndexerProcess(cluster.wsUrls, STREAM, ["--batch", "100"]));
      await until("the new indexer is active", () => procs[1]!.active, 30_000, pub);
      const ackedAtTakeover = pub.acked;
      const writtenAtTakeover = await writtenNow();
      await until(
        "the new indexer indexes live traffic",
        async () => pub!.acked > ackedAtTakeover + 200 && (await written()) > writtenAtTakeover + 20,
        30_000,
        pub,
      );

      await victim!.start();
      await cluster.waitForJetStream();
      const acked = await pub.stop();
      expect(acked).toBeLessThan(lines.length); // it was stopped, not run dry: the faults happened mid-stream

      // Each line once: retries the server had already stored were dropped by their message id.
      expect((await streamState(STREAM)).state.messages).toBe(acked);
      await until("the indexer has acknowledged every message", caughtUp, 60_000);
      // Read what the cluster agrees on: the node that came back has caught up on every stream read below.
      const names = indexNames(STREAM);
      for (const s of [STREAM, `KV_${names.bucket}`, names.byExecution])
        await until(`every replica of ${s} is current`, () => allCurrent(s), 30_000);

      const msgs = await streamMessages(nc, STREAM);
      expect(msgs).toHaveLength(acked);
      const expected = expectedIndex(msgs);
      expect(expected.size).toBeGreaterThan(20);
      const got = await indexContents(nc, STREAM);
      expect.soft([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      // Entry by entry, soft: every wrong one is listed (with its event count against the stream's), then the first in full.
      const wrong = [...expected]
        .filter(([k, v]) => got.get(k) !== v)
        .map(([k, v]) => `${k}: ${eventsOf(got.get(k))} events indexed, ${eventsOf(v)} in the stream`);
      expect.soft(wrong, "summaries that differ from the stream's").toEqual([]);
      const firstWrong = [...expected].find(([k, v]) => got.get(k) !== v);
      if (firstWrong) expect.soft(got.get(firstWrong[0]), firstWrong[0]).toBe(firstWrong[1]);

      // Every execution's messages through the index: the audit stream's, each once, in order.
      const store = await IndexStore.open(nc, STREAM);
      expect(store).toBeDefined();
      const signal = new AbortController().signal;
      const byExec = new Map<string, RawMessage[]>();
      for (const m of msgs) {
        const x = executionOf(m);
        if (x !== undefined) (byExec.get(x) ?? byExec.set(x, []).get(x)!).push(m);
      }
      const unlike: string[] = [];
      for (const [id, want] of byExec) {
        const back = await store!.readExecution(id, signal);
        if (isDeepStrictEqual(asRead(back), asRead(want))) continue;
        const seqs = new Set(back.map((m) => m.streamSeq));
        const absent = want.filter((m) => !seqs.has(m.streamSeq)).map((m) => m.streamSeq);
        unlike.push(`${id}: ${back.length} read back, ${want.length} in the stream; missing seqs ${absent.join(" ")}`);
      }
      expect.soft(unlike, "executions whose messages read back differ from the stream's").toEqual([]);

      // The index lives on the cluster as the audit stream does: R3.
      expect((await streamState(`KV_${names.bucket}`)).config.num_replicas).toBe(3);
      expect((await streamState(names.byExecution)).config.num_replicas).toBe(3);
    } finally {
      await pub?.stop();
      for (const p of procs) await p.stop();
      if (victim && !victim.running) await victim.start();
    }
  }, 150_000);
});
