"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import type { BrowserNatsConfig } from "@/lib/config/runtime-config";
import { AuditFeedProvider } from "@/components/live/audit-feed-provider";

export interface ProvidersProps {
  config: BrowserNatsConfig;
  children: ReactNode;
}

/** The one QueryClient and the one live feed of the tab. */
export function Providers({ config, children }: ProvidersProps) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 } },
      }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <AuditFeedProvider config={config}>{children}</AuditFeedProvider>
    </QueryClientProvider>
  );
}
