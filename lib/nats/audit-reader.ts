// Reads the audit stream with one ordered consumer: history first, then live,
// without a gap between the two. Turns each JsMsg into a transport-free
// RawMessage at this boundary, so nothing above sees a NATS type.
import type { NatsConnection } from "@nats-io/nats-core";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { RawMessage } from "../audit/types";
import { isStreamNotFound } from "./stream";

export type ReaderPhase = "connecting" | "loading" | "live" | "reconnecting" | "error" | "closed";

export interface ReaderStatus {
  phase: ReaderPhase;
  /** Why we are in `error` / `reconnecting`, in words that say what to do. */
  reason?: string;
  /** Stream sequence range being loaded (history) and how far we are. */
  startSeq?: number;
  targetSeq?: number;
  lastSeq?: number;
}

export interface ReadOptions {
  stream: string;
  /** Load at most this many of the newest messages before going live. */
  historyLimit: number;
  /** Start here instead (a link's hint); overrides historyLimit. */
  startSeq?: number;
  onMessage(msg: RawMessage): void;
  onStatus(status: ReaderStatus): void;
  signal: AbortSignal;
}

/** Runs until `signal` aborts or the connection closes. Never throws: failures become statuses. */
export async function readAuditStream(nc: NatsConnection, opts: ReadOptions): Promise<void> {
  // What a reconnect returns to: still loading history, or live.
  let phase: ReaderPhase = "loading";
  void watchConnection(nc, opts, () => phase);
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(opts.stream);
    const { first_seq: first, last_seq: last } = info.state;
    // Start by stream sequence, never by time: an ordered consumer that resets
    // with opt_start_time fails on 2.9 servers.
    const startSeq = Math.max(first, opts.startSeq ?? last - opts.historyLimit + 1, 1);
    const setStatus = (st: ReaderStatus) => {
      if (st.phase === "loading" || st.phase === "live") phase = st.phase;
      opts.onStatus(st);
    };
    let status: ReaderStatus = {
      phase: last >= startSeq ? "loading" : "live",
      startSeq,
      targetSeq: last,
      lastSeq: startSeq - 1,
    };
    setStatus(status);

    const js = jetstream(nc);
    const consumer = await js.consumers.get(opts.stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
    });
    const messages = await consumer.consume({ max_messages: 1_000 });
    // Aborted while the consumer was being set up: the listener below would never fire.
    if (opts.signal.aborted) {
      await messages.close();
      return;
    }
    opts.signal.addEventListener("abort", () => void messages.close(), { once: true });
    void (async () => {
      for await (const n of messages.status()) {
        if (n.type === "stream_not_found") {
          opts.onStatus({ ...status, phase: "error", reason: `Stream ${opts.stream} was deleted on the server.` });
        }
      }
    })();

    for await (const m of messages) {
      opts.onMessage({
        data: m.data,
        streamSeq: m.seq,
        receivedMs: Math.floor(m.info.timestampNanos / 1e6),
        deliveryCount: m.info.deliveryCount,
        subject: m.subject,
      });
      const caughtUp = m.info.pending === 0;
      if (status.phase === "loading" && (caughtUp || m.seq >= (status.targetSeq ?? 0))) {
        status = { ...status, phase: "live", lastSeq: m.seq };
        setStatus(status);
      } else if (status.phase === "loading" && m.seq % 500 === 0) {
        status = { ...status, lastSeq: m.seq };
        setStatus(status);
      }
    }
    if (!opts.signal.aborted) opts.onStatus({ phase: "closed", reason: "The stream reader stopped." });
  } catch (e) {
    if (opts.signal.aborted) return;
    opts.onStatus({ phase: "error", reason: describeReadError(e, opts.stream) });
  }
}

async function watchConnection(nc: NatsConnection, opts: ReadOptions, phaseNow: () => ReaderPhase) {
  for await (const s of nc.status()) {
    if (opts.signal.aborted) return;
    if (s.type === "disconnect" || s.type === "reconnecting") {
      opts.onStatus({ phase: "reconnecting", reason: "Lost the connection to NATS; reconnecting…" });
    } else if (s.type === "reconnect") {
      // Back to where the reader is: still loading history, or live.
      opts.onStatus({ phase: phaseNow() });
    } else if (s.type === "error") {
      opts.onStatus({ phase: "error", reason: `NATS server error: ${String(s.error?.message ?? s.error)}` });
    }
  }
}

export function describeReadError(e: unknown, stream: string): string {
  if (isStreamNotFound(e)) {
    return `Stream ${stream} does not exist on this server. Create it (npm start does for its embedded server) or set SEQSCOPE_STREAM to the stream that captures your audit subject.`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (/jetstream not enabled|503|no responders/i.test(msg)) {
    return `JetStream is not available on this server (${msg}). Enable JetStream, or point SEQSCOPE_NATS_URL at a server that has it.`;
  }
  if (/permission|authorization/i.test(msg)) {
    return `Not allowed to read stream ${stream} (${msg}). Check the credentials in SEQSCOPE_NATS_USER/PASSWORD/TOKEN/CREDS.`;
  }
  return msg;
}
