// The parts a browser-level fault needs, shared by e2e/faults.spec.ts and `npm run chaos`:
// its own restartable nats-server (or a 3-node cluster) with the stream, its own `next start`
// pointed at it (optionally through a TCP proxy that can be cut), a Chromium whose tabs can
// really be hidden, and a page object that reads what the tab's header claims.
// Node-side test code: everything here talks TCP to NATS (the browser is its own process),
// so the one-transport-factory-per-process rule of nats-core is kept.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import {
  freePort,
  jetStreamApi,
  startNatsCluster,
  startNatsServer,
  stopChild,
  type NatsCluster,
  type RunningNatsServer,
} from "../../lib/node/nats-server";
import { startTcpProxy, type TcpProxy } from "../../lib/node/tcp-proxy";
import { connectNode, type NatsConnection } from "../../lib/nats/node-connection";
import { PAGE_CONNECTION_NAME, READER_CONNECTION_NAME } from "../../lib/nats/browser-connection";
import { RetryingPublisher } from "../../lib/nats/fault-testing";
import { indexCaughtUp } from "../../lib/nats/indexer";
import { CHROMIUM_ARGS, CHROMIUM_HELP, findChromium } from "../../lib/node/binaries.mjs";
import { runIndexer, type IndexerChild } from "./indexer-process";
import { serveApp, type ServedApp } from "./next-server";

export const RIG_STREAM = "AUDIT_EVENTS";
export const RIG_SUBJECT = "auditEvent";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface RigOptions {
  /** The stream's `max_msgs` limit (older messages expire beyond it). */
  maxMsgs?: number;
  /** The browser reaches NATS through a TCP proxy the test can cut() and restore(). */
  viaProxy?: boolean;
  /** A 3-node JetStream cluster with an R3 stream instead of one server. */
  cluster?: boolean;
  /** SEQSCOPE_HISTORY for the app. */
  history?: number;
  /** SEQSCOPE_MEMORY_MIB for the app. */
  memoryMib?: number;
  /** Runs `seqscope indexer` on the stream (straight to the servers, never through the proxy). */
  indexer?: boolean;
  /** SEQSCOPE_INDEX_LIST for the app. */
  indexList?: number;
}

export interface StreamState {
  first: number;
  last: number;
  messages: number;
}

export interface FaultRig {
  readonly stream: string;
  readonly subject: string;
  /** The single server (not with `cluster`). */
  readonly server: RunningNatsServer | undefined;
  readonly cluster: NatsCluster | undefined;
  readonly proxy: TcpProxy | undefined;
  /** A TCP connection for publishing and administration; reconnects forever. */
  readonly admin: NatsConnection;
  /** The app's base URL. */
  readonly appUrl: string;
  /** The ws URLs the app hands the browser, in that order. */
  readonly browserUrls: string[];
  /** The stream's bounds, asking again while a cluster elects a leader or a server is starting. */
  streamState(timeoutMs?: number): Promise<StreamState>;
  /**
   * The same, over a connection made for the question: right after a restart the admin
   * connection may still be waiting out the client's reconnect delay (2 s).
   */
  streamStateNow(timeoutMs?: number): Promise<StreamState>;
  /** A publisher of test audit lines (retried until acked, each with a msgID) on this rig's subject. */
  publisher(opts?: ConstructorParameters<typeof RetryingPublisher>[2]): RetryingPublisher;
  /**
   * The cluster node (or the single server) that has the tab's reading connection now (its reader
   * worker's, else the page's), as the servers see it (/connz): the tab's own log is a ring that a
   * busy tab can wrap.
   */
  browserNode(): Promise<RunningNatsServer | undefined>;
  /** Deletes every consumer on the stream; resolves with how many there were. */
  deleteConsumers(): Promise<number>;
  deleteStream(): Promise<void>;
  /** Creates the stream (again), with the rig's limits and replicas. */
  createStream(): Promise<void>;
  /**
   * Whether the indexer's durable consumer has had every message of the stream acknowledged
   * (false while it does not exist yet): the index then holds the whole stream.
   */
  indexCaughtUp(): Promise<boolean>;
  /** Processes this rig runs now (servers, app, indexer), for a last-resort kill on exit. */
  pids(): number[];
  /** Stops the app, the proxy and the servers; safe to call twice. */
  stop(): Promise<void>;
}

/** The tab's connection that reads the stream: its worker's, or the page's where no worker runs. */
const READING_CONNECTION_NAMES = [READER_CONNECTION_NAME, PAGE_CONNECTION_NAME];

/** The part of a /connz answer browserNode reads. */
interface WireConnz {
  connections?: { name?: string }[];
}

interface WireStreamInfo {
  state: { first_seq: number; last_seq: number; messages: number };
}

/** Starts servers, stream and app; on any failure stops what it started. */
export async function startFaultRig(opts: RigOptions = {}): Promise<FaultRig> {
  const undo: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const u of undo.splice(0).reverse()) await u().catch(() => undefined);
  };
  try {
    let server: RunningNatsServer | undefined;
    let cluster: NatsCluster | undefined;
    if (opts.cluster) {
      cluster = await startNatsCluster(3);
      undo.push(() => cluster!.stop());
    } else {
      server = await startNatsServer({ monitoring: true });
      undo.push(() => server!.stop());
    }
    const admin = await connectNode(cluster ? cluster.urls : server!.url, "seqscope-fault-admin");
    undo.push(() => admin.close());
    let proxy: TcpProxy | undefined;
    if (opts.viaProxy) {
      if (!server) throw new Error("viaProxy needs a single server");
      proxy = await startTcpProxy(server.wsPort);
      undo.push(() => proxy!.close());
    }
    const browserUrls = proxy ? [`ws://127.0.0.1:${proxy.port}`] : cluster ? cluster.wsUrls : [server!.wsUrl];

    const stream = RIG_STREAM;
    const subject = RIG_SUBJECT;
    const createStream = async () => {
      await jetStreamApi(
        admin,
        `STREAM.CREATE.${stream}`,
        {
          name: stream,
          subjects: [subject],
          storage: "file",
          num_replicas: cluster ? 3 : 1,
          ...(opts.maxMsgs !== undefined ? { max_msgs: opts.maxMsgs } : {}),
        },
        10_000,
      );
    };
    await createStream();

    let indexer: IndexerChild | undefined;
    if (opts.indexer) {
      indexer = runIndexer(ROOT, {
        env: {
          SEQSCOPE_NATS_URL: (cluster ? cluster.wsUrls : [server!.wsUrl]).join(","),
          SEQSCOPE_STREAM: stream,
          SEQSCOPE_INDEXER_METRICS_PORT: "0",
        },
        log: (s) => process.stdout.write(`[rig] ${s}\n`),
      });
      undo.push(() => indexer!.stop());
    }

    const port = await freePort();
    const app: ServedApp = await serveApp(ROOT, port, {
      SEQSCOPE_NATS_URL: browserUrls.join(","),
      SEQSCOPE_STREAM: stream,
      SEQSCOPE_SUBJECT: subject,
      ...(opts.history !== undefined ? { SEQSCOPE_HISTORY: String(opts.history) } : {}),
      ...(opts.indexList !== undefined ? { SEQSCOPE_INDEX_LIST: String(opts.indexList) } : {}),
      ...(opts.memoryMib !== undefined ? { SEQSCOPE_MEMORY_MIB: String(opts.memoryMib) } : {}),
    });
    undo.push(() => stopChild(app.child));

    const streamStateOn = async (nc: NatsConnection, timeoutMs: number): Promise<StreamState> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const info = await jetStreamApi<WireStreamInfo>(nc, `STREAM.INFO.${stream}`, undefined, 1_000);
          return { first: info.state.first_seq, last: info.state.last_seq, messages: info.state.messages };
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const streamState = (timeoutMs = 20_000) => streamStateOn(admin, timeoutMs);
    const streamStateNow = async (timeoutMs = 20_000) => {
      const up = (cluster ? cluster.nodes : [server!]).filter((n) => n.running).map((n) => n.url);
      const nc = await connectNode(up, "seqscope-fault-probe");
      try {
        return await streamStateOn(nc, timeoutMs);
      } finally {
        await nc.close();
      }
    };

    let stopped: Promise<void> | undefined;
    return {
      stream,
      subject,
      server,
      cluster,
      proxy,
      admin,
      appUrl: app.url,
      browserUrls,
      streamState,
      streamStateNow,
      publisher: (o) => new RetryingPublisher(admin, subject, o),
      browserNode: async () => {
        const names = new Map<RunningNatsServer, Set<string | undefined>>();
        for (const node of cluster ? cluster.nodes : [server!]) {
          if (!node.running || !node.monitorUrl) continue;
          const res = await fetch(`${node.monitorUrl}/connz?limit=1024`, { signal: AbortSignal.timeout(2_000) });
          const { connections = [] } = (await res.json()) as WireConnz;
          names.set(node, new Set(connections.map((c) => c.name)));
        }
        for (const name of READING_CONNECTION_NAMES) {
          for (const [node, has] of names) if (has.has(name)) return node;
        }
        return undefined;
      },
      deleteConsumers: async () => {
        const { consumers = [] } = await jetStreamApi<{ consumers?: string[] }>(admin, `CONSUMER.NAMES.${stream}`, {});
        for (const name of consumers) await jetStreamApi(admin, `CONSUMER.DELETE.${stream}.${name}`);
        return consumers.length;
      },
      deleteStream: async () => {
        await jetStreamApi(admin, `STREAM.DELETE.${stream}`, undefined, 10_000);
      },
      createStream,
      indexCaughtUp: () => indexCaughtUp(admin, stream),
      pids: () => [
        ...(cluster ? cluster.nodes : [server!]).filter((n) => n.running).map((n) => n.pid),
        ...(app.child.exitCode === null && app.child.pid ? [app.child.pid] : []),
        ...(indexer && indexer.pid > 0 ? [indexer.pid] : []),
      ],
      stop: () => (stopped ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// A Chromium whose tabs can be hidden

export interface HideableBrowser {
  browser: Browser;
  /** The browser's default context: the one without Playwright's focus emulation. */
  context: BrowserContext;
  /** A page that is the visible tab, and another one in the same window to hide it behind. */
  newTab(): Promise<{ page: Page; other: Page }>;
  /** Chromium's main process, for a last-resort kill on exit. */
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/**
 * Headless Chromium hides a background tab (document.visibilityState "hidden", no
 * animation frames, timers throttled to 1 Hz) exactly as a desktop one does, but Playwright
 * keeps every page it drives visible: it turns on focus emulation for each page, and
 * Chromium implements that by keeping the page "captured", hence visible. Nothing in
 * launch() turns that off; connectOverCDP's `noDefaults` does, for the browser's default
 * context. So this spawns Chromium itself (headless, remote debugging on a port it picks)
 * and connects with noDefaults; bringing another tab of the window to the front then hides
 * the first one for real.
 */
export async function launchHideableBrowser(): Promise<HideableBrowser> {
  const exe = findChromium();
  if (!exe) throw new Error(CHROMIUM_HELP);
  const profile = mkdtempSync(join(tmpdir(), "seqscope-chromium-"));
  const child: ChildProcess = spawn(
    exe,
    [
      ...CHROMIUM_ARGS,
      "--headless",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--no-startup-window",
      "--window-size=1280,720",
      "--no-default-browser-check",
      "--disable-extensions",
    ],
    // Its own process group, so its renderer and helper processes can be stopped with it.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const stopAll = async () => {
    await stopChild(child);
    // Helpers outlive the browser process for a moment and keep writing to the profile.
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  const removeProfile = () => rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  try {
    const endpoint = await new Promise<string>((ok, fail) => {
      let seen = "";
      const timer = setTimeout(() => fail(new Error(`Chromium printed no DevTools endpoint:\n${seen}`)), 30_000);
      child.stderr?.on("data", (b: Buffer) => {
        seen += b.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (m?.[1]) {
          clearTimeout(timer);
          ok(m[1]);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`Chromium exited (code ${code}) before it listened:\n${seen}`));
      });
    });
    // Keep reading stderr so a chatty Chromium never blocks on a full pipe.
    child.stderr?.resume();
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true });
    const context = browser.contexts()[0];
    if (!context) throw new Error("Chromium has no default context");
    // tsx compiles with keepNames: functions sent to page.evaluate call an `__name` helper the page lacks.
    await context.addInitScript("globalThis.__name = (f) => f;");
    return {
      browser,
      context,
      pid: child.pid,
      newTab: async () => {
        const page = await context.newPage();
        const other = await context.newPage();
        await page.bringToFront();
        return { page, other };
      },
      close: async () => {
        await browser.close().catch(() => undefined);
        await stopAll();
        removeProfile();
      },
    };
  } catch (e) {
    await stopAll();
    removeProfile();
    throw e;
  }
}

/** Whether the page's document is hidden and gets no animation frames (over `ms`). */
export async function visibilityOf(page: Page, ms = 500): Promise<{ state: string; frames: number }> {
  return page.evaluate(
    (wait) =>
      new Promise<{ state: string; frames: number }>((ok) => {
        let frames = 0;
        const frame = () => {
          frames++;
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
        // A hidden tab's timers run at most once a second, so this may take up to that long.
        setTimeout(() => ok({ state: document.visibilityState, frames }), wait);
      }),
    ms,
  );
}

/** The tab's JS heap in use after a full GC (CDP), in bytes. */
export async function heapAfterGc(context: BrowserContext, page: Page): Promise<number> {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

// ---------------------------------------------------------------------------------------------
// What the tab's header says

export interface TabState {
  phase: string;
  /** Messages behind the stream's last_seq, as the tab last had it confirmed. */
  behind: number | undefined;
  /** Last stream sequence the tab holds. */
  lastSeq: number | undefined;
  /** Messages the tab has taken in (of this stream incarnation), from the header's "N messages held". */
  received: number | undefined;
}

const num = (s: string | undefined) => (s === undefined || s === "" ? undefined : Number(s));

export async function readTab(page: Page): Promise<TabState> {
  const raw = await page.getByTestId("connection-status").evaluate((el: HTMLElement) => ({
    phase: el.dataset.phase ?? "",
    behind: el.dataset.behind,
    lastSeq: el.dataset.lastSeq,
    title: el.title,
  }));
  const held = /^([\d,]+) messages held/.exec(raw.title)?.[1];
  return {
    phase: raw.phase,
    behind: num(raw.behind),
    lastSeq: num(raw.lastSeq),
    received: held === undefined ? undefined : Number(held.replaceAll(",", "")),
  };
}

/** Live, nothing behind, and holding the stream's last sequence: what "caught up" means here. */
export function isCaughtUp(tab: TabState, stream: StreamState): boolean {
  return tab.phase === "live" && tab.behind === 0 && tab.lastSeq === stream.last;
}

export interface LogEntry {
  kind: string;
  detail: string;
}

/** The flight recorder's entries, newest first (opens the panel and closes it again). */
export async function readConnectionLog(page: Page): Promise<LogEntry[]> {
  const button = page.getByTestId("connection-log-button");
  const panel = page.getByTestId("connection-log");
  if (!(await panel.isVisible())) await button.click();
  await panel.waitFor();
  const entries = await panel.getByTestId("connection-log-entry").evaluateAll((rows) =>
    rows.map((r) => ({
      kind: r.getAttribute("data-kind") ?? "",
      detail: r.querySelector("span:last-child")?.textContent ?? "",
    })),
  );
  await button.click();
  await panel.waitFor({ state: "hidden" });
  return entries;
}

/** How many disconnects the tab's connection log records (a failover can be too fast for the header to show). */
export async function disconnectsOf(page: Page): Promise<number> {
  return (await readConnectionLog(page)).filter((e) => e.kind === "disconnect").length;
}

/**
 * Messages the tab should have received since a moment when it had taken in `before`
 * messages and held stream seq `heldBefore`: what the stream still has after that seq.
 */
export function expectedReceived(before: { received: number; held: number }, stream: StreamState): number {
  return before.received + Math.max(0, stream.last - Math.max(before.held, stream.first - 1));
}
