"use client";

import { createContext } from "react";
import type { FeedSource } from "@/lib/live/static-feed";

/**
 * The log the views read: the live NATS feed, or a finished log (lab, file) through
 * StaticFeed. Here, not beside a provider, so hooks read it without importing a view.
 */
export const AuditFeedContext = createContext<FeedSource | null>(null);
