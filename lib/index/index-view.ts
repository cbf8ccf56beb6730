// The index as the list sees it: the newest summary of each execution, kept
// from a KV watch (a key per execution; a key that moves — its workflow became
// known — arrives as a delete and a put). Slim: per-producer counts stay on
// the server, they are for the metrics.

import { ANOMALY_KINDS, type AnomalyKind } from "../audit/anomaly";
import type { ExecutionSummary } from "../audit/audit-log";
import { entryToSummary, type IndexEntry } from "./index-entry";

export interface IndexedSummary {
  entry: Omit<IndexEntry, "byProducer">;
  /** Anomaly counts by built-in key id, every kind present (0 when none). */
  counts: Record<string, Record<AnomalyKind, number>>;
}

export class IndexView {
  private readonly byKey = new Map<string, IndexedSummary>();
  private readonly keyOf = new Map<string, string>();
  private _version = 0;
  /** The newest server time any summary has seen: "now" for the stream, as the log judges it. */
  newestMs = -Infinity;

  get version(): number {
    return this._version;
  }

  get size(): number {
    return this.byKey.size;
  }

  set(key: string, entry: IndexEntry | undefined): void {
    const old = this.byKey.get(key);
    if (old !== undefined) {
      this.byKey.delete(key);
      if (this.keyOf.get(old.entry.id) === key) this.keyOf.delete(old.entry.id);
    }
    if (entry !== undefined) {
      const slim: Partial<IndexEntry> = { ...entry };
      delete slim.byProducer;
      if (entry.lastSeenMs > this.newestMs) this.newestMs = entry.lastSeenMs;
      const counts: IndexedSummary["counts"] = {};
      for (const [k, c] of Object.entries(entry.anomalies)) {
        const full = {} as Record<AnomalyKind, number>;
        for (const kind of ANOMALY_KINDS) full[kind] = c[kind] ?? 0;
        counts[k] = full;
      }
      this.byKey.set(key, { entry: slim as IndexedSummary["entry"], counts });
      this.keyOf.set(entry.id, key);
    }
    this._version++;
  }

  clear(): void {
    this.newestMs = -Infinity;
    this.byKey.clear();
    this.keyOf.clear();
    this._version++;
  }

  get(executionId: string): IndexedSummary | undefined {
    const key = this.keyOf.get(executionId);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  values(): IterableIterator<IndexedSummary> {
    return this.byKey.values();
  }
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
