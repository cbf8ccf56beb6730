"use client";

import { useQuery } from "@tanstack/react-query";
import type { AuditFeed, IndexLedger } from "@/lib/live/audit-feed";
import type { FeedSource } from "@/lib/live/static-feed";
import { useAuditFeed, useFeed } from "./use-audit-feed";

/** How often the index's ledger is read again while the page is visible (the indexer writes it every 2 s). */
export const INDEX_LEDGER_POLL_MS = 10_000;

type LedgerFeed = FeedSource & Pick<AuditFeed, "indexLedger" | "streamName">;

/** Only the live NATS feed has an index; a finished log (lab, file) has none. */
function canReadLedger(feed: FeedSource): feed is LedgerFeed {
  return typeof (feed as Partial<LedgerFeed>).indexLedger === "function";
}

export interface IndexLedgerState {
  /** The index's ledger; undefined while unknown, without an index, or for a tenant's tab. */
  ledger: IndexLedger | undefined;
  /** Whether the index is there and its ledger is being read for the first time. */
  loading: boolean;
  error: Error | null;
  /** When the ledger shown was read (ms since epoch); 0: never. */
  readAt: number;
}

/**
 * The whole stream's per-process ledger from the index (AuditFeed.indexLedger), read again every 10 s while the
 * page is visible (react-query does not poll a hidden page) and once more when it comes back.
 */
export function useIndexLedger(): IndexLedgerState {
  const feed = useFeed();
  const { index, tenant, epoch } = useAuditFeed();
  const readable = canReadLedger(feed) && index === "present" && tenant === undefined;
  const stream = canReadLedger(feed) ? feed.streamName : undefined;
  const q = useQuery({
    // A recreated stream (epoch) has its index rebuilt: what was read belongs to the old one.
    queryKey: ["index-ledger", stream, epoch, readable],
    enabled: readable,
    refetchInterval: INDEX_LEDGER_POLL_MS,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    // react-query keeps no undefined: null stands for "no ledger".
    queryFn: async ({ signal }): Promise<IndexLedger | null> =>
      canReadLedger(feed) ? ((await feed.indexLedger(signal)) ?? null) : null,
  });
  return {
    ledger: readable ? (q.data ?? undefined) : undefined,
    loading: readable && q.isPending,
    error: readable ? q.error : null,
    readAt: q.dataUpdatedAt,
  };
}
