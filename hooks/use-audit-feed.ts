"use client";

import { useContext, useSyncExternalStore } from "react";
import { AuditFeedContext } from "./audit-feed-context";
import type { FeedSnapshot } from "@/lib/live/audit-feed";
import type { FeedSource } from "@/lib/live/static-feed";

function useFeed(): FeedSource {
  const feed = useContext(AuditFeedContext);
  if (!feed) throw new Error("useAuditFeed must be used inside <AuditFeedProvider>");
  return feed;
}

/** The live log and connection status; re-renders at most once per animation frame. */
export function useAuditFeed(): FeedSnapshot {
  const feed = useFeed();
  return useSyncExternalStore(feed.subscribe, feed.getSnapshot, feed.getSnapshot);
}

export { useFeed };
