"use client";

import { useMemo, type ReactNode } from "react";
import type { AuditLog } from "@/lib/audit";
import { StaticFeed } from "@/lib/live/static-feed";
import { AuditFeedContext } from "@/hooks/audit-feed-context";

/** Shows a finished log (the lab's simulated run, a file) through the same views as the live stream. */
export function StaticFeedProvider({ log, children }: { log: AuditLog; children: ReactNode }) {
  const feed = useMemo(() => new StaticFeed(log), [log]);
  return <AuditFeedContext.Provider value={feed}>{children}</AuditFeedContext.Provider>;
}
