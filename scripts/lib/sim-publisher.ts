// Publishes a simulated run to JetStream with publish acks, in real time (each
// line at its simulated offset) or as fast as acks allow, and each execution's
// ground truth on a side subject once its lines are acked. Used by
// `npm run sim`, `npm start`'s live demo and the integration tests.
import { createHash } from "node:crypto";
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
  /** Send `Nats-Msg-Id` = the event id: JetStream then drops the duplicate copies. */
  msgId?: boolean;
  /** Publishes awaiting their ack at once (default 256); order on the stream is the send order. */
  maxInFlight?: number;
  signal: AbortSignal;
  onExecutionDone?(truth: TruthRecord): void;
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
  /** Copies JetStream acknowledged as duplicates (Nats-Msg-Id de-duplication). */
  deduplicated: number;
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
  const started = clock.now();
  const progress: SimProgress = { lines: 0, executions: 0, deduplicated: 0, elapsedMs: 0 };
  const inFlight = new Set<Promise<void>>();
  let last: Promise<void> = Promise.resolve();
  let failure: { e: unknown } | undefined;
  let lastReport = started;

  const report = (force = false) => {
    const now = clock.now();
    if (!opts.onProgress || (!force && now - lastReport < progressMs)) return;
    lastReport = now;
    progress.elapsedMs = now - started;
    opts.onProgress({ ...progress });
  };

  const send = (line: SimLine) => {
    const p = publisher.publish(line.bytes, opts.msgId ? line.id : undefined).then(
      (ack) => {
        progress.lines++;
        if (ack.duplicate) progress.deduplicated++;
      },
      (e: unknown) => {
        failure ??= { e };
      },
    );
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
    last = p;
  };

  const finish = (truth: TruthRecord) => {
    // After the execution's last line is acked, so a reader of the truth finds every line on the stream.
    const after = last;
    void after.then(() => {
      if (failure) return;
      if (opts.truthSubjectPrefix) {
        publishSide(nc, `${opts.truthSubjectPrefix}.${truth.executionId}`, JSON.stringify(truth));
      }
      progress.executions++;
      opts.onExecutionDone?.(truth);
    });
  };

  for (let item = sim.next(); item !== undefined && !opts.signal.aborted && !failure; item = sim.next()) {
    if (item.kind === "truth") {
      finish(item.truth);
      continue;
    }
    if (speed > 0) await clock.sleep(item.line.atMs / speed - (clock.now() - started), opts.signal);
    if (opts.signal.aborted) break;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    send(item.line);
    report();
  }
  await Promise.all(inFlight);
  await last;
  // Let the truth callbacks queued on the last acks run, then make sure the server has the truths.
  await new Promise((r) => setTimeout(r, 0));
  if (opts.truthSubjectPrefix && !nc.isClosed()) await flushSide(nc).catch(() => undefined);
  report(true);
  progress.elapsedMs = clock.now() - started;
  if (failure) {
    if (opts.onError) opts.onError(failure.e);
    else throw failure.e;
  }
  return progress;
}
