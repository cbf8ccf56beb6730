// Reads a bounded stretch of the audit stream next to the tab's main reader:
// opening an old execution reads just the stream sequences where it lies. The
// same ResumableReader as the live reader, so a reconnect or a lost consumer
// mid-read resumes after the last sequence handed over: nothing lost, nothing
// doubled. Start positions are stream sequences, never times.
import type { NatsConnection } from "@nats-io/nats-core";
import type { RawMessage } from "../audit/types";
import type { ConnectionEventKind } from "../live/connection-log";
import type { StreamHole } from "../live/stream-holes";
import { ResumableReader, type ReaderTiming } from "./resumable-reader";
import { streamStats } from "./stream";

export interface StreamBounds {
  /** Oldest and newest stream sequence the stream holds now; first > last when it is empty. */
  firstSeq: number;
  lastSeq: number;
  messages: number;
}

export async function streamBounds(nc: NatsConnection, stream: string): Promise<StreamBounds> {
  const { firstSeq, lastSeq, messages } = await streamStats(nc, stream);
  return { firstSeq, lastSeq, messages };
}

export interface RangeReadOptions {
  stream: string;
  /** First stream sequence to read. */
  startSeq: number;
  /** Last stream sequence to read (inclusive); the read also ends at the end of the stream. */
  endSeq: number;
  /** Return `false` to stop after this message. */
  onMessage(msg: RawMessage): boolean | void;
  onEvent?(kind: ConnectionEventKind, detail?: string): void;
  onHoles?(holes: StreamHole[]): void;
  signal: AbortSignal;
  timing?: Partial<ReaderTiming>;
}

export interface RangeReadResult {
  /** Last stream sequence delivered; startSeq - 1 when none. */
  lastSeq: number;
  /** Why the read ended. */
  end: "stopped" | "range-end" | "stream-end" | "aborted";
}

export class StreamRecreatedError extends Error {
  constructor(stream: string) {
    super(`Stream ${stream} was deleted and created again during the read: its sequences restarted.`);
  }
}

/** Reads [startSeq, endSeq] in stream order until onMessage says stop. Throws when the stream was recreated. */
export async function readStreamRange(nc: NatsConnection, opts: RangeReadOptions): Promise<RangeReadResult> {
  if (opts.endSeq < opts.startSeq) return { lastSeq: opts.startSeq - 1, end: "range-end" };
  if (opts.signal.aborted) return { lastSeq: opts.startSeq - 1, end: "aborted" };
  const reader = new ResumableReader(nc, {
    stream: opts.stream,
    startAt: () => opts.startSeq,
    endSeq: opts.endSeq,
    untilCaughtUp: true,
    // A bounded read wants throughput: larger pulls than the live reader's.
    maxMessages: Math.min(5_000, opts.endSeq - opts.startSeq + 1),
    onMessage: opts.onMessage,
    onEvent: opts.onEvent,
    onHoles: opts.onHoles,
    onRecreated: () => false,
    signal: opts.signal,
    timing: opts.timing,
  });
  const r = await reader.run();
  if (r.end === "recreated") throw new StreamRecreatedError(opts.stream);
  return { lastSeq: Math.max(r.lastSeq, opts.startSeq - 1), end: opts.signal.aborted ? "aborted" : r.end };
}
