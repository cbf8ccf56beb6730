"use client";

import { createContext, useEffect, useState, type ReactNode } from "react";
import type { BrowserNatsConfig } from "@/lib/config/runtime-config";
import { AuditFeed } from "@/lib/live/audit-feed";
import type { FeedSource } from "@/lib/live/static-feed";

/** The log the views read: the live NATS feed, or a finished log (lab, file) through StaticFeed. */
export const AuditFeedContext = createContext<FeedSource | null>(null);

export interface AuditFeedProviderProps {
  config: BrowserNatsConfig;
  children: ReactNode;
}

/** Owns the tab's single connection; pages share it, so navigating never re-reads the stream. */
export function AuditFeedProvider({ config, children }: AuditFeedProviderProps) {
  const [feed] = useState(() => new AuditFeed(config));
  useEffect(() => {
    void feed.start();
    return () => void feed.stop();
  }, [feed]);
  return <AuditFeedContext.Provider value={feed}>{children}</AuditFeedContext.Provider>;
}
