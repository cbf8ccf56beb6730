"use client";

import { useAuditFeed } from "@/hooks/use-audit-feed";
import type { ReaderPhase } from "@/lib/nats/audit-reader";

const LOOK: Record<ReaderPhase, { label: string; dot: string }> = {
  connecting: { label: "Connecting", dot: "bg-slate-400 animate-pulse" },
  loading: { label: "Loading history", dot: "bg-sky-500 animate-pulse" },
  live: { label: "Live", dot: "bg-emerald-500" },
  reconnecting: { label: "Reconnecting", dot: "bg-amber-500 animate-pulse" },
  error: { label: "Error", dot: "bg-red-600" },
  closed: { label: "Closed", dot: "bg-slate-500" },
};

/** Where the tab stands with NATS: connecting / loading / live / reconnecting / error, with the reason. */
export function ConnectionStatus() {
  const { status, received } = useAuditFeed();
  const look = LOOK[status.phase];
  const progress =
    status.phase === "loading" && status.targetSeq !== undefined && status.startSeq !== undefined
      ? ` ${Math.max(0, (status.lastSeq ?? 0) - status.startSeq + 1).toLocaleString()} / ${(status.targetSeq - status.startSeq + 1).toLocaleString()}`
      : "";
  return (
    <div className="flex min-w-0 flex-col items-end gap-1 text-sm">
      <div className="flex items-center gap-2" data-testid="connection-status" data-phase={status.phase} role="status">
        <span className={`inline-block h-2.5 w-2.5 rounded-full ${look.dot}`} aria-hidden />
        <span className="font-medium">{look.label}</span>
        <span className="text-slate-500 tabular-nums">{progress || ` · ${received.toLocaleString()} msgs`}</span>
      </div>
      {status.reason && (status.phase === "error" || status.phase === "reconnecting" || status.phase === "closed") && (
        <p className="max-w-xl text-right text-xs text-red-700 dark:text-red-400" data-testid="connection-reason">
          {status.reason}
        </p>
      )}
    </div>
  );
}
