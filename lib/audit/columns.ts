// What the analysis reads about each event, as columns indexed by row. The
// AuditLog keeps these for every message it holds; analyzeEvents() builds them
// from AuditEvent objects. Strings are interned: a column holds ids into a
// table of values, -1 where the event has no (non-empty) value.

import { closesInvocation, closesRun, isWorkflowEvent } from "./event-kinds";

/** Row flags. */
export const MALFORMED = 1;
/** closesInvocation(event). */
export const CLOSES_INVOCATION = 2;
/** closesRun(event). */
export const CLOSES_RUN = 4;
/** isWorkflowEvent(event). */
export const WORKFLOW_EVENT = 8;
export const HAS_PREV_HASH = 16;
/** prev_hash is 64 hex digits, stored as 8 words in `prevHash`. */
export const PREV_HASH_HEX = 32;
/** The line's SHA-256 is in `digest`. */
export const HASHED = 64;
/** Read by itself, without the stream around it (RawMessage.alone): its chain cannot be followed here. */
export const ALONE = 128;

export interface EventColumns {
  streamSeq: Float64Array;
  /** 0 when the event has no seq (seq is ≥ 1 when present). */
  seq: Float64Array;
  tsMs: Float64Array;
  receivedMs: Float64Array;
  flags: Uint8Array;
  /** workflow_execution_id. */
  exec: Int32Array;
  execNames: readonly string[];
  /** correlation_id. */
  corr: Int32Array;
  corrNames: readonly string[];
}

/** One partition-key field: value id per row (-1: the event has none). */
export interface KeyColumn {
  ids: Int32Array;
  values: readonly string[];
}

/** Flags that depend on the event type alone. */
export function eventFlags(event: string): number {
  if (isWorkflowEvent(event)) return closesRun(event) ? WORKFLOW_EVENT | CLOSES_RUN : WORKFLOW_EVENT;
  return closesInvocation(event) ? CLOSES_INVOCATION : 0;
}

/** When a message last showed life: server time when known (a file has none), else the producer's ts. */
export function activityAt(cols: EventColumns, row: number): number {
  const r = cols.receivedMs[row] as number;
  return r > 0 ? r : (cols.tsMs[row] as number);
}
