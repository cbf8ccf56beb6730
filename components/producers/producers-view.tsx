"use client";

import { parseAsStringLiteral, useQueryStates } from "nuqs";
import { useCallback, useMemo, useState } from "react";
import type { ProcessLedger, ProducerProcess } from "@/lib/audit/process-ledger";
import { download } from "@/lib/export/download";
import { parseAsText } from "@/lib/links/execution-params";
import { processLedgerJson, processLedgerReport } from "@/lib/export/process-ledger";
import type { ReportSource } from "@/lib/export/report";
import { useFileSource } from "@/components/files/use-file-source";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { useIndexLedger } from "@/hooks/use-index-ledger";
import { useProducers } from "@/hooks/use-producers";
import {
  breakCount,
  defaultLedgerSource,
  indexLedgerReport,
  indexProcessLedger,
  indexProcessOf,
  LEDGER_SOURCES,
  servedCounts,
  tabProcessOf,
  type LedgerSource,
  type LinesOf,
} from "./ledger-source";
import { LedgerSourceSwitch } from "./ledger-source-switch";
import { DEFAULT_PROCESS_SORT, sortProcesses, type ExecutionsOf, type ProcessSort } from "./process-sort";
import { ProcessDetail } from "./process-detail";
import { ProducersTable } from "./producers-table";
import { formatCount } from "@/lib/format";

// The open process and, once chosen, the ledger it is read from are in the URL: a process's ledger is a link.
const PARAMS = { process: parseAsText, ledger: parseAsStringLiteral(LEDGER_SOURCES) };

const BUTTON =
  "rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800";

/**
 * Every producer process the tab read, its chain verified across everything it wrote; one opens beside. With an
 * indexer, the same for the whole stream from the index's ledger (the tab may hold only the stream's tail).
 */
export function ProducersView() {
  const [params, setParams] = useQueryStates(PARAMS, { history: "push", scroll: false });
  const selected = params.process ?? undefined;
  const [sort, setSort] = useState<ProcessSort>(DEFAULT_PROCESS_SORT);
  const { status, tenant, log } = useAuditFeed();
  const { ledger: tabLedger, signatures, signaturesOf, timeline, eventAt } = useProducers(selected);
  const fromIndex = useIndexLedger();
  const head = fromIndex.ledger?.head;
  const entries = fromIndex.ledger?.processes;
  const indexLedger = useMemo(
    () => (head === undefined || entries === undefined ? undefined : indexProcessLedger(head, entries)),
    [head, entries],
  );
  const served = useMemo(() => servedCounts(entries ?? []), [entries]);

  // Without `?ledger=`, the default is taken once, when both ledgers have something to compare: the page does
  // not jump from one to the other while the tab's history loads or the stream grows.
  const has = (l: ProcessLedger | undefined) => selected !== undefined && !!l?.processes.some((p) => p.id === selected);
  const fallback =
    head === undefined
      ? undefined
      : defaultLedgerSource(
          tabLedger.requested,
          head,
          selected === undefined ? undefined : { inTab: has(tabLedger), inIndex: has(indexLedger) },
        );
  const [latched, setLatched] = useState<LedgerSource>();
  if (latched === undefined && fallback !== undefined && (tabLedger.requested !== undefined || status.phase === "live"))
    setLatched(fallback);
  const source: LedgerSource = indexLedger === undefined ? "tab" : (params.ledger ?? latched ?? fallback ?? "tab");
  const ledger = source === "index" && indexLedger !== undefined ? indexLedger : tabLedger;
  const executionsOf = useMemo<ExecutionsOf | undefined>(
    () => (source === "index" ? (p) => served.get(p.id)?.executions ?? p.executions.length : undefined),
    [source, served],
  );
  const shown = useMemo(() => sortProcesses(ledger.processes, sort, executionsOf), [ledger, sort, executionsOf]);
  const current = selected === undefined ? undefined : ledger.processes.find((p) => p.id === selected);
  /** The process `p` (of the ledger shown) in the ledger `to`, told by the lines the tab holds of its processes. */
  const counterpart = useCallback(
    (p: ProducerProcess, to: LedgerSource) => {
      const linesOf: LinesOf = (id) => log.processTimeline(id)?.streamSeq;
      if (to === "index")
        return indexLedger === undefined ? undefined : indexProcessOf(p, indexLedger.processes, linesOf);
      return tabProcessOf(p, tabLedger.processes, linesOf);
    },
    // The log mutates in place: its ledger (recomputed at most once a second) stands for its version.
    [log, tabLedger, indexLedger],
  );
  // Memoised: a live tab re-renders every frame, the ledgers at most once a second.
  const elsewhere = useMemo(
    () =>
      current === undefined || indexLedger === undefined
        ? undefined
        : counterpart(current, source === "index" ? "tab" : "index"),
    [current, indexLedger, source, counterpart],
  );

  /** Shows the other ledger, on the same process there when it has one. */
  const switchTo = (next: LedgerSource) => {
    if (next === source) return;
    const same = current === undefined ? undefined : counterpart(current, next);
    void setParams({ ledger: next, process: current === undefined ? params.process : (same?.id ?? null) });
  };

  const { file, nats } = useFileSource();
  const reportSource: ReportSource =
    file === undefined
      ? { source: "nats", stream: nats.stream, subject: nats.subject }
      : { source: "file", file: file.name, bytes: file.size };
  const exportJson = (only?: string[]) => {
    const fromTheIndex = source === "index";
    const report = fromTheIndex
      ? indexLedgerReport(ledger, served, reportSource, new Date(), only)
      : processLedgerReport(ledger, signaturesOf, reportSource, new Date(), only);
    const name = `process-ledger${fromTheIndex ? "-index" : ""}${only === undefined ? "" : "-process"}.json`;
    download(name, "application/json", processLedgerJson(report));
  };
  const breaks = breakCount(ledger.processes);

  if (tenant !== undefined) {
    return (
      <p className="py-12 text-center text-slate-500" data-testid="producers-tenant">
        This tab reads one tenant&apos;s part of the index, not the stream: a process&apos;s chain runs through every
        tenant&apos;s lines, so it cannot be verified from here.
      </p>
    );
  }
  const sourceSwitch = head !== undefined && (
    <LedgerSourceSwitch source={source} onChange={switchTo} tab={tabLedger.requested} head={head} />
  );
  const indexProblem = fromIndex.error !== null && (
    <p className="text-xs text-amber-700 dark:text-amber-400" data-testid="index-ledger-error">
      Reading the index&apos;s ledger failed ({fromIndex.error.message}); it is tried again every 10 s.
    </p>
  );
  if (params.ledger === "index" && indexLedger === undefined && fromIndex.loading) {
    return (
      <p className="py-12 text-center text-slate-500" data-testid="producers-index-loading">
        Reading the whole stream&apos;s ledger from the index…
      </p>
    );
  }
  if (ledger.processes.length === 0) {
    return (
      <div className="flex flex-col gap-3">
        {sourceSwitch}
        {indexProblem}
        <p className="py-12 text-center text-slate-500" data-testid="producers-empty">
          {source === "index"
            ? "The index's ledger names no producer process yet."
            : status.phase === "live"
              ? "No producer has written to the stream yet. Waiting for events…"
              : "Waiting for the stream…"}
        </p>
      </div>
    );
  }
  const processes = source === "index" && head !== undefined ? head.processes : ledger.processes.length;
  return (
    <div className="flex flex-col gap-3">
      {sourceSwitch}
      {indexProblem}
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <p data-testid="producers-totals" className="text-slate-600 dark:text-slate-400">
          {formatCount(processes)} processes · {formatCount(ledger.requested?.lines ?? 0)} lines{" "}
          {source === "index" ? "indexed" : "read"}
          {ledger.requested !== undefined &&
            ` (stream seq ${ledger.requested.first.streamSeq}–${ledger.requested.last.streamSeq})`}{" "}
          · {formatCount(breaks)} chain {breaks === 1 ? "break" : "breaks"}
          {ledger.malformed > 0 && ` · ${formatCount(ledger.malformed)} malformed lines (no process)`}
        </p>
        <button type="button" data-testid="export-ledger" className={BUTTON} onClick={() => exportJson()}>
          Export JSON
        </button>
      </div>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]">
        <ProducersTable
          processes={shown}
          sort={sort}
          onSort={setSort}
          selected={selected}
          onSelect={(id) => void setParams({ process: id })}
          served={source === "index" ? served : undefined}
        />
        {current === undefined ? (
          <p className="text-sm text-slate-500">Pick a process to see its ledger.</p>
        ) : source === "index" ? (
          <ProcessDetail
            process={current}
            requested={ledger.requested}
            signatures={undefined}
            timeline={undefined}
            eventAt={eventAt}
            onExport={() => exportJson([current.id])}
            served={served.get(current.id)}
            linesNote={
              <>
                <p>
                  Its timeline and signatures by kid need the lines themselves: they are shown for the lines this tab
                  holds
                  {tabLedger.requested === undefined
                    ? " (none yet)"
                    : ` (stream seq ${tabLedger.requested.first.streamSeq}–${tabLedger.requested.last.streamSeq})`}
                  .
                </p>
                {elsewhere === undefined ? (
                  <p className="mt-1" data-testid="not-in-tab">
                    This tab holds none of its lines.
                  </p>
                ) : (
                  <button
                    type="button"
                    data-testid="open-in-tab"
                    className={`${BUTTON} mt-1`}
                    onClick={() => switchTo("tab")}
                  >
                    Show this tab&apos;s view of it (stream seq {elsewhere.first.streamSeq}–{elsewhere.last.streamSeq})
                  </button>
                )}
              </>
            }
          />
        ) : (
          <div className="flex flex-col gap-2">
            {elsewhere !== undefined && (
              <button
                type="button"
                data-testid="open-in-index"
                className={`${BUTTON} self-start`}
                onClick={() => switchTo("index")}
              >
                Its whole-stream ledger, from the index (stream seq {elsewhere.first.streamSeq}–
                {elsewhere.last.streamSeq})
              </button>
            )}
            <ProcessDetail
              process={current}
              requested={ledger.requested}
              signatures={signatures}
              timeline={timeline}
              eventAt={eventAt}
              onExport={() => exportJson([current.id])}
            />
          </div>
        )}
      </div>
    </div>
  );
}
