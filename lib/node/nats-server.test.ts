// The test server helper against real nats-servers: ports the server chooses, restarts and
// crashes that keep the JetStream store and the URL, and a three-node JetStream cluster that
// loses the node leading a stream and gets it back.
import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeWire } from "../audit/testing";
import { connectBrowser } from "../nats/browser-connection";
import { connectNode, type NatsConnection } from "../nats/node-connection";
import { AuditPublisher } from "../nats/publish";
import { ensureStream, streamInfo } from "../nats/stream";
import {
  holdPort,
  jetStreamApi,
  natsServerAtLeast,
  natsServerVersion,
  startNatsCluster,
  startNatsServer,
  streamLeader,
  type NatsCluster,
  type RunningNatsServer,
} from "./nats-server";

const names = { stream: "X", subject: "x" };

const line = (seq: number): string => JSON.stringify(makeWire({ seq }, Date.UTC(2026, 10, 24, 10, 0, seq)));

async function publishMany(nc: NatsConnection, subject: string, n: number): Promise<void> {
  const pub = new AuditPublisher(nc, subject);
  for (let i = 1; i <= n; i++) await pub.publish(line(i));
}

async function messages(nc: NatsConnection, stream = names.stream): Promise<number> {
  return (await streamInfo(nc, stream)).state.messages;
}

/** Resolves on the connection's next status of this type; call it before causing the event. */
function nextStatus(nc: NatsConnection, type: string): Promise<void> {
  const statuses = nc.status();
  return (async () => {
    for await (const s of statuses) if (s.type === type) return;
  })();
}

describe("startNatsServer", () => {
  it("listens on ports the server chose, for nats:// and ws:// clients of the same server", async () => {
    const held = await holdPort();
    const server = await startNatsServer();
    const nc = await connectNode(server.url);
    const ws = await connectBrowser({ servers: [server.wsUrl], ...names, historyLimit: 0 });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.wsPort).toBeGreaterThan(0);
      expect(new Set([server.port, server.wsPort, held.port]).size).toBe(3);
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.wsPort}`);
      expect(nc.info?.port).toBe(server.port);

      // A message from the Node client reaches the WebSocket client: one server behind both URLs.
      // (Both transports in one process is fine here: neither connection has to reconnect.)
      const sub = ws.subscribe("hello", { max: 1 });
      await ws.flush();
      nc.publish("hello", "over the wire");
      for await (const m of sub) expect(m.string()).toBe("over the wire");
    } finally {
      await ws.close();
      await nc.close();
      await server.stop();
      await held.close();
    }
    expect(existsSync(server.storeDir)).toBe(false);
  });

  it("still listens on explicit ports (npm start)", async () => {
    const [a, b] = await Promise.all([holdPort(), holdPort()]);
    await Promise.all([a.close(), b.close()]);
    const server = await startNatsServer({ port: a.port, wsPort: b.port });
    try {
      expect([server.port, server.wsPort]).toEqual([a.port, b.port]);
      const nc = await connectNode(server.url);
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});

describe("a server that goes down and comes back", () => {
  // One server, one stream: every restart below must leave the messages in it.
  let server: RunningNatsServer;
  let nc: NatsConnection;
  const N = 20;

  beforeAll(async () => {
    server = await startNatsServer();
    // The client that stays connected throughout: it reconnects to the same URL after each restart.
    nc = await connectNode(server.url);
    await ensureStream(nc, names);
    await publishMany(nc, names.subject, N);
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it.each(["SIGTERM", "SIGKILL"] as const)("restart by %s keeps the stream, its messages and the port", async (sig) => {
    const before = { port: server.port, wsPort: server.wsPort, pid: server.pid };
    const count = await messages(nc);
    expect(count).toBeGreaterThanOrEqual(N);

    const reconnected = nextStatus(nc, "reconnect");
    await server.restart({ signal: sig });
    await reconnected;

    expect(server.pid).not.toBe(before.pid);
    expect({ port: server.port, wsPort: server.wsPort }).toEqual({ port: before.port, wsPort: before.wsPort });
    expect(await messages(nc)).toBe(count);
    await new AuditPublisher(nc, names.subject).publish(line(N + 1));
    expect(await messages(nc)).toBe(count + 1);
  });

  // From here on fresh connections: the long-lived one would spend its 2 s reconnect wait each time.
  it("is really down for downMs", async () => {
    const restarted = server.restart({ signal: "SIGKILL", downMs: 300 });
    await vi.waitFor(() => expect(server.running).toBe(false), { interval: 10 });
    await expect(connectNode(server.url)).rejects.toThrow();
    await restarted;
    expect(server.running).toBe(true);
    const fresh = await connectNode(server.url);
    expect(await messages(fresh)).toBeGreaterThan(N);
    await fresh.close();
  });

  it("kill() then start(): down in between, back on the same port and store", async () => {
    const before = await connectNode(server.url);
    const count = await messages(before);
    await before.close();
    const { pid, port } = server;
    await server.kill("SIGKILL");
    expect(server.running).toBe(false);
    await expect(connectNode(server.url)).rejects.toThrow();
    // A crash leaves the server's ports file behind; the next start must not read a stale one.
    expect(readdirSync(server.storeDir).filter((f) => f.endsWith(".ports"))).toEqual([]);

    await server.start();
    expect(server.pid).not.toBe(pid);
    expect(server.port).toBe(port);
    const after = await connectNode(server.url);
    expect(await messages(after)).toBe(count);
    await after.close();
    await expect(server.start()).rejects.toThrow(/already running/);
  });

  it("stop() after kill() removes the temporary store, and is safe to repeat", async () => {
    const other = await startNatsServer();
    await other.kill();
    await other.stop();
    await other.stop();
    expect(existsSync(other.storeDir)).toBe(false);
    await expect(other.start()).rejects.toThrow(/stopped for good/);
  });
});

describe("startNatsCluster", () => {
  // n1..n3 with an R3 stream; the node leading the stream crashes, a survivor keeps serving it,
  // and the crashed node comes back on its own ports and store and catches up.
  let cluster: NatsCluster;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it("starts three named nodes with JetStream usable on each", async () => {
    expect(cluster.nodes.map((n) => n.serverName)).toEqual(["n1", "n2", "n3"]);
    expect(new Set(cluster.urls).size).toBe(3);
    expect(new Set(cluster.wsUrls).size).toBe(3);
    for (const url of cluster.urls) {
      const nc = await connectNode(url);
      await expect(jetStreamApi(nc, "INFO")).resolves.toMatchObject({ type: expect.stringMatching(/account_info/) });
      await nc.close();
    }
  });

  it("an R3 stream survives losing its leader, and the leader's node rejoins", async () => {
    const conns: NatsConnection[] = [];
    const connect = async (url: string) => {
      const nc = await connectNode(url);
      conns.push(nc);
      return nc;
    };
    try {
      const admin = await connect(cluster.urls[0]!);
      await jetStreamApi(admin, "STREAM.CREATE.R3", {
        name: "R3",
        subjects: ["r3"],
        num_replicas: 3,
        storage: "file",
      });
      await publishMany(admin, "r3", 10);
      const leader = await streamLeader(admin, "R3");
      const lost = cluster.nodes.find((n) => n.serverName === leader)!;
      const survivor = cluster.nodes.find((n) => n !== lost)!;
      const nc = await connect(survivor.url);

      const lostPort = lost.port;
      await lost.kill("SIGKILL");
      const newLeader = await vi.waitFor(
        async () => {
          const l = await streamLeader(nc, "R3");
          expect(l).not.toBe(leader);
          return l;
        },
        { timeout: 20_000, interval: 200 },
      );
      expect(cluster.nodes.map((n) => n.serverName)).toContain(newLeader);
      // The lost node may have led the meta group too: account-level calls (the client's
      // $JS.API.INFO) wait for the survivors to elect a new meta leader.
      await cluster.waitForJetStream();
      expect(await messages(nc, "R3")).toBe(10);
      await publishMany(nc, "r3", 5);
      expect(await messages(nc, "R3")).toBe(15);

      await lost.start();
      expect(lost.port).toBe(lostPort);
      await cluster.waitForJetStream();
      await vi.waitFor(
        async () => {
          const info = await streamInfo(nc, "R3");
          const back = info.cluster?.replicas?.find((r) => r.name === leader);
          expect(back?.current).toBe(true);
        },
        { timeout: 20_000, interval: 200 },
      );
      // Straight from the node that was down: its store has the messages published without it.
      const direct = await connect(lost.url);
      expect(await messages(direct, "R3")).toBe(15);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  }, 45_000);

  it("comes back whole after every node went down: each config has the full route list", async () => {
    // No survivor to tell a node where the others are: each must find them from its own config.
    const pids = cluster.nodes.map((n) => n.pid);
    const before = await connectNode(cluster.urls[0]!);
    const count = await messages(before, "R3");
    await before.close();
    await Promise.all(cluster.nodes.map((n) => n.kill("SIGTERM")));
    expect(cluster.nodes.some((n) => n.running)).toBe(false);
    await Promise.all(cluster.nodes.map((n) => n.start()));
    await cluster.waitForJetStream();
    expect(cluster.nodes.map((n) => n.pid)).not.toEqual(expect.arrayContaining(pids));
    const nc = await connectNode(cluster.urls[2]!);
    try {
      await vi.waitFor(
        async () => {
          await streamLeader(nc, "R3");
          expect(await messages(nc, "R3")).toBe(count);
        },
        { timeout: 20_000, interval: 200 },
      );
    } finally {
      await nc.close();
    }
  }, 45_000);
});

describe("natsServerVersion", () => {
  it("reads the installed version and compares it", () => {
    const v = natsServerVersion();
    expect(v).toMatch(/^\d+\.\d+\.\d+/);
    const [major = 0, minor = 0] = v.split(".").map(Number);
    expect(natsServerAtLeast(major, minor)).toBe(true);
    expect(natsServerAtLeast(major, minor + 1)).toBe(false);
    expect(natsServerAtLeast(major + 1, 0)).toBe(false);
    expect(natsServerAtLeast(major - 1, 99)).toBe(true);
    expect(natsServerAtLeast(2, 9)).toBe(true);
  });

  it("gates a 2.10 feature (stream metadata), skipped with the reason on older servers", async (ctx) => {
    ctx.skip(!natsServerAtLeast(2, 10), `stream metadata needs nats-server 2.10+, this is ${natsServerVersion()}`);
    const server = await startNatsServer();
    const nc = await connectNode(server.url);
    try {
      const created = await jetStreamApi<{ config: { metadata?: Record<string, string> } }>(nc, "STREAM.CREATE.M", {
        name: "M",
        subjects: ["m"],
        metadata: { owner: "seqscope" },
      });
      expect(created.config.metadata).toMatchObject({ owner: "seqscope" });
    } finally {
      await nc.close();
      await server.stop();
    }
  });
});
