// Keeps `npm start`'s embedded nats-server up: when its process exits without
// being asked to, it is started again on the same config, store and ports, a
// few times with backoff; when that does not work, the owner hears why and
// stops everything, rather than leave a dashboard pointing at nothing.
import { isAlive } from "./instance-lock";

/** What is supervised: a RunningNatsServer (lib/node/nats-server.ts), or anything shaped like one. */
export interface SupervisedServer {
  /** The current process (or the last one while it is down). */
  readonly pid: number;
  /** Whether a process is up, when the server knows; otherwise its pid is probed. */
  readonly running?: boolean;
  /** Starts it again on the same config, store and ports; resolves once it is ready. */
  start(): Promise<void>;
}

export interface SupervisorOptions {
  /** Restart attempts allowed within `windowMs` (default 5 in 60 s); one more means give up. */
  maxRestarts?: number;
  windowMs?: number;
  /** Wait before the n-th attempt in a row (0-based) of one outage; default 250 ms doubling to 4 s. */
  backoffMs?(attempt: number): number;
  /** How often to look whether the process is still there (default 200 ms). */
  pollMs?: number;
  /** The process `pid` exited on its own. Awaited before the first restart attempt. */
  onExit?(pid: number): void | Promise<void>;
  /** One attempt failed; another follows unless the budget is spent. */
  onRestartFailed?(error: unknown, attempt: number): void;
  /** It is up again as `pid`. */
  onRestarted?(pid: number, attempt: number): void;
  /** No more attempts: `reason` says what happened (and the last error); supervision has ended. */
  onGiveUp(reason: string, error?: unknown): void;
}

export interface Supervision {
  /** Ends supervision, before the owner stops the server on purpose; resolves once no restart is under way. */
  stop(): Promise<void>;
}

/** An error's message; a long one (a failed start carries the server's log tail) as its first and last lines. */
export function errorSummary(e: unknown, lines = 12): string {
  const all = (e instanceof Error ? e.message : String(e)).trimEnd().split("\n");
  const tail = Math.max(1, lines - 1);
  return all.length <= tail + 1 ? all.join("\n") : [all[0], "…", ...all.slice(-tail)].join("\n");
}

export function superviseNatsServer(server: SupervisedServer, opts: SupervisorOptions): Supervision {
  const maxRestarts = opts.maxRestarts ?? 5;
  const windowMs = opts.windowMs ?? 60_000;
  const backoffMs = opts.backoffMs ?? ((n: number) => Math.min(4_000, 250 * 2 ** n));
  const pollMs = opts.pollMs ?? 200;
  const up = () => server.running ?? isAlive(server.pid);
  const attempts: number[] = [];
  let stopped = false;
  let wake = () => {};
  /** Resolves after `ms`, or at once when supervision stops. Unref'd: supervision alone keeps nothing alive. */
  const pause = (ms: number) =>
    new Promise<void>((ok) => {
      if (stopped) return ok();
      const t = setTimeout(done, ms);
      t.unref();
      wake = done;
      function done() {
        clearTimeout(t);
        wake = () => {};
        ok();
      }
    });

  /** Restarts after one exit; false when it gave up. */
  const recover = async (pid: number): Promise<boolean> => {
    await opts.onExit?.(pid);
    let lastError: unknown;
    for (let inARow = 0; !stopped; inARow++) {
      const now = performance.now();
      while (attempts.length > 0 && now - attempts[0]! > windowMs) attempts.shift();
      if (attempts.length >= maxRestarts) {
        const within = `${attempts.length} restart${attempts.length === 1 ? "" : "s"} within ${Math.round(windowMs / 1000)} s`;
        opts.onGiveUp(
          lastError === undefined
            ? `nats-server (pid ${pid}) exited, and it keeps exiting: ${within}.`
            : `nats-server (pid ${pid}) exited and could not be started again: ${inARow} attempt${inARow === 1 ? "" : "s"} failed ` +
                `(${within} in all); the last one said: ${errorSummary(lastError)}`,
          lastError,
        );
        return false;
      }
      await pause(backoffMs(inARow));
      // Stopped, or up again by other hands (a deliberate restart() seen half-way).
      if (stopped || up()) return true;
      attempts.push(performance.now());
      try {
        await server.start();
        opts.onRestarted?.(server.pid, attempts.length);
        return true;
      } catch (e) {
        lastError = e;
        opts.onRestartFailed?.(e, attempts.length);
      }
    }
    return true;
  };

  const loop = (async () => {
    while (!stopped) {
      if (up()) {
        await pause(pollMs);
        continue;
      }
      if (!(await recover(server.pid))) return;
    }
  })();

  return {
    stop() {
      stopped = true;
      wake();
      return loop;
    },
  };
}
