// Runs a private nats-server (JetStream + WebSocket) as a child process: used by
// `npm start`, the integration tests and the browser tests; as a cluster, by the failover
// tests. Node-only. Modelled on nats.js's launcher (nst/src/launcher.ts): the server chooses
// its own ports (`-1`) and reports them in a ports file, so parallel test workers never race
// for a port, and after the first start the ports are frozen into the config so that a
// restart comes back where clients left it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { NATS_SERVER_HELP, findNatsServer } from "./binaries.mjs";
import { connectNode, type NatsConnection, type NodeAuth } from "../nats/node-connection";

export interface NatsServerOptions {
  /** Client port. 0 or omitted: the server chooses one (read back from its ports file). */
  port?: number;
  /** WebSocket port. 0 or omitted: the server chooses one. */
  wsPort?: number;
  /** JetStream store folder; a fresh temporary one (removed on stop) when omitted. */
  storeDir?: string;
  /** Where the config, the ports file and the log go; defaults to the store folder. */
  workDir?: string;
  /** `server_name`; JetStream clustering needs a distinct one per node. */
  serverName?: string;
  /** HTTP monitoring (/varz, /jsz) on a loopback port the server chooses, at `monitorUrl`. */
  monitoring?: boolean;
  /** Be a cluster node. `routes` are the other nodes' cluster URLs; startNatsCluster fills this in. */
  cluster?: { name: string; port?: number; routes: string[] };
  /** More nats-server config, appended verbatim (tests use it for authorization blocks). */
  extraConfig?: string;
  /**
   * Own process group, so a terminal's Ctrl-C reaches only the owner, which stops it in order
   * (`npm start`). Tests leave it off: Ctrl-C on a test run must take the server down too.
   */
  detached?: boolean;
}

export type StopSignal = "SIGTERM" | "SIGKILL";

export interface RestartOptions {
  /** SIGTERM (default) waits for a graceful shutdown; SIGKILL is a crash. */
  signal?: StopSignal;
  /** How long the server stays down before it starts again. */
  downMs?: number;
}

export interface RunningNatsServer {
  /** nats://127.0.0.1:port, for Node clients. Stable across restarts. */
  readonly url: string;
  /** ws://127.0.0.1:port, for browsers. Stable across restarts. */
  readonly wsUrl: string;
  readonly port: number;
  readonly wsPort: number;
  /** The current process, or the last one while the server is down. */
  readonly pid: number;
  readonly serverName: string;
  /** nats://127.0.0.1:port of the route listener, for cluster nodes. */
  readonly clusterUrl: string | undefined;
  /** http://127.0.0.1:port with `monitoring`; the port changes on every start (see `renderConfig`). */
  readonly monitorUrl: string | undefined;
  readonly storeDir: string;
  /** A process is up (it may still be starting). */
  readonly running: boolean;
  /** What the server printed, across all its processes (the newest part). */
  log(): string;
  /** Stops the process and resolves once it has exited; `start()` brings it back. Default SIGTERM. */
  kill(signal?: StopSignal): Promise<void>;
  /** Starts it again on the same config, store and ports; resolves when it is ready. */
  start(): Promise<void>;
  /** `kill(signal)`, `downMs` of downtime, `start()`. */
  restart(opts?: RestartOptions): Promise<void>;
  /** Sends a raw signal (SIGHUP reloads, SIGUSR2 is lame-duck mode) without waiting for anything. */
  signal(sig: NodeJS.Signals): void;
  /** Final: stops the process and removes a temporary store. Safe after `kill()` and when repeated. */
  stop(): Promise<void>;
}

export class NatsServerError extends Error {}

export async function freePort(): Promise<number> {
  const held = await holdPort();
  await held.close();
  return held.port;
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<RunningNatsServer> {
  const server = new NatsServerProcess(opts);
  await server.firstStart();
  return server;
}

/** SIGTERM, then SIGKILL if it lingers; resolves once the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      ok();
    });
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------------------------------------
// One server

const READY_TIMEOUT_MS = 20_000;
/** A graceful JetStream shutdown flushes the store; past this it is treated as hung. */
const GRACEFUL_STOP_MS = 10_000;
const POLL_MS = 20;
const MAX_LOG_CHARS = 1_000_000;
const LOOPBACK = "127.0.0.1";

interface ServerConfig {
  serverName: string;
  /** -1: the server chooses. */
  port: number;
  wsPort: number;
  storeDir: string;
  workDir: string;
  monitoring: boolean;
  cluster?: { name: string; port: number; routes: string[] };
  extraConfig: string;
}

/** The listeners a started server reports in `<exe>_<pid>.ports`, e.g. {"nats":["nats://127.0.0.1:4222"]}. */
interface PortsFile {
  nats?: string[];
  websocket?: string[];
  cluster?: string[];
  monitoring?: string[];
}

interface Ports {
  port: number;
  wsPort: number;
  clusterPort?: number;
  monitorPort?: number;
}

function renderConfig(c: ServerConfig): string {
  const hostPort = (p: number) => JSON.stringify(`${LOOPBACK}:${p}`);
  return [
    // Loopback only: the embedded server is private to this machine.
    `listen: ${hostPort(c.port)}`,
    `server_name: ${JSON.stringify(c.serverName)}`,
    `jetstream { store_dir: ${JSON.stringify(c.storeDir)} }`,
    `websocket { listen: ${hostPort(c.wsPort)}, no_tls: true }`,
    // The monitoring port stays "-1" even after the other ports are frozen: a config reload
    // (SIGHUP, which startNatsCluster uses to swap routes) refuses any change of it, and 2.9
    // does not write the chosen port back into its options as it does for the others.
    c.monitoring ? `http: ${hostPort(-1)}` : "",
    c.cluster
      ? `cluster { name: ${JSON.stringify(c.cluster.name)}, listen: ${hostPort(c.cluster.port)}, routes: [${c.cluster.routes
          .map((r) => JSON.stringify(r))
          .join(", ")}] }`
      : "",
    `ports_file_dir: ${JSON.stringify(c.workDir)}`,
    c.extraConfig,
    "",
  ].join("\n");
}

/**
 * Servers still up when this Node process exits (an uncaught error in a script, a test worker
 * torn down) would outlive it and hold their ports; take them, and their temporary stores, down
 * with it. `detached` ones (npm start) are left to their owner, which stops them in order.
 */
const undetached = new Map<ChildProcess, string | undefined>();
let exitHook = false;
function killWithThisProcess(child: ChildProcess, temporaryStore: string | undefined) {
  undetached.set(child, temporaryStore);
  child.once("exit", () => undetached.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const [c, store] of undetached) {
      c.kill("SIGKILL");
      if (store) rmSync(store, { recursive: true, force: true });
    }
  });
}

function portOf(urls: string[] | undefined): number | undefined {
  // Not new URL(): it drops default ports (ws://…:80 would come back as "").
  const m = urls?.[0] ? /:(\d+)$/.exec(urls[0]) : null;
  return m?.[1] ? Number(m[1]) : undefined;
}

class NatsServerProcess implements RunningNatsServer {
  private readonly bin: string;
  private readonly config: ServerConfig;
  private readonly confPath: string;
  private readonly temporary: boolean;
  private readonly detached: boolean;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private lastPid = -1;
  private ports: Ports | undefined;
  private logText = "";
  /** Characters dropped from the front of logText, so offsets into the log stay valid. */
  private logDropped = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private alive = false;

  constructor(opts: NatsServerOptions, tempPrefix = "seqscope-nats-") {
    const bin = findNatsServer();
    if (!bin) throw new NatsServerError(NATS_SERVER_HELP);
    this.bin = bin;
    this.temporary = !opts.storeDir;
    const storeDir = resolve(opts.storeDir ?? mkdtempSync(join(tmpdir(), tempPrefix)));
    const workDir = resolve(opts.workDir ?? storeDir);
    mkdirSync(storeDir, { recursive: true });
    mkdirSync(workDir, { recursive: true });
    this.confPath = join(workDir, "nats-server.conf");
    this.detached = opts.detached ?? false;
    this.config = {
      serverName: opts.serverName ?? "seqscope-embedded",
      port: opts.port || -1,
      wsPort: opts.wsPort || -1,
      storeDir,
      workDir,
      monitoring: opts.monitoring ?? false,
      cluster: opts.cluster && { ...opts.cluster, port: opts.cluster.port || -1, routes: [...opts.cluster.routes] },
      extraConfig: opts.extraConfig ?? "",
    };
  }

  get url() {
    return `nats://${LOOPBACK}:${this.port}`;
  }
  get wsUrl() {
    return `ws://${LOOPBACK}:${this.wsPort}`;
  }
  get port() {
    return this.ports?.port ?? -1;
  }
  get wsPort() {
    return this.ports?.wsPort ?? -1;
  }
  get pid() {
    return this.lastPid;
  }
  get serverName() {
    return this.config.serverName;
  }
  get clusterUrl() {
    return this.ports?.clusterPort ? `nats://${LOOPBACK}:${this.ports.clusterPort}` : undefined;
  }
  get monitorUrl() {
    return this.ports?.monitorPort ? `http://${LOOPBACK}:${this.ports.monitorPort}` : undefined;
  }
  get storeDir() {
    return this.config.storeDir;
  }
  get running() {
    return this.alive;
  }

  log(): string {
    return this.logText;
  }

  async firstStart(): Promise<void> {
    try {
      await this.serial(() => this.launch());
    } catch (e) {
      if (this.temporary) rmSync(this.config.storeDir, { recursive: true, force: true });
      throw e;
    }
    // Freeze what the server chose, so a restart listens where clients will look for it.
    const p = this.ports!;
    this.config.port = p.port;
    this.config.wsPort = p.wsPort;
    if (this.config.cluster && p.clusterPort) this.config.cluster.port = p.clusterPort;
    this.writeConfig();
  }

  kill(signal: StopSignal = "SIGTERM"): Promise<void> {
    return this.serial(() => this.terminate(signal));
  }

  start(): Promise<void> {
    return this.serial(async () => {
      if (this.stopping) throw new NatsServerError(`${this.serverName} was stopped for good; start a new one`);
      if (this.alive) throw new NatsServerError(`${this.serverName} is already running (pid ${this.pid})`);
      await this.launch();
    });
  }

  restart(opts: RestartOptions = {}): Promise<void> {
    return this.serial(async () => {
      if (this.stopping) throw new NatsServerError(`${this.serverName} was stopped for good; start a new one`);
      await this.terminate(opts.signal ?? "SIGTERM");
      if (opts.downMs) await delay(opts.downMs);
      await this.launch();
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) this.child?.kill(sig);
  }

  stop(): Promise<void> {
    this.stopping ??= this.serial(async () => {
      await this.terminate("SIGTERM", 5_000);
      if (this.temporary) rmSync(this.config.storeDir, { recursive: true, force: true });
    });
    return this.stopping;
  }

  /** Replaces the route list on the running process (a SIGHUP reload) and in the config for restarts. */
  setRoutes(routes: string[]): Promise<void> {
    return this.serial(async () => {
      if (!this.config.cluster) throw new NatsServerError(`${this.serverName} is not a cluster node`);
      this.config.cluster.routes = [...routes];
      this.writeConfig();
      const mark = this.logDropped + this.logText.length;
      this.child?.kill("SIGHUP");
      await this.waitUntil("reload its config", () => {
        const since = this.logText.slice(Math.max(0, mark - this.logDropped));
        if (since.includes("Reloaded server configuration")) return true;
        const failed = /Failed to reload server configuration[^\n]*/.exec(since);
        if (failed) throw new NatsServerError(`${this.serverName}: ${failed[0]}`);
        return false;
      });
    });
  }

  /** Runs lifecycle steps one after another, so a stop() during a restart() waits for it. */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private writeConfig() {
    writeFileSync(this.confPath, renderConfig(this.config));
  }

  private portsFile(pid: number) {
    // nats-server names it after its own executable (filepath.Base(os.Args[0])), not server_name.
    return join(this.config.workDir, `${basename(this.bin)}_${pid}.ports`);
  }

  private appendLog(chunk: Buffer) {
    this.logText += chunk.toString();
    if (this.logText.length > MAX_LOG_CHARS) {
      const cut = this.logText.length - MAX_LOG_CHARS / 2;
      this.logText = this.logText.slice(cut);
      this.logDropped += cut;
    }
  }

  private async launch(): Promise<void> {
    this.writeConfig();
    const mark = this.logDropped + this.logText.length;
    const child = spawn(this.bin, ["-c", this.confPath], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: this.detached,
    });
    const pid = child.pid;
    if (!this.detached) killWithThisProcess(child, this.temporary ? this.config.storeDir : undefined);
    this.child = child;
    this.alive = true;
    if (pid) this.lastPid = pid;
    child.stdout?.on("data", (b: Buffer) => this.appendLog(b));
    child.stderr?.on("data", (b: Buffer) => this.appendLog(b));
    let gone: string | undefined;
    this.exited = new Promise<void>((ok) => {
      const onGone = (why: string) => {
        if (gone !== undefined) return;
        gone = why;
        this.alive = false;
        // A graceful exit removes the ports file itself; a SIGKILL leaves it behind.
        if (pid) rmSync(this.portsFile(pid), { force: true });
        ok();
      };
      child.once("exit", (code, sig) => onGone(sig ?? `code ${code}`));
      child.once("error", (e) => onGone(e.message));
    });

    try {
      const ready = await this.waitUntil("become ready", () => {
        if (gone !== undefined)
          throw new NatsServerError(`nats-server exited (${gone}) before it was ready:\n${this.tail()}`);
        if (!pid) return false;
        // The ports file is written by a goroutine once every listener is up: on 2.9.10 about
        // when "Server is ready" is printed for a plain server (either may reach us first), and
        // for a cluster node only after the route listener, which starts after that line. It is
        // not written atomically, so an empty or half-written file is simply read again.
        if (!this.logText.slice(Math.max(0, mark - this.logDropped)).includes("Server is ready")) return false;
        return this.readPorts(pid);
      });
      this.checkPorts(ready);
      this.ports = ready;
    } catch (e) {
      child.kill("SIGKILL");
      await this.exited;
      throw e;
    }
  }

  private readPorts(pid: number): Ports | false {
    let file: PortsFile;
    try {
      file = JSON.parse(readFileSync(this.portsFile(pid), "utf8")) as PortsFile;
    } catch {
      return false;
    }
    // 2.9.10 lists the WebSocket listener too ("websocket": ["ws://127.0.0.1:…"]), so no log parsing.
    const port = portOf(file.nats);
    const wsPort = portOf(file.websocket);
    const clusterPort = portOf(file.cluster);
    const monitorPort = portOf(file.monitoring);
    if (!port || !wsPort) return false;
    if (this.config.cluster && !clusterPort) return false;
    if (this.config.monitoring && !monitorPort) return false;
    return { port, wsPort, clusterPort, monitorPort };
  }

  private checkPorts(p: Ports) {
    const want: [string, number, number | undefined][] = [
      ["client", this.config.port, p.port],
      ["websocket", this.config.wsPort, p.wsPort],
      ["cluster", this.config.cluster?.port ?? -1, p.clusterPort],
    ];
    for (const [what, configured, actual] of want) {
      if (configured > 0 && configured !== actual)
        throw new NatsServerError(`${this.serverName} listens for ${what}s on ${actual}, not on ${configured}`);
    }
  }

  private async terminate(signal: StopSignal, graceMs = GRACEFUL_STOP_MS): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    if (signal === "SIGKILL") child.kill("SIGKILL");
    else await stopChild(child, graceMs);
    await this.exited;
  }

  /** Polls `probe` until it returns something truthy; throws what it throws, or after the deadline. */
  private async waitUntil<T>(what: string, probe: () => T | false, timeoutMs = READY_TIMEOUT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = probe();
      if (got) return got;
      if (Date.now() > deadline)
        throw new NatsServerError(`${this.serverName} did not ${what} in ${timeoutMs / 1000} s:\n${this.tail()}`);
      await delay(POLL_MS);
    }
  }

  private tail() {
    return this.logText.slice(-8_000);
  }
}

// ---------------------------------------------------------------------------------------------
// A JetStream cluster

export interface NatsClusterOptions {
  /** `cluster.name`; "seqscope" by default. */
  name?: string;
  /** Appended verbatim to every node's config. */
  extraConfig?: string;
  /** Credentials for the readiness checks, when extraConfig adds accounts. */
  auth?: NodeAuth;
  /** How long to wait for a usable JetStream; 30 s by default. */
  timeoutMs?: number;
}

export interface NatsCluster {
  /** n1…nN, in order; each can kill/start/restart on its own ports and store. */
  nodes: RunningNatsServer[];
  urls: string[];
  wsUrls: string[];
  /** Resolves when the running nodes agree on a meta leader, all are current, and JetStream answers on each. */
  waitForJetStream(opts?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of `size` nodes on loopback, every port chosen by the servers.
 *
 * 2.9 refuses to start clustered JetStream on a node without configured routes, and node 1
 * cannot know the others' cluster ports before they exist. So each node starts with routes to
 * the nodes already up, padded with placeholder routes to ports this process holds (so every
 * node bootstraps expecting `size` peers, as in a hand-written config); once all are up, the
 * real route lists replace them by a config reload, and every node's ports are frozen so it can
 * restart and rejoin on its own.
 */
export async function startNatsCluster(size = 3, opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  if (!Number.isInteger(size) || size < 2) throw new NatsServerError(`a cluster needs 2 or more nodes, not ${size}`);
  const name = opts.name ?? "seqscope";
  const nodes: NatsServerProcess[] = [];
  const placeholders = await Promise.all(Array.from({ length: size - 1 }, () => holdPort()));
  try {
    for (let i = 1; i <= size; i++) {
      const known = nodes.map((n) => n.clusterUrl!);
      const routes = [...known, ...placeholders.slice(known.length).map((p) => p.url)];
      const node = new NatsServerProcess(
        { serverName: `n${i}`, monitoring: true, cluster: { name, routes }, extraConfig: opts.extraConfig },
        `seqscope-nats-n${i}-`,
      );
      await node.firstStart();
      nodes.push(node);
    }
    await Promise.all(nodes.map((n) => n.setRoutes(nodes.filter((o) => o !== n).map((o) => o.clusterUrl!))));
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  } finally {
    await Promise.all(placeholders.map((p) => p.close()));
  }

  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url),
    wsUrls: nodes.map((n) => n.wsUrl),
    waitForJetStream: (o = {}) => waitForJetStream(nodes, opts.auth ?? {}, o.timeoutMs ?? opts.timeoutMs ?? 30_000),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  try {
    await cluster.waitForJetStream();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

/** A loopback port nobody else can take while we hold it; connections to it are dropped. */
export function holdPort(): Promise<{ port: number; url: string; close(): Promise<void> }> {
  return new Promise((ok, fail) => {
    const srv: Server = createServer((sock) => sock.destroy());
    srv.once("error", fail);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      ok({ port, url: `nats://${LOOPBACK}:${port}`, close: () => new Promise((done) => srv.close(() => done())) });
    });
  });
}

/** The meta-cluster part of /jsz, as 2.9 serves it. */
interface WireJsz {
  meta_cluster?: {
    leader?: string;
    replicas?: { name: string; current: boolean; offline?: boolean }[];
  };
}

async function waitForJetStream(nodes: RunningNatsServer[], auth: NodeAuth, timeoutMs: number): Promise<void> {
  const live = nodes.filter((n) => n.running);
  const deadline = Date.now() + timeoutMs;
  const conns = new Map<RunningNatsServer, NatsConnection>();
  let why = "not asked yet";
  try {
    for (;;) {
      try {
        why = await jetStreamNotReady(live, conns, auth);
        if (!why) return;
      } catch (e) {
        why = (e as Error).message;
      }
      if (Date.now() > deadline)
        throw new NatsServerError(`JetStream cluster not usable after ${timeoutMs / 1000} s: ${why}`);
      await delay(100);
    }
  } finally {
    await Promise.all([...conns.values()].map((nc) => nc.close()));
  }
}

/** Why the cluster is not usable yet, or "" when it is. */
async function jetStreamNotReady(
  live: RunningNatsServer[],
  conns: Map<RunningNatsServer, NatsConnection>,
  auth: NodeAuth,
): Promise<string> {
  const views = await Promise.all(
    live.map(async (n) => {
      const res = await fetch(`${n.monitorUrl}/jsz`, { signal: AbortSignal.timeout(2_000) });
      return ((await res.json()) as WireJsz).meta_cluster;
    }),
  );
  const leaders = new Set(views.map((v) => v?.leader ?? ""));
  const [leader] = leaders;
  if (leaders.size !== 1 || !leader) return `meta leader per node: ${views.map((v) => v?.leader || "none").join(", ")}`;
  const leaderView = views[live.findIndex((n) => n.serverName === leader)];
  if (!leaderView) return `meta leader ${leader} is not one of the running nodes`;
  for (const n of live) {
    if (n.serverName === leader) continue;
    const r = leaderView.replicas?.find((x) => x.name === n.serverName);
    if (!r?.current || r.offline) return `${n.serverName} is not a current meta follower of ${leader}`;
  }
  for (const n of live) {
    let nc = conns.get(n);
    if (!nc) {
      nc = await connectNode(n.url, "seqscope-cluster-check", auth);
      conns.set(n, nc);
    }
    await jetStreamApi(nc, "INFO", undefined, 2_000);
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// JetStream helpers for tests

/**
 * One JetStream API request ("$JS.API." + `subject`) with the JSON answer; throws the API's
 * error. For fixtures that need what lib/nats does not wrap (a stream's `num_replicas`).
 */
export async function jetStreamApi<T = Record<string, unknown>>(
  nc: NatsConnection,
  subject: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<T> {
  const msg = await nc.request(`$JS.API.${subject}`, body === undefined ? "" : JSON.stringify(body), {
    timeout: timeoutMs,
  });
  const answer = msg.json<T & { error?: { code: number; err_code?: number; description?: string } }>();
  if (answer.error)
    throw new NatsServerError(`$JS.API.${subject}: ${answer.error.description ?? "error"} (${answer.error.code})`);
  return answer;
}

/**
 * The server_name of the stream's current leader; throws while it has none. Asks with a short
 * timeout, because during an election 2.9 does not answer stream info at all, and a caller
 * polling for the new leader should ask again soon rather than wait out the client's 5 s.
 */
export async function streamLeader(nc: NatsConnection, stream: string, timeoutMs = 1_000): Promise<string> {
  const info = await jetStreamApi<WireStreamInfo>(nc, `STREAM.INFO.${stream}`, undefined, timeoutMs);
  const leader = info.cluster?.leader;
  if (!leader) throw new NatsServerError(`stream ${stream} has no leader`);
  return leader;
}

/** The part of a $JS.API.STREAM.INFO answer streamLeader reads. */
interface WireStreamInfo {
  cluster?: { leader?: string };
}

// ---------------------------------------------------------------------------------------------
// Version

let knownVersion: { bin: string; version: string } | undefined;

/** The nats-server version, e.g. "2.9.10" (from `nats-server --version`). */
export function natsServerVersion(): string {
  const bin = findNatsServer();
  if (!bin) throw new NatsServerError(NATS_SERVER_HELP);
  if (knownVersion?.bin === bin) return knownVersion.version;
  const out = execFileSync(bin, ["--version"], { encoding: "utf8" });
  const version = /v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(out)?.[1];
  if (!version) throw new NatsServerError(`cannot read a version from \`${bin} --version\`: ${out.trim()}`);
  knownVersion = { bin, version };
  return version;
}

/**
 * For tests of newer features, skipped with a reason on older servers:
 * `it("…", (ctx) => { ctx.skip(!natsServerAtLeast(2, 10), "needs nats-server 2.10"); … })`.
 */
export function natsServerAtLeast(major: number, minor: number): boolean {
  const [ma = 0, mi = 0] = natsServerVersion()
    .split(".")
    .map((x) => Number.parseInt(x, 10));
  return ma > major || (ma === major && mi >= minor);
}
