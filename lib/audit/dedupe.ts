// Duplicate detection at ingest: "same stream sequence again" and "same bytes
// under a new stream sequence". Hashing every payload costs about half as much
// as JSON.parse itself, so byte-identity is found through a cheap fingerprint
// of fields we parse anyway (ts, seq, length) plus a few sampled bytes, and
// confirmed by comparing the bytes of the few candidates.

const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;

/** Set of stream sequences, one bit each, in 8 KiB pages: dense ranges are cheap, sparse ones still work. */
export class StreamSeqSet {
  private readonly pages = new Map<number, Int32Array>();
  // Stream sequences arrive mostly ascending: the last page answers nearly every call.
  private lastNo = -1;
  private last: Int32Array | undefined;

  /** Adds `s`; false when it was already there. */
  add(s: number): boolean {
    const p = Math.floor(s / PAGE_SIZE);
    let page = p === this.lastNo ? this.last : this.pages.get(p);
    if (page === undefined) {
      page = new Int32Array(PAGE_SIZE >>> 5);
      this.pages.set(p, page);
    }
    this.lastNo = p;
    this.last = page;
    const bit = s - p * PAGE_SIZE;
    const word = page[bit >>> 5] as number;
    const mask = 1 << (bit & 31);
    if ((word & mask) !== 0) return false;
    page[bit >>> 5] = word | mask;
    return true;
  }

  has(s: number): boolean {
    const p = Math.floor(s / PAGE_SIZE);
    const page = p === this.lastNo ? this.last : this.pages.get(p);
    if (page === undefined) return false;
    const bit = s - p * PAGE_SIZE;
    return ((page[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  delete(s: number): void {
    const p = Math.floor(s / PAGE_SIZE);
    const page = p === this.lastNo ? this.last : this.pages.get(p);
    if (page === undefined) return;
    const bit = s - p * PAGE_SIZE;
    page[bit >>> 5] = (page[bit >>> 5] as number) & ~(1 << (bit & 31));
  }

  /** Bytes held, for the memory budget. */
  get bytes(): number {
    return this.pages.size * (PAGE_SIZE >>> 3);
  }
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x5bd1e995);
  return h ^ (h >>> 15);
}

/** 32-bit fingerprint; byte-identical messages always share it (they parse alike, so `ts` and `seq` agree). */
export function fingerprint(d: Uint8Array, event: { tsMs: number; seq: number } | undefined): number {
  const n = d.length;
  let h = mix(0x9747b28c, n);
  if (event !== undefined) {
    h = mix(h, event.tsMs | 0);
    h = mix(h, Math.floor(event.tsMs / 4294967296));
    h = mix(h, event.seq);
  }
  if (n > 0) {
    // Sixteen sampled bytes, spread over the payload, the last one included: byte ceil(k·n/16) − 1,
    // in integers (n = 16q + r).
    const q = n >>> 4;
    const r = n & 15;
    for (let k = 1; k <= 16; k++) h = mix(h, d[k * q + ((k * r + 15) >>> 4) - 1] as number);
  }
  return h;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Open-addressing table fingerprint → row of the kept copy, in one typed array
 * of (fingerprint, row) pairs (8 bytes per slot, no per-entry objects): a probe
 * reads one cache line, since nearly every lookup misses the cache.
 */
export class FingerprintIndex {
  /** Slot i: fingerprint at 2i, row at 2i + 1 (-1: empty). */
  private slots = emptySlots(1024);
  private count = 0;

  constructor(private readonly same: (row: number, data: Uint8Array) => boolean) {}

  /** Where the last find() ended: the empty slot add() can fill without probing again. */
  private free = -1;

  clear(): void {
    this.slots = emptySlots(1024);
    this.count = 0;
  }

  /** Bytes held, for the memory budget. */
  get bytes(): number {
    return this.slots.length * 4;
  }

  /** Row of a kept message with exactly these bytes, or -1. */
  find(fp: number, data: Uint8Array): number {
    const t = this.slots;
    const mask = (t.length >>> 1) - 1;
    for (let i = fp & mask; ; i = (i + 1) & mask) {
      const r = t[2 * i + 1] as number;
      if (r < 0) {
        this.free = i; // empty slot: end of the probe run
        return -1;
      }
      if (t[2 * i] === fp && this.same(r, data)) return r;
    }
  }

  /** Adds a row that find(fp, …) just did not find. */
  add(fp: number, row: number): void {
    this.count++;
    if (this.count * 8 > this.slots.length * 3) {
      this.grow();
      this.insert(fp, row);
      return;
    }
    this.slots[2 * this.free] = fp;
    this.slots[2 * this.free + 1] = row;
  }

  /** The kept copy changed (a lower stream sequence arrived late). */
  replace(fp: number, from: number, to: number): void {
    const t = this.slots;
    const mask = (t.length >>> 1) - 1;
    for (let i = fp & mask; ; i = (i + 1) & mask) {
      const r = t[2 * i + 1] as number;
      if (r < 0) return;
      if (r === from && t[2 * i] === fp) {
        t[2 * i + 1] = to;
        return;
      }
    }
  }

  /**
   * Rows were renumbered (`remap`: old row → new row, −1: gone): entries follow them or go, in a table sized
   * for what stays. Each slot keeps its fingerprint, so no payload is read again.
   */
  remap(remap: Int32Array): void {
    const old = this.slots;
    let n = 0;
    for (let i = 1; i < old.length; i += 2) {
      const r = old[i] as number;
      if (r >= 0 && (remap[r] ?? -1) >= 0) n++;
    }
    let cap = 1024;
    while (n * 8 > cap * 2 * 3) cap *= 2;
    this.slots = emptySlots(cap);
    this.count = n;
    for (let i = 1; i < old.length; i += 2) {
      const r = old[i] as number;
      const to = r >= 0 ? (remap[r] ?? -1) : -1;
      if (to >= 0) this.insert(old[i - 1] as number, to);
    }
  }

  private insert(fp: number, row: number): void {
    const t = this.slots;
    const mask = (t.length >>> 1) - 1;
    let i = fp & mask;
    while ((t[2 * i + 1] as number) >= 0) i = (i + 1) & mask;
    t[2 * i] = fp;
    t[2 * i + 1] = row;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = emptySlots(old.length); // twice the slots
    for (let i = 1; i < old.length; i += 2) {
      const r = old[i] as number;
      if (r >= 0) this.insert(old[i - 1] as number, r);
    }
  }
}

/** A FingerprintIndex table of `n` slots, all empty. */
function emptySlots(n: number): Int32Array {
  return new Int32Array(2 * n).fill(-1);
}

/** Two independent 32-bit hashes of the bytes: a 64-bit content id where the bytes are gone (evicted). */
export function contentHash(d: Uint8Array): [number, number] {
  let a = 0x811c9dc5 ^ d.length;
  let b = 0x9747b28c;
  for (let i = 0; i < d.length; i++) {
    const c = d[i] as number;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return [a | 0, mix(b, d.length) | 0];
}
