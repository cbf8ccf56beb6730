"use client";

import { useQueryState } from "nuqs";
import { useMemo, useState } from "react";
import { download } from "@/lib/export/download";
import { parseAsText } from "@/lib/links/execution-params";
import { processLedgerJson, processLedgerReport } from "@/lib/export/process-ledger";
import type { ReportSource } from "@/lib/export/report";
import { useFileSource } from "@/components/files/use-file-source";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { useProducers } from "@/hooks/use-producers";
import { DEFAULT_PROCESS_SORT, sortProcesses, type ProcessSort } from "./process-sort";
import { ProcessDetail } from "./process-detail";
import { ProducersTable } from "./producers-table";

/** Every producer process the tab read, its chain verified across everything it wrote; one opens beside. */
export function ProducersView() {
  // The open process is in the URL (?process=<id>): a process's ledger is a link.
  const [picked, setPicked] = useQueryState("process", parseAsText.withOptions({ history: "push", scroll: false }));
  const selected = picked ?? undefined;
  const setSelected = (id: string) => void setPicked(id);
  const [sort, setSort] = useState<ProcessSort>(DEFAULT_PROCESS_SORT);
  const { status, tenant } = useAuditFeed();
  const { ledger, signatures, signaturesOf, timeline, eventAt } = useProducers(selected);
  const shown = useMemo(() => sortProcesses(ledger.processes, sort), [ledger, sort]);
  const current = selected === undefined ? undefined : ledger.processes.find((p) => p.id === selected);
  const { file, nats } = useFileSource();
  const source: ReportSource =
    file === undefined
      ? { source: "nats", stream: nats.stream, subject: nats.subject }
      : { source: "file", file: file.name, bytes: file.size };
  const exportJson = (only?: string[]) => {
    const report = processLedgerReport(ledger, signaturesOf, source, new Date(), only);
    download(
      only === undefined ? "process-ledger.json" : "process-ledger-process.json",
      "application/json",
      processLedgerJson(report),
    );
  };
  const breaks = ledger.processes.reduce((n, p) => n + p.breaks.length, 0);

  if (tenant !== undefined) {
    return (
      <p className="py-12 text-center text-slate-500" data-testid="producers-tenant">
        This tab reads one tenant&apos;s part of the index, not the stream: a process&apos;s chain runs through every
        tenant&apos;s lines, so it cannot be verified from here.
      </p>
    );
  }
  if (ledger.processes.length === 0) {
    return (
      <p className="py-12 text-center text-slate-500" data-testid="producers-empty">
        {status.phase === "live"
          ? "No producer has written to the stream yet. Waiting for events…"
          : "Waiting for the stream…"}
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <p data-testid="producers-totals" className="text-slate-600 dark:text-slate-400">
          {ledger.processes.length.toLocaleString("en-US")} processes ·{" "}
          {(ledger.requested?.lines ?? 0).toLocaleString("en-US")} lines read
          {ledger.requested !== undefined &&
            ` (stream seq ${ledger.requested.first.streamSeq}–${ledger.requested.last.streamSeq})`}{" "}
          · {breaks.toLocaleString("en-US")} chain {breaks === 1 ? "break" : "breaks"}
          {ledger.malformed > 0 && ` · ${ledger.malformed.toLocaleString("en-US")} malformed lines (no process)`}
        </p>
        <button
          type="button"
          data-testid="export-ledger"
          className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={() => exportJson()}
        >
          Export JSON
        </button>
      </div>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]">
        <ProducersTable processes={shown} sort={sort} onSort={setSort} selected={selected} onSelect={setSelected} />
        {current !== undefined ? (
          <ProcessDetail
            process={current}
            requested={ledger.requested}
            signatures={signatures}
            timeline={timeline}
            eventAt={eventAt}
            onExport={() => exportJson([current.id])}
          />
        ) : (
          <p className="text-sm text-slate-500">Pick a process to see its ledger.</p>
        )}
      </div>
    </div>
  );
}
