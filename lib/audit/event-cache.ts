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
    // A run opened for the first time has nothing cached: no lookup per row then (a miss costs as much as a hit).
    const fresh = cache.size === 0;
    const events = Object.freeze(
      st.events.map((row) => {
        let e = fresh ? undefined : cache.get(row);
        if (e === undefined) {
          e = this.materialize(row);
          cache.set(row, e);
          this.count++;
        }
        return e;
      }),
    );
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
    return rec;
  }

  /** The execution's cache, made most recently used; drops others' beyond the bound. */
  private cacheOf(st: ExecState): Map<number, AuditEvent> {
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
    st.cache ??= new Map();
    return st.cache;
  }
}
