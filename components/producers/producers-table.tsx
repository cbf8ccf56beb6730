"use client";

import type { ProducerProcess } from "@/lib/audit/process-ledger";
import { formatDateTime } from "@/lib/format";
import { visible } from "@/lib/text/visible";
import { ChainStatusBadge } from "./chain-status-badge";
import type { ProcessSort, ProcessSortColumn } from "./process-sort";

export interface ProducersTableProps {
  processes: readonly ProducerProcess[];
  sort: ProcessSort;
  onSort(sort: ProcessSort): void;
  selected: string | undefined;
  onSelect(processId: string): void;
}

const CELL = "px-2 py-1.5";

/** One row per producer process; a click opens its ledger. */
export function ProducersTable({ processes, sort, onSort, selected, onSelect }: ProducersTableProps) {
  const ariaSort = (col: ProcessSortColumn) => (sort.by === col ? (sort.desc ? "descending" : "ascending") : "none");
  const header = (col: ProcessSortColumn, label: string, right = false) => (
    <th scope="col" aria-sort={ariaSort(col)} className={`${CELL} font-medium ${right ? "text-right" : "text-left"}`}>
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase tracking-wide hover:text-slate-900 dark:hover:text-white"
        onClick={() => onSort(sort.by === col ? { by: col, desc: !sort.desc } : { by: col, desc: col !== "producer" })}
      >
        {label}
        {sort.by === col && <span aria-hidden>{sort.desc ? "▼" : "▲"}</span>}
      </button>
    </th>
  );
  return (
    <div className="overflow-auto">
      <table className="w-full text-sm" data-testid="producers-table" aria-label="Producer processes">
        <thead className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800">
          <tr>
            {header("producer", "Process")}
            {header("status", "Chain")}
            {header("events", "Events", true)}
            {header("executions", "Executions", true)}
            <th scope="col" className={`${CELL} text-right font-medium uppercase tracking-wide`}>
              Invoc&shy;ations
            </th>
            {header("breaks", "Breaks", true)}
            {header("first", "First event")}
            {header("last", "Last event")}
          </tr>
        </thead>
        <tbody>
          {processes.map((p) => (
            <tr
              key={p.id}
              data-testid="producer-row"
              data-process-id={p.id}
              aria-selected={p.id === selected}
              className={`cursor-pointer border-b border-slate-100 hover:bg-slate-50 dark:border-slate-900 dark:hover:bg-slate-900 ${p.id === selected ? "bg-sky-50 dark:bg-sky-950" : ""}`}
              onClick={() => onSelect(p.id)}
            >
              <td className={CELL}>
                <button
                  type="button"
                  className="text-left font-mono text-xs break-words hover:underline"
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(p.id);
                  }}
                >
                  {visible(p.identity.label)}
                </button>
                <span className="block text-[11px] text-slate-500" title="how the identity was resolved">
                  by the {p.rule} rule
                </span>
              </td>
              <td className={CELL}>
                <ChainStatusBadge status={p.status} />
              </td>
              <td className={`${CELL} text-right tabular-nums`} data-testid="producer-events">
                {p.events.toLocaleString("en-US")}
              </td>
              <td className={`${CELL} text-right tabular-nums`}>{p.executions.length.toLocaleString("en-US")}</td>
              <td className={`${CELL} text-right tabular-nums`}>{p.invocations.length.toLocaleString("en-US")}</td>
              <td className={`${CELL} text-right tabular-nums`} data-testid="producer-breaks">
                {p.breaks.length.toLocaleString("en-US")}
              </td>
              <td className={`${CELL} text-xs`}>
                <span className="block whitespace-nowrap">{formatDateTime(p.first.tsMs)}</span>
                <span className="text-slate-500">stream seq {p.first.streamSeq}</span>
              </td>
              <td className={`${CELL} text-xs`}>
                <span className="block whitespace-nowrap">{formatDateTime(p.last.tsMs)}</span>
                <span className="text-slate-500">stream seq {p.last.streamSeq}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
