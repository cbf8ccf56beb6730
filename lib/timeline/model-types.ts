// The shapes of the execution timeline's model (timeline-model.ts builds it),
// kept apart so that every step of the build and every view can name them
// without importing the build.

import type {
  Analysis,
  AuditEvent,
  Lane,
  Malformed,
  ParsedMessage,
  PartitionSummary,
  ProducerIdentity,
} from "../audit";
import type { CausalitySkew } from "./causality";

export type OrderMode = "ts" | "arrival" | "seq";
export const ORDER_MODES: readonly { id: OrderMode; label: string }[] = Object.freeze([
  { id: "ts", label: "by ts" },
  { id: "arrival", label: "by arrival" },
  { id: "seq", label: "by seq" },
]);

export type RowKind = "lane" | "lane-header" | "partition" | "malformed";

export interface TimelineRow {
  /** Stable across live updates and key switches of the same lane: used for React keys and expansion. */
  key: string;
  kind: RowKind;
  /** Index into `lanes`; -1 for the malformed row. */
  laneIndex: number;
  producer?: ProducerIdentity;
  /** Partition rows: the engine's summary of that partition. */
  partition?: PartitionSummary;
  /** Lane rows: how many partitions of the current key the lane's events fall in. */
  partitionCount: number;
  expanded: boolean;
  eventCount: number;
  anomalyCount: number;
  top: number;
  height: number;
  /** Marks drawn in this row: [markStart, markEnd) in the mark columns. */
  markStart: number;
  markEnd: number;
}

/** Mark flags. */
export const IN_ANOMALY = 1;
export const DUPLICATED = 2;
export const MALFORMED_MARK = 4;
export const NO_SEQ = 8;
/** Category index of a malformed message (events use EVENT_CATEGORIES indices). */
export const MALFORMED_CATEGORY = 255;

export interface TimelineMarks {
  count: number;
  x: Float64Array;
  row: Int32Array;
  category: Uint8Array;
  /** 0 when the event has no seq. */
  seq: Float64Array;
  /** Start of the `duration_ms` bar in x units (ts mode only); NaN when none. */
  barStart: Float64Array;
  streamSeq: Float64Array;
  flags: Uint8Array;
  /** Partition index into `model.partitions`; -1 for malformed messages. */
  partition: Int32Array;
  records: ParsedMessage[];
}

interface OverlayBase {
  /** Index into analysis.anomalies; -1 for a causality skew (the view's own finding, not an anomaly). */
  anomaly: number;
  /** Extent in x units and rows, to cull and to zoom to. */
  x0: number;
  x1: number;
  row0: number;
  row1: number;
}

export type Overlay =
  | (OverlayBase & {
      kind: "collision";
      seq: number;
      /** The colliding marks, ascending (so by row, then x: the order a connector visits them). */
      marks: number[];
      /** Producer ids of the colliding events, sorted, once each ("@malformed" for none). */
      producers: string[];
    })
  | (OverlayBase & {
      kind: "gap" | "missing-head";
      row: number;
      from: number;
      to: number;
      /** Where a placeholder narrower than its minimum width is anchored. */
      align: "center" | "end";
      label: string;
    })
  | (OverlayBase & { kind: "duplicate"; mark: number; count: number })
  | (OverlayBase & { kind: "out-of-order"; mark: number; toX: number; toRow: number })
  | (OverlayBase & { kind: "open-tail"; mark: number })
  | (OverlayBase & { kind: "chain-break"; mark: number })
  | (OverlayBase & { kind: "bad-signature"; mark: number; reason: string })
  | (OverlayBase & { kind: "malformed"; mark: number; reason: string })
  | (OverlayBase & { kind: "skew"; mark: number; cause: number; deltaMs: number });

export interface TimelineModel {
  order: OrderMode;
  lanes: readonly Lane[];
  rows: TimelineRow[];
  totalHeight: number;
  marks: TimelineMarks;
  /** [min, max] x of everything drawn, padded; the domain of "fit to run". */
  extent: [number, number];
  partitions: readonly PartitionSummary[];
  overlays: Overlay[];
  /** analysis.anomalies[i] → its overlay index, or -1 when it has nothing to draw. */
  overlayOfAnomaly: Int32Array;
  skews: CausalitySkew[];
  markOfStreamSeq: MarkIndex;
}

/** Stream sequence → mark index. */
export interface MarkIndex {
  get(streamSeq: number): number | undefined;
}

export interface TimelineInput {
  /**
   * The run's events, ascending stream sequence (log.events(id)): the events
   * `analysis` was computed over, in the same order, since its partitionOfRow
   * is read by position. Default: the lanes' events in stream order.
   */
  events?: readonly AuditEvent[];
  /** One lane per producer (buildLanes); default buildLanes(events). Their anomaly counts are not read. */
  lanes?: readonly Lane[];
  analysis: Analysis;
  malformed?: readonly Malformed[];
  order: OrderMode;
  /** Per-lane expansion chosen by the user; lanes not in it use the default (expanded when few partitions). */
  expansion?: ReadonlyMap<string, boolean>;
}

export const ROW_HEIGHTS: Readonly<Record<RowKind, number>> = Object.freeze({
  lane: 44,
  "lane-header": 36,
  partition: 26,
  malformed: 34,
});

/** A lane with more partitions than this starts collapsed. */
export const AUTO_EXPAND_MAX = 6;

export function defaultExpanded(partitionCount: number): boolean {
  return partitionCount > 1 && partitionCount <= AUTO_EXPAND_MAX;
}
