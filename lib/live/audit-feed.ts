// The browser's one live feed: a NATS connection, the ordered-consumer reader
// and the in-memory AuditLog. Messages are buffered and handed to the log once
// per animation frame, so the UI re-renders per frame, never per message.
import { AuditLog } from "../audit/audit-log";
import type { RawMessage } from "../audit/types";
import type { BrowserNatsConfig } from "../config/runtime-config";
import { connectBrowser, type NatsConnection } from "../nats/browser-connection";
import { readAuditStream, type ReaderStatus } from "../nats/audit-reader";
import { readStreamRange, streamBounds } from "../nats/range-reader";
import { ExecutionOpener, type ExecutionHint, type HistoryRange } from "./execution-opener";
import type { StopMargins } from "./execution-tracker";

export interface FeedSnapshot {
  log: AuditLog;
  /** Bumps whenever the log or the status changed. */
  version: number;
  status: ReaderStatus;
  /** Messages handed to the log so far. */
  received: number;
}

type Schedule = (flush: () => void) => void;

export class AuditFeed {
  private readonly log: AuditLog;
  private pending: RawMessage[] = [];
  private flushScheduled = false;
  private listeners = new Set<() => void>();
  private snapshot: FeedSnapshot;
  private controller = new AbortController();
  private nc: NatsConnection | undefined;
  private received = 0;
  /** Resolved by the next flush (openers wait for their messages to be in the log). */
  private flushWaiters: (() => void)[] = [];

  constructor(
    private readonly config: BrowserNatsConfig,
    private readonly schedule: Schedule = (f) => requestAnimationFrame(f),
  ) {
    this.log = new AuditLog({ jwks: config.jwks });
    this.snapshot = { log: this.log, version: 0, status: { phase: "connecting" }, received: 0 };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): FeedSnapshot => this.snapshot;

  get streamName(): string {
    return this.config.stream;
  }

  connection(): NatsConnection | undefined {
    return this.nc;
  }

  /**
   * Starts loading one execution that may lie outside the loaded history (see
   * ExecutionOpener); its messages join this feed's log. Call run() on the result.
   */
  openExecution(executionId: string, hint?: ExecutionHint, margins?: Partial<StopMargins>): ExecutionOpener {
    return new ExecutionOpener(
      {
        bounds: async () => streamBounds(await this.connected(), this.config.stream),
        history: () => this.whenStatus((s) => historyOf(s)),
        historyLoaded: (seq) =>
          this.whenStatus((s) => (s.phase === "live" || (s.lastSeq ?? -1) >= seq ? true : undefined)).then(() => {}),
        readRange: async (o) => readStreamRange(await this.connected(), { stream: this.config.stream, ...o }),
        add: (m) => this.enqueue(m),
        flushed: () =>
          this.flushScheduled || this.pending.length > 0
            ? new Promise<void>((ok) => this.flushWaiters.push(ok))
            : Promise.resolve(),
        known: (id) => this.log.execution(id) !== undefined,
      },
      executionId,
      hint,
      margins,
    );
  }

  private connected(): Promise<NonNullable<typeof this.nc>> {
    return this.whenStatus(() => this.nc);
  }

  /** Resolves with the first defined value of `pick` over this feed's snapshots. */
  private whenStatus<T>(pick: (s: ReaderStatus) => T | undefined): Promise<T> {
    return new Promise((ok) => {
      const check = () => {
        const v = pick(this.snapshot.status);
        if (v === undefined) return false;
        off();
        ok(v);
        return true;
      };
      const off = this.subscribe(check);
      check();
    });
  }

  /**
   * Connects (retrying with backoff until it works or the feed stops) and reads.
   * Each start owns its controller, so start → stop → start (React's strict mode
   * runs effects twice in development) ends the first run and really begins a second.
   */
  async start(): Promise<void> {
    this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    let nc: NatsConnection | undefined;
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        nc = await connectBrowser(this.config);
        break;
      } catch (e) {
        if (signal.aborted) return;
        const wait = Math.min(30_000, 1_000 * 2 ** attempt);
        this.setStatus({ phase: "error", reason: describeConnectError(e, this.config, wait) });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    if (!nc) return;
    if (signal.aborted) {
      // Stopped while connecting: this connection is nobody's.
      await nc.close().catch(() => undefined);
      return;
    }
    this.nc = nc;
    signal.addEventListener("abort", () => void nc.close().catch(() => undefined), { once: true });
    await readAuditStream(nc, {
      stream: this.config.stream,
      historyLimit: this.config.historyLimit,
      signal,
      onMessage: (m) => this.enqueue(m),
      onStatus: (s) => this.setStatus(s),
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    const nc = this.nc;
    this.nc = undefined;
    await nc?.close().catch(() => undefined);
  }

  private enqueue(m: RawMessage) {
    this.pending.push(m);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.schedule(() => this.flush());
  }

  private flush() {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.received += batch.length;
    this.log.add(batch);
    this.emit({ ...this.snapshot });
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }

  private setStatus(status: ReaderStatus) {
    // Keep the load progress when a status update only changes the phase.
    this.emit({ ...this.snapshot, status: { ...this.snapshot.status, ...status, reason: status.reason } });
  }

  private emit(next: FeedSnapshot) {
    this.snapshot = { ...next, version: this.snapshot.version + 1, received: this.received };
    for (const l of this.listeners) l();
  }
}

function historyOf(s: ReaderStatus): HistoryRange | undefined {
  return s.startSeq === undefined || s.targetSeq === undefined
    ? undefined
    : { startSeq: s.startSeq, targetSeq: s.targetSeq };
}

function describeConnectError(e: unknown, cfg: BrowserNatsConfig, waitMs: number): string {
  const msg = e instanceof Error ? e.message : String(e);
  const retry = `Retrying in ${Math.round(waitMs / 1000)} s.`;
  if (/auth|authorization|permission/i.test(msg)) {
    return `NATS at ${cfg.servers.join(", ")} refused the credentials (${msg}). Check SEQSCOPE_NATS_USER/PASSWORD/TOKEN/CREDS. ${retry}`;
  }
  return `Cannot reach NATS at ${cfg.servers.join(", ")} (${msg || "connection refused"}). Is the server running with WebSocket enabled? \`npm start\` runs one for you; for your own cluster set SEQSCOPE_NATS_URL. ${retry}`;
}
