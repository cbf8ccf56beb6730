// The memory budget: what the log holds, estimated from its own structures
// (no heap API is portable), and eviction past it. Whole finished executions
// go, least recently active first, down to EVICT_TO of the budget so eviction
// is rare; the store is then compacted (held rows renumbered, the kept bytes
// of chunks now mostly let go copied out so those chunks go, ids no held row
// uses released) so the memory is really given back. An eviction's work is
// what it lets go plus the rows still held, never everything ever seen (ids,
// contexts, breaks). An evicted execution keeps its summary, its duplicates and
// the anomaly counts under the built-in keys; its stream sequences are
// remembered, so a re-read of its stretch brings its messages back (ingest.ts,
// "restore"). Past SUMMARY_SHARE of the budget, the oldest summaries are folded
// into totals (folded-contexts.ts), so a tab open for days stays within it.

import type { AnomalyKind } from "./anomaly";
import type { ChainLedger } from "./chain-ledger";
import { EVENT_OBJECT_BYTES, type EventCache } from "./event-cache";
import type { ExecState, ExecutionSummary } from "./execution-index";
import type { Ingest } from "./ingest";
import type { KeyColumns } from "./key-columns";

/** Eviction brings the log down to this share of its budget. */
const EVICT_TO = 0.8;
/** Per-row overhead outside the store: row lists (all rows + per execution), seen bits, fingerprint slots. */
const ROW_INDEX_BYTES = 8 + 8 + 16;
/**
 * An evicted execution's state and summary and its Map entries, beside its interned id (counted apart).
 * Measured on the simulator's runs (heap slope over thousands evicted): ~2.3 KB each in all.
 */
const EXECUTION_BYTES = 2_100;
const DUPLICATE_BYTES = 120;
/** An interned id: the string, its Map entry and its slot. */
const INTERNED_BYTES = 120;
/** A released one keeps its slot (StringTable.release). */
const RELEASED_ID_BYTES = 8;
const MALFORMED_RECORD_BYTES = 400;

export interface MemoryStats {
  budgetBytes: number | undefined;
  /** Estimated bytes held now. */
  heldBytes: number;
  /** Distinct events + malformed messages held. */
  heldMessages: number;
  /** Contexts whose summaries were folded into totals (folded-contexts.ts). */
  foldedContexts: number;
  /** Executions evicted so far (each stays as a summary) and the messages they held. */
  evictedExecutions: number;
  evictedMessages: number;
}

export interface LogParts {
  ing: Ingest;
  cache: EventCache;
  keys: KeyColumns;
  ledger: ChainLedger;
}

export function heldBytes({ ing, cache, keys, ledger }: LogParts): number {
  const s = ing.store;
  const tables = [s.execs, s.corrs, s.tasks, s.entityTypes, s.entityIds, s.producers];
  let interned = 0;
  let released = 0;
  for (const t of tables) {
    interned += t.live;
    released += t.size - t.live;
  }
  return (
    interned * INTERNED_BYTES +
    released * RELEASED_ID_BYTES +
    ing.store.bytesHeld +
    ing.size * ROW_INDEX_BYTES +
    ing.execs.list.length * EXECUTION_BYTES +
    ing.dups.length * DUPLICATE_BYTES +
    ing.badRecords.size * MALFORMED_RECORD_BYTES +
    ing.seen.bytes +
    ing.evictedSeqs.bytes +
    ing.evictedCopies.bytes +
    ing.execs.evictedOwnBytes +
    cache.size * EVENT_OBJECT_BYTES +
    keys.bytes +
    ledger.bytes +
    ing.execs.folded.bytes
  );
}

export interface EvictOptions {
  budgetBytes: number;
  /** Finished, and not open in a view. */
  evictable(st: ExecState): boolean;
  /** Anomaly counts by built-in key id, while its rows are still held. */
  countsOf(st: ExecState): Record<string, Readonly<Record<AnomalyKind, number>>>;
}

export interface EvictResult {
  executions: number;
  messages: number;
  /** Old row → new row (−1: evicted); empty when nothing was evicted. */
  remap: Int32Array;
}

export function evictToBudget(parts: LogParts, opts: EvictOptions): EvictResult {
  const { ing, ledger } = parts;
  const s = ing.store;
  const held = heldBytes(parts);
  const target = opts.budgetBytes * EVICT_TO;
  const holding = ing.execs.holding();
  const candidates = holding
    .filter((st) => st.events.length + st.malformed.length > 0 && opts.evictable(st))
    .sort((a, b) => a.lastActivityMs - b.lastActivityMs || a.lastStreamSeq - b.lastStreamSeq);
  const chosen: ExecState[] = [];
  let freed = 0;
  for (const st of candidates) {
    if (held - freed <= target) break;
    chosen.push(st);
    for (const rows of [st.events, st.malformed]) {
      for (const row of rows) freed += (s.len[row] as number) + 200 + ROW_INDEX_BYTES;
    }
    freed += st.cache === undefined ? 0 : st.cache.size * EVENT_OBJECT_BYTES;
  }
  if (chosen.length === 0) return { executions: 0, messages: 0, remap: new Int32Array(0) };

  const drop = new Uint8Array(s.n);
  const dropped: number[] = [];
  let messages = 0;
  ledger.sync(); // pending rows are row numbers: verify them before rows are renumbered
  for (const st of chosen) {
    const before = st.evicted;
    // Evicted before and late messages came since: what it held then is gone, so its counts cannot be
    // made from what it holds now. Unknown (the list says "open to count") until it is read again.
    const counts = before === undefined ? opts.countsOf(st) : {};
    st.evicted = {
      events: (before?.events ?? 0) + st.events.length,
      malformed: (before?.malformed ?? 0) + st.malformed.length,
      counts,
    };
    for (const rows of [st.events, st.malformed]) {
      for (const row of rows) {
        drop[row] = 1;
        dropped.push(row);
        ing.evictedSeqs.add(s.streamSeq[row] as number);
        if (st.refolded === true) ing.execs.noteEvictedOwn(st, s.streamSeq[row] as number);
        ing.noteEvicted(row);
        ing.badRecords.delete(row);
      }
    }
    messages += st.events.length + st.malformed.length;
    st.events = [];
    st.malformed = [];
    st.hints = ing.execs.sharedHints;
    st.version++;
  }
  ledger.evicted(dropped);
  if (ing.evictedCopies.size > ing.evictedCopiesLimit) ing.evictedCopies.keepFrom(ing.evictedCopies.median());
  ing.all = ing.all.filter((row) => drop[row] === 0);
  ing.bad = ing.bad.filter((row) => drop[row] === 0);

  // Renumber what stays, ascending row order (released rows — replaced copies — go too).
  const keepMark = new Uint8Array(s.n);
  for (const row of ing.all) keepMark[row] = 1;
  for (const row of ing.bad) keepMark[row] = 1;
  let k = 0;
  for (let row = 0; row < s.n; row++) k += keepMark[row] as number;
  const keep = new Int32Array(k);
  k = 0;
  for (let row = 0; row < s.n; row++) if (keepMark[row] === 1) keep[k++] = row;
  parts.cache.clear();
  parts.keys.clear();
  const ids = s.idsOf(dropped);
  const remap = s.compact(keep);
  s.releaseUnusedIds(ids);
  // Only contexts holding rows have hints of their own: evicted ones share ing.execs.sharedHints.
  ing.execs.settleHolding();
  for (const st of ing.execs.holding()) st.hints.forgetIds();
  ing.execs.sharedHints.forgetIds();
  ing.outside.forgetIds();
  const map = (rows: number[]) => {
    for (let i = 0; i < rows.length; i++) rows[i] = remap[rows[i] as number] as number;
  };
  map(ing.all);
  map(ing.bad);
  for (const st of ing.execs.holding()) {
    map(st.events);
    map(st.malformed);
  }
  const records = new Map<number, typeof ing.badRecords extends Map<number, infer V> ? V : never>();
  for (const [row, rec] of ing.badRecords) {
    const to = remap[row] as number;
    rec.raw = s.bytes(to);
    records.set(to, rec);
  }
  ing.badRecords = records;
  ing.fingerprints.remap(remap);
  return { executions: chosen.length, messages, remap };
}

/** Summaries (every context's state) may take this share of the budget; past it the oldest are folded. */
const SUMMARY_SHARE = 0.25;
/** Folding brings them down to this share. */
const FOLD_TO = 0.2;
/** However small the budget, this many contexts stay listed (a megabyte of summaries). */
const MIN_SUMMARIES = 500;

/** Contexts kept at most before the oldest fold, and how many stay when they do. */
function summaryLimits(budgetBytes: number): { most: number; after: number } {
  return {
    most: Math.max(MIN_SUMMARIES, Math.floor((budgetBytes * SUMMARY_SHARE) / EXECUTION_BYTES)),
    after: Math.max(MIN_SUMMARIES * (FOLD_TO / SUMMARY_SHARE), Math.floor((budgetBytes * FOLD_TO) / EXECUTION_BYTES)),
  };
}

/** Whether the contexts' states outgrew their share of the budget (O(1)). */
export function summariesOverShare(ing: Ingest, budgetBytes: number): boolean {
  return ing.execs.list.length > summaryLimits(budgetBytes).most;
}

export interface FoldOptions {
  budgetBytes: number;
  /** Not open in a view. */
  foldable(st: ExecState): boolean;
  summaryOf(st: ExecState): ExecutionSummary;
}

/**
 * Folds the least recently active contexts that hold nothing (evicted whole) into the totals, down to
 * FOLD_TO of the budget (never below 400 listed), and renumbers the rest (RowStore.home). Returns how many were folded.
 */
export function foldSummaries(ing: Ingest, opts: FoldOptions): number {
  const list = ing.execs.list;
  const excess = list.length - summaryLimits(opts.budgetBytes).after;
  if (excess <= 0) return 0;
  const chosen = list
    .filter((st) => st.evicted !== undefined && st.events.length + st.malformed.length === 0 && opts.foldable(st))
    .sort((a, b) => a.lastActivityMs - b.lastActivityMs || a.lastStreamSeq - b.lastStreamSeq)
    .slice(0, excess);
  if (chosen.length === 0) return 0;
  ing.execs.folded.fold(chosen.map((st) => ({ summary: opts.summaryOf(st), counts: st.evicted?.counts ?? {} })));
  const remap = ing.execs.drop(new Set(chosen));
  // Every row, held or replaced by an earlier copy (a replaced one under a folded context gets −1: never read).
  const home = ing.store.home;
  for (let row = 0; row < ing.store.n; row++) {
    const x = home[row] as number;
    if (x >= 0) home[row] = remap[x] as number;
  }
  // Their execution ids go too (no held row names them); a late line interns its id anew.
  ing.store.execs.release(chosen.filter((st) => st.execIx >= 0).map((st) => st.execIx));
  ing.execs.sharedHints.forgetRuns();
  ing.forgetContexts();
  return chosen.length;
}
