// The anomaly report of one execution as a JSON document: what the timeline
// shows under one partition key, for a ticket, a CI check or a diff between
// two sources. Pure: a log in, a plain object out.
import { contextOfKey, type ContextRef } from "../audit/context-ref";
import type { Analysis, AuditLog, PartitionKey } from "../audit";
import { holeSize, holesWithin, type HoleCause, type StreamHole } from "../live/stream-holes";
import { jsonWithVisibleEscapes } from "../text/visible";

export const REPORT_FORMAT = "seqscope-anomaly-report/1";

export type ReportSource =
  { source: "nats"; stream: string; subject: string } | { source: "file"; file: string; bytes: number };

/** A run of stream sequences the stream itself lost (a fact about the transport, not a producer's anomaly). */
export interface ReportStreamHole {
  from: number;
  to: number;
  count: number;
  cause: HoleCause;
  detail: string;
}

export interface AnomalyReport {
  format: typeof REPORT_FORMAT;
  /** What the report is of: a workflow execution, or an invocation outside any run (by its correlation_id). */
  context: ContextRef;
  /** The execution's id (absent for an invocation). */
  executionId?: string;
  key: { id: string; label: string; fields: string[] };
  generatedFrom: ReportSource & {
    /** What `streamSeqs` in anomalies count: JetStream stream sequences, or 1-based line numbers of the file. */
    streamSeqsAre: "stream sequences" | "line numbers";
  };
  generatedAt: string;
  execution: {
    workflowId?: string;
    status: string;
    events: number;
    malformed: number;
    duplicates: number;
    producers: string[];
    firstTs?: string;
    lastTs?: string;
    /** The stream sequences (or line numbers) of its first and last message. */
    firstStreamSeq: number;
    lastStreamSeq: number;
  } | null;
  counts: Analysis["counts"];
  withoutSeq: number;
  noKey: number;
  anomalies: Analysis["anomalies"];
  partitions: Analysis["partitions"];
  /**
   * Holes in the stream that overlap the execution's stream-sequence range, as
   * found by the tab that made the report: events of this execution may be among them.
   */
  streamHoles: ReportStreamHole[];
}

export function anomalyReport(
  log: AuditLog,
  /** The log's context key (context-ref.ts). */
  executionId: string,
  key: PartitionKey,
  from: ReportSource,
  now: Date = new Date(),
  /** The holes the live feed found in the stream (none for a file). */
  holes: readonly StreamHole[] = [],
): AnomalyReport {
  const a = log.analyze(key, { executionId });
  const x = log.execution(executionId);
  const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : undefined);
  const context = contextOfKey(executionId);
  return {
    format: REPORT_FORMAT,
    context,
    ...(context.kind === "execution" ? { executionId: context.id } : {}),
    key: { id: key.id, label: key.label, fields: [...key.fields] },
    generatedFrom: { ...from, streamSeqsAre: from.source === "file" ? "line numbers" : "stream sequences" },
    generatedAt: now.toISOString(),
    execution:
      x === undefined
        ? null
        : {
            ...(x.workflowId !== undefined ? { workflowId: x.workflowId } : {}),
            status: x.status,
            events: x.eventCount,
            malformed: x.malformedCount,
            duplicates: x.duplicateCount,
            producers: x.producers.map((p) => p.id),
            firstTs: iso(x.firstTsMs),
            lastTs: iso(x.lastTsMs),
            firstStreamSeq: x.firstStreamSeq,
            lastStreamSeq: x.lastStreamSeq,
          },
    counts: a.counts,
    withoutSeq: a.withoutSeq,
    noKey: a.noKey,
    anomalies: a.anomalies,
    partitions: a.partitions,
    streamHoles:
      x === undefined
        ? []
        : holesWithin(holes, x.firstStreamSeq, x.lastStreamSeq).map((h) => ({
            from: h.from,
            to: h.to,
            count: holeSize(h),
            cause: h.cause,
            detail: h.detail,
          })),
  };
}

/**
 * The report as the file's text: ids keep their exact values, but a bidi or
 * invisible character in one is written as a `\uXXXX` escape, so the file read
 * by a person shows it instead of reordered text, and parses back the same.
 */
export function reportJson(report: AnomalyReport): string {
  return `${jsonWithVisibleEscapes(JSON.stringify(report, null, 2))}\n`;
}
