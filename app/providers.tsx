"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { BrowserNatsConfig } from "@/lib/config/runtime-config";
import { AuditFeedProvider } from "@/components/live/audit-feed-provider";
import { TraceUrlContext } from "@/hooks/use-trace-url";

export interface ProvidersProps {
  config: BrowserNatsConfig;
  children: ReactNode;
}

/** URL state (nuqs), the one QueryClient, the one audit feed of the tab and the settings views read. */
export function Providers({ config, children }: ProvidersProps) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 } },
      }),
  );
  return (
    <NuqsAdapter>
      <QueryClientProvider client={queryClient}>
        <AuditFeedProvider config={config}>
          <TraceUrlContext.Provider value={config.traceUrl}>{children}</TraceUrlContext.Provider>
        </AuditFeedProvider>
      </QueryClientProvider>
    </NuqsAdapter>
  );
}
