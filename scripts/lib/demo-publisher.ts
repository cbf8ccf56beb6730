// Publishes demo executions in real time: each event at its offset from the
// execution's start, several executions overlapping, like a live platform.
import type { NatsConnection } from "../../lib/nats/node-connection";
import { AuditPublisher } from "../../lib/nats/publish";
import { demoRun, encodeEvent, type DemoRun } from "../../lib/sim/demo-runs";
import { seededRng } from "../../lib/sim/random";

export interface DemoPublisherOptions {
  subject: string;
  /** Executions started per second. */
  rate: number;
  seed: number;
  /** Stop after this many executions (continuous when omitted). */
  executions?: number;
  dropRate?: number;
  duplicateRate?: number;
  /** 1 = real time; 0 publishes every event as fast as acks allow. */
  speed?: number;
  signal: AbortSignal;
  onRunDone?(run: DemoRun): void;
  onError?(e: unknown): void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((ok) => {
    if (ms <= 0 || signal.aborted) return ok();
    const onAbort = () => {
      clearTimeout(t);
      ok();
    };
    // Remove the listener when the timer fires: thousands of sleeps share one signal.
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      ok();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export async function publishDemo(nc: NatsConnection, opts: DemoPublisherOptions): Promise<DemoRun[]> {
  const rng = seededRng(opts.seed);
  const publisher = new AuditPublisher(nc, opts.subject);
  const speed = opts.speed ?? 1;
  const running: Promise<void>[] = [];
  const done: DemoRun[] = [];
  for (let i = 0; opts.executions === undefined || i < opts.executions; i++) {
    if (opts.signal.aborted) break;
    const run = demoRun(rng, {
      startMs: Date.now(),
      dropRate: opts.dropRate ?? 0,
      duplicateRate: opts.duplicateRate ?? 0,
    });
    const task = (async () => {
      const started = Date.now();
      for (const e of run.events) {
        await sleep(e.atMs * speed - (Date.now() - started), opts.signal);
        if (opts.signal.aborted) return;
        await publisher.publish(encodeEvent(e));
      }
      done.push(run);
      opts.onRunDone?.(run);
    })().catch((e) => opts.onError?.(e));
    running.push(task);
    if (running.length > 64) await Promise.race(running.splice(0, 32));
    await sleep(speed === 0 ? 0 : 1000 / opts.rate, opts.signal);
  }
  await Promise.all(running);
  return done;
}
