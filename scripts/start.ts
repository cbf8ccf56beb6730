// `npm start`: the whole of seqscope on one machine. Without SEQSCOPE_NATS_URL
// it runs a private nats-server (JetStream + WebSocket, loopback), creates the
// stream, starts demo producers and serves the dashboard; with it, it only
// serves the dashboard against that cluster. Ctrl-C stops everything it started.
// The embedded server is supervised: if it dies it is started again on the same
// store and ports (the demo producers resend what it did not ack); if it cannot
// be, everything stops with the reason, so no dashboard is left pointing at nothing.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import type { ChildProcess } from "node:child_process";
import {
  browserCredentialPolicy,
  browserNatsConfig,
  ConfigError,
  embeddedConfig,
  redactUrl,
} from "../lib/config/runtime-config";
import { authMode } from "../lib/auth/auth-mode";
import { NatsServerError, startNatsServer, stopChild, type RunningNatsServer } from "../lib/node/nats-server";
import { connectNode, type NatsConnection } from "../lib/nats/node-connection";
import { ensureStream } from "../lib/nats/stream";
import { demoSimOptions, publishSimulation, type SimProgress } from "./lib/sim-publisher";
import { dataDirPaths } from "./lib/data-dir";
import { errorSummary, superviseNatsServer, type Supervision } from "./lib/supervisor";
import { isAlive, readLock, reapOrphans, removeLock, writeLock, type LockInfo } from "./lib/instance-lock";
import { runIndexer, type IndexerChild } from "./lib/indexer-process";
import { buildApp, serveApp } from "./lib/next-server";
import { embeddedAuth, type EmbeddedAuth } from "./lib/embedded-auth";

const root = fileURLToPath(new URL("..", import.meta.url));
const log = (s: string) => process.stdout.write(`[seqscope] ${s}\n`);
const die = (s: string): never => {
  process.stderr.write(`\n[seqscope] ${s}\n\n`);
  process.exit(1);
};

function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createServer();
    srv.once("error", () => ok(false));
    srv.listen(port, () => srv.close(() => ok(true)));
  });
}

let cfg: ReturnType<typeof embeddedConfig>;
let browser: ReturnType<typeof browserNatsConfig>;
try {
  cfg = embeddedConfig(process.env);
  browser = browserNatsConfig(process.env);
  // What tabs get as their NATS credential (the embedded server's is set up below), and whether sign-in is needed.
  if (!cfg.enabled) browserCredentialPolicy(process.env);
  const access = authMode(process.env);
  if (access.mode === "refused") throw new ConfigError(access.error);
} catch (e) {
  if (e instanceof ConfigError) die(e.message);
  throw e;
}

const { dataDir, storeDir, lockPath } = dataDirPaths(root, cfg.dataDir);
const previous = readLock(lockPath);
if (previous && previous.pid !== process.pid && isAlive(previous.pid)) {
  die(
    `seqscope is already running (pid ${previous.pid}) at ${previous.url}. Stop it with Ctrl-C in its terminal, or: kill ${previous.pid}`,
  );
}
if (previous) {
  const reaped = await reapOrphans(previous);
  if (reaped.length) log(`stopped what a previous run left behind: ${reaped.join(", ")}`);
  removeLock(lockPath);
}
if (!(await portFree(cfg.appPort))) {
  die(`Port ${cfg.appPort} is in use by another program. Free it, or choose another: PORT=3001 npm start`);
}

const lock: LockInfo = { pid: process.pid, url: `http://localhost:${cfg.appPort}`, children: [] };
writeLock(lockPath, lock);

const demoStop = new AbortController();
let nats: RunningNatsServer | undefined;
let supervision: Supervision | undefined;
let nc: NatsConnection | undefined;
let app: ChildProcess | undefined;
let indexer: IndexerChild | undefined;
let auth: EmbeddedAuth | undefined;
let demo: Promise<unknown> | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log("stopping…");
  // First, so that the server going down from here on is not taken for a crash.
  await supervision?.stop();
  demoStop.abort();
  // Closing the connection ends the publishes still waiting for an ack: with the server down they would wait 5 s.
  await nc?.close().catch(() => undefined);
  await demo?.catch(() => undefined);
  if (app) await stopChild(app);
  await indexer?.stop();
  await nats?.stop().catch((e: unknown) => log(`nats-server: ${e instanceof Error ? e.message : String(e)}`));
  removeLock(lockPath);
  log("stopped; nothing left running.");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGHUP", () => void shutdown(0));
// `npm start` runs us under `sh -c`, which dies on SIGTERM without passing it
// on: notice that our parent is gone and stop, rather than linger as an orphan.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0);
}, 500).unref();

try {
  // Build before anything runs: a synchronous build would stall the demo producers' timers and NATS pings.
  if (!buildApp(root, log)) throw new Error("next build failed (see above).");
  if (cfg.enabled) {
    for (const [port, name] of [
      [cfg.natsPort, "SEQSCOPE_EMBEDDED_NATS_PORT"],
      [cfg.wsPort, "SEQSCOPE_EMBEDDED_WS_PORT"],
    ] as const) {
      if (!(await portFree(port)))
        throw new NatsServerError(
          `Port ${port} for the embedded nats-server is in use. Choose another: ${name}=<port> npm start`,
        );
    }
    auth = await embeddedAuth(dataDir, browser.stream, browser.subject);
    if (auth.created) log(`made the embedded server's operator, accounts and signing key in ${join(dataDir, "auth")}`);
    if (existsSync(join(storeDir, "jetstream", "$G"))) {
      log(
        `${storeDir} holds a stream from before the embedded server used operator mode (account $G); ` +
          "it is kept but not shown. Remove that folder to free its space.",
      );
    }
    nats = await startNatsServer({
      port: cfg.natsPort,
      wsPort: cfg.wsPort,
      storeDir,
      workDir: dataDir,
      detached: true,
      // Operator mode: every client needs a user JWT; browsers get theirs minted by the dashboard.
      extraConfig: auth.serverConfig,
    });
    const natsChild = { pid: nats.pid, name: "nats-server" };
    lock.children.push(natsChild);
    writeLock(lockPath, lock);
    log(`embedded nats-server: ${nats.url} (WebSocket ${nats.wsUrl}), store in ${storeDir}`);
    supervision = superviseNatsServer(nats, {
      onExit: (pid) => {
        log(`nats-server (pid ${pid}) exited unexpectedly; starting it again on the same store and ports…`);
      },
      onRestartFailed: (e, attempt) => {
        log(`restart attempt ${attempt} failed: ${errorSummary(e, 2).replace(/\n/g, " ")}`);
      },
      onRestarted: (pid) => {
        // A start after a crash of ours must find (and reap) this process, not the dead one.
        natsChild.pid = pid;
        writeLock(lockPath, lock);
        log(`nats-server is back (pid ${pid}); the demo producers and open dashboards reconnect by themselves.`);
      },
      onGiveUp: (reason) => {
        process.stderr.write(
          `\n[seqscope] ${reason}\n\n` +
            `[seqscope] Stopping the dashboard and the demo producers too: without the server they would show nothing.\n` +
            `[seqscope] The stream's store is kept in ${storeDir}. Fix the cause above (another program on port ` +
            `${cfg.natsPort} or ${cfg.wsPort}? choose others with SEQSCOPE_EMBEDDED_NATS_PORT / SEQSCOPE_EMBEDDED_WS_PORT; ` +
            `a full disk?) and run npm start again.\n\n`,
        );
        void shutdown(1);
      },
    });
    nc = await connectNode(nats.url, "seqscope-demo", { creds: auth.producerCreds });
    await ensureStream(nc, { stream: browser.stream, subject: browser.subject });
    log(`stream ${browser.stream} captures subject ${browser.subject}`);
    if (cfg.demoRate > 0) {
      const seed = Date.now() % 2 ** 31;
      // Said once when lines start waiting for their acks, and once when every one of them is acked.
      let waiting = false;
      const onProgress = (p: SimProgress) => {
        const nowWaiting = (p.retries ?? 0) > 0;
        if (stopping || nowWaiting === waiting) return;
        waiting = nowWaiting;
        log(
          waiting
            ? `demo producer: lines not acked (${p.retryError ?? "no ack"}); resending them until they are`
            : "demo producer: every line acked again, none lost",
        );
      };
      demo = publishSimulation(nc, {
        subject: browser.subject,
        truthSubjectPrefix: "seqscope.truth",
        // startMs = now, so simulated ts match the wall clock.
        sim: { ...demoSimOptions(seed, Date.now()), executionsPerSecond: cfg.demoRate },
        signal: demoStop.signal,
        // Resend until acked, with a Nats-Msg-Id per published copy: a server restart neither loses nor
        // doubles a line, and the simulator's intentional duplicates (which the ground truth counts) stay.
        retry: true,
        onProgress,
        onError: (e) => {
          if (!stopping) log(`demo producer: ${e instanceof Error ? e.message : String(e)}`);
        },
      });
      log(
        `simulator (seed ${seed}): ${cfg.demoRate} workflow executions/s, agents with mixed seq scopes, small fault rates; ` +
          `ground truth on seqscope.truth.<execution_id>`,
      );
    }
  } else {
    log(`using your NATS at ${browser.servers.map(redactUrl).join(", ")} (no embedded server, no demo producers)`);
  }

  if (process.env.SEQSCOPE_INDEXER?.trim().toLowerCase() !== "off") {
    const indexerChild = { pid: -1, name: "indexer" };
    lock.children.push(indexerChild);
    indexer = runIndexer(root, {
      env: auth?.indexerEnv,
      log,
      detached: true,
      onPid: (pid) => {
        indexerChild.pid = pid;
        writeLock(lockPath, lock);
      },
    });
    log(
      "indexer: summaries of every execution in KV, each execution's messages on its own subject (SEQSCOPE_INDEXER=off: none)",
    );
  }

  const appEnv = auth && nats ? { ...auth.appEnv, SEQSCOPE_LAB_NATS_URL: nats.url } : {};
  const served = await serveApp(root, cfg.appPort, appEnv, { detached: true });
  app = served.child;
  lock.children.push({ pid: app.pid ?? -1, name: "next" });
  writeLock(lockPath, lock);
  app.once("exit", (code) => {
    if (!stopping) {
      log(`the web app exited unexpectedly (code ${code}).`);
      void shutdown(1);
    }
  });
  log(`dashboard: ${served.url}   (Ctrl-C stops everything)`);
} catch (e) {
  process.stderr.write(`\n[seqscope] ${e instanceof Error ? e.message : String(e)}\n\n`);
  await shutdown(1);
}
