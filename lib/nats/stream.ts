// Stream administration shared by Node scripts and the browser: both hand in a
// connected NatsConnection, whichever transport made it.
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstreamManager, type StreamInfo } from "@nats-io/jetstream";

export interface StreamNames {
  stream: string;
  subject: string;
}

/** Creates the stream if it is missing; leaves an existing one (and its limits) alone. */
export async function ensureStream(nc: NatsConnection, names: StreamNames): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nc);
  try {
    return await jsm.streams.info(names.stream);
  } catch (e) {
    if (!isStreamNotFound(e)) throw e;
    return jsm.streams.add({ name: names.stream, subjects: [names.subject] });
  }
}

export async function streamInfo(nc: NatsConnection, stream: string): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nc);
  return jsm.streams.info(stream);
}

/** What the stream holds now, as plain data (a view never sees the server's StreamInfo). */
export interface StreamStats {
  messages: number;
  bytes: number;
  /** Oldest and newest stream sequence held; first > last when it is empty. */
  firstSeq: number;
  lastSeq: number;
}

export async function streamStats(nc: NatsConnection, stream: string): Promise<StreamStats> {
  const { state } = await streamInfo(nc, stream);
  return { messages: state.messages, bytes: state.bytes, firstSeq: state.first_seq, lastSeq: state.last_seq };
}

export function isStreamNotFound(e: unknown): boolean {
  const err = e as { name?: string; message?: string; code?: string | number; api_error?: { err_code?: number } };
  return (
    err?.name === "StreamNotFoundError" ||
    err?.api_error?.err_code === 10059 ||
    /stream not found/i.test(err?.message ?? "")
  );
}

/** Deletes the stream and every message in it (tests and fault drills). */
export async function deleteStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream);
}
