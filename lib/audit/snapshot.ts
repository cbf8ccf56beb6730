// An AuditLog as plain data, to move a log built in a Web Worker (a file read
// off the main thread) to the page without parsing anything again. Everything
// large is a typed array or a byte chunk, so postMessage can *transfer* it
// (zero copy) instead of cloning it: list them with snapshotTransferables().
//
// What is not in it is what the log can make again from what is: the memo
// cache, the materialised events, the one-entry interning hints, lazily
// extracted custom-key columns, and the indexes that only add() reads (the
// set of stream sequences seen, the byte fingerprints), which the restored log
// rebuilds on its first add(). AuditLog#snapshot() and AuditLog.fromSnapshot()
// (with log-snapshot.ts) make and read it.

import type { ContextKind } from "./context-ref";
import type { Malformed, ProducerIdentity, ProducerRule } from "./types";

/** Bumped whenever the layout changes: a worker and a page of different builds must not mix. */
export const SNAPSHOT_FORMAT = 3;

export interface RowStoreSnapshot {
  n: number;
  cap: number;
  streamSeq: Float64Array<ArrayBuffer>;
  seq: Float64Array<ArrayBuffer>;
  tsMs: Float64Array<ArrayBuffer>;
  receivedMs: Float64Array<ArrayBuffer>;
  deliveryCount: Float64Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  chunk: Int32Array<ArrayBuffer>;
  start: Int32Array<ArrayBuffer>;
  len: Int32Array<ArrayBuffer>;
  exec: Int32Array<ArrayBuffer>;
  home: Int32Array<ArrayBuffer>;
  corr: Int32Array<ArrayBuffer>;
  task: Int32Array<ArrayBuffer>;
  entityType: Int32Array<ArrayBuffer>;
  entityId: Int32Array<ArrayBuffer>;
  producer: Int32Array<ArrayBuffer>;
  identity: Int32Array<ArrayBuffer>;
  subject: Int32Array<ArrayBuffer>;
  prevHash: Int32Array<ArrayBuffer>;
  digest: Int32Array<ArrayBuffer>;
  /** Interned values, by id. */
  tables: Record<
    "execs" | "corrs" | "tasks" | "entityTypes" | "entityIds" | "producers" | "subjects",
    readonly string[]
  >;
  /** Byte chunks (arenas and kept read buffers); undefined where a buffer was let go. */
  chunks: (Uint8Array | undefined)[];
  used: number[];
  /** Chunks that are kept read buffers. */
  shared: number[];
  pending: number;
  pendingRows: number[];
  pendingEnd: number;
  cur: number;
  curOff: number;
}

/** A malformed record without its bytes (they are the row's bytes in the store). */
export type MalformedSnapshot = Omit<Malformed, "raw" | "kind"> & { row: number };

export interface ProducerSeenSnapshot {
  /** Index into `identities`. */
  identity: number;
  leads: boolean;
  firstTsMs: number;
  firstStreamSeq: number;
}

export interface ExecutionSnapshot {
  kind: ContextKind;
  name: string;
  execIx: number;
  workflowId?: string;
  /** An invocation's task ids with the lowest stream sequence each was seen at. */
  tasks?: [string, number][];
  producers: ProducerSeenSnapshot[];
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  firstActivityMs: number;
  lastActivityMs: number;
  completed: boolean;
  cancelled: boolean;
  stepFailed: boolean;
  failedOutcome: boolean;
}

/** Lists packed into one array: list i is `items[ends[i-1] .. ends[i])`. */
export interface PackedLists {
  items: Int32Array;
  ends: Int32Array;
}

export interface AuditLogSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  producerRules: ProducerRule[];
  quietPeriodMs: number;
  version: number;
  newestMs: number;
  hasChains: boolean;
  store: RowStoreSnapshot;
  /** Rows of distinct events / malformed messages, ascending stream sequence. */
  all: Int32Array;
  bad: Int32Array;
  malformed: MalformedSnapshot[];
  /** Every duplicate, as columns. */
  duplicates: { streamSeq: Float64Array; of: Float64Array; deliveryCount: Float64Array; receivedMs: Float64Array };
  /** (stream sequence, kept stream sequence) pairs. */
  copyOf: Float64Array;
  identities: ProducerIdentity[];
  sources: readonly string[];
  /** Contexts (executions and invocations), by position (RowStore.home). */
  executions: ExecutionSnapshot[];
  /** Per execution (same order): its event rows, malformed rows, and indexes into `duplicates`. */
  executionEvents: PackedLists;
  executionMalformed: PackedLists;
  executionDuplicates: PackedLists;
}

/** Packs lists of numbers into one Int32Array. */
export function packLists(lists: readonly (readonly number[])[]): PackedLists {
  let total = 0;
  for (const l of lists) total += l.length;
  const items = new Int32Array(total);
  const ends = new Int32Array(lists.length);
  let at = 0;
  lists.forEach((l, i) => {
    for (const v of l) items[at++] = v;
    ends[i] = at;
  });
  return { items, ends };
}

/** List `i` of packed lists, as a fresh array. */
export function unpackList(p: PackedLists, i: number): number[] {
  const from = i === 0 ? 0 : (p.ends[i - 1] as number);
  return Array.from(p.items.subarray(from, p.ends[i] as number));
}

/** Every distinct ArrayBuffer the snapshot holds: the transfer list for postMessage / structuredClone. */
export function snapshotTransferables(s: AuditLogSnapshot): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined) => {
    // A SharedArrayBuffer is shared, never transferred.
    if (a !== undefined && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  const st = s.store;
  for (const a of [
    st.streamSeq,
    st.seq,
    st.tsMs,
    st.receivedMs,
    st.deliveryCount,
    st.flags,
    st.chunk,
    st.start,
    st.len,
    st.exec,
    st.home,
    st.corr,
    st.task,
    st.entityType,
    st.entityId,
    st.producer,
    st.identity,
    st.subject,
    st.prevHash,
    st.digest,
  ])
    add(a);
  for (const c of st.chunks) add(c);
  add(s.all);
  add(s.bad);
  add(s.duplicates.streamSeq);
  add(s.duplicates.of);
  add(s.duplicates.deliveryCount);
  add(s.duplicates.receivedMs);
  add(s.copyOf);
  for (const p of [s.executionEvents, s.executionMalformed, s.executionDuplicates]) {
    add(p.items);
    add(p.ends);
  }
  return [...out];
}
