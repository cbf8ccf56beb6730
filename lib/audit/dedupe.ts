// Duplicate detection at ingest: "same stream sequence again" and "same bytes
// under a new stream sequence". Hashing every payload costs about half as much
// as JSON.parse itself, so byte-identity is found through a cheap fingerprint
// of fields we parse anyway (ts, seq, length) plus a few sampled bytes, and
// confirmed by comparing the bytes of the few candidates.

import type { ParsedMessage } from "./types";

const PAGE_BITS = 16;
const PAGE_SIZE = 1 << PAGE_BITS;

/** Set of stream sequences, one bit each, in 8 KiB pages: dense ranges are cheap, sparse ones still work. */
export class StreamSeqSet {
  private readonly pages = new Map<number, Int32Array>();

  has(s: number): boolean {
    const page = this.pages.get(Math.floor(s / PAGE_SIZE));
    if (page === undefined) return false;
    const bit = s % PAGE_SIZE;
    return ((page[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  add(s: number): void {
    const p = Math.floor(s / PAGE_SIZE);
    let page = this.pages.get(p);
    if (page === undefined) {
      page = new Int32Array(PAGE_SIZE >>> 5);
      this.pages.set(p, page);
    }
    const bit = s % PAGE_SIZE;
    page[bit >>> 5] = (page[bit >>> 5] as number) | (1 << (bit & 31));
  }
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x5bd1e995);
  return h ^ (h >>> 15);
}

/** 32-bit fingerprint; byte-identical messages always share it. */
export function fingerprint(m: ParsedMessage): number {
  const d = m.raw;
  const n = d.length;
  let h = mix(0x9747b28c, n);
  if (m.kind === "event") {
    h = mix(h, m.tsMs | 0);
    h = mix(h, Math.floor(m.tsMs / 4294967296));
    h = mix(h, m.seq ?? 0);
  }
  if (n > 0) {
    // Sixteen sampled bytes, spread over the payload, the last one included.
    const step = n / 16;
    for (let k = 1; k <= 16; k++) h = mix(h, d[Math.ceil(k * step) - 1] as number);
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
 * Open-addressing table fingerprint → stream sequence of the kept copy, in
 * typed arrays (~16 bytes per message, no per-entry objects).
 */
export class FingerprintIndex {
  private fps = new Int32Array(1024);
  private seqs = new Float64Array(1024).fill(NaN);
  private count = 0;

  constructor(private readonly bytesOf: (streamSeq: number) => Uint8Array | undefined) {}

  /** Stream sequence of a kept message with exactly these bytes, or undefined. */
  find(fp: number, data: Uint8Array): number | undefined {
    const mask = this.fps.length - 1;
    for (let i = fp & mask; ; i = (i + 1) & mask) {
      const s = this.seqs[i] as number;
      if (s !== s) return undefined; // NaN: empty slot, end of the probe run
      if (this.fps[i] === fp) {
        const other = this.bytesOf(s);
        if (other !== undefined && sameBytes(other, data)) return s;
      }
    }
  }

  add(fp: number, streamSeq: number): void {
    if ((this.count + 1) * 4 > this.fps.length * 3) this.grow();
    this.insert(fp, streamSeq);
    this.count++;
  }

  /** The kept copy changed (a lower stream sequence arrived late). */
  replace(fp: number, from: number, to: number): void {
    const mask = this.fps.length - 1;
    for (let i = fp & mask; ; i = (i + 1) & mask) {
      const s = this.seqs[i] as number;
      if (s !== s) return;
      if (s === from && this.fps[i] === fp) {
        this.seqs[i] = to;
        return;
      }
    }
  }

  private insert(fp: number, streamSeq: number): void {
    const mask = this.fps.length - 1;
    let i = fp & mask;
    while (this.seqs[i] === this.seqs[i]) i = (i + 1) & mask;
    this.fps[i] = fp;
    this.seqs[i] = streamSeq;
  }

  private grow(): void {
    const fps = this.fps;
    const seqs = this.seqs;
    this.fps = new Int32Array(fps.length * 2);
    this.seqs = new Float64Array(seqs.length * 2).fill(NaN);
    for (let i = 0; i < fps.length; i++) {
      const s = seqs[i] as number;
      if (s === s) this.insert(fps[i] as number, s);
    }
  }
}
