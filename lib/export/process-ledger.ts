// The process ledger as a verification report, in the manner of CloudTrail's
// log-file validation: the range requested, the range verified, "N of M lines
// verified, K breaks, J bad signatures", and each break with its exact
// position. The same words on the Producers page and in the JSON download.
// Pure: a ledger in, plain data and text out.
import type { LedgerRange, ProcessLedger, ProducerProcess, SignatureStatus } from "../audit/process-ledger";
import { jsonWithVisibleEscapes } from "../text/visible";
import type { ReportSource } from "./report";
import { formatCount } from "../format";

export const PROCESS_LEDGER_FORMAT = "seqscope-process-ledger/1";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Signatures that do not hold: bad ones and those of a kid the JWKS does not have. */
export function badSignatureCount(sig: SignatureStatus): number {
  return sig.problems.length;
}

/** "N of M lines verified, K breaks, J bad signatures" (or "signatures not checked" without a JWKS). */
export function verificationSummary(p: ProducerProcess, sig: SignatureStatus | undefined): string {
  const lines = `${formatCount(p.verified)} of ${plural(p.events, "line")} verified`;
  const breaks = plural(p.breaks.length, "break");
  const signed = sig?.byKid.some((k) => k.verified + k.bad + k.unknownKid + k.unchecked > 0) ?? false;
  const sigs =
    sig === undefined
      ? "signatures not checked"
      : !sig.checked && signed
        ? "signatures not checked (no JWKS)"
        : plural(badSignatureCount(sig), "bad signature");
  return `${lines}, ${breaks}, ${sigs}`;
}

/** What the status means, in words. */
export function chainStatusText(p: ProducerProcess): string {
  switch (p.status) {
    case "continuous":
      return "continuous from genesis";
    case "mid-chain":
      return `starts mid-chain at stream seq ${p.first.streamSeq} (its earlier lines were not read)`;
    case "no-chain":
      return "no chain (no prev_hash)";
    case "breaks": {
      const at = p.breaks.map((b) => b.at).join(", ");
      return `${p.breaks.length === 1 ? "breaks" : `${p.breaks.length} breaks`} at stream seq ${at}`;
    }
  }
}

export interface ReportPosition {
  streamSeq: number;
  ts?: string;
}

export interface ReportBreak {
  /** Stream sequence of the line whose prev_hash does not fit. */
  at: ReportPosition;
  kind: "missing" | "fork";
  /** The process's line before it. */
  after?: ReportPosition;
  /** missing: the stream sequences (exclusive of both ends) and times between which the lost lines were written. */
  missingBetween?: { afterStreamSeq?: number; beforeStreamSeq: number; afterTs?: string; beforeTs?: string };
  /** fork: the other line that follows `after`. */
  forkWith?: number;
  message: string;
}

export interface ReportProcess {
  id: string;
  producer: { id: string; label: string; resolvedBy: string };
  rangeVerified: { first: ReportPosition; last: ReportPosition };
  summary: string;
  chain: { status: ProducerProcess["status"]; start: ProducerProcess["start"]; text: string };
  lines: number;
  chained: number;
  verified: number;
  breaks: ReportBreak[];
  signatures: SignatureStatus | null;
  executions: string[];
  invocations: string[];
  processLevelEvents: number;
}

export interface ProcessLedgerReport {
  format: typeof PROCESS_LEDGER_FORMAT;
  generatedFrom: ReportSource & { streamSeqsAre: "stream sequences" | "line numbers" };
  generatedAt: string;
  rangeRequested: { first: ReportPosition; last: ReportPosition; lines: number } | null;
  summary: { processes: number; lines: number; verified: number; breaks: number; badSignatures: number };
  malformedLines: number;
  processes: ReportProcess[];
}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : undefined);

function position(streamSeq: number, tsMs: number): ReportPosition {
  const ts = iso(tsMs);
  return ts === undefined ? { streamSeq } : { streamSeq, ts };
}

function rangeRequested(r: LedgerRange | undefined): ProcessLedgerReport["rangeRequested"] {
  if (r === undefined) return null;
  return {
    first: position(r.first.streamSeq, r.first.tsMs),
    last: position(r.last.streamSeq, r.last.tsMs),
    lines: r.lines,
  };
}

export function reportProcess(p: ProducerProcess, sig: SignatureStatus | undefined): ReportProcess {
  return {
    id: p.id,
    producer: { id: p.identity.id, label: p.identity.label, resolvedBy: p.rule },
    rangeVerified: { first: position(p.first.streamSeq, p.first.tsMs), last: position(p.last.streamSeq, p.last.tsMs) },
    summary: verificationSummary(p, sig),
    chain: { status: p.status, start: p.start, text: chainStatusText(p) },
    lines: p.events,
    chained: p.chained,
    verified: p.verified,
    breaks: p.breaks.map((b) => {
      const hasAfter = Number.isFinite(b.after);
      const after = hasAfter ? position(b.after, b.afterTsMs) : undefined;
      const out: ReportBreak = { at: position(b.at, b.atTsMs), kind: b.kind, message: b.message };
      if (after !== undefined) out.after = after;
      if (b.kind === "missing") {
        const w: NonNullable<ReportBreak["missingBetween"]> = { beforeStreamSeq: b.at };
        if (hasAfter) w.afterStreamSeq = b.after;
        const afterTs = iso(b.afterTsMs);
        const beforeTs = iso(b.atTsMs);
        if (afterTs !== undefined) w.afterTs = afterTs;
        if (beforeTs !== undefined) w.beforeTs = beforeTs;
        out.missingBetween = w;
      }
      if (b.forkWith !== undefined) out.forkWith = b.forkWith;
      return out;
    }),
    signatures: sig ?? null,
    executions: [...p.executions],
    invocations: [...p.invocations],
    processLevelEvents: p.processLevel,
  };
}

/** The ledger (or the processes `only` names) as a report; `signaturesOf` is AuditLog.processSignatures. */
export function processLedgerReport(
  ledger: ProcessLedger,
  signaturesOf: (processId: string) => SignatureStatus | undefined,
  from: ReportSource,
  now: Date = new Date(),
  only?: readonly string[],
): ProcessLedgerReport {
  const chosen = only === undefined ? ledger.processes : ledger.processes.filter((p) => only.includes(p.id));
  const processes = chosen.map((p) => reportProcess(p, signaturesOf(p.id)));
  return {
    format: PROCESS_LEDGER_FORMAT,
    generatedFrom: { ...from, streamSeqsAre: from.source === "file" ? "line numbers" : "stream sequences" },
    generatedAt: now.toISOString(),
    rangeRequested: rangeRequested(ledger.requested),
    summary: {
      processes: processes.length,
      lines: processes.reduce((n, p) => n + p.lines, 0),
      verified: processes.reduce((n, p) => n + p.verified, 0),
      breaks: processes.reduce((n, p) => n + p.breaks.length, 0),
      badSignatures: processes.reduce((n, p) => n + (p.signatures?.problems.length ?? 0), 0),
    },
    malformedLines: ledger.malformed,
    processes,
  };
}

/** The report as the file's text: exact values, invisible and bidi characters as `\uXXXX` escapes. */
export function processLedgerJson(report: ProcessLedgerReport): string {
  return `${jsonWithVisibleEscapes(JSON.stringify(report, null, 2))}\n`;
}
