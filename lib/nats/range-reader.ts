// Reads a bounded stretch of the audit stream with its own ordered consumer,
// next to the tab's main reader: opening an old execution reads just the
// stream sequences where it lies. Start positions are stream sequences, never
// times (an ordered consumer's reset with opt_start_time fails on 2.9 servers).
import type { NatsConnection } from "@nats-io/nats-core";
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { RawMessage } from "../audit/types";
import { streamInfo } from "./stream";

export interface StreamBounds {
  /** Oldest and newest stream sequence the stream holds now; first > last when it is empty. */
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

export async function streamBounds(nc: NatsConnection, stream: string): Promise<StreamBounds> {
  const info = await streamInfo(nc, stream);
  return { firstSeq: info.state.first_seq, lastSeq: info.state.last_seq, messages: info.state.messages };
}

export interface RangeReadOptions {
  stream: string;
  /** First stream sequence to read. */
  startSeq: number;
  /** Last stream sequence to read (inclusive); the read also ends at the end of the stream. */
  endSeq: number;
  /** Return `false` to stop after this message. */
  onMessage(msg: RawMessage): boolean | void;
  signal: AbortSignal;
}

export interface RangeReadResult {
  /** Last stream sequence delivered; startSeq - 1 when none. */
  lastSeq: number;
  /** Why the read ended. */
  end: "stopped" | "range-end" | "stream-end" | "aborted";
}

/** Reads [startSeq, endSeq] in stream order until onMessage says stop. Throws on NATS errors. */
export async function readStreamRange(nc: NatsConnection, opts: RangeReadOptions): Promise<RangeReadResult> {
  let lastSeq = opts.startSeq - 1;
  if (opts.endSeq < opts.startSeq) return { lastSeq, end: "range-end" };
  if (opts.signal.aborted) return { lastSeq, end: "aborted" };
  const js = jetstream(nc);
  const consumer = await js.consumers.get(opts.stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: opts.startSeq,
  });
  // A bounded read wants throughput: larger pulls than the live reader's.
  const messages = await consumer.consume({ max_messages: Math.min(5_000, opts.endSeq - opts.startSeq + 1) });
  const abort = () => void messages.close();
  opts.signal.addEventListener("abort", abort, { once: true });
  let end: RangeReadResult["end"] = "aborted";
  try {
    for await (const m of messages) {
      lastSeq = m.seq;
      const go = opts.onMessage({
        data: m.data,
        streamSeq: m.seq,
        receivedMs: Math.floor(m.info.timestampNanos / 1e6),
        deliveryCount: m.info.deliveryCount,
        subject: m.subject,
      });
      if (go === false) end = "stopped";
      else if (m.seq >= opts.endSeq) end = "range-end";
      else if (m.info.pending === 0) end = "stream-end";
      else continue;
      break;
    }
  } finally {
    opts.signal.removeEventListener("abort", abort);
    await messages.close();
  }
  if (opts.signal.aborted) end = "aborted";
  return { lastSeq, end };
}
