"use client";

import { useContext } from "react";
import { FileSourceContext, type FileSourceApi } from "@/components/live/audit-feed-provider";

/** The tab's source switch: open a local file instead of the live stream, and back. */
export function useFileSource(): FileSourceApi {
  const api = useContext(FileSourceContext);
  if (!api) throw new Error("useFileSource must be used inside <AuditFeedProvider>");
  return api;
}
