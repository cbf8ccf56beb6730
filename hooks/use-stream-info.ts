"use client";

import { useQuery } from "@tanstack/react-query";
import { streamInfo } from "@/lib/nats/stream";
import { useFeed, useAuditFeed } from "./use-audit-feed";

export interface StreamStats {
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
}

/** The stream's size on the server, polled: shows how much of it the tab has loaded. */
export function useStreamInfo(stream: string) {
  const feed = useFeed();
  const { status } = useAuditFeed();
  const connected = !!feed.connection && (status.phase === "live" || status.phase === "loading");
  return useQuery({
    queryKey: ["stream-info", stream, connected],
    enabled: connected,
    refetchInterval: 5_000,
    queryFn: async (): Promise<StreamStats> => {
      const nc = feed.connection?.();
      if (!nc) throw new Error("not connected");
      const info = await streamInfo(nc, stream);
      return {
        messages: info.state.messages,
        bytes: info.state.bytes,
        firstSeq: info.state.first_seq,
        lastSeq: info.state.last_seq,
      };
    },
  });
}
