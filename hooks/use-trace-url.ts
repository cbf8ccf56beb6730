"use client";

import { createContext, useContext } from "react";
import type { TraceUrlTemplate } from "@/lib/links/trace-url";

/**
 * The deployment's trace URL template (SEQSCOPE_TRACE_URL), from the page's config. Absent outside the
 * providers (the lab, a bench page) and when none is configured: then no view makes trace links.
 */
export const TraceUrlContext = createContext<TraceUrlTemplate | undefined>(undefined);

/** The trace URL template, or undefined: show trace ids as text only. */
export function useTraceUrl(): TraceUrlTemplate | undefined {
  return useContext(TraceUrlContext);
}
