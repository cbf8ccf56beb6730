"use client";

import { useQuery } from "@tanstack/react-query";
import type { StreamStats } from "@/lib/live/static-feed";
import { useFeed, useAuditFeed } from "./use-audit-feed";

/**
 * The stream's size on the server, polled: shows how much of it the tab has loaded.
 * The feed asks its own stream; `stream` (the same name) keys the query.
 */
export function useStreamInfo(stream: string) {
  const feed = useFeed();
  const { status } = useAuditFeed();
  const connected = !!feed.streamStats && (status.phase === "live" || status.phase === "loading");
  return useQuery({
    queryKey: ["stream-info", stream, connected],
    enabled: connected,
    refetchInterval: 5_000,
    queryFn: async (): Promise<StreamStats> => {
      const stats = await feed.streamStats?.();
      if (!stats) throw new Error("not connected");
      return stats;
    },
  });
}
