"use client";

import { BUILTIN_KEYS, EXECUTION_STATUSES, type ExecutionStatus } from "@/lib/audit";
import type { ExecutionFilter } from "@/lib/executions/execution-rows";
import type { ListView } from "@/lib/links/executions-params";
import { visible } from "@/lib/text/visible";
import { formatCount } from "@/lib/format";

export interface ExecutionsFilterBarProps {
  view: ListView;
  filter: ExecutionFilter;
  onFilter(f: ExecutionFilter): void;
  workflows: string[];
  keyId: string;
  onKey(id: string): void;
  shown: number;
  total: number;
}

const WINDOWS: { label: string; ms?: number }[] = [
  { label: "any time" },
  // Relative to the newest event on the stream, so a replayed file filters by its own clock.
  { label: "last 5 min", ms: 5 * 60_000 },
  { label: "last 15 min", ms: 15 * 60_000 },
  { label: "last hour", ms: 60 * 60_000 },
  { label: "last 24 h", ms: 24 * 60 * 60_000 },
];

const SEARCH: Record<ListView, string> = {
  executions: "Search execution id",
  invocations: "Search correlation or task id",
  all: "Search execution, correlation or task id",
};

const control = "rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-700";

/** Search, filters and the partition key the anomaly counts are computed under. */
export function ExecutionsFilterBar({
  view,
  filter,
  onFilter,
  workflows,
  keyId,
  onKey,
  shown,
  total,
}: ExecutionsFilterBarProps) {
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <input
        type="search"
        placeholder={SEARCH[view]}
        aria-label={SEARCH[view]}
        className={`${control} w-56`}
        value={filter.search ?? ""}
        onChange={(e) => onFilter({ ...filter, search: e.target.value || undefined })}
      />
      <select
        aria-label="Workflow"
        className={control}
        value={filter.workflowId ?? ""}
        onChange={(e) => onFilter({ ...filter, workflowId: e.target.value || undefined })}
      >
        <option value="">all workflows</option>
        {workflows.map((w) => (
          <option key={w} value={w}>
            {visible(w)}
          </option>
        ))}
      </select>
      <select
        aria-label="Status"
        className={control}
        value={filter.status ?? ""}
        onChange={(e) => onFilter({ ...filter, status: (e.target.value || undefined) as ExecutionStatus | undefined })}
      >
        <option value="">any status</option>
        {EXECUTION_STATUSES.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
      <select
        aria-label="Time window"
        className={control}
        value={filter.withinMs ?? ""}
        onChange={(e) => onFilter({ ...filter, withinMs: e.target.value ? Number(e.target.value) : undefined })}
      >
        {WINDOWS.map((w) => (
          <option key={w.label} value={w.ms ?? ""}>
            {w.label}
          </option>
        ))}
      </select>
      <label className="flex items-center gap-1">
        <input
          type="checkbox"
          checked={!!filter.hasAnomalies}
          onChange={(e) => onFilter({ ...filter, hasAnomalies: e.target.checked || undefined })}
        />
        has anomalies
      </label>
      <label className="ml-auto flex items-center gap-2">
        anomalies under
        <select aria-label="Partition key" className={control} value={keyId} onChange={(e) => onKey(e.target.value)}>
          {BUILTIN_KEYS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <span className="text-slate-500 tabular-nums" data-testid="executions-count">
        {formatCount(shown)} of {formatCount(total)}
      </span>
    </div>
  );
}
