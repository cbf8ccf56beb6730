// Runs a private nats-server (JetStream + WebSocket) as a child process: used by
// `npm start`, the integration tests and the browser tests. Node-only.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NATS_SERVER_HELP, findNatsServer } from "../../scripts/lib/binaries.mjs";

export interface NatsServerOptions {
  /** 0 picks a free loopback port. */
  port?: number;
  wsPort?: number;
  /** JetStream store folder; a fresh temporary one (removed on stop) when omitted. */
  storeDir?: string;
  /** Where the config and log go; defaults to the store's parent. */
  workDir?: string;
  /** More nats-server config, appended verbatim (tests use it for authorization blocks). */
  extraConfig?: string;
  /**
   * Own process group, so a terminal's Ctrl-C reaches only the owner, which stops it in order
   * (`npm start`). Tests leave it off: Ctrl-C on a test run must take the server down too.
   */
  detached?: boolean;
}

export interface RunningNatsServer {
  /** nats://127.0.0.1:port, for Node clients. */
  url: string;
  /** ws://127.0.0.1:port, for browsers. */
  wsUrl: string;
  port: number;
  wsPort: number;
  pid: number;
  stop(): Promise<void>;
}

export class NatsServerError extends Error {}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<RunningNatsServer> {
  const bin = findNatsServer();
  if (!bin) throw new NatsServerError(NATS_SERVER_HELP);
  const port = opts.port || (await freePort());
  const wsPort = opts.wsPort || (await freePort());
  const temporary = !opts.storeDir;
  const storeDir = resolve(opts.storeDir ?? mkdtempSync(join(tmpdir(), "seqscope-nats-")));
  const workDir = resolve(opts.workDir ?? storeDir);
  mkdirSync(storeDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const confPath = join(workDir, "nats-server.conf");
  // Loopback only: the embedded server is private to this machine.
  writeFileSync(
    confPath,
    [
      `listen: "127.0.0.1:${port}"`,
      `server_name: "seqscope-embedded"`,
      `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
      `websocket { listen: "127.0.0.1:${wsPort}", no_tls: true }`,
      opts.extraConfig ?? "",
      "",
    ].join("\n"),
  );

  const child = spawn(bin, ["-c", confPath], { stdio: ["ignore", "pipe", "pipe"], detached: opts.detached ?? false });
  const output: string[] = [];
  const collect = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  try {
    await waitReady(child, output);
  } catch (e) {
    child.kill("SIGKILL");
    if (temporary) rmSync(storeDir, { recursive: true, force: true });
    throw e;
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    port,
    wsPort,
    pid: child.pid ?? -1,
    stop() {
      stopped ??= stopChild(child).then(() => {
        if (temporary) rmSync(storeDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

function waitReady(child: ChildProcess, output: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(
      () => done(new NatsServerError(`nats-server did not become ready in 20 s:\n${output.join("")}`)),
      20_000,
    );
    const onData = () => {
      if (output.join("").includes("Server is ready")) done();
    };
    const onExit = (code: number | null) =>
      done(new NatsServerError(`nats-server exited (code ${code}) before it was ready:\n${output.join("")}`));
    function done(err?: Error) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err) fail(err);
      else ok();
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
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
