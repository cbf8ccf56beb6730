// Shared by the fault tests (Vitest) and `npm run chaos`: a publisher that
// retries each event until JetStream acks it (with a message id, so a retry the
// server already stored is dropped, not doubled), a reader that records every
// stream sequence the browser's reader hands over, and waiting on conditions.
// Node-side test code: real servers, real clients, no mocks.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connectBrowser } from "./browser-connection";
import { AuditStreamReader, type ReaderStatus } from "./audit-reader";
import type { ReaderTiming } from "./resumable-reader";
import type { StreamHole } from "../live/stream-holes";
import type { ConnectionEventKind } from "../live/connection-log";

/** Short timings so a fault test spends seconds, not minutes, waiting for heartbeats. */
export const FAST_TIMING: Partial<ReaderTiming> = {
  heartbeatMs: 1_000,
  expiresMs: 5_000,
  watchdogMs: 500,
  stallMs: 3_000,
  verifiedForMs: 4_000,
  maxBackoffMs: 2_000,
};

export async function waitUntil(
  what: string,
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function auditLine(i: number, exec = `wfx-fault-${Math.floor(i / 40)}`): string {
  return JSON.stringify({
    ts: new Date(Date.UTC(2026, 11, 1, 12, 0, 0) + i).toISOString(),
    event: "tool_exec",
    seq: (i % 40) + 1,
    workflow_execution_id: exec,
    entity_type: "agent",
    entity_id: "a1",
    n: i,
  });
}

/** auditLine, with each execution's 40th line its workflow_complete: runs that finish. */
export function finishingAuditLine(i: number): string {
  if (i % 40 !== 39) return auditLine(i);
  const o = JSON.parse(auditLine(i)) as Record<string, unknown>;
  return JSON.stringify({ ...o, event: "workflow_complete" });
}

/** Publishes auditLine(from…limit - 1) (or `line`'s) or until stopped; every event is retried until acked. */
export class RetryingPublisher {
  /** Events acknowledged by the stream (each once, whatever the retries). */
  acked = 0;
  retries = 0;
  lastError: string | undefined;
  private next = 0;
  private stopped = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly opts: {
      workers?: number;
      pauseMs?: number;
      from?: number;
      limit?: number;
      line?: (i: number) => string;
    } = {},
  ) {
    this.next = opts.from ?? 0;
  }

  start(): this {
    const js = jetstream(this.nc, { timeout: 2_000 });
    const worker = async () => {
      while (!this.stopped) {
        const i = this.next++;
        if (this.opts.limit !== undefined && i >= this.opts.limit) return;
        for (;;) {
          try {
            await js.publish(this.subject, (this.opts.line ?? auditLine)(i), { msgID: `fault-${i}` });
            this.acked++;
            break;
          } catch (e) {
            this.lastError = e instanceof Error ? e.message : String(e);
            this.retries++;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        if (this.opts.pauseMs) await new Promise((r) => setTimeout(r, this.opts.pauseMs));
      }
    };
    this.running = Array.from({ length: this.opts.workers ?? 4 }, worker);
    return this;
  }

  /** Stops after the events in flight are acked. Resolves with how many were acked. */
  async stop(): Promise<number> {
    this.stopped = true;
    await Promise.all(this.running);
    return this.acked;
  }

  /** Resolves when all `limit` events are acked. */
  async done(): Promise<number> {
    await Promise.all(this.running);
    return this.acked;
  }
}

/** The browser's live reader over WebSocket, recording what it hands over. */
export class RecordingReader {
  seqs: number[] = [];
  payloads: string[] = [];
  status: ReaderStatus = { phase: "connecting" };
  phases: ReaderStatus["phase"][] = [];
  holes: StreamHole[] = [];
  events: { kind: ConnectionEventKind; detail?: string }[] = [];
  recreated = 0;
  private controller = new AbortController();
  private nc: NatsConnection | undefined;
  private run: Promise<void> | undefined;
  private reader: AuditStreamReader | undefined;

  constructor(
    private readonly servers: string[],
    private readonly stream: string,
    private readonly opts: { historyLimit?: number; timing?: Partial<ReaderTiming> } = {},
  ) {}

  async start(): Promise<this> {
    this.nc = await connectBrowser({
      servers: this.servers,
      stream: this.stream,
      subject: "unused",
      historyLimit: 0,
    });
    this.reader = new AuditStreamReader(this.nc, {
      stream: this.stream,
      historyLimit: this.opts.historyLimit ?? 1_000_000_000,
      signal: this.controller.signal,
      timing: this.opts.timing ?? FAST_TIMING,
      onMessage: (m) => {
        this.seqs.push(m.streamSeq);
        this.payloads.push(new TextDecoder().decode(m.data));
      },
      onStatus: (s) => {
        if (s.phase !== this.status.phase) this.phases.push(s.phase);
        this.status = s;
      },
      onEvent: (kind, detail) => this.events.push({ kind, detail }),
      onHoles: (h) => this.holes.push(...h),
      onRecreated: () => {
        this.recreated++;
        this.seqs = [];
        this.payloads = [];
      },
    });
    this.run = this.reader.run();
    return this;
  }

  /** Live, nothing behind, and holding stream seq `last`. */
  caughtUpTo(last: number): boolean {
    return this.status.phase === "live" && this.status.behind === 0 && this.seqs.at(-1) === last;
  }

  /** host:port of the server the reader is connected to now. */
  server(): string | undefined {
    return this.nc?.getServer();
  }

  count(kind: ConnectionEventKind): number {
    return this.events.filter((e) => e.kind === kind).length;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.run;
    await this.nc?.close().catch(() => undefined);
  }
}

/** Sequences that occur more than once, and those in [from, to] that never occur. */
export function lostAndDoubled(seqs: readonly number[], from: number, to: number): { lost: number; doubled: number } {
  const seen = new Set<number>();
  let doubled = 0;
  for (const s of seqs) {
    if (seen.has(s)) doubled++;
    seen.add(s);
  }
  let lost = 0;
  for (let s = from; s <= to; s++) if (!seen.has(s)) lost++;
  return { lost, doubled };
}

export async function lastSeqOf(nc: NatsConnection, stream: string): Promise<number> {
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  return info.state.last_seq;
}
