// The browser's live reader on a 3-node JetStream cluster (loopback, stream
// replicated ×3): losing the node the tab is connected to, and losing the
// stream's leader, while a publisher keeps publishing. The tab's consumer is an
// R1 memory consumer on one node, so either fault can take it away; the reader
// must end with exactly the stream's messages and say live.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetStreamApi, startNatsCluster, streamLeader, type NatsCluster } from "../node/nats-server";
import { connectBrowser, type NatsConnection } from "./browser-connection";
import { RecordingReader, RetryingPublisher, lastSeqOf, lostAndDoubled, waitUntil } from "./fault-testing";

let cluster: NatsCluster;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  // WebSocket for every connection in this process (one transport factory per process).
  nc = await connectBrowser({ servers: cluster.wsUrls, stream: "unused", subject: "unused", historyLimit: 0 });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

let n = 0;
async function replicatedStream() {
  const names = { stream: `CLUSTER_${++n}`, subject: `cluster.${n}` };
  await jetStreamApi(nc, `STREAM.CREATE.${names.stream}`, {
    name: names.stream,
    subjects: [names.subject],
    num_replicas: 3,
    storage: "file",
  });
  await waitUntil("the stream has a leader", () =>
    streamLeader(nc, names.stream).then(
      () => true,
      () => false,
    ),
  );
  return names;
}

async function exact(reader: RecordingReader, stream: string, acked: number) {
  let last = 0;
  await waitUntil(
    "the reader holds the stream's last seq and says live",
    async () => {
      last = await lastSeqOf(nc, stream).catch(() => -1);
      return last > 0 && reader.caughtUpTo(last);
    },
    60_000,
  );
  expect(last).toBe(acked);
  expect(lostAndDoubled(reader.seqs, 1, last)).toEqual({ lost: 0, doubled: 0 });
  expect(reader.status).toMatchObject({ phase: "live", behind: 0 });
}

describe("the live reader on a 3-node cluster", () => {
  it("loses the node it is connected to and resumes on another", async () => {
    const { stream, subject } = await replicatedStream();
    const reader = await new RecordingReader(cluster.wsUrls, stream).start();
    const pub = new RetryingPublisher(nc, subject, { workers: 2, pauseMs: 5 }).start();
    const victim = cluster.nodes.find((node) => reader.server()?.endsWith(`:${node.wsPort}`));
    try {
      expect(victim).toBeDefined();
      await waitUntil("messages flow", () => reader.seqs.length > 200);
      await victim!.kill("SIGKILL");
      await waitUntil(
        "the reader is on another node",
        () =>
          reader.seqs.length > 0 && reader.server() !== undefined && !reader.server()!.endsWith(`:${victim!.wsPort}`),
        30_000,
      );
      const mid = reader.seqs.length;
      await waitUntil("messages flow after the failover", () => reader.seqs.length > mid + 200, 40_000);
      await victim!.start();
      const acked = await pub.stop();
      await exact(reader, stream, acked);
      expect(reader.count("reconnect")).toBeGreaterThanOrEqual(1);
    } finally {
      await pub.stop();
      await reader.stop();
      if (victim && !victim.running) await victim.start();
      // The next test places an R3 stream: every peer must be back and current first.
      await cluster.waitForJetStream();
    }
  }, 120_000);

  it("loses the stream leader and follows the new one", async () => {
    const { stream, subject } = await replicatedStream();
    const reader = await new RecordingReader(cluster.wsUrls, stream).start();
    const pub = new RetryingPublisher(nc, subject, { workers: 2, pauseMs: 5 }).start();
    const leaderName = await streamLeader(nc, stream);
    const leader = cluster.nodes.find((node) => node.serverName === leaderName)!;
    try {
      await waitUntil("messages flow", () => reader.seqs.length > 200);
      await leader.kill("SIGKILL");
      await waitUntil(
        "a new leader",
        () =>
          streamLeader(nc, stream).then(
            (l) => l !== leaderName,
            () => false,
          ),
        40_000,
      );
      await cluster.waitForJetStream();
      const mid = reader.seqs.length;
      await waitUntil("messages flow under the new leader", () => reader.seqs.length > mid + 200, 40_000);
      await leader.start();
      const acked = await pub.stop();
      await exact(reader, stream, acked);
    } finally {
      await pub.stop();
      await reader.stop();
      if (!leader.running) await leader.start();
      await cluster.waitForJetStream();
    }
  }, 120_000);
});
