"use client";

import { useEffect, useMemo } from "react";
import { BUILTIN_KEYS, DEFAULT_QUIET_PERIOD_MS, type AuditLog, type PartitionKey } from "@/lib/audit";
import { contextOfKey, type ContextKind } from "@/lib/audit/context-ref";
import { statusAt } from "@/lib/index/index-entry";
import { indexedCounts, indexedSummary, type IndexedSummary, type IndexReach } from "@/lib/index/index-view";
import { toRow, type ExecutionFilter, type ExecutionRow } from "@/lib/executions/execution-rows";
import { RowCache } from "@/lib/executions/row-cache";
import { useAuditFeed, useFeed } from "./use-audit-feed";
import { useThrottled } from "./use-throttled";

// Rows of indexed executions, by the summary object they were made from (a new one per KV update).
const indexRows = new WeakMap<IndexedSummary, { keyId: string; row: ExecutionRow }>();

// Per log and partition key: the rows of the contexts last listed (row-cache.ts).
const caches = new WeakMap<AuditLog, Map<string, RowCache>>();

function cacheFor(log: AuditLog, keyId: string): RowCache {
  let byKey = caches.get(log);
  if (!byKey) caches.set(log, (byKey = new Map()));
  let cache = byKey.get(keyId);
  if (!cache) byKey.set(keyId, (cache = new RowCache()));
  return cache;
}

/**
 * Every execution with its anomaly counts under `key`: those the tab holds, and those of the stream's index
 * that answer `filter` (the server answers it; see lib/index/index-query). Recomputed at most once a second
 * while live, and only for executions that changed since the last time.
 */
export function useExecutionRows(
  key: PartitionKey,
  filter: ExecutionFilter = {},
  /** Which contexts: workflow executions, invocations outside any run, or both (the index holds both). */
  kind: ContextKind | "all" = "execution",
): { rows: ExecutionRow[]; total: number; reach?: IndexReach; workflows?: ReadonlySet<string> } {
  const feed = useFeed();
  // Typing a search asks the index once the typing pauses, not per keystroke.
  const search = useThrottled(filter.search, 500);
  const { workflowId, status, withinMs } = filter;
  // The list covers the whole stream when it is indexed: ask the feed to follow the index.
  useEffect(
    () => feed.followIndex?.({ workflowId, status, withinMs, search }),
    [feed, workflowId, status, withinMs, search],
  );
  const { log, version, indexed } = useAuditFeed();
  const throttled = useThrottled(version, 1_000);
  return useMemo(() => {
    // One cache per view (kind) too: listings of another kind must not push these rows out.
    const rows = cacheFor(log, `${key.id}\0${kind}`).rows(log.executions({ kind }), (s) =>
      // Evicted under the memory budget: the counts it left (built-in keys; a custom key has none).
      // No Ed25519 checks here: with a JWKS set they would verify every signed event of every
      // execution on the main thread. They run for the execution a user opens.
      s.evicted ? s.evicted.counts[key.id] : log.analyze(key, { executionId: s.id, signatures: false }).counts,
    );
    // The rest of the stream, from the index: each execution the tab does not hold, as its summary.
    if (indexed !== undefined && indexed.size > 0) {
      const now = indexed.newestMs;
      const builtin = BUILTIN_KEYS.some((k) => k.id === key.id);
      for (const x of indexed.values()) {
        if (log.execution(x.entry.id) !== undefined) continue;
        if (kind !== "all" && contextOfKey(x.entry.id).kind !== kind) continue;
        const status = statusAt(x.entry, now, DEFAULT_QUIET_PERIOD_MS);
        const hit = indexRows.get(x);
        if (hit !== undefined && hit.keyId === key.id && hit.row.status === status) {
          rows.push(hit.row);
          continue;
        }
        const row: ExecutionRow = {
          ...toRow(indexedSummary(x, now, DEFAULT_QUIET_PERIOD_MS), indexedCounts(x, key.id, builtin)),
          indexed: true,
        };
        indexRows.set(x, { keyId: key.id, row });
        rows.push(row);
      }
    }
    return { rows, total: rows.length, reach: indexed?.reach, workflows: indexed?.workflows };
    // `throttled` stands for the mutable log's version.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [log, throttled, key, indexed, kind]);
}
