// Which per-process ledger the Producers page shows: the tab's own (the lines it
// holds: with a live tab's history window, only the stream's tail) or the
// index's (the indexer's, over the whole stream), and how a process of one is
// found in the other. Pure.
import type { LedgerRange, ProcessLedger, ProducerProcess } from "@/lib/audit/process-ledger";
import { processLedgerReport, type ProcessLedgerReport, type ReportProcess } from "@/lib/export/process-ledger";
import type { ReportSource } from "@/lib/export/report";
import type { LedgerEntry, ProcessEntry } from "@/lib/index/process-entry";

export const LEDGER_SOURCES = ["tab", "index"] as const;
export type LedgerSource = (typeof LEDGER_SOURCES)[number];

/** How many executions and invocations a process served (an index entry names at most MAX_SERVED of each). */
export interface ServedCounts {
  executions: number;
  invocations: number;
}

/**
 * The ledger to open on when the URL does not say: the index's when the tab holds only the stream's tail (its
 * range starts after the index's, or it holds nothing yet), else the tab's own — it has the lines themselves
 * (timeline, signatures). A `?process=` that only one of them has opens that one.
 */
export function defaultLedgerSource(
  tab: LedgerRange | undefined,
  head: LedgerEntry,
  selected?: { inTab: boolean; inIndex: boolean },
): LedgerSource {
  if (selected !== undefined && selected.inTab !== selected.inIndex) return selected.inIndex ? "index" : "tab";
  return tab === undefined || tab.first.streamSeq > head.range.first.streamSeq ? "index" : "tab";
}

/** The index's entries as a ledger the page's table, detail and export read (no rows: the lines are not here). */
export function indexProcessLedger(head: LedgerEntry, entries: readonly ProcessEntry[]): ProcessLedger {
  return {
    requested: head.range,
    processes: entries.map((e) => e.process),
    malformed: head.malformed,
    rowsOf: new Map(),
  };
}

/** Each process's full served counts, by id. */
export function servedCounts(entries: readonly ProcessEntry[]): Map<string, ServedCounts> {
  return new Map(
    entries.map((e) => [e.process.id, { executions: e.executionCount, invocations: e.invocationCount }] as const),
  );
}

/** Stream sequences of the lines a tab holds of one of its processes, ascending (AuditLog.processTimeline). */
export type LinesOf = (tabProcessId: string) => ArrayLike<number> | undefined;

/** Lines the index names of a process (it keeps no lines): its first and last, and each break's two ends. */
function landmarks(p: ProducerProcess): number[] {
  const out = [p.last.streamSeq, p.first.streamSeq];
  for (const b of p.breaks) out.push(b.at, ...(Number.isFinite(b.after) ? [b.after] : []));
  return out;
}

function holds(lines: ArrayLike<number> | undefined, seq: number): boolean {
  if (lines === undefined) return false;
  let lo = 0;
  let hi = lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = lines[mid] as number;
    if (v === seq) return true;
    if (v < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

const covers = (p: ProducerProcess, seq: number) => p.first.streamSeq <= seq && seq <= p.last.streamSeq;

/**
 * The tab's process that holds lines of the index's process `p`: the same id (both read it from its first line),
 * else the one that holds a line the index names of it — a tab that holds only the tail starts the process
 * mid-chain, under another id and maybe another identity (an orchestrator is named for the run of its first
 * line). Undefined: the tab holds none of those lines.
 */
export function tabProcessOf(p: ProducerProcess, tab: readonly ProducerProcess[], linesOf: LinesOf) {
  const same = tab.find((t) => t.id === p.id);
  if (same !== undefined) return same;
  for (const seq of landmarks(p)) {
    const t = tab.find((c) => covers(c, seq) && holds(linesOf(c.id), seq));
    if (t !== undefined) return t;
  }
  return undefined;
}

/** The index's process whose lines the tab's process `t` holds (see tabProcessOf); undefined: none known. */
export function indexProcessOf(t: ProducerProcess, index: readonly ProducerProcess[], linesOf: LinesOf) {
  const same = index.find((p) => p.id === t.id);
  if (same !== undefined) return same;
  const lines = linesOf(t.id);
  return index.find(
    (p) =>
      p.first.streamSeq <= t.last.streamSeq &&
      p.last.streamSeq >= t.first.streamSeq &&
      landmarks(p).some((seq) => holds(lines, seq)),
  );
}

/** Chain breaks over the processes. */
export function breakCount(processes: readonly ProducerProcess[]): number {
  return processes.reduce((n, p) => n + p.breaks.length, 0);
}

export interface IndexReportProcess extends ReportProcess {
  /** How many it served: `executions` and `invocations` list the first MAX_SERVED of them. */
  executionsServed: number;
  invocationsServed: number;
}

export interface IndexLedgerReport extends Omit<ProcessLedgerReport, "processes"> {
  /** Whose ledger this is: the index's, over the whole stream (signatures are not known there: null). */
  ledger: "index";
  processes: IndexReportProcess[];
}

/** The index's ledger (or the processes `only` names) as the same report the tab's export makes, with full counts. */
export function indexLedgerReport(
  ledger: ProcessLedger,
  served: ReadonlyMap<string, ServedCounts>,
  from: ReportSource,
  now: Date = new Date(),
  only?: readonly string[],
): IndexLedgerReport {
  const report = processLedgerReport(ledger, () => undefined, from, now, only);
  return {
    ...report,
    ledger: "index",
    processes: report.processes.map((p) => ({
      ...p,
      executionsServed: served.get(p.id)?.executions ?? p.executions.length,
      invocationsServed: served.get(p.id)?.invocations ?? p.invocations.length,
    })),
  };
}
