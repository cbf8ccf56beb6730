// Where the feed's live reader runs. In Node and in tests it runs beside the
// feed on the feed's connection; in a browser tab it runs in a dedicated worker
// (reader.worker.ts) on a connection of its own, so the page's main thread
// only takes in one batch of messages per frame and draws. Either way it is
// the same AuditStreamReader with the same callbacks, in the same order.
import { AuditStreamReader, type ReadOptions } from "../nats/audit-reader";
import type { ConnectionAuth, NatsConnection } from "../nats/browser-connection";
import { unpackBatch } from "./message-batch";
import type { ReaderRequest, ReaderResponse, WorkerAuth } from "./reader.worker";

export interface LiveReader {
  /** Until the options' signal aborts or the connection closes; never throws. */
  run(): Promise<void>;
  /** Verify now (a hidden tab became visible). */
  poke(): void;
  /** Reading on the feed's own connection (a worker that could not start): that connection's drops are logged by the reader. */
  onFeedConnection?(): boolean;
}

export interface ReaderPlace {
  /** The feed's connection. */
  nc: NatsConnection;
  servers: string[];
  /** The credential the feed connected with (a worker connects with it too). */
  auth?: ConnectionAuth;
}

export type ReaderHost = (at: ReaderPlace, opts: ReadOptions) => LiveReader;

/** Beside the feed, on its connection. */
export const inThisThread: ReaderHost = (at, opts) => new AuditStreamReader(at.nc, opts);

/** How often a renewed JWT is handed to the worker: well within a credential's life. */
const JWT_CHECK_MS = 500;

/** In a dedicated worker; where none can start, in this thread (said in the connection log). */
export const inWorker: ReaderHost = (at, opts) => new WorkerReader(at, opts);

class WorkerReader implements LiveReader {
  private worker: Worker | undefined;

  constructor(
    private readonly at: ReaderPlace,
    private readonly opts: ReadOptions,
  ) {}

  run(): Promise<void> {
    const { opts, at } = this;
    if (opts.signal.aborted) return Promise.resolve();
    let worker: Worker;
    try {
      worker = new Worker(new URL("./reader.worker.ts", import.meta.url), { type: "module" });
    } catch (e) {
      return this.fallBack(e);
    }
    this.worker = worker;
    const send = (m: ReaderRequest) => worker.postMessage(m);
    const { jwt, ...auth } = at.auth ?? {};
    let sentJwt = jwt?.();
    const workerAuth: WorkerAuth = sentJwt === undefined ? auth : { ...auth, jwt: sentJwt };
    return new Promise<void>((done) => {
      let heard = false;
      const jwtTimer =
        jwt === undefined
          ? undefined
          : setInterval(() => {
              const now = jwt();
              if (now !== sentJwt) send({ type: "jwt", jwt: (sentJwt = now) });
            }, JWT_CHECK_MS);
      const end = () => {
        if (jwtTimer !== undefined) clearInterval(jwtTimer);
        opts.signal.removeEventListener("abort", stop);
        this.worker = undefined;
        done();
      };
      const stop = () => {
        send({ type: "stop" });
        // It closes its connection and then itself; one that hangs goes anyway.
        setTimeout(() => worker.terminate(), 3_000);
        end();
      };
      opts.signal.addEventListener("abort", stop, { once: true });
      worker.onmessage = (e: MessageEvent<ReaderResponse>) => {
        heard = true;
        const m = e.data;
        if (m.type === "batch") {
          if (m.batch !== undefined) {
            try {
              for (const msg of unpackBatch(m.batch)) opts.onMessage(msg);
            } finally {
              // In the feed now (its own buffer is bounded): the worker may read on (flow control).
              send({ type: "taken", bytes: m.batch.bytes.byteLength });
            }
          }
          if (m.status !== undefined) opts.onStatus(m.status);
        } else if (m.type === "event") opts.onEvent?.(m.kind, m.detail);
        else if (m.type === "holes") opts.onHoles?.(m.holes);
        else if (m.type === "recreated") opts.onRecreated?.(m.previous);
        else if (m.type === "ended") {
          worker.terminate();
          end();
        }
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker.terminate();
        const why = e.message || "unknown error";
        // A worker that never started (blocked by the page's policy, say): read here instead.
        if (!heard && !opts.signal.aborted) {
          if (jwtTimer !== undefined) clearInterval(jwtTimer);
          opts.signal.removeEventListener("abort", stop);
          void this.fallBack(why).then(done);
          return;
        }
        opts.onStatus({ phase: "error", reason: `The reader's worker failed: ${why}. Reload the page.` });
        end();
      };
      send({
        type: "start",
        config: { servers: at.servers, stream: opts.stream, historyLimit: opts.historyLimit },
        auth: workerAuth,
        timing: opts.timing,
      });
    });
  }

  private fallback: LiveReader | undefined;

  private fallBack(why: unknown): Promise<void> {
    this.opts.onEvent?.(
      "error",
      `no reader worker (${why instanceof Error ? why.message : String(why)}): reading in the page`,
    );
    this.fallback = inThisThread(this.at, this.opts);
    return this.fallback.run();
  }

  onFeedConnection(): boolean {
    return this.fallback !== undefined;
  }

  poke(): void {
    this.worker?.postMessage({ type: "poke" } satisfies ReaderRequest);
    this.fallback?.poke();
  }
}
