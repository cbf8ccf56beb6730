"use client";

import { useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { ProducerProcess } from "@/lib/audit/process-ledger";
import { formatCount, formatDateTime } from "@/lib/format";
import { visible } from "@/lib/text/visible";
import { ChainStatusBadge } from "./chain-status-badge";
import type { ServedCounts } from "./ledger-source";
import type { ProcessSort, ProcessSortColumn } from "./process-sort";

export interface ProducersTableProps {
  processes: readonly ProducerProcess[];
  sort: ProcessSort;
  onSort(sort: ProcessSort): void;
  selected: string | undefined;
  onSelect(processId: string): void;
  /** Full counts where a process's lists are cut (the index's entries); default: the lists' lengths. */
  served?: ReadonlyMap<string, ServedCounts>;
}

const GRID =
  "grid grid-cols-[minmax(8rem,1.6fr)_7rem_3.5rem_3.5rem_3.5rem_3.5rem_minmax(8.5rem,1fr)_minmax(8.5rem,1fr)] gap-x-2 px-1";
const ROW_H = 44;

/**
 * One row per producer process, virtualised (one process per execution makes thousands); a click opens its
 * ledger.
 */
export function ProducersTable({ processes, sort, onSort, selected, onSelect, served }: ProducersTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtual = useVirtualizer({
    count: processes.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
    getItemKey: (i) => processes[i]?.id ?? i,
  });
  const ariaSort = (col: ProcessSortColumn) => (sort.by === col ? (sort.desc ? "descending" : "ascending") : "none");
  const header = (col: ProcessSortColumn, label: string, right = false) => (
    <span role="columnheader" aria-sort={ariaSort(col)} className={right ? "flex justify-end" : ""}>
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-900 dark:hover:text-white"
        onClick={() => onSort(sort.by === col ? { by: col, desc: !sort.desc } : { by: col, desc: col !== "producer" })}
      >
        {label}
        {sort.by === col && <span aria-hidden>{sort.desc ? "▼" : "▲"}</span>}
      </button>
    </span>
  );
  return (
    <div role="table" aria-label="Producer processes" data-testid="producers-table" className="min-w-0 text-sm">
      <div
        role="row"
        className={`${GRID} items-end border-b border-slate-200 py-2 text-xs text-slate-500 dark:border-slate-800`}
      >
        {header("producer", "Process")}
        {header("status", "Chain")}
        {header("events", "Events", true)}
        {header("executions", "Execs", true)}
        <span role="columnheader" className="text-right uppercase tracking-wide" title="invocations (correlation ids)">
          Invocs
        </span>
        {header("breaks", "Breaks", true)}
        {header("first", "First event")}
        {header("last", "Last event")}
      </div>
      <div ref={scroller} className="max-h-[calc(100vh-16rem)] min-h-24 overflow-auto" data-testid="producers-scroller">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((v) => {
            const p = processes[v.index];
            if (!p) return null;
            return (
              <div
                key={v.key}
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  transform: `translateY(${v.start}px)`,
                  height: ROW_H,
                }}
              >
                <ProcessRow process={p} served={served?.get(p.id)} selected={p.id === selected} onSelect={onSelect} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function ProcessRow({
  process: p,
  served,
  selected,
  onSelect,
}: {
  process: ProducerProcess;
  served: ServedCounts | undefined;
  selected: boolean;
  onSelect(processId: string): void;
}) {
  const label = visible(p.identity.label);
  return (
    <div
      role="row"
      data-testid="producer-row"
      data-process-id={p.id}
      aria-selected={selected}
      className={`${GRID} h-full cursor-pointer items-center border-b border-slate-100 hover:bg-slate-50 dark:border-slate-900 dark:hover:bg-slate-900 ${selected ? "bg-sky-50 dark:bg-sky-950" : ""}`}
      onClick={() => onSelect(p.id)}
    >
      <span role="cell" className="min-w-0">
        <button
          type="button"
          title={label}
          className="block max-w-full truncate text-left font-mono text-xs hover:underline"
          onClick={(e) => {
            e.stopPropagation();
            onSelect(p.id);
          }}
        >
          {label}
        </button>
        <span className="block text-[11px] text-slate-500" title="how the identity was resolved">
          by the {p.rule} rule
        </span>
      </span>
      <span role="cell">
        <ChainStatusBadge status={p.status} />
      </span>
      <span role="cell" className="text-right tabular-nums" data-testid="producer-events">
        {formatCount(p.events)}
      </span>
      <span role="cell" className="text-right tabular-nums">
        {formatCount(served?.executions ?? p.executions.length)}
      </span>
      <span role="cell" className="text-right tabular-nums">
        {formatCount(served?.invocations ?? p.invocations.length)}
      </span>
      <span role="cell" className="text-right tabular-nums" data-testid="producer-breaks">
        {formatCount(p.breaks.length)}
      </span>
      <span role="cell" className="text-xs">
        <span className="block whitespace-nowrap">{formatDateTime(p.first.tsMs)}</span>
        <span className="text-slate-500">stream seq {p.first.streamSeq}</span>
      </span>
      <span role="cell" className="text-xs">
        <span className="block whitespace-nowrap">{formatDateTime(p.last.tsMs)}</span>
        <span className="text-slate-500">stream seq {p.last.streamSeq}</span>
      </span>
    </div>
  );
}
