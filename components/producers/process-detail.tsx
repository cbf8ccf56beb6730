"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import type { LedgerRange, ProducerProcess, SignatureStatus } from "@/lib/audit/process-ledger";
import type { ProcessTimelineModel } from "@/lib/audit/process-ledger-timeline";
import { chainStatusText, verificationSummary } from "@/lib/export/process-ledger";
import { formatCount, formatDateTime } from "@/lib/format";
import { contextPath, executionPath } from "@/lib/links/url-text";
import { visible } from "@/lib/text/visible";
import { ChainStatusBadge } from "./chain-status-badge";
import type { ServedCounts } from "./ledger-source";
import { ProcessTimeline } from "./process-timeline";

export interface ProcessDetailProps {
  process: ProducerProcess;
  requested: LedgerRange | undefined;
  signatures: SignatureStatus | undefined;
  timeline: ProcessTimelineModel | undefined;
  eventAt(streamSeq: number): string | undefined;
  onExport(): void;
  /** Full counts where the process's lists are cut (an index entry); default: the lists' lengths. */
  served?: ServedCounts;
  /**
   * Said in place of the timeline and the signatures, which need the lines themselves, when this ledger does
   * not hold them (the index's).
   */
  linesNote?: ReactNode;
}

function Range({ first, last }: Pick<LedgerRange, "first" | "last">) {
  return (
    <>
      stream seq {first.streamSeq}–{last.streamSeq}{" "}
      <span className="text-slate-500">
        ({formatDateTime(first.tsMs)} to {formatDateTime(last.tsMs)})
      </span>
    </>
  );
}

/** Executions shown at most in the panel; the export lists them all. */
const MAX_LINKS = 200;

/** One process's verification, as a log-integrity tool reports it: ranges, counts, each break's position. */
export function ProcessDetail({
  process: p,
  requested,
  signatures,
  timeline,
  eventAt,
  onExport,
  served,
  linesNote,
}: ProcessDetailProps) {
  const executions = served?.executions ?? p.executions.length;
  const invocations = served?.invocations ?? p.invocations.length;
  return (
    <section
      aria-label="Process ledger"
      data-testid="process-detail"
      className="flex flex-col gap-3 rounded border border-slate-200 p-3 text-sm dark:border-slate-800"
    >
      <header className="flex items-start justify-between gap-2">
        <div>
          <h2 className="font-mono text-sm font-semibold">{visible(p.identity.label)}</h2>
          <p className="text-xs text-slate-500">
            identity <span className="font-mono">{visible(p.identity.id)}</span>, resolved by the {p.rule} rule ·
            process {visible(p.id)}
          </p>
        </div>
        <button
          type="button"
          data-testid="export-process"
          className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={onExport}
        >
          Export JSON
        </button>
      </header>
      <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1">
        <dt className="text-slate-500">Range requested</dt>
        <dd data-testid="range-requested">
          {requested === undefined ? "—" : <Range first={requested.first} last={requested.last} />}
        </dd>
        <dt className="text-slate-500">Range verified</dt>
        <dd data-testid="range-verified">
          <Range first={p.first} last={p.last} />
        </dd>
        <dt className="text-slate-500">Result</dt>
        <dd data-testid="verification-summary" className="font-medium">
          {verificationSummary(p, signatures)}
        </dd>
        <dt className="text-slate-500">Chain</dt>
        <dd className="flex items-center gap-2">
          <ChainStatusBadge status={p.status} />
          <span data-testid="chain-status-text">{chainStatusText(p)}</span>
        </dd>
      </dl>
      {linesNote === undefined && timeline !== undefined && timeline.streamSeq.length > 0 && (
        <ProcessTimeline model={timeline} eventAt={eventAt} />
      )}
      {p.breaks.length > 0 && (
        <div>
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Breaks</h3>
          <ol className="mt-1 flex flex-col gap-1">
            {p.breaks.map((b) => (
              <li key={b.at} data-testid="chain-break" data-at={b.at} className="rounded bg-red-50 p-2 dark:bg-red-950">
                <p className="font-medium">
                  stream seq {b.at}{" "}
                  <span className="font-normal text-slate-600 dark:text-slate-400">({formatDateTime(b.atTsMs)})</span>
                </p>
                {b.kind === "missing" ? (
                  <p className="text-xs">
                    its prev_hash matches no line read: line(s) missing after stream seq {b.after} (
                    {formatDateTime(b.afterTsMs)}) and before stream seq {b.at} ({formatDateTime(b.atTsMs)})
                  </p>
                ) : (
                  <p className="text-xs">
                    forked: it and stream seq {b.forkWith} both follow stream seq {b.after}
                  </p>
                )}
                <p className="text-xs text-slate-500">{visible(b.message)}</p>
              </li>
            ))}
          </ol>
        </div>
      )}
      {linesNote !== undefined && (
        <div
          data-testid="process-lines-note"
          className="rounded border border-dashed border-slate-300 p-2 text-xs text-slate-600 dark:border-slate-700 dark:text-slate-400"
        >
          {linesNote}
        </div>
      )}
      {linesNote === undefined && (
        <div>
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Signatures by kid</h3>
          {signatures === undefined ? (
            <p className="text-xs text-slate-500">—</p>
          ) : signatures.byKid.length === 0 ? (
            <p className="text-xs text-slate-500" data-testid="signatures">
              no signed lines ({formatCount(signatures.unsigned)} unsigned)
            </p>
          ) : (
            <table className="mt-1 w-full text-xs" data-testid="signatures">
              <thead className="text-slate-500">
                <tr>
                  <th className="text-left font-medium">kid</th>
                  <th className="text-right font-medium">verified</th>
                  <th className="text-right font-medium">bad</th>
                  <th className="text-right font-medium">unknown kid</th>
                  <th className="text-right font-medium">not checked</th>
                </tr>
              </thead>
              <tbody>
                {signatures.byKid.map((k) => (
                  <tr key={k.kid}>
                    <td className="font-mono">{k.kid === "" ? "(no kid)" : visible(k.kid)}</td>
                    <td className="text-right tabular-nums">{k.verified}</td>
                    <td className="text-right tabular-nums">{k.bad}</td>
                    <td className="text-right tabular-nums">{k.unknownKid}</td>
                    <td className="text-right tabular-nums">{k.unchecked}</td>
                  </tr>
                ))}
                <tr>
                  <td className="text-slate-500">unsigned</td>
                  <td className="text-right tabular-nums" colSpan={4}>
                    {signatures.unsigned}
                  </td>
                </tr>
              </tbody>
            </table>
          )}
        </div>
      )}
      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
          Executions served ({formatCount(executions)})
        </h3>
        <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs" data-testid="process-executions">
          {p.executions.slice(0, MAX_LINKS).map((x) => (
            <li key={x}>
              <Link href={executionPath(x)} className="font-mono text-sky-700 hover:underline dark:text-sky-400">
                {visible(x)}
              </Link>
            </li>
          ))}
          <More total={executions} shown={Math.min(MAX_LINKS, p.executions.length)} listed={p.executions.length} />
        </ul>
        <h3 className="mt-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
          Invocations served ({formatCount(invocations)})
        </h3>
        <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs" data-testid="process-invocations">
          {p.invocations.slice(0, MAX_LINKS).map((c) => (
            <li key={c}>
              <Link
                href={contextPath({ kind: "invocation", id: c })}
                className="font-mono text-sky-700 hover:underline dark:text-sky-400"
              >
                {visible(c)}
              </Link>
            </li>
          ))}
          <More total={invocations} shown={Math.min(MAX_LINKS, p.invocations.length)} listed={p.invocations.length} />
        </ul>
        <p className="mt-1 text-xs text-slate-500" data-testid="process-level-count">
          {formatCount(p.processLevel)} events outside any invocation
          {linesNote === undefined && " (on its timeline below)"}
        </p>
      </div>
    </section>
  );
}

/** "and N more" after the names shown: in the export when it lists them, else counted only (an index entry). */
function More({ total, shown, listed }: { total: number; shown: number; listed: number }) {
  if (total <= shown) return null;
  return (
    <li className="text-slate-500" data-testid="served-more">
      and {formatCount(total - shown)} more{listed > shown && " (in the export)"}
    </li>
  );
}
