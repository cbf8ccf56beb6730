// Reads an NDJSON file (or a producer's stderr log) into an AuditLog, streaming:
// lines are split without decoding, handed to the log a read chunk at a time,
// and progress is reported as it goes. Every line becomes a message whose
// stream sequence is its line number, so what the views call "stream seq" is
// the line an editor shows; a line that is not an event (a log line between
// the audit lines, a broken one) becomes a malformed record with its reason.
// Runs anywhere: the page opens files through ingest.worker.ts, tests call it
// directly.
import { AuditLog } from "../audit/audit-log";
import type { RawMessage } from "../audit/types";
import { LineSplitter, type Line } from "./line-splitter";

/** The subject of every message read from a file (it has none). */
export const FILE_SUBJECT = "file";

export interface IngestProgress {
  bytesRead: number;
  /** The file's size; 0 when unknown. */
  totalBytes: number;
  lines: number;
  /** Lines that are not events. */
  malformed: number;
  elapsedMs: number;
}

export interface IngestOptions {
  totalBytes?: number;
  onProgress?(p: IngestProgress): void;
  /** At most one progress report per this many ms (besides the last). Default 100. */
  progressMs?: number;
  signal?: AbortSignal;
  now?(): number;
}

export interface IngestResult {
  log: AuditLog;
  progress: IngestProgress;
}

/** One message per line: stream sequence = line number, no server time, first delivery. */
export function linesToMessages(lines: readonly Line[]): RawMessage[] {
  return lines.map((l) => ({
    data: l.data,
    streamSeq: l.number,
    receivedMs: 0,
    deliveryCount: 1,
    subject: FILE_SUBJECT,
  }));
}

export async function ingestStream(
  stream: ReadableStream<Uint8Array>,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const every = opts.progressMs ?? 100;
  const log = new AuditLog();
  const splitter = new LineSplitter();
  const progress = (): IngestProgress => ({
    bytesRead: splitter.bytesRead,
    totalBytes: opts.totalBytes ?? 0,
    lines: splitter.lines,
    malformed: log.malformed().length,
    elapsedMs: now() - started,
  });
  let lastReport = -Infinity;
  const reader = stream.getReader();
  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      const { done, value } = await reader.read();
      if (done) break;
      const lines = splitter.push(value);
      if (lines.length > 0) log.add(linesToMessages(lines));
      if (opts.onProgress && now() - lastReport >= every) {
        lastReport = now();
        opts.onProgress(progress());
      }
    }
  } finally {
    reader.releaseLock();
  }
  const last = splitter.end();
  if (last.length > 0) log.add(linesToMessages(last));
  const final = progress();
  opts.onProgress?.(final);
  return { log, progress: final };
}
