// AuditEvent objects, made again from the kept bytes only when asked for. An
// execution's events are parsed once and kept while it is among the most
// recently viewed (at most `maxEvents` objects in all), so a live view re-parses
// only its new rows. Objects cost ~1 KB each: the memory budget counts them.

import type { ExecState } from "./execution-index";
import { parseMessage } from "./parse";
import type { RowStore } from "./row-store";
import type { AuditEvent, ProducerRule } from "./types";

/** Rough heap cost of one materialised event, for the memory budget. */
export const EVENT_OBJECT_BYTES = 1_200;

export class EventCache {
  /** Executions holding materialised events, least recently viewed first. */
  private readonly cached: ExecState[] = [];
  private count = 0;
  /** One copy of each repeated string materialised events carry (see materialize). */
  private readonly words = new Map<string, string>();

  constructor(
    private readonly store: RowStore,
    private readonly rules: readonly ProducerRule[],
    private readonly execOf: (row: number) => ExecState | undefined,
    public maxEvents: number,
  ) {}

  /** Objects held. */
  get size(): number {
    return this.count;
  }

  /** The event at a row, from its execution's cache when it has one. */
  eventAt(row: number): AuditEvent {
    return this.execOf(row)?.cache?.get(row) ?? this.materialize(row);
  }

  /** Every event of `st` (frozen, the same array until `st` changes), parsed once while it stays among the recently viewed. */
  eventsOf(st: ExecState): readonly AuditEvent[] {
    const cache = this.cacheOf(st);
    if (st.cachedEvents?.version === st.version) return st.cachedEvents.events;
    const before = cache.size;
    // A run opened for the first time has nothing cached: no lookup per row then (a miss costs as much as a hit).
    const events = Object.freeze(
      before === 0
        ? st.events.map((row) => this.materialize(row))
        : st.events.map((row) => cache.get(row) ?? this.materialize(row)),
    );
    cache.holdList(st.events, events);
    this.count += cache.size - before;
    st.cachedEvents = { version: st.version, events };
    return events;
  }

  /** The row's event changed delivery metadata, moved or went away: drop its object. */
  forget(row: number): void {
    const st = this.execOf(row);
    if (st?.cache !== undefined && st.cache.delete(row)) this.count--;
    if (st !== undefined) st.cachedEvents = undefined;
  }

  /** Drops every object (rows are being renumbered). */
  clear(): void {
    for (const st of this.cached) {
      st.cache = undefined;
      st.cachedEvents = undefined;
    }
    this.cached.length = 0;
    this.count = 0;
  }

  materialize(row: number): AuditEvent {
    const s = this.store;
    const rec = parseMessage(
      {
        data: s.bytes(row),
        streamSeq: s.streamSeq[row] as number,
        receivedMs: s.receivedMs[row] as number,
        deliveryCount: s.deliveryCount[row] as number,
        subject: s.subjects.values[s.subject[row] as number] as string,
      },
      this.rules,
    );
    // The same bytes were accepted at ingest and parsing is deterministic.
    if (rec.kind !== "event") throw new Error(`stream seq ${rec.streamSeq} no longer parses: ${rec.reason}`);
    // The store's interned strings in place of JSON.parse's copies: objects are kept (up to the cache's
    // bound), and a copy dropped now costs nothing, while a kept one is copied by every young-generation GC
    // until it is old. The values are equal, so nothing anyone can see changes.
    let id = s.exec[row] as number;
    if (id >= 0 && rec.workflow_execution_id === s.execs.values[id]) rec.workflow_execution_id = s.execs.values[id];
    id = s.corr[row] as number;
    if (id >= 0 && rec.correlation_id === s.corrs.values[id]) rec.correlation_id = s.corrs.values[id];
    id = s.task[row] as number;
    if (id >= 0 && rec.task_id === s.tasks.values[id]) rec.task_id = s.tasks.values[id];
    id = s.entityId[row] as number;
    if (id >= 0 && rec.entity_id === s.entityIds.values[id]) rec.entity_id = s.entityIds.values[id];
    // Strings no column keeps but many events of a run repeat (its caller, a step's ids, the model).
    const w = this.words;
    if (w.size > MAX_WORDS) w.clear();
    if (rec.invocation_caller !== undefined) rec.invocation_caller = shared(w, rec.invocation_caller);
    if (rec.stage_id !== undefined) rec.stage_id = shared(w, rec.stage_id);
    if (rec.step_id !== undefined) rec.step_id = shared(w, rec.step_id);
    if (rec.model !== undefined) rec.model = shared(w, rec.model);
    return rec;
  }

  /** The execution's cache, made most recently used; drops others' beyond the bound. */
  private cacheOf(st: ExecState): RowEvents {
    const i = this.cached.indexOf(st);
    if (i >= 0) this.cached.splice(i, 1);
    this.cached.push(st);
    let total = st.events.length;
    for (let k = this.cached.length - 2; k >= 0; k--) {
      const other = this.cached[k] as ExecState;
      total += other.events.length;
      if (total > this.maxEvents) {
        this.count -= other.cache?.size ?? 0;
        other.cache = undefined;
        other.cachedEvents = undefined;
        this.cached.splice(k, 1);
      }
    }
    if (st.cache instanceof RowEvents) return st.cache;
    this.count -= st.cache?.size ?? 0;
    const made = new RowEvents(this.store);
    st.cache = made;
    return made;
  }
}

/** Strings kept at most in EventCache.words: then it starts again. */
const MAX_WORDS = 50_000;

/** The copy of `v` in `words`, which takes `v` when it has none. */
function shared(words: Map<string, string>, v: string): string {
  const hit = words.get(v);
  if (hit !== undefined) return hit;
  words.set(v, v);
  return v;
}

const NO_ROWS = new Int32Array(0);
const NO_SEQS = new Float64Array(0);

/**
 * One execution's objects by row. Those of its last full list (nearly all of them) are held as that list and
 * its rows, found by binary search on the rows' stream sequences; the Map itself holds the rest. Putting 100 000
 * rows in a Map one by one costs about an eighth of parsing them; this costs a copy of the row list. Every Map
 * operation answers as a plain Map holding the same entries would (the property test in event-cache.test.ts).
 */
export class RowEvents extends Map<number, AuditEvent> {
  /** The list's rows and their stream sequences then (ascending), and its objects, position by position. */
  private rows: Int32Array = NO_ROWS;
  private seqs: Float64Array = NO_SEQS;
  private listed: readonly AuditEvent[] = [];
  /** Positions of the list whose entry was deleted or replaced since (then in the Map, if replaced). */
  private gone: Uint8Array | undefined;
  private live = 0;

  constructor(private readonly store: RowStore) {
    super();
  }

  /** Holds `events` (those of `rows`, ascending stream sequence) and nothing else. */
  holdList(rows: readonly number[], events: readonly AuditEvent[]): void {
    super.clear();
    const n = rows.length;
    this.rows = Int32Array.from(rows);
    this.seqs = new Float64Array(n);
    const ss = this.store.streamSeq;
    for (let i = 0; i < n; i++) this.seqs[i] = ss[this.rows[i] as number] as number;
    this.listed = events;
    this.gone = undefined;
    this.live = n;
  }

  /** Position of `row` among the listed entries still held, or -1. */
  private at(row: number): number {
    if (this.live === 0) return -1;
    // A row's stream sequence is set once, when it is added, and row numbers are not reused (until eviction
    // renumbers them, and clears every cache).
    const seqs = this.seqs;
    const s = this.store.streamSeq[row] as number;
    let lo = 0;
    let hi = seqs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = seqs[mid] as number;
      if (v < s) lo = mid + 1;
      else if (v > s) hi = mid - 1;
      else return this.rows[mid] === row && this.gone?.[mid] !== 1 ? mid : -1;
    }
    return -1;
  }

  private drop(p: number): void {
    this.gone ??= new Uint8Array(this.rows.length);
    this.gone[p] = 1;
    this.live--;
  }

  override get(row: number): AuditEvent | undefined {
    if (super.size > 0) {
      const e = super.get(row);
      if (e !== undefined) return e;
    }
    const p = this.at(row);
    return p < 0 ? undefined : this.listed[p];
  }

  override has(row: number): boolean {
    return super.has(row) || this.at(row) >= 0;
  }

  override set(row: number, e: AuditEvent): this {
    const p = this.at(row);
    if (p >= 0) {
      if (this.listed[p] === e) return this;
      this.drop(p);
    }
    return super.set(row, e);
  }

  override delete(row: number): boolean {
    if (super.delete(row)) return true;
    const p = this.at(row);
    if (p < 0) return false;
    this.drop(p);
    return true;
  }

  override clear(): void {
    super.clear();
    this.rows = NO_ROWS;
    this.seqs = NO_SEQS;
    this.listed = [];
    this.gone = undefined;
    this.live = 0;
  }

  override get size(): number {
    return this.live + super.size;
  }

  override forEach(f: (e: AuditEvent, row: number, map: Map<number, AuditEvent>) => void, self?: unknown): void {
    for (const [row, e] of this.entries()) f.call(self, e, row, this);
  }

  override *entries(): MapIterator<[number, AuditEvent]> {
    for (let p = 0; this.live > 0 && p < this.rows.length; p++) {
      if (this.gone?.[p] !== 1) yield [this.rows[p] as number, this.listed[p] as AuditEvent];
    }
    yield* super.entries();
  }

  override *keys(): MapIterator<number> {
    for (const [row] of this.entries()) yield row;
  }

  override *values(): MapIterator<AuditEvent> {
    for (const [, e] of this.entries()) yield e;
  }

  override [Symbol.iterator](): MapIterator<[number, AuditEvent]> {
    return this.entries();
  }
}
