"use client";

import { useMemo } from "react";
import type { AnomalyKind, AuditLog, PartitionKey } from "@/lib/audit";
import { toRow, type ExecutionRow } from "@/lib/executions/execution-rows";
import { useAuditFeed } from "./use-audit-feed";
import { useThrottled } from "./use-throttled";

interface Cached {
  signature: string;
  counts: Record<AnomalyKind, number>;
}

// Per log and partition key: the counts of each execution and what it looked like then.
const caches = new WeakMap<AuditLog, Map<string, Map<string, Cached>>>();

function cacheFor(log: AuditLog, keyId: string): Map<string, Cached> {
  let byKey = caches.get(log);
  if (!byKey) caches.set(log, (byKey = new Map()));
  let cache = byKey.get(keyId);
  if (!cache) byKey.set(keyId, (cache = new Map()));
  return cache;
}

/**
 * Every execution with its anomaly counts under `key`. Recomputed at most once a
 * second while live, and only for executions that changed since the last time.
 */
export function useExecutionRows(key: PartitionKey): { rows: ExecutionRow[]; total: number } {
  const { log, version } = useAuditFeed();
  const throttled = useThrottled(version, 1_000);
  return useMemo(() => {
    const cache = cacheFor(log, key.id);
    const rows = log.executions().map((s) => {
      // Evicted under the memory budget: the counts it left (built-in keys; a custom key has none).
      if (s.evicted) return toRow(s, s.evicted.counts[key.id]);
      const signature = `${s.eventCount}:${s.malformedCount}:${s.duplicateCount}:${s.status}:${s.lastStreamSeq}`;
      let hit = cache.get(s.id);
      if (!hit || hit.signature !== signature) {
        // No Ed25519 checks here: with a JWKS set they would verify every signed event of every
        // execution on the main thread. They run for the execution a user opens.
        hit = { signature, counts: log.analyze(key, { executionId: s.id, signatures: false }).counts };
        cache.set(s.id, hit);
      }
      return toRow(s, hit.counts);
    });
    return { rows, total: rows.length };
    // `throttled` stands for the mutable log's version.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [log, throttled, key]);
}
