// Contexts folded into totals. Under a memory budget an evicted execution
// stays as a summary (~2 KB); a tab open for days would fill any budget with
// them. So once summaries outgrow their share (memory-budget.ts), the oldest
// are folded: they leave the list and become exact totals — how many, by kind
// and status, their events, malformed messages, duplicates and anomaly counts
// under each built-in key — plus a 53-bit hash of each key (8 bytes), so a
// late line of one is known to belong to a context whose earlier part is only
// counted. Hashes are kept in two generations; past the cap the older one goes
// (such a very old context's late line then reads as a new one).

import type { AnomalyKind } from "./anomaly";
import type { ContextKind } from "./context-ref";
import type { EvictedPart, ExecutionStatus, ExecutionSummary } from "./execution-index";

export interface FoldedTotals {
  contexts: number;
  events: number;
  malformed: number;
  duplicates: number;
  byStatus: Partial<Record<ExecutionStatus, number>>;
  /** Per built-in key id: anomalies by kind, summed over the folded contexts whose counts were known. */
  anomalies: Record<string, Partial<Record<AnomalyKind, number>>>;
  /** Folded contexts whose anomaly counts were unknown (late lines came after their eviction). */
  uncounted: number;
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
}

export function emptyTotals(): FoldedTotals {
  return {
    contexts: 0,
    events: 0,
    malformed: 0,
    duplicates: 0,
    byStatus: {},
    anomalies: {},
    uncounted: 0,
    firstTsMs: Infinity,
    lastTsMs: -Infinity,
    firstStreamSeq: Infinity,
    lastStreamSeq: -Infinity,
  };
}

/** cyrb53 (bryc, public domain): a well-mixed 53-bit hash, exact as a double. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const EMPTY = new Float64Array(0);

function sortedHas(a: Float64Array, h: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Two sorted arrays merged into one, sorted. */
function merge(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = (a[i] as number) <= (b[j] as number) ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

export class FoldedContexts {
  readonly totals: Record<ContextKind, FoldedTotals> = { execution: emptyTotals(), invocation: emptyTotals() };
  private older: Float64Array = EMPTY;
  private newer: Float64Array = EMPTY;

  /** `maxIds`: hashes kept at most (both generations together). */
  constructor(private readonly maxIds = 4_000_000) {}

  /** Contexts folded so far, of both kinds. */
  get size(): number {
    return this.totals.execution.contexts + this.totals.invocation.contexts;
  }

  get bytes(): number {
    return (this.older.length + this.newer.length) * 8 + 2_000;
  }

  /** Whether a context of this key was folded (one whose hash is still kept). */
  has(key: string): boolean {
    if (this.older.length + this.newer.length === 0) return false;
    const h = hash53(key);
    return sortedHas(this.newer, h) || sortedHas(this.older, h);
  }

  /**
   * Folds these contexts' summaries into the totals. `counts`: anomaly counts by built-in key id ({} when
   * unknown). The caller drops their states.
   */
  fold(items: readonly { summary: ExecutionSummary; counts: EvictedPart["counts"] }[]): void {
    const hashes = new Float64Array(items.length);
    items.forEach(({ summary: x, counts }, i) => {
      hashes[i] = hash53(x.id);
      const t = this.totals[x.kind];
      t.contexts++;
      t.events += x.eventCount;
      t.malformed += x.malformedCount;
      t.duplicates += x.duplicateCount;
      t.byStatus[x.status] = (t.byStatus[x.status] ?? 0) + 1;
      const keys = Object.keys(counts);
      if (keys.length === 0) t.uncounted++;
      for (const key of keys) {
        const into = (t.anomalies[key] ??= {});
        for (const [kind, n] of Object.entries(counts[key] ?? {}) as [AnomalyKind, number][]) {
          into[kind] = (into[kind] ?? 0) + n;
        }
      }
      if (x.firstTsMs < t.firstTsMs) t.firstTsMs = x.firstTsMs;
      if (x.lastTsMs > t.lastTsMs) t.lastTsMs = x.lastTsMs;
      if (x.firstStreamSeq < t.firstStreamSeq) t.firstStreamSeq = x.firstStreamSeq;
      if (x.lastStreamSeq > t.lastStreamSeq) t.lastStreamSeq = x.lastStreamSeq;
    });
    hashes.sort();
    this.newer = merge(this.newer, hashes);
    if (this.newer.length > this.maxIds / 2) {
      this.older = this.newer;
      this.newer = EMPTY;
    }
  }

  /** A message of a folded context read again (a re-read of its stretch): held once more, no longer only counted. */
  unfold(kind: ContextKind, what: "events" | "malformed"): void {
    const t = this.totals[kind];
    if (t[what] > 0) t[what]--;
  }
}
