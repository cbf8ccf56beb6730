// The embedded nats-server's supervision: a real server killed with SIGKILL comes
// back on the same port with its stream; one that cannot come back (its port
// taken while it was down) ends in the give-up callback with the reason; a server
// that keeps dying is given up on too.
import { createServer, type Server } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../../lib/node/nats-server";
import { connectNode, type NatsConnection } from "../../lib/nats/node-connection";
import { AuditPublisher } from "../../lib/nats/publish";
import { ensureStream, streamInfo } from "../../lib/nats/stream";
import { isAlive } from "./instance-lock";
import { superviseNatsServer, type SupervisedServer, type Supervision } from "./supervisor";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real server on a store of its own, with a stream of `messages` messages. */
async function serverWithStream(messages: number): Promise<RunningNatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), "seqscope-supervisor-"));
  cleanups.push(() => rmSync(storeDir, { recursive: true, force: true }));
  const server = await startNatsServer({ storeDir });
  cleanups.push(() => server.stop());
  const nc = await connectNode(server.url, "supervisor-it");
  await ensureStream(nc, { stream: "SUPERVISED", subject: "supervised" });
  const publisher = new AuditPublisher(nc, "supervised");
  for (let i = 0; i < messages; i++) await publisher.publish(`{"n":${i}}`);
  await nc.close();
  return server;
}

function supervise(...args: Parameters<typeof superviseNatsServer>): Supervision {
  const s = superviseNatsServer(...args);
  cleanups.push(() => s.stop());
  return s;
}

/** What one outcome of supervision delivers: resolves on the first of its callbacks to run. */
function outcome() {
  let settle: (v: { restarted: number } | { gaveUp: string }) => void = () => {};
  const done = new Promise<{ restarted: number } | { gaveUp: string }>((ok) => (settle = ok));
  return {
    done,
    onRestarted: (pid: number) => settle({ restarted: pid }),
    onGiveUp: (reason: string) => settle({ gaveUp: reason }),
  };
}

describe("superviseNatsServer", () => {
  it("starts a server killed with SIGKILL again, on the same port, with its stream intact", async () => {
    const server = await serverWithStream(25);
    const before = { pid: server.pid, port: server.port, url: server.url };
    const exits: number[] = [];
    const o = outcome();
    supervise(server, { pollMs: 20, backoffMs: () => 20, onExit: (pid) => void exits.push(pid), ...o });

    process.kill(before.pid, "SIGKILL");
    const result = await o.done;

    expect(result).toEqual({ restarted: server.pid });
    expect(exits).toEqual([before.pid]);
    expect(server.pid).not.toBe(before.pid);
    expect(isAlive(server.pid)).toBe(true);
    expect(server.port).toBe(before.port);
    let nc: NatsConnection | undefined;
    try {
      nc = await connectNode(before.url, "supervisor-it-after");
      expect((await streamInfo(nc, "SUPERVISED")).state.messages).toBe(25);
    } finally {
      await nc?.close();
    }
  });

  it("gives up with the reason when the server cannot start again (its port was taken while it was down)", async () => {
    const server = await serverWithStream(1);
    let squatter: Server | undefined;
    cleanups.push(() => new Promise<void>((ok) => (squatter ? squatter.close(() => ok()) : ok())));
    const failures: unknown[] = [];
    const o = outcome();
    supervise(server, {
      pollMs: 20,
      backoffMs: () => 20,
      maxRestarts: 2,
      // Awaited before the first attempt: the port is another program's by then.
      onExit: () =>
        new Promise<void>((ok, fail) => {
          squatter = createServer();
          squatter.once("error", fail);
          squatter.listen(server.port, "127.0.0.1", () => ok());
        }),
      onRestartFailed: (e) => void failures.push(e),
      ...o,
    });

    process.kill(server.pid, "SIGKILL");
    const result = await o.done;

    expect(failures).toHaveLength(2);
    expect(result).toHaveProperty("gaveUp");
    const reason = (result as { gaveUp: string }).gaveUp;
    expect(reason).toMatch(/could not be started again: 2 attempts failed \(2 restarts within 60 s in all\)/);
    expect(reason).toMatch(/address already in use/);
  });

  it("gives up on a server that keeps exiting right after each restart", async () => {
    // No process at all: `running` says whether the fake is up, and the test decides when it dies.
    let running = true;
    let starts = 0;
    const fake: SupervisedServer = {
      pid: 1_000_000,
      get running() {
        return running;
      },
      start: () => {
        starts++;
        running = true;
        return Promise.resolve();
      },
    };
    const o = outcome();
    supervise(fake, {
      pollMs: 5,
      backoffMs: () => 1,
      maxRestarts: 3,
      onRestarted: () => void (running = false),
      onGiveUp: o.onGiveUp,
    });
    running = false;

    expect(await o.done).toEqual({
      gaveUp: "nats-server (pid 1000000) exited, and it keeps exiting: 3 restarts within 60 s.",
    });
    expect(starts).toBe(3);
  });

  it("leaves alone a server that someone else brought back during the backoff", async () => {
    // Seen down half-way through a deliberate restart(): by the time the backoff is over it is up again.
    let running = false;
    let looksAfterExit = 0;
    let lookedTwice = () => {};
    const supervisorMovedOn = new Promise<void>((ok) => (lookedTwice = ok));
    let starts = 0;
    const gaveUp: string[] = [];
    const fake: SupervisedServer = {
      pid: 1_000_000,
      get running() {
        // After the exit: once past the backoff, once more when polling as usual again.
        if (running && ++looksAfterExit === 2) lookedTwice();
        return running;
      },
      start: () => {
        lookedTwice(); // wrong already: fail now rather than time out
        return Promise.reject(new Error(`already running (${++starts})`));
      },
    };
    const supervision = supervise(fake, {
      pollMs: 5,
      backoffMs: () => 20,
      onExit: () => void (running = true),
      onGiveUp: (reason) => void gaveUp.push(reason),
    });
    await supervisorMovedOn;
    await supervision.stop();
    expect(starts).toBe(0);
    expect(gaveUp).toEqual([]);
  });

  it("cancels a pending restart when stopped during its backoff", async () => {
    let starts = 0;
    let exited = () => {};
    const sawExit = new Promise<void>((ok) => (exited = ok));
    const fake: SupervisedServer = { pid: 1_000_000, running: false, start: () => Promise.resolve(void starts++) };
    const supervision = superviseNatsServer(fake, {
      pollMs: 5,
      backoffMs: () => 60_000,
      onExit: () => exited(),
      onGiveUp: () => {},
    });
    await sawExit;
    // Resolves at once, although the backoff had a minute to go, and nothing was started.
    await supervision.stop();
    expect(starts).toBe(0);
  });
});
