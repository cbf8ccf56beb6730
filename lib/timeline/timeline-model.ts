// The rows and marks of the execution timeline. It draws the engine's results
// and decides none: which events collide, which seqs are missing, what is out
// of order, which partition an event is in all come from the Analysis; this
// only says where on the screen each one goes.
//
// Built in small pure steps (model-steps.ts, model-overlays.ts), each a
// function of exactly its inputs. buildTimelineModel runs them all;
// createTimelineModelBuilder memoises each on its inputs, like jaeger's
// memoizeOne(generateRowStates), so a view that rebuilds on every change
// redoes only what the change reaches: a key switch the partition steps and
// what follows, a lane toggle the rows and marks, a new order the positions.
//
// Marks are kept as columns (typed arrays) sorted by row, then by x, so a row
// is one contiguous range and the visible part of it is two binary searches.

import { buildLanes, type Analysis, type AuditEvent, type Lane, type Malformed } from "../audit";
import { findCausalitySkews, type CausalitySkew } from "./causality";
import { keepWhileSame, memoizeOne } from "./memoize-one";
import {
  allOverlays,
  anomalyOverlays,
  marksExtent,
  skewOverlays,
  timelineExtent,
  type AnomalyOverlays,
} from "./model-overlays";
import {
  eventsOfLanes,
  laneAnomalyCounts,
  laneBuckets,
  laneGroups,
  layoutRows,
  markColumns,
  markIndex,
  recordColumns,
  recordLanes,
  recordPartitions,
  recordPositions,
  timelineRecords,
  xOrder,
  type MarkColumns,
  type RowLayout,
} from "./model-steps";
import type {
  MarkIndex,
  OrderMode,
  Overlay,
  TimelineInput,
  TimelineMarks,
  TimelineModel,
  TimelineRow,
} from "./model-types";

export * from "./model-types";

/** Every step of the build, by name; the builder swaps in memoised copies. */
const STEPS = {
  eventsOfLanes,
  lanesOf: (events: readonly AuditEvent[]): Lane[] => buildLanes(events),
  timelineRecords,
  recordLanes,
  recordPositions,
  xOrder,
  laneBuckets,
  recordColumns,
  recordPartitions,
  laneGroups,
  laneAnomalyCounts,
  layoutRows,
  markColumns,
  markIndex,
  anomalyOverlays,
  findCausalitySkews,
  skewOverlays,
  allOverlays,
  marksExtent,
  timelineExtent,
  withFlags: (marks: TimelineMarks, flags: Uint8Array): TimelineMarks => ({ ...marks, flags }),
  assemble: (
    order: OrderMode,
    lanes: readonly Lane[],
    layout: RowLayout,
    marks: TimelineMarks,
    extent: [number, number],
    analysis: Analysis,
    overlays: Overlay[],
    placed: AnomalyOverlays,
    skews: CausalitySkew[],
    index: MarkIndex,
  ): TimelineModel => ({
    order,
    lanes,
    rows: layout.rows,
    totalHeight: layout.totalHeight,
    marks,
    extent,
    partitions: analysis.partitions,
    overlays,
    overlayOfAnomaly: placed.overlayOfAnomaly,
    skews,
    markOfStreamSeq: index,
  }),
  stableEvents: (events: readonly AuditEvent[]): readonly AuditEvent[] => events,
  stableMalformed: (malformed: readonly Malformed[]): readonly Malformed[] => malformed,
};

type Steps = typeof STEPS;
export type TimelineStep = keyof Steps;

const NO_MALFORMED: readonly Malformed[] = Object.freeze([]);

function build(input: TimelineInput, s: Steps): TimelineModel {
  const { analysis, order } = input;
  if (input.events === undefined && input.lanes === undefined) throw new Error("a timeline needs events or lanes");
  const events = s.stableEvents(input.events ?? s.eventsOfLanes(input.lanes as readonly Lane[]));
  const malformed = s.stableMalformed(input.malformed ?? NO_MALFORMED);
  const lanes = input.lanes ?? s.lanesOf(events);
  const recs = s.timelineRecords(events, malformed);
  // Key-independent: where each record goes and what its mark shows.
  const laneOf = s.recordLanes(recs, lanes);
  const xs = s.recordPositions(recs, order);
  const byX = s.xOrder(xs);
  const buckets = s.laneBuckets(recs, byX, laneOf, lanes.length);
  const cols = s.recordColumns(recs, xs, order);
  // The key's partitions, as the analysis assigned them.
  const recPart = s.recordPartitions(recs, analysis);
  const partitionCount = analysis.partitions.length;
  const groups = s.laneGroups(buckets, recPart, xs, partitionCount);
  const laneAnomalies = s.laneAnomalyCounts(recs, laneOf, lanes.length, analysis);
  // Rows (expansion), then the marks laid out in them.
  const layout = s.layoutRows(lanes, buckets, groups, analysis.partitions, laneAnomalies, input.expansion);
  const base: MarkColumns = s.markColumns(layout, buckets, recs, xs, cols, recPart, partitionCount);
  const index = s.markIndex(recs, base.markOfRecord);
  const placed = s.anomalyOverlays(base.marks, index, layout.rows, analysis, order);
  const skews = s.findCausalitySkews(events);
  const skewed = s.skewOverlays(skews, index, base.marks);
  const overlays = s.allOverlays(placed.overlays, skewed);
  const marks = s.withFlags(base.marks, placed.flags);
  const extent = s.timelineExtent(s.marksExtent(base.marks), overlays, order);
  return s.assemble(order, lanes, layout, marks, extent, analysis, overlays, placed, skews, index);
}

/** Builds the rows, marks and anomaly overlays. Pure; O(n log n) in the events. */
export function buildTimelineModel(input: TimelineInput): TimelineModel {
  return build(input, STEPS);
}

export interface TimelineBuilderOptions {
  /** Told the name of every step that computes rather than answering from its memo (tests watch this). */
  onCompute?(step: TimelineStep): void;
}

/**
 * buildTimelineModel with every step memoised on its own inputs (the last
 * value each): call it with each new input and it returns the same model
 * while nothing changed, and recomputes only the steps a change reaches. A
 * new events array that holds the same events counts as unchanged. One
 * builder per view.
 */
export function createTimelineModelBuilder(opts: TimelineBuilderOptions = {}): (input: TimelineInput) => TimelineModel {
  const { onCompute } = opts;
  const steps = Object.fromEntries(
    Object.entries(STEPS).map(([name, fn]) => {
      const f = fn as (...args: unknown[]) => unknown;
      return [
        name,
        memoizeOne(
          onCompute === undefined
            ? f
            : (...args: unknown[]) => {
                onCompute(name as TimelineStep);
                return f(...args);
              },
        ),
      ];
    }),
  ) as unknown as Steps;
  steps.stableEvents = keepWhileSame<AuditEvent>();
  steps.stableMalformed = keepWhileSame<Malformed>();
  return (input) => build(input, steps);
}

/** First mark of the row at or after x (binary search in the row's range). */
export function lowerBound(marks: TimelineMarks, row: TimelineRow, x: number): number {
  let lo = row.markStart;
  let hi = row.markEnd;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((marks.x[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows intersecting [top, top + height) (binary search on row tops). */
export function visibleRowRange(rows: readonly TimelineRow[], top: number, height: number): [number, number] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = rows[mid] as TimelineRow;
    if (r.top + r.height <= top) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < rows.length && (rows[end] as TimelineRow).top < top + height) end++;
  return [lo, end];
}

/** The row at a y offset in the content, or -1. */
export function rowAt(rows: readonly TimelineRow[], y: number): number {
  const [a, b] = visibleRowRange(rows, y, 1);
  return a < b ? a : -1;
}

/** Marks of the same partition as `mark`, in the current order (x, then stream sequence). */
export function partitionNeighbours(model: TimelineModel, mark: number): { prev?: number; next?: number } {
  const { marks } = model;
  const p = marks.partition[mark] as number;
  if (p < 0) return {};
  const x = marks.x[mark] as number;
  const s = marks.streamSeq[mark] as number;
  let prev: number | undefined;
  let next: number | undefined;
  let px = -Infinity;
  let ps = -Infinity;
  let nx = Infinity;
  let ns = Infinity;
  for (let i = 0; i < marks.count; i++) {
    if (i === mark || marks.partition[i] !== p) continue;
    const ix = marks.x[i] as number;
    const is = marks.streamSeq[i] as number;
    const before = ix < x || (ix === x && is < s);
    if (before) {
      if (ix > px || (ix === px && is > ps)) {
        prev = i;
        px = ix;
        ps = is;
      }
    } else if (ix < nx || (ix === nx && is < ns)) {
      next = i;
      nx = ix;
      ns = is;
    }
  }
  const out: { prev?: number; next?: number } = {};
  if (prev !== undefined) out.prev = prev;
  if (next !== undefined) out.next = next;
  return out;
}
