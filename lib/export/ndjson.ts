// Exports as files. Pure: bytes in, bytes out; the view triggers the download.
import type { ParsedMessage } from "../audit";

/**
 * The execution's messages as received, in stream order, one per line: events
 * and malformed messages alike, so re-importing it gives the same analysis.
 */
export function executionNdjson(records: readonly ParsedMessage[]): Uint8Array {
  const sorted = [...records].sort((a, b) => a.streamSeq - b.streamSeq);
  let size = 0;
  for (const r of sorted) size += r.raw.length + 1;
  const out = new Uint8Array(size);
  let at = 0;
  for (const r of sorted) {
    out.set(r.raw, at);
    at += r.raw.length;
    out[at++] = 0x0a;
  }
  return out;
}
