// Publishes a simulated run to JetStream with publish acks, in real time (each
// line at its simulated offset) or as fast as acks allow, and each execution's
// ground truth on a side subject once its lines are acked. Used by
// `npm run sim`, `npm start`'s live demo and the integration tests.
//
// With `retry`, a publish that fails (server down or restarting, connection
// lost, ack timed out) is sent again until it is acked, so a server restart
// loses nothing; every copy carries a Nats-Msg-Id unique to that published copy,
// so JetStream drops a resent copy it had already stored (its duplicate window,
// 2 min by default, must outlast the outage) while the simulator's intentional
// duplicates, which share an event id, both land.
//
// Order: without failures the stream holds the lines in the simulator's publish
// order (one connection, acks in order). A resent line lands after the lines that
// were acked while it waited, so under retries the stream order can differ from
// `SimLine.index` (and from the truth's `published` positions) within one
// in-flight window; no new line is sent while one is being retried, so it is
// never more than that. Consumers do not rely on arrival order; what they do rely
// on is that an execution's truth is published only once all its lines are acked.
import { createHash, randomUUID } from "node:crypto";
import type { NatsConnection } from "../../lib/nats/node-connection";
import { AuditPublisher } from "../../lib/nats/publish";
import { flushSide, publishSide } from "../../lib/nats/side-channel";
import { meanLinesPerExecution, Simulator, type SimLine, type SimRuntime } from "../../lib/sim/simulator";
import { demoSimOptions, resolveSimOptions, type SimOptions, type SimOptionsInput } from "../../lib/sim/options";
import type { TruthRecord } from "../../lib/sim/truth";

export { demoSimOptions };

/** In Node, chains hash with node:crypto: same bytes as the portable default, several times faster. */
export const NODE_SIM_RUNTIME: SimRuntime = {
  sha256Hex: (bytes) => createHash("sha256").update(bytes).digest("hex"),
};

export interface SimPublisherOptions {
  /** Subject the audit lines go to (the stream must capture it). */
  subject: string;
  /** Truth records go to `<prefix>.<execution_id>`; omit or "" to publish none. */
  truthSubjectPrefix?: string;
  sim: SimOptionsInput | SimOptions;
  /**
   * Target audit events per second: sets how many executions start per simulated
   * second (from the mean lines per execution). Omit to keep `sim.executionsPerSecond`.
   */
  rate?: number;
  /** 1 = real time (default), 2 = twice as fast, 0 = as fast as acks allow. */
  speed?: number;
  /**
   * Send `Nats-Msg-Id` = the event id: JetStream then drops the simulator's intentional duplicate copies
   * (a producer that de-duplicates); with `retry`, resent copies too.
   */
  msgId?: boolean;
  /**
   * Resend every failed publish until it is acked, waiting `initialMs` (default 100) doubling to `maxMs`
   * (default 2 000) between attempts, and while the connection is down until it is back; gives up only
   * when `signal` aborts or the connection is closed for good. No new line is sent while one is resent.
   * Without `msgId`, each copy gets `Nats-Msg-Id` `<run>:<event id>#<copy>`, unique per published copy.
   */
  retry?: boolean | { initialMs?: number; maxMs?: number };
  /** Publishes awaiting their ack at once (default 256); order on the stream is the send order (see above). */
  maxInFlight?: number;
  signal: AbortSignal;
  onExecutionDone?(truth: TruthRecord): void;
  /** Called as each line is acked (first ack only, resends included). */
  onLineAcked?(line: SimLine): void;
  /** Called at most every `progressMs` (default 500) and once at the end. */
  onProgress?(p: SimProgress): void;
  progressMs?: number;
  /** When given, a failed publish is reported here and the run stops; otherwise publishSimulation rejects. */
  onError?(e: unknown): void;
  /** Time source for pacing and progress; defaults to the real one (tests pass a simulated clock). */
  clock?: SimClock;
}

/** What publishSimulation reads the time from and waits with. */
export interface SimClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms` (at once when `ms <= 0`), or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface SimProgress {
  lines: number;
  executions: number;
  /**
   * Copies JetStream acknowledged as duplicates (Nats-Msg-Id de-duplication): intentional copies under
   * `msgId`, and resent lines the server had stored before their first ack got lost.
   */
  deduplicated: number;
  // Optional only so that a writer of progress without retries (`npm run sim --out`) need not name them.
  /** Lines being retried right now (their publish failed and they wait to be resent); 0 while all is well. */
  retries?: number;
  /** Publishes sent again so far (one per failed attempt). */
  resent?: number;
  /** Why the latest failed attempt failed, while any line is being retried. */
  retryError?: string;
  elapsedMs: number;
}

export const REAL_CLOCK: SimClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((ok) => {
      if (ms <= 0 || signal.aborted) return ok();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        ok();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

class ConnectionLostError extends Error {
  constructor() {
    super("connection lost before the ack");
  }
}

/**
 * What a retrying publisher needs to know of its connection. A request in flight when the connection drops,
 * or made while it is down, is never answered (the client neither resends nor fails it; it waits out its
 * whole ack timeout, 5 s): `guard(sent)` fails such a publish as soon as the connection is back, so it is
 * resent then. `resendAfter(ms)` waits at least `ms` and until the connection is up. Both end at once when
 * `signal` aborts, through one abort listener for the run rather than one per wait.
 */
function watchConnection(nc: NatsConnection, signal: AbortSignal) {
  let connected = true;
  /** Fails each publish awaiting its ack. */
  const unanswered = new Set<() => void>();
  /** Ends each wait before a resend. */
  const waiting = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiting]) wake();
  };
  signal.addEventListener("abort", wakeAll, { once: true });
  const status = nc.status();
  void (async () => {
    for await (const s of status) {
      if (s.type === "disconnect") connected = false;
      else if (s.type === "reconnect") {
        connected = true;
        // A publish sent on the new connection before this status arrived is failed too: resent, it is
        // dropped by its Nats-Msg-Id.
        for (const lose of [...unanswered]) lose();
        wakeAll();
      } else if (s.type === "close") wakeAll(); // for good: the resend fails, on a closed connection
    }
  })();
  return {
    guard: <T>(sent: Promise<T>) =>
      new Promise<T>((ok, fail) => {
        const lose = () => (unanswered.delete(lose), fail(new ConnectionLostError()));
        unanswered.add(lose);
        sent.then(
          (v) => (unanswered.delete(lose), ok(v)),
          (e: unknown) => (unanswered.delete(lose), fail(e)),
        );
      }),
    resendAfter: (ms: number) =>
      new Promise<void>((ok) => {
        if (signal.aborted) return ok();
        const wake = () => (clearTimeout(timer), waiting.delete(wake), ok());
        waiting.add(wake);
        // Past the backoff, a connection that is still down keeps the resend waiting for the reconnect.
        const timer = setTimeout(() => connected && wake(), ms);
      }),
    stop: () => {
      signal.removeEventListener("abort", wakeAll);
      if ("stop" in status && typeof status.stop === "function") status.stop();
    },
  };
}

/** The options with `rate` (events/s) turned into executions per simulated second. */
export function simOptionsForRate(sim: SimOptionsInput | SimOptions, rate: number | undefined): SimOptions {
  const o = resolveSimOptions(sim);
  if (rate === undefined) return o;
  if (!(rate > 0)) throw new RangeError(`rate must be > 0 events/s, got ${rate}`);
  return { ...o, executionsPerSecond: rate / meanLinesPerExecution(o) };
}

export async function publishSimulation(nc: NatsConnection, opts: SimPublisherOptions): Promise<SimProgress> {
  const sim = new Simulator(simOptionsForRate(opts.sim, opts.rate), NODE_SIM_RUNTIME);
  const publisher = new AuditPublisher(nc, opts.subject);
  const speed = opts.speed ?? 1;
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 256);
  const progressMs = opts.progressMs ?? 500;
  const clock = opts.clock ?? REAL_CLOCK;
  const retry = opts.retry ? { initialMs: 100, maxMs: 2_000, ...(opts.retry === true ? {} : opts.retry) } : undefined;
  // Per run, so that a second run within the duplicate window (process lines repeat their ids) is not dropped.
  const run = randomUUID().slice(0, 8);
  const msgId = (line: SimLine) => (opts.msgId ? line.id : retry ? `${run}:${line.id}#${line.copy}` : undefined);
  const started = clock.now();
  const progress: SimProgress & { retries: number; resent: number } = {
    lines: 0,
    executions: 0,
    deduplicated: 0,
    retries: 0,
    resent: 0,
    elapsedMs: 0,
  };
  /** Each resolves once its line is acked (true) or abandoned (false: failed, or aborted while retrying). */
  const inFlight = new Set<Promise<boolean>>();
  /** Unacked lines per execution, so its truth waits for exactly those. */
  const pendingByExecution = new Map<string, Promise<boolean>[]>();
  const truths = new Set<Promise<void>>();
  let failure: { e: unknown } | undefined;
  let lastReport = started;

  const report = (force = false) => {
    const now = clock.now();
    if (!opts.onProgress || (!force && now - lastReport < progressMs)) return;
    lastReport = now;
    progress.elapsedMs = now - started;
    opts.onProgress({ ...progress });
  };

  const connection = retry ? watchConnection(nc, opts.signal) : undefined;
  const publishUntilAcked = async (line: SimLine) => {
    const id = msgId(line);
    for (let attempt = 0; ; attempt++) {
      try {
        const sent = publisher.publish(line.bytes, id);
        const ack = await (connection ? connection.guard(sent) : sent);
        if (attempt > 0 && --progress.retries === 0) delete progress.retryError;
        return ack;
      } catch (e) {
        if (!retry || opts.signal.aborted || nc.isClosed()) {
          if (attempt > 0 && --progress.retries === 0) delete progress.retryError;
          throw e;
        }
        if (attempt === 0) progress.retries++;
        progress.resent++;
        progress.retryError = e instanceof Error ? e.message : String(e);
        report();
        // Real time even under a simulated clock: this waits for a real server to come back.
        await connection?.resendAfter(Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(attempt, 20)));
      }
    }
  };

  const send = (line: SimLine) => {
    const p = publishUntilAcked(line).then(
      (ack) => {
        progress.lines++;
        if (ack.duplicate) progress.deduplicated++;
        opts.onLineAcked?.(line);
        return true;
      },
      (e: unknown) => {
        // A publish cut short by the abort is not a failure of the run.
        if (!opts.signal.aborted) failure ??= { e };
        return false;
      },
    );
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
    if (line.executionId !== undefined) {
      const pending = pendingByExecution.get(line.executionId);
      if (pending) pending.push(p);
      else pendingByExecution.set(line.executionId, [p]);
    }
  };

  const finish = (truth: TruthRecord) => {
    // The simulator yields a truth after its execution's last line (copies included): every line of the execution has been sent by now.
    const pending = pendingByExecution.get(truth.executionId) ?? [];
    pendingByExecution.delete(truth.executionId);
    const t = Promise.all(pending).then((acked) => {
      if (failure || !acked.every(Boolean) || nc.isClosed()) return;
      if (opts.truthSubjectPrefix) {
        publishSide(nc, `${opts.truthSubjectPrefix}.${truth.executionId}`, JSON.stringify(truth));
      }
      progress.executions++;
      opts.onExecutionDone?.(truth);
    });
    truths.add(t);
    void t.then(() => truths.delete(t));
  };

  for (let item = sim.next(); item !== undefined && !opts.signal.aborted && !failure; item = sim.next()) {
    if (item.kind === "truth") {
      finish(item.truth);
      continue;
    }
    if (speed > 0) await clock.sleep(item.line.atMs / speed - (clock.now() - started), opts.signal);
    if (opts.signal.aborted) break;
    // Bounded window; and while a line is retried the server is likely down: send nothing new until it is back.
    while (inFlight.size >= maxInFlight || (progress.retries > 0 && inFlight.size > 0)) await Promise.race(inFlight);
    send(item.line);
    report();
  }
  await Promise.all(inFlight);
  connection?.stop();
  await Promise.all(truths);
  if (opts.truthSubjectPrefix && !nc.isClosed()) await flushSide(nc).catch(() => undefined);
  report(true);
  progress.elapsedMs = clock.now() - started;
  if (failure) {
    if (opts.onError) opts.onError(failure.e);
    else throw failure.e;
  }
  return progress;
}
