// The tab's live reader: the newest `historyLimit` messages, then everything
// new, through a ResumableReader (which owns the cursor, so a reconnect, a
// restarted server or a lost consumer resumes right after the last stream
// sequence held). Its status is what the header shows, and it is only "live"
// while the server has recently confirmed that nothing is left to read.
import type { NatsConnection } from "@nats-io/nats-core";
import type { RawMessage } from "../audit/types";
import type { ConnectionEventKind } from "../live/connection-log";
import type { StreamHole } from "../live/stream-holes";
import {
  DEFAULT_TIMING,
  ResumableReader,
  describeReadError,
  type Backlog,
  type CursorState,
  type ReaderTiming,
} from "./resumable-reader";
import { formatCount } from "../format";

export { describeReadError };

export type ReaderPhase = "connecting" | "loading" | "live" | "stalled" | "reconnecting" | "error" | "closed";

export interface ReaderStatus {
  phase: ReaderPhase;
  /** Why we are not live, in words that say what to do. */
  reason?: string;
  /** First stream sequence of the loaded history and the stream's last sequence when reading began. */
  startSeq?: number;
  targetSeq?: number;
  /** Last stream sequence the tab holds. */
  lastSeq?: number;
  /** Messages the stream holds after lastSeq, as last confirmed by the server. */
  behind?: number;
  /** Date.now() of the last message received. */
  lastMessageAt?: number;
  /** Date.now() when the server last confirmed `behind`. */
  verifiedAt?: number;
  /** Consumers created so far (more than 1: the reader recovered that many times). */
  sessions?: number;
  /** Times reading paused until the tab had taken in what it was handed (flow control). */
  pauses?: number;
}

export interface ReadOptions {
  stream: string;
  /** Load at most this many of the newest messages before going live. */
  historyLimit: number;
  /** Start here instead (a link's hint); overrides historyLimit. */
  startSeq?: number;
  onMessage(msg: RawMessage): void;
  onStatus(status: ReaderStatus): void;
  onEvent?(kind: ConnectionEventKind, detail?: string): void;
  onHoles?(holes: StreamHole[]): void;
  /** Flow control: where the messages wait to be taken in (the reader in its worker: the page). */
  backlog?: Backlog;
  /** The stream was recreated: the caller starts a new log; the reader reads the new stream. */
  onRecreated?(previous: { from: number; to: number } | undefined): void;
  signal: AbortSignal;
  timing?: Partial<ReaderTiming>;
}

/**
 * How far behind a live tab may be while messages keep arriving: under a steady publish rate the
 * messages of the pull in flight are always "pending", so a tab that reached 0 behind stays live while
 * its lag stays within one pull batch and keeps being confirmed (without it the header flickers
 * live → catching up → live on every batch).
 */
export const LIVE_SLACK = 1_000;

/** "Advancing" for the slack rule: a message within this long (a stall must not pass for live). */
export const LIVE_ADVANCING_MS = 3_000;

/**
 * The status a cursor shows at `now`: "live" only while caught up (or, once live, within LIVE_SLACK
 * and advancing) and confirmed by the server within `verifiedForMs`.
 */
export function statusOf(
  c: CursorState,
  now: number,
  verifiedForMs = DEFAULT_TIMING.verifiedForMs,
  wasLive = false,
): ReaderStatus {
  const base: ReaderStatus = {
    phase: "loading",
    startSeq: c.startSeq,
    targetSeq: c.initialLastSeq,
    lastSeq: c.held,
    behind: c.behind,
    lastMessageAt: c.lastMessageAt,
    verifiedAt: c.verifiedAt,
    sessions: c.sessions,
    pauses: c.pauses,
  };
  if (c.problem !== undefined) return { ...base, phase: "error", reason: c.problem };
  if (c.verifiedAt === undefined) return { ...base, phase: "connecting" };
  if (!c.connected) return { ...base, phase: "reconnecting", reason: "Lost the connection to NATS; reconnecting…" };
  if (c.stalled)
    return {
      ...base,
      phase: "stalled",
      reason: `${formatCount(c.behind)} behind and nothing arriving; recreating the consumer from stream seq ${formatCount(c.held + 1)}.`,
    };
  // Back from a disconnect: what the tab knew about the stream is stale until the server answers.
  if (c.unverified) return { ...base, phase: "loading", behind: undefined };
  const fresh = c.verifiedAt !== undefined && now - c.verifiedAt <= verifiedForMs;
  if (c.behind === 0 && fresh) return { ...base, phase: "live" };
  const advancing = c.lastMessageAt !== undefined && now - c.lastMessageAt <= LIVE_ADVANCING_MS;
  if (wasLive && fresh && advancing && c.behind <= LIVE_SLACK) return { ...base, phase: "live" };
  if (c.paused)
    return {
      ...base,
      phase: "loading",
      reason: "This tab is taking in the messages it was handed; reading resumes then.",
    };
  if (c.behind === 0)
    return {
      ...base,
      phase: "stalled",
      reason: `NATS has not confirmed for ${Math.round((now - (c.verifiedAt ?? now)) / 1000)} s that nothing is missing; checking.`,
    };
  return { ...base, phase: "loading" };
}

export class AuditStreamReader {
  private readonly reader: ResumableReader;
  private readonly verifiedForMs: number;
  private wasLive = false;

  constructor(
    nc: NatsConnection,
    private readonly opts: ReadOptions,
  ) {
    this.verifiedForMs = opts.timing?.verifiedForMs ?? DEFAULT_TIMING.verifiedForMs;
    this.reader = new ResumableReader(nc, {
      stream: opts.stream,
      // Start by stream sequence, never by time: an ordered consumer that resets with opt_start_time fails on 2.9.
      startAt: ({ last }) => opts.startSeq ?? last - opts.historyLimit + 1,
      maxMessages: 1_000,
      onMessage: (m) => opts.onMessage(m),
      onState: () => opts.onStatus(this.status()),
      onEvent: opts.onEvent,
      onHoles: opts.onHoles,
      backlog: opts.backlog,
      onRecreated: (previous) => {
        opts.onRecreated?.(previous);
        return true;
      },
      signal: opts.signal,
      timing: opts.timing,
    });
  }

  /** Runs until `signal` aborts or the connection closes. Never throws: failures become statuses. */
  async run(): Promise<void> {
    // Re-derive the status on a clock too: "live" expires when nobody confirms it.
    const tick = setInterval(() => this.opts.onStatus(this.status()), 1_000);
    try {
      await this.reader.run();
      if (!this.opts.signal.aborted)
        this.opts.onStatus({ ...this.status(), phase: "closed", reason: "The connection to NATS was closed." });
    } catch (e) {
      if (!this.opts.signal.aborted)
        this.opts.onStatus({ phase: "error", reason: describeReadError(e, this.opts.stream) });
    } finally {
      clearInterval(tick);
    }
  }

  status(): ReaderStatus {
    const s = statusOf(this.reader.cursor, Date.now(), this.verifiedForMs, this.wasLive);
    this.wasLive = s.phase === "live";
    return s;
  }

  /** Verify now (a hidden tab that became visible): the status is current within a round trip. */
  poke(): void {
    this.reader.poke();
  }
}

export function readAuditStream(nc: NatsConnection, opts: ReadOptions): Promise<void> {
  return new AuditStreamReader(nc, opts).run();
}
