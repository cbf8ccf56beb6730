"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { formatDateTime, formatDuration } from "@/lib/format";
import type { ExecutionSummary } from "@/lib/audit";
import { StatusBadge } from "./status-badge";

/** Every workflow execution seen on the stream, newest first, growing live. */
export function ExecutionsTable() {
  const { log, version, status } = useAuditFeed();
  // `version` changes whenever the log does; the log itself is mutable.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const rows = useMemo(() => log.executions(), [log, version]);

  if (rows.length === 0) {
    return (
      <p className="py-12 text-center text-slate-500" data-testid="executions-empty">
        {status.phase === "live"
          ? "No workflow executions on the stream yet. Waiting for events…"
          : "Waiting for the stream…"}
      </p>
    );
  }
  return (
    <table className="w-full border-collapse text-sm" data-testid="executions-table">
      <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
        <tr className="border-b border-slate-200 dark:border-slate-800">
          <th className="py-2 pr-4">Execution</th>
          <th className="py-2 pr-4">Workflow</th>
          <th className="py-2 pr-4">Status</th>
          <th className="py-2 pr-4">Producers</th>
          <th className="py-2 pr-4 text-right">Events</th>
          <th className="py-2 pr-4">First event</th>
          <th className="py-2 pr-4">Last event</th>
          <th className="py-2 pr-4 text-right">Span</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <ExecutionRow key={r.id} row={r} />
        ))}
      </tbody>
    </table>
  );
}

function ExecutionRow({ row }: { row: ExecutionSummary }) {
  return (
    <tr
      className="border-b border-slate-100 hover:bg-slate-50 dark:border-slate-900 dark:hover:bg-slate-900"
      data-testid="execution-row"
      data-execution-id={row.id}
    >
      <td className="py-1.5 pr-4 font-mono">
        <Link
          className="text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
          href={`/executions/${encodeURIComponent(row.id)}`}
        >
          {row.id}
        </Link>
      </td>
      <td className="py-1.5 pr-4">{row.workflowId ?? "—"}</td>
      <td className="py-1.5 pr-4">
        <StatusBadge status={row.status} />
      </td>
      <td className="py-1.5 pr-4" title={row.producers.map((p) => p.label).join("\n")}>
        {row.producers.length} <span className="text-slate-500">({row.producers.map((p) => p.label).join(", ")})</span>
      </td>
      <td className="py-1.5 pr-4 text-right tabular-nums" data-testid="execution-event-count">
        {row.eventCount}
        {row.malformedCount > 0 && (
          <span className="ml-1 text-red-700 dark:text-red-400">+{row.malformedCount} malformed</span>
        )}
        {row.duplicateCount > 0 && <span className="ml-1 text-slate-500">+{row.duplicateCount} dup</span>}
      </td>
      <td className="py-1.5 pr-4 tabular-nums">{formatDateTime(row.firstTsMs)}</td>
      <td className="py-1.5 pr-4 tabular-nums">{formatDateTime(row.lastTsMs)}</td>
      <td className="py-1.5 pr-4 text-right tabular-nums">{formatDuration(row.lastTsMs - row.firstTsMs)}</td>
    </tr>
  );
}
