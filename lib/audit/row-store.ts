// Columns of every message the AuditLog keeps (events and malformed alike),
// one row each, plus where its raw bytes are. A row costs ~150 bytes of typed
// arrays besides its payload and no JS object, so a million rows are a few
// thousand objects for the garbage collector.
//
// Bytes: a transport that reads a socket or a file hands out views into large
// read buffers that are mostly payload. Such a buffer is kept as it is (one
// object per buffer, none per message): copying would touch as much fresh
// memory again, which costs more than parsing on some machines. Every other
// payload is copied into arena chunks of our own. A kept buffer must stay at
// least half payload of kept rows, so bytes never cost more than twice the
// payload; when it is not (sparse, small, or its rows were duplicates) its
// rows are copied out and the buffer is let go. Like before, the caller must
// not write into a buffer after handing it to add().

import { HASHED, type EventColumns } from "./columns";
import type { RowStoreSnapshot } from "./snapshot";
import { hexWords } from "./hex";
import { sha256Words } from "./sha256";
import { StringTable } from "./string-table";

const ARENA_CHUNK = 1 << 20;
const FIRST_ARENA_CHUNK = 1 << 14;
/** Smaller read buffers are copied from at once: their object would cost too much per message. */
const MIN_SHARED = 16 << 10;

// Columns live in resizable ArrayBuffers where the runtime has them: growing
// commits more of the space reserved, in place, with no copy of the old column
// left for the garbage collector (at a million rows, the doubling copies were
// ~280 MB of external memory, which set off full collections mid-ingest). The
// space reserved is a multiple of what is used, so a tab's many small logs (the
// lab's runs) never hold much address space; past it the column moves once.

/** A column reserves this many times its length: it moves once every 16×. */
const RESERVE = 16;

type Column = Float64Array | Int32Array | Uint8Array;
type Resizable = ArrayBuffer & { resizable?: boolean; maxByteLength?: number; resize?(n: number): void };
const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable;

/** `a`'s rows in a column of `length` elements: the same array grown in place when it can be. */
function resized<T extends Column>(a: T, length: number): T {
  const bytes = length * a.BYTES_PER_ELEMENT;
  const buf = a.buffer as Resizable;
  // Only a view that tracks its whole buffer grows with it (one made by this function).
  if (buf.resizable === true && a.byteOffset === 0 && a.byteLength === buf.byteLength && bytes >= a.byteLength) {
    if (bytes <= (buf.maxByteLength ?? 0)) {
      buf.resize?.(bytes);
      return a;
    }
  }
  // Without resizable buffers the option is ignored: a plain column, copied as it grows.
  const b = new (a.constructor as new (buffer: ArrayBuffer) => T)(
    new Resizable(bytes, { maxByteLength: bytes * RESERVE }),
  );
  b.set(bytes >= a.byteLength ? a : a.subarray(0, length));
  return b;
}

/** Typed-array bytes per row besides the payload: 6 float64, 13 int32, 1 byte, 8 words of prev_hash. */
const ROW_COLUMN_BYTES = 6 * 8 + 13 * 4 + 1 + 32;

/** Ids per table that an eviction may leave unused (RowStore.idsOf). */
export interface IdCandidates {
  corr: Set<number>;
  task: Set<number>;
  entityId: Set<number>;
}

export class RowStore implements EventColumns {
  /** Rows in use. */
  n = 0;
  private cap = 0;
  streamSeq = new Float64Array(0);
  seq = new Float64Array(0);
  tsMs = new Float64Array(0);
  receivedMs = new Float64Array(0);
  deliveryCount = new Float64Array(0);
  flags = new Uint8Array(0);
  /** Where the bytes are: arena chunk, offset, length. */
  chunk = new Int32Array(0);
  start = new Int32Array(0);
  len = new Int32Array(0);
  /** workflow_execution_id, interned in `execs`; -1: none. */
  exec = new Int32Array(0);
  /** The context the row is filed under (ExecutionIndex.list; see context-ref.ts); -1: none. */
  home = new Int32Array(0);
  corr = new Int32Array(0);
  task = new Int32Array(0);
  entityType = new Int32Array(0);
  entityId = new Int32Array(0);
  producer = new Int32Array(0);
  identity = new Int32Array(0);
  subject = new Int32Array(0);
  /** prev_hash as 8 big-endian words per row (when PREV_HASH_HEX). */
  prevHash = new Int32Array(0);
  /** SHA-256 of the line, 8 words per row (when HASHED); allocated on first use. */
  digest = new Int32Array(0);

  readonly execs = new StringTable();
  readonly corrs = new StringTable();
  readonly tasks = new StringTable();
  readonly entityTypes = new StringTable();
  readonly entityIds = new StringTable();
  readonly producers = new StringTable();
  readonly subjects = new StringTable();

  /** Arena chunks and kept caller buffers alike; a row's `chunk` indexes this. */
  private readonly chunks: (Uint8Array | undefined)[] = [];
  /** Payload bytes of kept rows per chunk; for a caller buffer, whether it may stay. */
  private readonly used: number[] = [];
  /** Chunks that are kept caller buffers, by their ArrayBuffer. */
  private readonly shared = new Map<ArrayBufferLike, number>();
  /** The caller buffer rows were last taken from, undecided until the reader moves on; -1: none. */
  private pending = -1;
  private pendingBuffer: ArrayBufferLike | undefined;
  private pendingRows: number[] = [];
  private pendingEnd = 0;
  private cur = -1;
  private curOff = 0;

  /** Called for each row whose bytes moved (views made earlier still show the old place). */
  constructor(private readonly moved: (row: number) => void = () => {}) {}

  get execNames(): readonly string[] {
    return this.execs.values;
  }

  get corrNames(): readonly string[] {
    return this.corrs.values;
  }

  /** A new row holding `data` (by reference when it sits in a large read buffer); the caller fills the other columns. */
  append(data: Uint8Array): number {
    if (this.n === this.cap) this.resize(Math.max(64, this.cap * 2));
    const row = this.n++;
    const len = data.length;
    this.len[row] = len;
    const buffer = data.buffer;
    if (buffer.byteLength < MIN_SHARED) {
      this.copy(row, data);
      return row;
    }
    let c: number;
    if (buffer === this.pendingBuffer) {
      c = this.pending;
    } else {
      // The reader moved on: the buffer before gets no more rows.
      if (this.pending >= 0) this.settle();
      const kept = this.shared.get(buffer);
      if (kept !== undefined) {
        c = kept;
      } else {
        c = this.chunks.length;
        this.chunks.push(new Uint8Array(buffer));
        this.used.push(0);
        this.pending = c;
        this.pendingBuffer = buffer;
        this.pendingRows = [];
        this.pendingEnd = 0;
      }
    }
    this.chunk[row] = c;
    this.start[row] = data.byteOffset;
    this.used[c] = (this.used[c] as number) + len;
    if (c === this.pending) {
      this.pendingRows.push(row);
      this.pendingEnd = Math.max(this.pendingEnd, data.byteOffset + len);
    }
    return row;
  }

  /** End of a batch: decides the current buffer now if it can no longer be half payload. */
  endBatch(): void {
    if (this.pending < 0) return;
    const size = (this.chunks[this.pending] as Uint8Array).length;
    if (((this.used[this.pending] as number) + size - this.pendingEnd) * 2 < size) this.settle();
  }

  /** A row no longer kept (an identical earlier copy replaced it): its bytes stop counting. */
  release(row: number): void {
    const c = this.chunk[row] as number;
    this.used[c] = (this.used[c] as number) - (this.len[row] as number);
  }

  /** Keeps the pending caller buffer if it is at least half payload, else copies its rows out. */
  private settle(): void {
    const c = this.pending;
    const buffer = this.pendingBuffer as ArrayBufferLike;
    const rows = this.pendingRows;
    this.pending = -1;
    this.pendingBuffer = undefined;
    this.pendingRows = [];
    const buf = this.chunks[c] as Uint8Array;
    if ((this.used[c] as number) * 2 >= buf.length) {
      this.shared.set(buffer, c);
      return;
    }
    for (const row of rows) {
      const s = this.start[row] as number;
      this.copy(row, buf.subarray(s, s + (this.len[row] as number)));
      this.moved(row);
    }
    this.used[c] = 0;
    this.chunks[c] = undefined;
  }

  private copy(row: number, data: Uint8Array): void {
    const len = data.length;
    let arena = this.cur < 0 ? undefined : this.chunks[this.cur];
    if (arena === undefined || this.curOff + len > arena.length) {
      // Small logs (one execution, a short file) start small; a big one soon takes whole chunks.
      const size = Math.min(ARENA_CHUNK, FIRST_ARENA_CHUNK * 2 ** this.chunks.length);
      arena = new Uint8Array(Math.max(size, len));
      this.cur = this.chunks.length;
      this.chunks.push(arena);
      this.used.push(0);
      this.curOff = 0;
    }
    arena.set(data, this.curOff);
    this.chunk[row] = this.cur;
    this.start[row] = this.curOff;
    this.used[this.cur] = (this.used[this.cur] as number) + len;
    this.curOff += len;
  }

  /** The row's bytes, a view into the arena (never written to). */
  bytes(row: number): Uint8Array {
    const s = this.start[row] as number;
    return (this.chunks[this.chunk[row] as number] as Uint8Array).subarray(s, s + (this.len[row] as number));
  }

  sameBytes(row: number, data: Uint8Array): boolean {
    const n = this.len[row] as number;
    if (n !== data.length) return false;
    const c = this.chunks[this.chunk[row] as number] as Uint8Array;
    const s = this.start[row] as number;
    for (let i = 0; i < n; i++) if (c[s + i] !== data[i]) return false;
    return true;
  }

  /** Stores a prev_hash; false when it is not 64 hex digits (it can then match no line). */
  setPrevHash(row: number, hex: string): boolean {
    return hexWords(hex, this.prevHash, row * 8);
  }

  /** Stores a prev_hash already decoded (hexWords). */
  setPrevHashWords(row: number, words: Int32Array): void {
    const base = row * 8;
    for (let w = 0; w < 8; w++) this.prevHash[base + w] = words[w] as number;
  }

  private ensureDigests(): void {
    if (this.digest.length < this.cap * 8) this.digest = resized(this.digest, this.cap * 8);
  }

  /**
   * Stores a line's SHA-256 (8 words, as sha256Words writes them) and marks the row hashed: `words` when the
   * reader hashed it already, else hashed here from its bytes.
   */
  setDigest(row: number, words?: Int32Array): void {
    this.ensureDigests();
    if (words !== undefined) this.digest.set(words, row * 8);
    else sha256Words(this.bytes(row), this.digest, row * 8);
    this.flags[row] = (this.flags[row] as number) | HASHED;
  }

  /**
   * The store as plain data (snapshot.ts). Shares, does not copy, the typed
   * arrays and byte chunks: transferring them to another thread detaches them
   * here, so the store must not be used after that.
   */
  snapshot(): RowStoreSnapshot {
    const shared: number[] = [];
    for (const c of this.shared.values()) shared.push(c);
    return {
      n: this.n,
      cap: this.cap,
      streamSeq: this.streamSeq,
      seq: this.seq,
      tsMs: this.tsMs,
      receivedMs: this.receivedMs,
      deliveryCount: this.deliveryCount,
      flags: this.flags,
      chunk: this.chunk,
      start: this.start,
      len: this.len,
      exec: this.exec,
      home: this.home,
      corr: this.corr,
      task: this.task,
      entityType: this.entityType,
      entityId: this.entityId,
      producer: this.producer,
      identity: this.identity,
      subject: this.subject,
      prevHash: this.prevHash,
      digest: this.digest,
      tables: {
        execs: this.execs.values,
        corrs: this.corrs.values,
        tasks: this.tasks.values,
        entityTypes: this.entityTypes.values,
        entityIds: this.entityIds.values,
        producers: this.producers.values,
        subjects: this.subjects.values,
      },
      chunks: this.chunks.slice(),
      used: this.used.slice(),
      shared,
      pending: this.pending,
      pendingRows: this.pendingRows.slice(),
      pendingEnd: this.pendingEnd,
      cur: this.cur,
      curOff: this.curOff,
    };
  }

  /** Takes over a snapshot's state; the store must be new (no rows). */
  restore(s: RowStoreSnapshot): void {
    if (this.n > 0 || this.chunks.length > 0) throw new Error("RowStore.restore: the store is not empty");
    this.n = s.n;
    this.cap = s.cap;
    this.streamSeq = s.streamSeq;
    this.seq = s.seq;
    this.tsMs = s.tsMs;
    this.receivedMs = s.receivedMs;
    this.deliveryCount = s.deliveryCount;
    this.flags = s.flags;
    this.chunk = s.chunk;
    this.start = s.start;
    this.len = s.len;
    this.exec = s.exec;
    this.home = s.home;
    this.corr = s.corr;
    this.task = s.task;
    this.entityType = s.entityType;
    this.entityId = s.entityId;
    this.producer = s.producer;
    this.identity = s.identity;
    this.subject = s.subject;
    this.prevHash = s.prevHash;
    this.digest = s.digest;
    this.execs.load(s.tables.execs);
    this.corrs.load(s.tables.corrs);
    this.tasks.load(s.tables.tasks);
    this.entityTypes.load(s.tables.entityTypes);
    this.entityIds.load(s.tables.entityIds);
    this.producers.load(s.tables.producers);
    this.subjects.load(s.tables.subjects);
    for (const c of s.chunks) this.chunks.push(c);
    for (const u of s.used) this.used.push(u);
    for (const c of s.shared) this.shared.set((s.chunks[c] as Uint8Array).buffer, c);
    this.pending = s.pending;
    this.pendingBuffer = s.pending >= 0 ? (s.chunks[s.pending] as Uint8Array).buffer : undefined;
    this.pendingRows = s.pendingRows.slice();
    this.pendingEnd = s.pendingEnd;
    this.cur = s.cur;
    this.curOff = s.curOff;
  }

  /** Bytes held: byte chunks plus columns, for the memory budget. */
  get bytesHeld(): number {
    let n = 0;
    for (const c of this.chunks) n += c?.length ?? 0;
    return n + this.cap * ROW_COLUMN_BYTES + (this.digest.length > 0 ? this.cap * 32 : 0);
  }

  /**
   * Keeps only `keep` (rows, ascending) and renumbers them 0…k−1 in that order. A byte chunk (arena or kept
   * read buffer) that is still at least half payload of kept rows stays as it is; the kept rows of the others
   * are copied out and those chunks let go. So the bytes copied are at most what was let go, not everything
   * held, and bytes still never cost more than twice the payload. Returns old row → new row (−1: dropped).
   */
  compact(keep: Int32Array): Int32Array {
    if (this.pending >= 0) this.settle(); // its rows are decided before they are renumbered
    const remap = new Int32Array(this.n).fill(-1);
    const k = keep.length;
    const oldChunks = this.chunks.slice();
    const live = new Float64Array(oldChunks.length);
    for (let i = 0; i < k; i++) {
      const r = keep[i] as number;
      const c = this.chunk[r] as number;
      live[c] = (live[c] as number) + (this.len[r] as number);
    }
    // Chunks that stay, renumbered in order; the current arena counts only what is filled of it.
    const chunkTo = new Int32Array(oldChunks.length).fill(-1);
    this.chunks.length = 0;
    this.used.length = 0;
    for (let c = 0; c < oldChunks.length; c++) {
      const buf = oldChunks[c];
      const filled = c === this.cur ? this.curOff : (buf?.length ?? 0);
      const l = live[c] as number;
      if (buf === undefined || l === 0 || l * 2 < filled) continue;
      chunkTo[c] = this.chunks.length;
      this.chunks.push(buf);
      this.used.push(l);
    }
    const shared = [...this.shared];
    this.shared.clear();
    for (const [buffer, c] of shared) if ((chunkTo[c] as number) >= 0) this.shared.set(buffer, chunkTo[c] as number);
    this.cur = this.cur >= 0 ? (chunkTo[this.cur] as number) : -1;
    if (this.cur < 0) this.curOff = 0;
    const cols = [
      "streamSeq",
      "seq",
      "tsMs",
      "receivedMs",
      "deliveryCount",
      "flags",
      "exec",
      "home",
      "corr",
      "task",
      "entityType",
      "entityId",
      "producer",
      "identity",
      "subject",
      "len",
    ] as const;
    for (const name of cols) {
      const from = this[name];
      for (let i = 0; i < k; i++) from[i] = from[keep[i] as number] as number; // keep is ascending: in place
    }
    for (const [a, w] of [
      [this.prevHash, 8],
      [this.digest, 8],
    ] as const) {
      if (a.length === 0) continue;
      for (let i = 0; i < k; i++) a.copyWithin(i * w, (keep[i] as number) * w, (keep[i] as number) * w + w);
    }
    for (let i = 0; i < k; i++) {
      const r = keep[i] as number;
      remap[r] = i;
      const c = this.chunk[r] as number;
      const s0 = this.start[r] as number;
      const to = chunkTo[c] as number;
      if (to >= 0) {
        this.chunk[i] = to;
        this.start[i] = s0;
      } else {
        // Reads row r's place before copy() writes row i's (i <= r, ascending).
        this.copy(i, (oldChunks[c] as Uint8Array).subarray(s0, s0 + (this.len[i] as number)));
      }
    }
    this.n = k;
    // Give back what the columns no longer need (they double as they grow).
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, k * 1.25))));
    if (cap < this.cap) this.resize(cap);
    return remap;
  }

  /**
   * The correlation, task and entity ids of rows about to go (evicted): the only ids an eviction can leave
   * unused, so releaseUnusedIds() looks at these, not at every id ever handed out.
   */
  idsOf(rows: ArrayLike<number>): IdCandidates {
    const out: IdCandidates = { corr: new Set(), task: new Set(), entityId: new Set() };
    for (const [col, ids] of [
      [this.corr, out.corr],
      [this.task, out.task],
      [this.entityId, out.entityId],
    ] as const) {
      for (let i = 0; i < rows.length; i++) {
        const id = col[rows[i] as number] as number;
        if (id >= 0) ids.add(id);
      }
    }
    return out;
  }

  /**
   * After compact(): lets go of the candidates (idsOf the rows that went) no held row refers to, so what
   * eviction leaves does not grow by a dozen strings a run. Hints that cached them must forget them
   * (Hints.forgetIds). Execution ids stay: every execution keeps its summary.
   */
  releaseUnusedIds(candidates: IdCandidates): void {
    for (const [col, table, ids] of [
      [this.corr, this.corrs, candidates.corr],
      [this.task, this.tasks, candidates.task],
      [this.entityId, this.entityIds, candidates.entityId],
    ] as const) {
      for (let row = 0; row < this.n && ids.size > 0; row++) {
        const id = col[row] as number;
        if (id >= 0) ids.delete(id);
      }
      table.release(ids);
    }
  }

  private resize(cap: number): void {
    this.cap = cap;
    this.streamSeq = resized(this.streamSeq, cap);
    this.seq = resized(this.seq, cap);
    this.tsMs = resized(this.tsMs, cap);
    this.receivedMs = resized(this.receivedMs, cap);
    this.deliveryCount = resized(this.deliveryCount, cap);
    this.flags = resized(this.flags, cap);
    this.chunk = resized(this.chunk, cap);
    this.start = resized(this.start, cap);
    this.len = resized(this.len, cap);
    this.exec = resized(this.exec, cap);
    this.home = resized(this.home, cap);
    this.corr = resized(this.corr, cap);
    this.task = resized(this.task, cap);
    this.entityType = resized(this.entityType, cap);
    this.entityId = resized(this.entityId, cap);
    this.producer = resized(this.producer, cap);
    this.identity = resized(this.identity, cap);
    this.subject = resized(this.subject, cap);
    this.prevHash = resized(this.prevHash, cap * 8);
    if (this.digest.length > 0) this.digest = resized(this.digest, cap * 8);
  }
}
