// The lab's optional NATS path: each run's lines go to a real nats-server (a
// fresh stream per run, so stream sequence n is line n - 1) and the consumer's
// analysis reads what the dashboard's stream reader brings back, so the answer
// also holds through the real transport. Node only (the page's credential is
// read-only by design: it cannot publish). NATS stays behind lib/nats.
import type { RawMessage } from "../audit/types";
import { readAuditStream } from "../nats/audit-reader";
import type { NatsConnection } from "../nats/node-connection";
import { AuditPublisher } from "../nats/publish";
import { deleteStream, ensureStream, isStreamNotFound } from "../nats/stream";
import type { LabTransport } from "./run-lab";

export interface RoundTripOptions {
  /** Streams are named `<prefix>_<n>`, subjects `<prefix>.<n>` (lower case); each is deleted after its run. */
  prefix?: string;
  /** Give up on a run whose messages have not all come back in this long. */
  timeoutMs?: number;
}

export class RoundTripError extends Error {}

/** A LabTransport through `nc`: publish every line with acks, in order, then read the stream back whole. */
export function natsTransport(nc: NatsConnection, opts: RoundTripOptions = {}): LabTransport {
  const prefix = opts.prefix ?? "SEQSCOPE_LAB";
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let n = 0;
  return async (lines) => {
    const names = { stream: `${prefix}_${++n}`, subject: `${prefix.toLowerCase()}.${n}` };
    await deleteStream(nc, names.stream).catch((e: unknown) => {
      if (!isStreamNotFound(e)) throw e;
    });
    await ensureStream(nc, names);
    try {
      const pub = new AuditPublisher(nc, names.subject);
      // One connection keeps publish order; the acks say where each line landed.
      const acks = await Promise.all(lines.map((l) => pub.publish(l.bytes)));
      acks.forEach((a, i) => {
        if (a.streamSeq !== i + 1) throw new RoundTripError(`line ${i} landed at stream sequence ${a.streamSeq}`);
      });
      return await readBack(nc, names.stream, lines.length, timeoutMs);
    } finally {
      await deleteStream(nc, names.stream);
    }
  };
}

/** Everything the reader brings back until it holds `count` messages and says it is live. */
async function readBack(nc: NatsConnection, stream: string, count: number, timeoutMs: number): Promise<RawMessage[]> {
  const controller = new AbortController();
  const msgs: RawMessage[] = [];
  let live = false;
  const reading = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RoundTripError(`${stream}: ${msgs.length} of ${count} messages back after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const settle = () => {
      if (msgs.length >= count && live) {
        clearTimeout(timer);
        resolve();
      }
    };
    void readAuditStream(nc, {
      stream,
      historyLimit: count,
      startSeq: 1,
      signal: controller.signal,
      onMessage: (m) => {
        msgs.push(m);
        settle();
      },
      onStatus: (s) => {
        if (s.phase === "error") {
          clearTimeout(timer);
          reject(new RoundTripError(`${stream}: ${s.reason ?? "the reader failed"}`));
        }
        live = s.phase === "live";
        settle();
      },
    });
  });
  try {
    await reading;
  } finally {
    controller.abort();
  }
  return msgs;
}
