// The one way seqscope reads a stretch of the audit stream in order: an ordered
// consumer that this module owns the cursor of. The client's ordered consumer
// resets itself after a reconnect, but keeps the pull budget of the request the
// dead server took with it, so the re-pull after a reset asks for "max_messages
// minus what was outstanding" — often 0–2 messages — and the reader starves
// while the connection looks healthy (issue 10: "about 2 messages per
// reconnect"). So nothing here relies on the client's internal resets: on any
// sign of trouble (reconnect, heartbeats missed, consumer gone, a reset the
// client did by itself, a stall the watchdog sees) the session is closed and a
// fresh consumer is created from the last stream sequence handed over + 1.
//
// Flow control: a reader whose messages go to a consumer that can fall behind
// (the tab's reader in its worker hands them to the page) passes a `backlog`.
// Pausing the pump would not bound anything: the client's consume() pulls
// again as messages arrive, not as they are taken, so its own queue would
// grow instead. So once the backlog is full the session ends like any other,
// the reader waits until the consumer has taken what it has, and a fresh
// consumer resumes from the held sequence + 1 (what the client had buffered is
// read again, never lost).
//
// It also proves what it holds: every message carries the stream's pending
// count, a watchdog compares the last held sequence with the stream's last_seq,
// and a jump in stream sequences is classified (expired, purged, deleted,
// unexplained) from what the stream says about itself at that moment.
import type { NatsConnection } from "@nats-io/nats-core";
import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { RawMessage } from "../audit/types";
import type { ConnectionEventKind } from "../live/connection-log";
import { classifyHole, type StreamFacts, type StreamHole } from "../live/stream-holes";
import { isStreamNotFound } from "./stream";
import { formatCount } from "../format";

export interface ReaderTiming {
  /** Idle heartbeat asked of the server for each pull; two missed ones restart the session. */
  heartbeatMs: number;
  /** Pull request lifetime. */
  expiresMs: number;
  /** How often the watchdog compares the held sequence with the stream's last_seq. */
  watchdogMs: number;
  /** Behind and no message for this long: stalled, recreate the consumer. */
  stallMs: number;
  /** "Caught up" is true for this long after it was last verified (a message with 0 pending, a heartbeat, an info). */
  verifiedForMs: number;
  /** Longest wait between attempts after repeated failures. */
  maxBackoffMs: number;
  /** How long a stream info may take before the watchdog asks again. */
  infoTimeoutMs: number;
  /** How long creating a consumer may take before the reader tries again. */
  createTimeoutMs: number;
}

export const DEFAULT_TIMING: ReaderTiming = {
  heartbeatMs: 2_000,
  expiresMs: 10_000,
  watchdogMs: 2_000,
  stallMs: 6_000,
  verifiedForMs: 10_000,
  maxBackoffMs: 10_000,
  infoTimeoutMs: 2_000,
  createTimeoutMs: 3_000,
};

/** Where the cursor stands; the callers turn it into a status for people. */
export interface CursorState {
  connected: boolean;
  /** Last stream sequence handed over, or startSeq - 1 before the first. */
  held: number;
  /** Where this read began (first read of the current stream incarnation). */
  startSeq: number;
  /** The stream's last_seq when the read began. */
  initialLastSeq: number;
  /** The stream's last_seq as last seen (a message's pending count or an info). */
  streamLastSeq: number;
  /** Messages the stream holds after `held`, as last verified. */
  behind: number;
  /** Date.now() of the last message handed over (undefined: none yet). */
  lastMessageAt?: number;
  /** Date.now() when the server last confirmed `behind` (a message's pending count, a heartbeat at 0, an info). */
  verifiedAt?: number;
  /** Since the last disconnect the server has not yet said where the tab stands: `behind` is stale. */
  unverified: boolean;
  /** The watchdog saw the reader behind and not advancing. */
  stalled: boolean;
  /** Why the reader cannot read now (stream missing, not allowed…), in words that say what to do. */
  problem?: string;
  /** Consumers created so far (1 = never recreated), not counting resumes after a pause. */
  sessions: number;
  /** Waiting for the backlog to drain: nothing is read meanwhile, by choice. */
  paused: boolean;
  /** Times reading paused for the backlog. */
  pauses: number;
}

/** Where the reader's messages wait to be taken in; full: stop reading until it has drained. */
export interface Backlog {
  full(): boolean;
  /** Resolves once there is room again (or the signal aborts). */
  drained(signal: AbortSignal): Promise<void>;
}

export interface ResumableReadOptions {
  stream: string;
  /** Where to begin, from the stream's bounds at the first read (and after a recreation). */
  startAt(bounds: { first: number; last: number }): number;
  /** Stop after this stream sequence. */
  endSeq?: number;
  /** Stop once caught up with the end of the stream (bounded reads); otherwise follow it forever. */
  untilCaughtUp?: boolean;
  /** Pull batch size. */
  maxMessages: number;
  /** Read only this subject (a per-execution stream): the stream's last_seq then says nothing of what is left. */
  filterSubject?: string;
  /** How a stream message becomes the log's (default toRawMessage: its own sequence and time). */
  toMessage?(m: JsMsg): RawMessage;
  /** Called in stream order, each stream sequence once; return false to stop. */
  onMessage(msg: RawMessage): boolean | void;
  /** Called whenever the cursor changes in a way a status would show (throttled by the caller if needed). */
  onState?(state: CursorState): void;
  /** The flight recorder. */
  onEvent?(kind: ConnectionEventKind, detail?: string): void;
  /** Stream sequences the reader never got, classified. */
  onHoles?(holes: StreamHole[]): void;
  /** Flow control (see the top): checked after every message handed over. */
  backlog?: Backlog;
  /**
   * The stream was deleted and created again (its `created` time changed): its sequences restarted.
   * Return true to read the new stream from its start (the live reader), false to end the read.
   */
  onRecreated?(previous: { from: number; to: number } | undefined): boolean;
  signal: AbortSignal;
  timing?: Partial<ReaderTiming>;
  /** Wall clock; injectable for tests. */
  now?: () => number;
}

export type ReadEnd = "stopped" | "range-end" | "stream-end" | "aborted" | "recreated";

export interface ReadResult {
  /** Last stream sequence handed over; startSeq - 1 when none. */
  lastSeq: number;
  end: ReadEnd;
}

type Restart = { why: string; kind: ConnectionEventKind } | { done: ReadEnd } | { paused: true };

export function toRawMessage(m: JsMsg): RawMessage {
  return {
    data: m.data,
    streamSeq: m.seq,
    receivedMs: Math.floor(m.info.timestampNanos / 1e6),
    deliveryCount: m.info.deliveryCount,
    subject: m.subject,
  };
}

export class ResumableReader {
  private readonly t: ReaderTiming;
  private readonly now: () => number;
  private state: CursorState = {
    connected: true,
    held: 0,
    startSeq: 1,
    initialLastSeq: 0,
    streamLastSeq: 0,
    behind: 0,
    unverified: false,
    stalled: false,
    sessions: 0,
    paused: false,
    pauses: 0,
  };
  private created: string | undefined;
  private begun = false;
  /** Ends the current session; set while one runs. */
  private endSession: ((r: Restart) => void) | undefined;
  private checking = false;
  private failures = 0;
  /** Reconnects seen so far: a session set up across one restarts at once. */
  private reconnects = 0;
  /** When the current session began and when its last heartbeat came (0: none). */
  private sessionStartedAt = 0;
  private lastHeartbeatAt = 0;
  /** Wakes a backoff sleep early (a reconnect: no point waiting out the backoff). */
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: ResumableReadOptions,
  ) {
    this.t = { ...DEFAULT_TIMING, ...opts.timing };
    this.now = opts.now ?? Date.now;
  }

  get cursor(): CursorState {
    return this.state;
  }

  /** Runs until done, aborted or the connection closes. Throws only on a failure that retrying cannot fix. */
  async run(): Promise<ReadResult> {
    const { signal } = this.opts;
    const stopWatch = this.watchConnection();
    const watchdog = setInterval(() => void this.check(), this.t.watchdogMs);
    try {
      let resuming = false;
      while (!signal.aborted && !this.nc.isClosed()) {
        const bounds = await this.bounds();
        if (bounds === undefined) break;
        if (bounds === "recreated-stop") return { lastSeq: this.state.held, end: "recreated" };
        const from = this.state.held + 1;
        if (
          this.opts.untilCaughtUp &&
          (from > bounds.last || (this.opts.endSeq !== undefined && from > this.opts.endSeq))
        )
          return { lastSeq: this.state.held, end: "stream-end" };
        const r = await this.session(from, resuming);
        resuming = false;
        if ("done" in r) return { lastSeq: this.state.held, end: r.done };
        if ("paused" in r) {
          this.update({ paused: true, pauses: this.state.pauses + 1 });
          await this.opts.backlog?.drained(signal);
          this.update({ paused: false });
          resuming = true;
          continue;
        }
        // Reconnects and recreations are logged where they are seen.
        if (r.kind !== "reconnect" && r.kind !== "stream_recreated") this.opts.onEvent?.(r.kind, r.why);
        if (r.kind !== "reconnect") await this.backoff();
      }
      return { lastSeq: this.state.held, end: "aborted" };
    } finally {
      clearInterval(watchdog);
      stopWatch();
    }
  }

  /** Check now whether the reader is caught up (a tab that became visible calls this). */
  poke(): void {
    void this.check();
  }

  private update(patch: Partial<CursorState>) {
    this.state = { ...this.state, ...patch };
    this.opts.onState?.(this.state);
  }

  /**
   * The stream's bounds for the next session, waiting (and saying why) while the stream is
   * missing or the server does not answer. Handles a recreated stream. undefined: aborted.
   */
  private async bounds(): Promise<{ first: number; last: number } | "recreated-stop" | undefined> {
    for (let attempt = 0; !this.opts.signal.aborted && !this.nc.isClosed(); attempt++) {
      try {
        const info = await this.streamInfo();
        const { first_seq: first, last_seq: last } = info.state;
        if (this.created !== undefined && info.created !== this.created) {
          const had = this.begun && this.state.held >= this.state.startSeq;
          const previous = had ? { from: this.state.startSeq, to: this.state.held } : undefined;
          this.opts.onEvent?.("stream_recreated", `stream ${this.opts.stream} was created again at ${info.created}`);
          this.begun = false;
          if (!(this.opts.onRecreated?.(previous) ?? false)) return "recreated-stop";
        }
        this.created = info.created;
        if (!this.begun) {
          const startSeq = Math.max(1, first, this.opts.startAt({ first, last }));
          this.begun = true;
          this.update({
            startSeq,
            held: startSeq - 1,
            initialLastSeq: last,
            streamLastSeq: last,
            behind: Math.max(0, last - startSeq + 1),
            verifiedAt: this.now(),
            unverified: false,
            lastMessageAt: undefined,
            stalled: false,
            problem: undefined,
          });
        } else if (this.state.problem !== undefined) this.update({ problem: undefined });
        return { first, last };
      } catch (e) {
        if (this.opts.signal.aborted || this.nc.isClosed()) return undefined;
        // A timeout while the connection is down (or coming back) is not news: the status says reconnecting.
        if (this.state.connected || readErrorKind(e) !== "other") {
          const problem = describeReadError(e, this.opts.stream);
          if (problem !== this.state.problem) {
            this.opts.onEvent?.(isStreamNotFound(e) ? "stream_not_found" : "error", problem);
            this.update({ problem });
          }
        }
        await this.sleep(Math.min(this.t.maxBackoffMs, 500 * 2 ** Math.min(attempt, 5)));
      }
    }
    return undefined;
  }

  /** One consumer from `from` until something ends it; `resuming` after a pause: not news for the log. */
  private async session(from: number, resuming = false): Promise<Restart> {
    let messages: ConsumerMessages;
    let drop: () => Promise<void>;
    const reconnectsBefore = this.reconnects;
    try {
      // A create sent during a cluster's leader election is never answered: ask again soon.
      const js = jetstream(this.nc, { timeout: this.t.createTimeoutMs });
      const consumer = await js.consumers.get(this.opts.stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: from,
        ...(this.opts.filterSubject === undefined ? {} : { filter_subjects: this.opts.filterSubject }),
      });
      messages = await consumer.consume({
        max_messages: this.opts.maxMessages,
        expires: this.t.expiresMs,
        idle_heartbeat: this.t.heartbeatMs,
        // A lost consumer ends the messages instead of the client recreating one behind our back
        // (which would stay on the server once we close): this reader recreates it itself.
        abort_on_missing_resource: true,
      });
      const name = (await consumer.info(true)).name;
      // Ordered consumers linger for 5 min after their last pull: remove each one this reader leaves.
      drop = () => dropConsumer(this.nc, this.opts.stream, name);
      if (!resuming) {
        this.update({ sessions: this.state.sessions + 1 });
        this.opts.onEvent?.(
          this.state.sessions > 1 ? "consumer_recreated" : "consumer_created",
          `consumer ${name} from stream seq ${formatCount(from)}`,
        );
      }
    } catch (e) {
      if (this.opts.signal.aborted) return { done: "aborted" };
      if (isStreamNotFound(e)) return { kind: "stream_not_found", why: `stream ${this.opts.stream} not found` };
      return { kind: "error", why: `could not create a consumer: ${describeReadError(e, this.opts.stream)}` };
    }

    let resolveEnd!: (r: Restart) => void;
    const ended = new Promise<Restart>((ok) => (resolveEnd = ok));
    let over = false;
    let dropped: Promise<void> = Promise.resolve();
    const end = (r: Restart) => {
      if (over) return;
      over = true;
      if (this.endSession === end) this.endSession = undefined;
      dropped = messages.close().then(drop, drop);
      resolveEnd(r);
    };
    this.endSession = end;
    const onAbort = () => end({ done: "aborted" });
    this.opts.signal.addEventListener("abort", onAbort, { once: true });
    if (this.opts.signal.aborted) onAbort();
    this.update({ stalled: false });
    const sessionStarted = this.now();
    this.sessionStartedAt = sessionStarted;
    this.lastHeartbeatAt = 0;
    let lastActivity = sessionStarted;
    // A reconnect while the consumer was being set up: its fate is the client's, not ours. Start over.
    if (this.reconnects !== reconnectsBefore)
      end({ kind: "reconnect", why: "reconnected while the consumer was being created" });

    void (async () => {
      for await (const n of messages.status()) {
        switch (n.type) {
          case "heartbeat": {
            // An idle heartbeat on an open pull: the server has nothing to deliver, so nothing is left
            // (true even when last_seq says otherwise: the newest messages may have been deleted).
            const now = this.now();
            lastActivity = now;
            this.lastHeartbeatAt = now;
            this.update({ behind: 0, verifiedAt: now, unverified: false, stalled: false });
            if (this.opts.untilCaughtUp) end({ done: "stream-end" });
            break;
          }
          case "heartbeats_missed":
            end({ kind: "heartbeats_missed", why: `${n.count} heartbeats missed; recreating the consumer` });
            break;
          case "consumer_not_found":
          case "consumer_deleted":
          case "stream_not_found":
            end(this.missing(n.type));
            break;
          // The client reset its ordered consumer by itself: its pull budget may be stale (see the top).
          case "ordered_consumer_recreated":
            // Made by the client, not by us: remove it, or it stays on the server for minutes.
            void dropConsumer(this.nc, this.opts.stream, n.name);
            end({
              kind: "consumer_recreated",
              why: "the client reset its consumer; recreating it from the held sequence",
            });
            break;
          case "reset":
            end({
              kind: "consumer_recreated",
              why: "the client reset its consumer; recreating it from the held sequence",
            });
            break;
          case "no_responders":
            end({ kind: "server_error", why: "JetStream did not answer (no responders)" });
            break;
          default:
        }
      }
    })().catch(() => undefined);

    const stallCheck = setInterval(() => {
      // Between messages the watchdog decides; this only catches a session that never delivers.
      // Not while disconnected: that is the connection's story, and the reconnect restarts the session.
      if (
        this.state.connected &&
        this.state.behind > 0 &&
        this.now() - Math.max(lastActivity, this.state.lastMessageAt ?? 0) > this.t.stallMs
      ) {
        this.update({ stalled: true });
        end({ kind: "stalled", why: `${formatCount(this.state.behind)} behind and nothing arriving` });
      }
    }, this.t.stallMs);

    const pump = (async (): Promise<Restart> => {
      for await (const m of messages) {
        if (over) break;
        const seq = m.seq;
        const pending = m.info.pending;
        if (seq <= this.state.held) continue; // a copy of something held: never doubled
        const expected = this.state.held + 1;
        if (seq > expected && this.opts.filterSubject === undefined) void this.reportHole(expected, seq - 1);
        const now = this.now();
        lastActivity = now;
        this.failures = 0;
        // Hand the message over first: a status that says "held up to seq" must never be ahead of the log.
        const go = this.opts.onMessage((this.opts.toMessage ?? toRawMessage)(m));
        this.update({
          held: seq,
          behind: pending,
          streamLastSeq: seq + pending,
          lastMessageAt: now,
          // The message's pending count is the server's own word on how far behind we are.
          verifiedAt: now,
          unverified: false,
          stalled: false,
        });
        if (go === false) return { done: "stopped" };
        if (this.opts.endSeq !== undefined && seq >= this.opts.endSeq) return { done: "range-end" };
        if (this.opts.untilCaughtUp && pending === 0) return { done: "stream-end" };
        if (this.opts.backlog?.full() === true) return { paused: true };
      }
      return { kind: "error", why: "the consumer's messages ended" };
    })().then(
      (r) => end(r),
      // The client stops the messages with the same news its status reports, and either may come first:
      // both must name the same cause.
      (e: unknown) => {
        const gone = missingResource(e);
        end(gone ? this.missing(gone) : { kind: "error", why: `the consumer failed: ${errorMessage(e)}` });
      },
    );

    const r = await ended;
    clearInterval(stallCheck);
    this.opts.signal.removeEventListener("abort", onAbort);
    await pump.catch(() => undefined);
    // Before the caller may close the connection: a consumer left behind lingers on the server.
    await dropped;
    return r;
  }

  private missing(what: MissingResource): Restart {
    switch (what) {
      case "consumer_not_found":
        return { kind: what, why: "the consumer is gone on the server; recreating it" };
      case "consumer_deleted":
        return { kind: what, why: "the consumer was deleted on the server; recreating it" };
      case "stream_not_found":
        return { kind: what, why: `stream ${this.opts.stream} not found` };
    }
  }

  /** Reconnects end the session at once: a fresh consumer from the held sequence is the only safe resume. */
  private watchConnection(): () => void {
    const status = this.nc.status();
    void (async () => {
      for await (const s of status) {
        if (s.type === "disconnect") {
          this.update({ connected: false, unverified: true });
          this.opts.onEvent?.("disconnect", `from ${s.server}`);
        } else if (s.type === "reconnecting") {
          this.opts.onEvent?.("reconnecting");
        } else if (s.type === "reconnect") {
          this.reconnects++;
          this.update({ connected: true, problem: undefined });
          this.wake?.();
          this.opts.onEvent?.("reconnect", `to ${s.server}`);
          this.endSession?.({
            kind: "reconnect",
            why: `resuming after stream seq ${formatCount(this.state.held)}`,
          });
        } else if (s.type === "error") {
          this.opts.onEvent?.("server_error", String(s.error?.message ?? s.error));
        }
      }
    })().catch(() => undefined);
    // The client's status iterator is a queued iterator with stop(); the type does not say so.
    return () => (status as { stop?: () => void }).stop?.();
  }

  /** The watchdog: is what the tab holds what the stream holds? Safe to call any time; never overlaps. */
  private async check(): Promise<void> {
    if (this.checking || !this.begun || this.opts.signal.aborted || this.nc.isClosed() || !this.state.connected) return;
    if (this.opts.filterSubject !== undefined) return; // last_seq counts other subjects: the pending counts decide
    this.checking = true;
    const session = this.endSession;
    const heldBefore = this.state.held;
    try {
      const info = await this.streamInfo();
      // An answer about a session that has ended since, or overtaken by messages: not a verdict.
      if (!session || session !== this.endSession) return;
      if (info.created !== this.created) {
        session({ kind: "stream_recreated", why: "the stream's created time changed" });
        return;
      }
      if (this.state.held !== heldBefore) return;
      // Never backwards: a reply routed slower than the messages may be older than what we hold.
      const last = Math.max(info.state.last_seq, this.state.streamLastSeq);
      // Messages the stream holds after ours; an expired head does not count as behind.
      const behind = Math.max(0, last - Math.max(this.state.held, info.state.first_seq - 1));
      const now = this.now();
      const idleFor = now - Math.max(this.sessionStartedAt, this.state.lastMessageAt ?? 0);
      // A heartbeat after the last message: the server has nothing for us, whatever last_seq says.
      const drained =
        this.lastHeartbeatAt > (this.state.lastMessageAt ?? 0) && now - this.lastHeartbeatAt <= 2 * this.t.heartbeatMs;
      if (behind === 0 || drained) {
        this.update({ behind: 0, streamLastSeq: last, verifiedAt: now, unverified: false, stalled: false });
      } else if (idleFor > this.t.stallMs) {
        this.update({ behind, streamLastSeq: last, verifiedAt: now, unverified: false, stalled: true });
        session({
          kind: "stalled",
          why: `${formatCount(behind)} behind, nothing for ${Math.round(idleFor / 1000)} s`,
        });
      } else {
        this.update({ behind, streamLastSeq: last, verifiedAt: now, unverified: false });
      }
    } catch (e) {
      if (isStreamNotFound(e) && session && session === this.endSession)
        session({ kind: "stream_not_found", why: `stream ${this.opts.stream} not found` });
      // Otherwise the server did not answer: verification goes stale and the status says so.
    } finally {
      this.checking = false;
    }
  }

  /**
   * Stream info with a short timeout and no API probe first: during a cluster's leader election
   * the server does not answer at all, and the watchdog should ask again soon, not wait out 5 s twice.
   */
  private async streamInfo(deletedDetails = false) {
    const jsm = await jetstreamManager(this.nc, { checkAPI: false, timeout: this.t.infoTimeoutMs });
    return jsm.streams.info(this.opts.stream, deletedDetails ? { deleted_details: true } : undefined);
  }

  private async reportHole(from: number, to: number): Promise<void> {
    const at = this.now();
    let facts: StreamFacts;
    try {
      const info = await this.streamInfo(true);
      const c = info.config;
      facts = {
        firstSeq: info.state.first_seq,
        lastSeq: info.state.last_seq,
        deleted: info.state.deleted ?? [],
        maxMsgs: c.max_msgs,
        maxBytes: c.max_bytes,
        maxAgeNanos: c.max_age,
        maxMsgsPerSubject: c.max_msgs_per_subject,
      };
    } catch {
      // The server did not say: every missing sequence stays unexplained rather than guessed.
      facts = { firstSeq: 0, lastSeq: 0, maxMsgs: -1, maxBytes: -1, maxAgeNanos: 0, maxMsgsPerSubject: -1 };
    }
    const holes = classifyHole(from, to, facts, at);
    for (const h of holes)
      this.opts.onEvent?.("hole", `stream seq ${formatCount(h.from)}–${formatCount(h.to)}: ${h.cause}`);
    this.opts.onHoles?.(holes);
  }

  private async backoff(): Promise<void> {
    this.failures++;
    const ms = Math.min(this.t.maxBackoffMs, 250 * 2 ** Math.min(this.failures - 1, 6));
    await this.sleep(ms);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((ok) => {
      const done = () => {
        clearTimeout(timer);
        this.opts.signal.removeEventListener("abort", done);
        if (this.wake === done) this.wake = undefined;
        ok();
      };
      this.wake = done;
      const timer = setTimeout(done, ms);
      this.opts.signal.addEventListener("abort", done, { once: true });
    });
  }
}

type MissingResource = "consumer_deleted" | "consumer_not_found" | "stream_not_found";

/** The resource whose loss a consumer's error reports (the client's messages for its 409/404 statuses). */
export function missingResource(e: unknown): MissingResource | undefined {
  if (isStreamNotFound(e)) return "stream_not_found";
  const msg = errorMessage(e).toLowerCase();
  if (msg === "consumer deleted") return "consumer_deleted";
  if (msg === "consumer not found" || (e as { name?: string })?.name === "ConsumerNotFoundError")
    return "consumer_not_found";
  return undefined;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type ReadErrorKind = "stream-missing" | "no-jetstream" | "forbidden" | "other";

/** What a failed JetStream call means; everything but "other" is an answer that waiting does not change. */
function readErrorKind(e: unknown): ReadErrorKind {
  if (isStreamNotFound(e)) return "stream-missing";
  const msg = errorMessage(e);
  if (/jetstream not enabled|503|no responders/i.test(msg)) return "no-jetstream";
  if (/permission|authorization/i.test(msg)) return "forbidden";
  return "other";
}

async function dropConsumer(nc: NatsConnection, stream: string, name: string): Promise<void> {
  try {
    await (await jetstreamManager(nc, { checkAPI: false })).consumers.delete(stream, name);
  } catch {
    // Gone already, or the server is away: it expires by itself.
  }
}

export function describeReadError(e: unknown, stream: string): string {
  const msg = errorMessage(e);
  switch (readErrorKind(e)) {
    case "stream-missing":
      return `Stream ${stream} does not exist on this server. Create it (npm start does for its embedded server) or set SEQSCOPE_STREAM to the stream that captures your audit subject.`;
    case "no-jetstream":
      return `JetStream is not available on this server (${msg}). Enable JetStream, or point SEQSCOPE_NATS_URL at a server that has it.`;
    case "forbidden":
      return `Not allowed to read stream ${stream} (${msg}). Its credential lacks the reader's permissions (README, security section).`;
    case "other":
      return msg;
  }
}
