"use client";

import { useAuditFeed, useFeed } from "@/hooks/use-audit-feed";
import { useStreamInfo } from "@/hooks/use-stream-info";
import type { ReaderPhase } from "@/lib/nats/audit-reader";

const LOOK: Record<ReaderPhase, { label: string; dot: string }> = {
  connecting: { label: "Connecting", dot: "bg-slate-400 animate-pulse" },
  loading: { label: "Loading history", dot: "bg-sky-500 animate-pulse" },
  live: { label: "Live", dot: "bg-emerald-500" },
  stalled: { label: "Stalled", dot: "bg-orange-500 animate-pulse" },
  reconnecting: { label: "Reconnecting", dot: "bg-amber-500 animate-pulse" },
  error: { label: "Error", dot: "bg-red-600" },
  closed: { label: "Closed", dot: "bg-slate-500" },
};

/** Where the tab stands with NATS: connecting / loading / live / reconnecting / error, with the reason. */
export function ConnectionStatus({ stream }: { stream: string }) {
  const { status, received } = useAuditFeed();
  const info = useStreamInfo(stream);
  const origin = useFeed().origin?.();
  if (origin?.kind === "file") {
    // A file opened in this tab replaces the stream for the views: say so where the stream status was.
    return (
      <div className="flex min-w-0 flex-col items-end gap-1 text-sm">
        <div className="flex items-center gap-2" data-testid="connection-status" data-phase="file" role="status">
          <span className="inline-block h-2.5 w-2.5 rounded-full bg-amber-500" aria-hidden />
          <span className="font-medium">Local file</span>
          <span className="max-w-56 truncate font-mono text-xs" title={origin.name}>
            {origin.name}
          </span>
        </div>
        <p className="text-xs text-slate-500 tabular-nums" data-testid="stream-info">
          {origin.lines.toLocaleString()} lines ({formatBytes(origin.bytes)}) · {origin.malformed.toLocaleString()} not
          events · not connected to {stream}
        </p>
      </div>
    );
  }
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
      {info.data && (
        <p className="text-xs text-slate-500 tabular-nums" data-testid="stream-info">
          stream holds {info.data.messages.toLocaleString()} messages ({formatBytes(info.data.bytes)})
          {status.startSeq !== undefined && status.startSeq > info.data.firstSeq
            ? ` · loaded from stream seq ${status.startSeq.toLocaleString()} (SEQSCOPE_HISTORY)`
            : ""}
        </p>
      )}
      {status.reason && (status.phase === "error" || status.phase === "reconnecting" || status.phase === "closed") && (
        <p className="max-w-xl text-right text-xs text-red-700 dark:text-red-400" data-testid="connection-reason">
          {status.reason}
        </p>
      )}
    </div>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
