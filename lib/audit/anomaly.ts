// What the analysis reports. Every anomaly names the stream sequences of the
// messages involved, so the UI can jump to and highlight them.

import type { PartitionKey } from "./partition-key";

export type AnomalyKind =
  | "collision"
  | "duplicate"
  | "gap"
  | "missing-head"
  | "open-tail"
  | "out-of-order"
  | "chain-break"
  | "bad-signature"
  | "malformed";

export const ANOMALY_KINDS: readonly AnomalyKind[] = Object.freeze([
  "collision",
  "duplicate",
  "gap",
  "missing-head",
  "open-tail",
  "out-of-order",
  "chain-break",
  "bad-signature",
  "malformed",
] as const);

export interface Anomaly {
  kind: AnomalyKind;
  /** Partition id under the analysed key; "" when the events are in no partition. */
  partition: string;
  /** Stream sequences of the messages involved, ascending. */
  streamSeqs: number[];
  seq?: number;
  /** Inclusive seq range (gap, missing head). */
  seqRange?: [number, number];
  /** Emission-time window (producer clock) in which missing events should have been. */
  window?: { fromMs: number; toMs: number };
  message: string;
}

export interface PartitionSummary {
  id: string;
  values: Record<string, string>;
  eventCount: number;
  withoutSeq: number;
  minSeq?: number;
  maxSeq?: number;
  anomalyCount: number;
  /** True for the bucket of events that lack a key field (id ""). */
  noKey?: boolean;
}

export interface Analysis {
  key: PartitionKey;
  partitions: PartitionSummary[];
  /**
   * For each analysed event, the index of its partition in `partitions`:
   * aligned with the `rows` analyzeColumns was given (AuditLog.analyze: with
   * log.events(executionId)); for analyzeEvents, with the events in ascending
   * stream sequence. Views group events by this index instead of deriving
   * partitions again from field values.
   */
  partitionOfRow: Int32Array;
  anomalies: Anomaly[];
  counts: Record<AnomalyKind, number>;
  withoutSeq: number;
  /** Events lacking a key field. */
  noKey: number;
}

/** A message that repeated one already kept (`of`), by stream sequence or byte for byte. */
export interface Duplicate {
  streamSeq: number;
  /** Stream sequence of the copy that was kept (the lowest). Equals streamSeq for a redelivery. */
  of: number;
  deliveryCount: number;
  receivedMs: number;
}

export function emptyCounts(): Record<AnomalyKind, number> {
  return {
    collision: 0,
    duplicate: 0,
    gap: 0,
    "missing-head": 0,
    "open-tail": 0,
    "out-of-order": 0,
    "chain-break": 0,
    "bad-signature": 0,
    malformed: 0,
  };
}
