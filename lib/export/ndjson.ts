// Exports as files. Pure: bytes in, bytes out; the view triggers the download.
import type { AuditLog, ParsedMessage } from "../audit";

/**
 * The execution's messages as received, in stream order, one per line: events
 * and malformed messages alike, so re-importing it gives the same analysis.
 */
export function executionNdjson(records: readonly ParsedMessage[]): Uint8Array {
  const sorted = [...records].sort((a, b) => a.streamSeq - b.streamSeq);
  return joinLines(sorted.map((r) => r.raw));
}

/**
 * Every message the log received for an execution (or for the whole log), as
 * received and in stream order: the kept events and malformed messages *and*
 * each extra copy (a redelivery right after its original, a byte-identical
 * retry at its own stream sequence). Re-imported, each copy is again a
 * duplicate of the line before it, so the anomaly counts stay the same.
 */
export function messagesNdjson(log: AuditLog, executionId?: string): Uint8Array {
  const lines: { streamSeq: number; deliveryCount: number; raw: Uint8Array }[] = [];
  for (const r of log.events(executionId)) lines.push(r);
  for (const r of log.malformed(executionId)) lines.push(r);
  for (const d of log.duplicates(executionId)) {
    const kept = log.recordAt(d.of);
    if (kept !== undefined) lines.push({ streamSeq: d.streamSeq, deliveryCount: d.deliveryCount, raw: kept.raw });
  }
  lines.sort((a, b) => a.streamSeq - b.streamSeq || a.deliveryCount - b.deliveryCount);
  return joinLines(lines.map((l) => l.raw));
}

function joinLines(raws: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const r of raws) size += r.length + 1;
  const out = new Uint8Array(size);
  let at = 0;
  for (const r of raws) {
    out.set(r, at);
    at += r.length;
    out[at++] = 0x0a;
  }
  return out;
}
