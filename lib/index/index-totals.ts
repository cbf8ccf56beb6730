// Totals over the whole index, kept as summaries are written and removed (a KV
// watch feeds it): executions by status and anomalies by kind × producer ×
// partition key. What the indexer's metrics export, so an operator alerts on
// real gaps with no browser open.

import type { ExecutionStatus } from "../audit/audit-log";
import { contextOfKey } from "../audit/context-ref";
import { entryToSummary, type IndexEntry } from "./index-entry";

export interface AnomalyTotal {
  kind: string;
  producer: string;
  key: string;
  count: number;
}

export class IndexTotals {
  private readonly entries = new Map<string, IndexEntry>();
  private readonly anomalies = new Map<string, number>();

  /** Workflow executions in the index (invocations outside any run are summarised there too). */
  get executions(): number {
    let n = 0;
    for (const e of this.entries.values()) if (contextOfKey(e.id).kind === "execution") n++;
    return n;
  }

  clear(): void {
    this.entries.clear();
    this.anomalies.clear();
  }

  /** The summary stored under `key` now (undefined: deleted). */
  set(key: string, entry: IndexEntry | undefined): void {
    const old = this.entries.get(key);
    if (old !== undefined) this.count(old, -1);
    if (entry === undefined) this.entries.delete(key);
    else {
      this.entries.set(key, entry);
      this.count(entry, 1);
    }
  }

  byStatus(nowMs: number, quietPeriodMs: number): Record<ExecutionStatus, number> {
    const out: Record<ExecutionStatus, number> = { running: 0, complete: 0, failed: 0, cancelled: 0, stalled: 0 };
    for (const e of this.entries.values()) {
      if (contextOfKey(e.id).kind === "execution") out[entryToSummary(e, nowMs, quietPeriodMs).status]++;
    }
    return out;
  }

  anomalyTotals(): AnomalyTotal[] {
    return [...this.anomalies].map(([k, count]) => {
      const [kind, producer, key] = JSON.parse(k) as [string, string, string];
      return { kind, producer, key, count };
    });
  }

  private count(e: IndexEntry, sign: 1 | -1) {
    for (const [producer, keys] of Object.entries(e.byProducer)) {
      for (const [key, counts] of Object.entries(keys)) {
        for (const [kind, n] of Object.entries(counts)) {
          const id = JSON.stringify([kind, producer, key]);
          const v = (this.anomalies.get(id) ?? 0) + sign * (n ?? 0);
          if (v === 0) this.anomalies.delete(id);
          else this.anomalies.set(id, v);
        }
      }
    }
  }
}
