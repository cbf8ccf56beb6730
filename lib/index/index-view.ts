// The index as the list sees it: the newest summary of each execution the
// list's query reached, kept from KV reads and a watch (a key per execution;
// a key that moves — its hour, status or workflow changed — arrives as a put
// and a delete). Slim: per-producer counts stay on the server, they are for
// the metrics.

import { ANOMALY_KINDS, type AnomalyKind } from "../audit/anomaly";
import type { ExecutionSummary } from "../audit/audit-log";
import { entryToSummary, type IndexEntry } from "./index-entry";

export interface IndexedSummary {
  entry: Omit<IndexEntry, "byProducer">;
  /** Anomaly counts by built-in key id, every kind present (0 when none). */
  counts: Record<string, Record<AnomalyKind, number>>;
}

/** How far the list's history walk has come (see IndexView.reach). */
export interface IndexReach {
  /** Every hour from now back to this server time has been read (undefined: none yet). */
  sinceMs?: number;
  /** The walk reached the window's start or the index's oldest summary: nothing older answers the query. */
  complete: boolean;
  /** The walk stopped at the tab's limit: older executions stay on the server (narrow the query to see them). */
  capped: boolean;
}

interface Held {
  key: string;
  revision: number;
  summary: IndexedSummary;
}

/**
 * The summaries the list shows, by execution: the newest of each by KV revision (a live watch and a history
 * read can both tell of one; a move arrives as a put under the new key and a delete of the old). At most
 * about `limit` are held: past it the least recently active go, so a tab open for days stays bounded.
 */
export class IndexView {
  private readonly byId = new Map<string, Held>();
  private readonly idOfKey = new Map<string, string>();
  /** Asked for by id (an exact search): never let go by the limit. */
  private readonly pinned = new Set<string>();
  /** Server time of the least recently active summary kept when the limit last let some go. */
  private trimmedSinceMs: number | undefined;
  private _version = 0;
  /** The newest server time any summary has seen: "now" for the stream, as the log judges it. */
  newestMs = -Infinity;
  reach: IndexReach = { complete: false, capped: false };
  /** Every workflow the index has seen (not only those of the summaries held): the list's choices. */
  readonly workflows = new Set<string>();

  constructor(readonly limit = Infinity) {}

  get version(): number {
    return this._version;
  }

  get size(): number {
    return this.byId.size;
  }

  get full(): boolean {
    return this.byId.size >= this.limit;
  }

  set(key: string, entry: IndexEntry | undefined, revision = Infinity): void {
    if (entry === undefined) {
      const id = this.idOfKey.get(key);
      const held = id === undefined ? undefined : this.byId.get(id);
      if (held === undefined || held.key !== key || held.revision > revision) return;
      this.byId.delete(id as string);
      this.idOfKey.delete(key);
      this._version++;
      return;
    }
    const old = this.byId.get(entry.id);
    if (old !== undefined && old.revision > revision) return;
    if (old !== undefined) this.idOfKey.delete(old.key);
    const slim: Partial<IndexEntry> = { ...entry };
    delete slim.byProducer;
    if (entry.lastSeenMs > this.newestMs) this.newestMs = entry.lastSeenMs;
    if (entry.workflowId !== undefined) this.workflows.add(entry.workflowId);
    const counts: IndexedSummary["counts"] = {};
    for (const [k, c] of Object.entries(entry.anomalies)) {
      const full = {} as Record<AnomalyKind, number>;
      for (const kind of ANOMALY_KINDS) full[kind] = c[kind] ?? 0;
      counts[k] = full;
    }
    this.byId.set(entry.id, { key, revision, summary: { entry: slim as IndexedSummary["entry"], counts } });
    this.idOfKey.set(key, entry.id);
    this._version++;
    // A little slack, so trimming is a sort per many arrivals rather than per arrival.
    if (this.byId.size > this.limit * 1.1 + 16) this.trim();
  }

  /** Drops an execution (it no longer answers the query) unless what is held is newer than `revision`. */
  remove(executionId: string, revision = Infinity): void {
    const held = this.byId.get(executionId);
    if (held === undefined || held.revision > revision) return;
    this.byId.delete(executionId);
    this.idOfKey.delete(held.key);
    this._version++;
  }

  addWorkflows(ids: Iterable<string>): void {
    for (const w of ids) this.workflows.add(w);
    this._version++;
  }

  /** Keeps an execution whatever the limit (it was asked for by id). */
  pin(executionId: string): void {
    this.pinned.add(executionId);
  }

  /** Down to the limit now (set() leaves some slack). */
  settle(): void {
    if (this.byId.size > this.limit) this.trim();
  }

  /** Lets the least recently active go down to the limit; the walk then counts as capped. */
  private trim(): void {
    const held = [...this.byId.values()]
      .filter((h) => !this.pinned.has(h.summary.entry.id))
      .sort((a, b) => newestFirst(a.summary.entry, b.summary.entry));
    const keep = Math.max(0, this.limit - (this.byId.size - held.length));
    for (const h of held.slice(keep)) {
      this.byId.delete(h.summary.entry.id);
      this.idOfKey.delete(h.key);
    }
    const oldestKept = held[keep - 1]?.summary.entry.lastSeenMs;
    if (oldestKept !== undefined) this.trimmedSinceMs = Math.max(this.trimmedSinceMs ?? -Infinity, oldestKept);
    this.setReach(this.reach);
  }

  /** How far the walk came; what the limit let go since makes it capped, from the oldest summary kept. */
  setReach(reach: IndexReach): void {
    const t = this.trimmedSinceMs;
    this.reach =
      t === undefined ? reach : { sinceMs: Math.max(t, reach.sinceMs ?? -Infinity), complete: false, capped: true };
    this._version++;
  }

  clear(): void {
    this.newestMs = -Infinity;
    this.byId.clear();
    this.idOfKey.clear();
    this.pinned.clear();
    this.workflows.clear();
    this.trimmedSinceMs = undefined;
    this.reach = { complete: false, capped: false };
    this._version++;
  }

  get(executionId: string): IndexedSummary | undefined {
    return this.byId.get(executionId)?.summary;
  }

  *values(): IterableIterator<IndexedSummary> {
    for (const h of this.byId.values()) yield h.summary;
  }
}

/**
 * Most recently active first: by the server time of the last message, and within one millisecond (a burst
 * stamps many executions with the same one) by its audit-stream sequence — the stream's own order, never a
 * tie between two executions. Without it the order of arrival decided, and a full list could keep an older
 * execution and let a newer one go.
 */
function newestFirst(a: IndexedSummary["entry"], b: IndexedSummary["entry"]): number {
  return b.lastSeenMs - a.lastSeenMs || b.lastSeq - a.lastSeq;
}

/** Counts of an indexed execution under a built-in key (none recorded: none found); undefined for other keys. */
export function indexedCounts(
  s: IndexedSummary,
  keyId: string,
  builtin: boolean,
): Record<AnomalyKind, number> | undefined {
  if (!builtin) return undefined;
  const c = s.counts[keyId];
  if (c !== undefined) return c;
  const zero = {} as Record<AnomalyKind, number>;
  for (const kind of ANOMALY_KINDS) zero[kind] = 0;
  return zero;
}

export function indexedSummary(s: IndexedSummary, nowMs: number, quietPeriodMs: number): ExecutionSummary {
  return entryToSummary({ ...s.entry, byProducer: {} }, nowMs, quietPeriodMs);
}
