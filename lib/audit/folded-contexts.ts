// Contexts folded into totals. Under a memory budget an evicted execution
// stays as a summary (~2 KB); a tab open for days would fill any budget with
// them. So once summaries outgrow their share (memory-budget.ts), the oldest
// are folded: they leave the list and become exact totals — how many, by kind
// and status, their events, malformed messages, duplicates and anomaly counts
// under each built-in key — plus, per key, a 53-bit hash, the stream sequences
// it lay in and its status (25 bytes). So a late line of one is known to belong
// to a context whose earlier part is only counted (and it leaves the folded
// count, listed again), and opening one reads just its stretch again. Keys are
// kept in two generations; past the cap the older one goes (a late line of so
// old a context then reads as a new one).

import type { AnomalyKind } from "./anomaly";
import type { ContextKind } from "./context-ref";
import { EXECUTION_STATUSES, type EvictedPart, type ExecutionStatus, type ExecutionSummary } from "./execution-index";

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

/** Folded keys by hash, ascending, with where each context lay on the stream and its status then. */
interface Generation {
  hash: Float64Array;
  /** −1: listed again since (a late line made it anew). */
  from: Float64Array;
  to: Float64Array;
  status: Uint8Array;
}

const EMPTY: Generation = {
  hash: new Float64Array(0),
  from: new Float64Array(0),
  to: new Float64Array(0),
  status: new Uint8Array(0),
};

/** Position of a still-folded entry of hash `h`, or -1. */
function indexOf(g: Generation, h: number): number {
  const a = g.hash;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < h) lo = mid + 1;
    else hi = mid;
  }
  // Folded twice (listed again in between), a hash is there twice: the entry still folded.
  for (let i = lo; i < a.length && a[i] === h; i++) if ((g.from[i] as number) >= 0) return i;
  return -1;
}

/** Two generations merged into one, by hash. */
function merge(a: Generation, b: Generation): Generation {
  const n = a.hash.length + b.hash.length;
  const out: Generation = {
    hash: new Float64Array(n),
    from: new Float64Array(n),
    to: new Float64Array(n),
    status: new Uint8Array(n),
  };
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const takeA = j >= b.hash.length || (i < a.hash.length && (a.hash[i] as number) <= (b.hash[j] as number));
    const src = takeA ? a : b;
    const at = takeA ? i++ : j++;
    out.hash[k] = src.hash[at] as number;
    out.from[k] = src.from[at] as number;
    out.to[k] = src.to[at] as number;
    out.status[k] = src.status[at] as number;
  }
  return out;
}

export class FoldedContexts {
  readonly totals: Record<ContextKind, FoldedTotals> = { execution: emptyTotals(), invocation: emptyTotals() };
  private older: Generation = EMPTY;
  private newer: Generation = EMPTY;

  /** `maxIds`: ids kept at most (both generations together). */
  constructor(public maxIds = 4_000_000) {}

  /** Contexts folded so far, of both kinds. */
  get size(): number {
    return this.totals.execution.contexts + this.totals.invocation.contexts;
  }

  get bytes(): number {
    return (this.older.hash.length + this.newer.hash.length) * 25 + 2_000;
  }

  /** Whether a context of this key was folded (one whose hash is still kept). */
  has(key: string): boolean {
    return this.where(key) !== undefined;
  }

  /** The stream sequences a folded context of this key lay in (first to last message), if it is folded. */
  where(key: string): { from: number; to: number } | undefined {
    const f = this.find(key);
    return f === undefined ? undefined : { from: f.g.from[f.i] as number, to: f.g.to[f.i] as number };
  }

  /**
   * A late line made a folded context anew (it is listed again): it no longer counts among the folded, by
   * kind and status; its events folded earlier stay in the totals until a re-read moves them (unfold).
   * Whether it was folded.
   */
  relist(key: string, kind: ContextKind): boolean {
    const f = this.find(key);
    if (f === undefined) return false;
    const t = this.totals[kind];
    const status = EXECUTION_STATUSES[f.g.status[f.i] as number] as ExecutionStatus;
    t.contexts--;
    t.byStatus[status] = Math.max(0, (t.byStatus[status] ?? 0) - 1);
    f.g.from[f.i] = -1;
    return true;
  }

  private find(key: string): { g: Generation; i: number } | undefined {
    if (this.older.hash.length + this.newer.hash.length === 0) return undefined;
    const h = hash53(key);
    for (const g of [this.newer, this.older]) {
      const i = indexOf(g, h);
      if (i >= 0) return { g, i };
    }
    return undefined;
  }

  /**
   * Folds these contexts' summaries into the totals. `counts`: anomaly counts by built-in key id ({} when
   * unknown). The caller drops their states.
   */
  fold(items: readonly { summary: ExecutionSummary; counts: EvictedPart["counts"] }[]): void {
    const hashes = items.map(({ summary }) => hash53(summary.id));
    items.forEach(({ summary: x, counts }) => {
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
    const order = items.map((_, i) => i).sort((a, b) => (hashes[a] as number) - (hashes[b] as number));
    const at = (i: number) => (items[i] as (typeof items)[number]).summary;
    const batch: Generation = {
      hash: Float64Array.from(order, (i) => hashes[i] as number),
      from: Float64Array.from(order, (i) => at(i).firstStreamSeq),
      to: Float64Array.from(order, (i) => at(i).lastStreamSeq),
      status: Uint8Array.from(order, (i) => EXECUTION_STATUSES.indexOf(at(i).status)),
    };
    this.newer = merge(this.newer, batch);
    if (this.newer.hash.length > this.maxIds / 2) {
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
