// The steps that turn a run's events into the timeline's rows and marks. Each
// is a pure function of exactly the inputs it names, so the builder in
// timeline-model.ts can memoise each one on them: a key switch redoes only
// the steps that read the analysis, a lane toggle only the row layout and
// the marks, a new order only the positions and what follows from them.
//
// Per-record work is done once, on columns indexed by record (every event and
// malformed message, ascending stream sequence); rows then only gather. Marks
// are sorted once per order (by x, then stream order), so no row is sorted
// again when a lane opens or a key changes.

import type { Analysis, Anomaly, AuditEvent, Lane, Malformed, ParsedMessage, PartitionSummary } from "../audit";
import { sortedIndices } from "../audit/sorted-indices";
import { categoryIndex } from "./event-category";
import {
  defaultExpanded,
  MALFORMED_CATEGORY,
  MALFORMED_MARK,
  IN_ANOMALY,
  NO_SEQ,
  ROW_HEIGHTS,
  type MarkIndex,
  type OrderMode,
  type TimelineMarks,
  type TimelineRow,
} from "./model-types";

/**
 * Every event and malformed message of the run, ascending stream sequence,
 * with what the timeline reads of each as columns: the objects are visited
 * once, here, and every later step works on typed arrays.
 */
export interface TimelineRecords {
  events: readonly AuditEvent[];
  records: readonly ParsedMessage[];
  streamSeq: Float64Array;
  /** Index in `events` of each record; -1 for a malformed message. */
  eventIndex: Int32Array;
  /** Producer's ts (events) or server time (malformed; 0 when none), ms. */
  timeMs: Float64Array;
  /** 0 when the event has no seq (and for malformed messages). */
  seq: Float64Array;
  /** EVENT_CATEGORIES index; MALFORMED_CATEGORY for a malformed message. */
  category: Uint8Array;
  /** duration_ms when a positive finite number, else NaN. */
  durationMs: Float64Array;
  /** Index into `producers` of each event's resolved identity; -1 for malformed messages. */
  producer: Int32Array;
  producers: string[];
  /**
   * Record of stream sequence streamSeq[0] + k at dense[k] (-1: none), when the
   * run's stream sequences are not spread much wider than its records (a run
   * read alone, a file): lookups are then O(1) instead of a binary search.
   */
  dense?: Int32Array;
}

/** A direct table is kept when it is at most this many times the number of records. */
const DENSE_SPREAD = 4;

/** The lanes' events, ascending stream sequence (when the caller has no list of its own). */
export function eventsOfLanes(lanes: readonly Lane[]): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const l of lanes) for (const e of l.events) out.push(e);
  return out.sort((a, b) => a.streamSeq - b.streamSeq);
}

export function timelineRecords(events: readonly AuditEvent[], malformed: readonly Malformed[]): TimelineRecords {
  const n = events.length + malformed.length;
  const records = malformed.length === 0 ? (events as ParsedMessage[]) : new Array<ParsedMessage>(n);
  const streamSeq = new Float64Array(n);
  const eventIndex = new Int32Array(n);
  const timeMs = new Float64Array(n);
  const seq = new Float64Array(n);
  const category = new Uint8Array(n);
  const durationMs = new Float64Array(n).fill(NaN);
  const producer = new Int32Array(n);
  const producers: string[] = [];
  const producerIndex = new Map<string, number>();
  let lastId = "";
  let last = -1;
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const e = events[i];
    const m = malformed[j];
    if (m === undefined || (e !== undefined && e.streamSeq < m.streamSeq)) {
      const ev = e as AuditEvent;
      if (records !== events) (records as ParsedMessage[])[k] = ev;
      streamSeq[k] = ev.streamSeq;
      eventIndex[k] = i++;
      timeMs[k] = ev.tsMs;
      seq[k] = ev.seq ?? 0;
      category[k] = categoryIndex(ev.event);
      const d = ev.duration_ms;
      if (typeof d === "number" && d > 0 && d < Infinity) durationMs[k] = d;
      // Runs of one producer are common on a stream: skip the lookup for them.
      const id = ev.identity.id;
      if (id !== lastId || last < 0) {
        lastId = id;
        last = producerIndex.get(id) ?? -1;
        if (last < 0) {
          last = producers.length;
          producers.push(id);
          producerIndex.set(id, last);
        }
      }
      producer[k] = last;
    } else {
      (records as ParsedMessage[])[k] = m;
      streamSeq[k] = m.streamSeq;
      eventIndex[k] = -1;
      timeMs[k] = m.receivedMs;
      category[k] = MALFORMED_CATEGORY;
      producer[k] = -1;
      j++;
    }
  }
  const recs: TimelineRecords = {
    events,
    records,
    streamSeq,
    eventIndex,
    timeMs,
    seq,
    category,
    durationMs,
    producer,
    producers,
  };
  const span = n === 0 ? 0 : (streamSeq[n - 1] as number) - (streamSeq[0] as number) + 1;
  if (n > 0 && span <= DENSE_SPREAD * n + 64 && Number.isSafeInteger(span)) {
    const dense = new Int32Array(span).fill(-1);
    const first = streamSeq[0] as number;
    for (let k = 0; k < n; k++) dense[(streamSeq[k] as number) - first] = k;
    recs.dense = dense;
  }
  return recs;
}

/**
 * The record index of a stream sequence (-1: none), its table taken once: steps that look up every anomaly's events (90 000 of them under
 * a key that mixes counters) pay a few ns each, not a property walk each.
 */
export function recordFinder(recs: TimelineRecords): (s: number) => number {
  const a = recs.streamSeq;
  const dense = recs.dense;
  if (dense !== undefined) {
    const first = a[0] as number;
    // A fractional or out-of-range index reads undefined from a typed array.
    return (s) => dense[s - first] ?? -1;
  }
  return (s) => {
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid] as number;
      if (v === s) return mid;
      if (v < s) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
}

/** Lane index of every record; -1 for malformed messages (and events of no lane). */
export function recordLanes(recs: TimelineRecords, lanes: readonly Lane[]): Int32Array {
  const laneOf = new Map<string, number>();
  lanes.forEach((l, i) => laneOf.set(l.producer.id, i));
  const laneOfProducer = Int32Array.from(recs.producers, (id) => laneOf.get(id) ?? -1);
  const out = new Int32Array(recs.records.length);
  for (let i = 0; i < out.length; i++) {
    const p = recs.producer[i] as number;
    out[i] = p < 0 ? -1 : (laneOfProducer[p] as number);
  }
  return out;
}

/** x of every record under an order mode. */
export function recordPositions(recs: TimelineRecords, order: OrderMode): Float64Array {
  const n = recs.records.length;
  const xs = new Float64Array(n);
  if (order === "arrival") {
    for (let i = 0; i < n; i++) xs[i] = i;
    return xs;
  }
  const { eventIndex, timeMs, seq } = recs;
  if (order === "ts") {
    let last = NaN;
    for (let i = 0; i < n; i++) {
      // A malformed line has no producer time: server time, else the event before it on the stream.
      const t = timeMs[i] as number;
      const x = (eventIndex[i] as number) >= 0 || t > 0 ? t : last;
      xs[i] = x;
      if (Number.isFinite(x)) last = x;
    }
    if (n > 0 && !Number.isFinite(xs[0] as number)) {
      const first = xs.find((v) => Number.isFinite(v)) ?? 0;
      for (let i = 0; i < n && !Number.isFinite(xs[i] as number); i++) xs[i] = first;
    }
    return xs;
  }
  // By seq: the seq itself, so a missing seq leaves a hole exactly where it belongs. An event
  // without seq sits just after the last seq its lane stamped before it.
  const lastSeqOf = new Float64Array(recs.producers.length);
  let lastAny = 0;
  for (let i = 0; i < n; i++) {
    const p = recs.producer[i] as number;
    if (p < 0) {
      xs[i] = lastAny + 0.25;
      continue;
    }
    const s = seq[i] as number;
    if (s !== 0) {
      xs[i] = s;
      lastSeqOf[p] = s;
      lastAny = s;
    } else {
      xs[i] = (lastSeqOf[p] as number) + 0.5;
    }
  }
  return xs;
}

/** Record indices sorted by x, then stream order: the order marks take in every row. */
export function xOrder(xs: Float64Array): Int32Array {
  return sortedIndices(xs);
}

/** Each lane's records, and the malformed messages, each in x order. */
export interface LaneBuckets {
  /** Lane l holds items[start[l] .. start[l + 1]). */
  start: Int32Array;
  items: Int32Array;
  malformed: Int32Array;
}

export function laneBuckets(
  recs: TimelineRecords,
  byX: Int32Array,
  laneOf: Int32Array,
  laneCount: number,
): LaneBuckets {
  const start = new Int32Array(laneCount + 1);
  let bad = 0;
  for (let i = 0; i < laneOf.length; i++) {
    const l = laneOf[i] as number;
    if (l >= 0) start[l + 1] = (start[l + 1] as number) + 1;
    else if ((recs.eventIndex[i] as number) < 0) bad++;
  }
  for (let l = 0; l < laneCount; l++) start[l + 1] = (start[l + 1] as number) + (start[l] as number);
  const items = new Int32Array(start[laneCount] as number);
  const malformed = new Int32Array(bad);
  const fill = start.slice(0, laneCount);
  let b = 0;
  for (let k = 0; k < byX.length; k++) {
    const i = byX[k] as number;
    const l = laneOf[i] as number;
    if (l >= 0) {
      const at = fill[l] as number;
      items[at] = i;
      fill[l] = at + 1;
    } else if ((recs.eventIndex[i] as number) < 0) malformed[b++] = i;
  }
  return { start, items, malformed };
}

/** What a mark shows of its record, per record: independent of rows and of the key. */
export interface RecordColumns {
  category: Uint8Array;
  seq: Float64Array;
  barStart: Float64Array;
  flags: Uint8Array;
}

export function recordColumns(recs: TimelineRecords, xs: Float64Array, order: OrderMode): RecordColumns {
  const n = recs.records.length;
  const barStart = new Float64Array(n).fill(NaN);
  const flags = new Uint8Array(n);
  const { category, durationMs, eventIndex } = recs;
  for (let i = 0; i < n; i++) {
    if ((eventIndex[i] as number) < 0) {
      flags[i] = MALFORMED_MARK | IN_ANOMALY;
      continue;
    }
    if (recs.seq[i] === 0) flags[i] = NO_SEQ;
    const d = durationMs[i] as number;
    if (order === "ts" && d === d) barStart[i] = (xs[i] as number) - d;
  }
  return { category, seq: recs.seq, barStart, flags };
}

/**
 * Partition (index into analysis.partitions) of every record, read from the
 * analysis itself (-1 for malformed messages): the timeline never derives a
 * partition from field values.
 */
export function recordPartitions(recs: TimelineRecords, analysis: Analysis): Int32Array {
  const of = analysis.partitionOfRow;
  if (of.length !== recs.events.length) {
    throw new Error(
      `the analysis covers ${of.length} events and the timeline ${recs.events.length}: it must be given the events the analysis was computed over`,
    );
  }
  const out = new Int32Array(recs.records.length);
  for (let i = 0; i < out.length; i++) {
    const e = recs.eventIndex[i] as number;
    out[i] = e < 0 ? -1 : (of[e] as number);
  }
  return out;
}

/** The partitions each lane's events fall in, in order of their first x (then partition index), with sizes. */
export interface LaneGroups {
  /** Lane l has parts[start[l] .. start[l + 1]). */
  start: Int32Array;
  parts: Int32Array;
  sizes: Int32Array;
}

export function laneGroups(
  buckets: LaneBuckets,
  recPart: Int32Array,
  xs: Float64Array,
  partitionCount: number,
): LaneGroups {
  const laneCount = buckets.start.length - 1;
  // slot[p + 1]: the group of partition p in the current lane (-1: none yet).
  const slot = new Int32Array(partitionCount + 1).fill(-1);
  const start = new Int32Array(laneCount + 1);
  const parts: number[] = [];
  const sizes: number[] = [];
  const firsts: number[] = [];
  for (let l = 0; l < laneCount; l++) {
    const from = parts.length;
    for (let k = buckets.start[l] as number, end = buckets.start[l + 1] as number; k < end; k++) {
      const i = buckets.items[k] as number;
      const p = recPart[i] as number;
      const g = slot[p + 1] as number;
      if (g >= 0) sizes[g] = (sizes[g] as number) + 1;
      else {
        slot[p + 1] = parts.length;
        parts.push(p);
        sizes.push(1);
        firsts.push(xs[i] as number);
      }
    }
    const to = parts.length;
    for (let g = from; g < to; g++) slot[(parts[g] as number) + 1] = -1;
    if (to - from > 1) {
      // Items come in x order, so groups already are by first x; equal firsts go by partition index.
      const idx = Array.from({ length: to - from }, (_, k) => from + k);
      idx.sort((a, b) => (firsts[a] as number) - (firsts[b] as number) || (parts[a] as number) - (parts[b] as number));
      const p2 = idx.map((g) => parts[g] as number);
      const s2 = idx.map((g) => sizes[g] as number);
      for (let k = 0; k < p2.length; k++) {
        parts[from + k] = p2[k] as number;
        sizes[from + k] = s2[k] as number;
      }
    }
    start[l + 1] = to;
  }
  return { start, parts: Int32Array.from(parts), sizes: Int32Array.from(sizes) };
}

/** Per lane: the anomalies involving at least one of its events, each counted once per lane. */
export function laneAnomalyCounts(
  recs: TimelineRecords,
  laneOf: Int32Array,
  laneCount: number,
  analysis: Analysis,
): Int32Array {
  const out = new Int32Array(laneCount);
  const seen = new Int32Array(laneCount).fill(-1);
  const recordOf = recordFinder(recs);
  const { anomalies } = analysis;
  for (let ai = 0; ai < anomalies.length; ai++) {
    const ss = (anomalies[ai] as Anomaly).streamSeqs;
    for (let k = 0; k < ss.length; k++) {
      const r = recordOf(ss[k] as number);
      const l = r < 0 ? -1 : (laneOf[r] as number);
      if (l < 0 || seen[l] === ai) continue;
      seen[l] = ai;
      out[l] = (out[l] as number) + 1;
    }
  }
  return out;
}

export interface RowLayout {
  rows: TimelineRow[];
  totalHeight: number;
  /** Partition index of each partition row; -1 for other rows. */
  rowPartition: Int32Array;
}

/** The rows, top to bottom: per lane one row, or a header and a row per partition when expanded; malformed last. */
export function layoutRows(
  lanes: readonly Lane[],
  buckets: LaneBuckets,
  groups: LaneGroups,
  partitions: readonly PartitionSummary[],
  laneAnomalies: Int32Array,
  expansion: ReadonlyMap<string, boolean> | undefined,
): RowLayout {
  const rows: TimelineRow[] = [];
  const rowPartition: number[] = [];
  let top = 0;
  let m = 0;
  const push = (row: Omit<TimelineRow, "top" | "height" | "markStart" | "markEnd">, marks: number, p = -1) => {
    const height = ROW_HEIGHTS[row.kind];
    rows.push({ ...row, top, height, markStart: m, markEnd: m + marks });
    rowPartition.push(p);
    top += height;
    m += marks;
  };
  lanes.forEach((lane, laneIndex) => {
    const g0 = groups.start[laneIndex] as number;
    const g1 = groups.start[laneIndex + 1] as number;
    const count = g1 - g0;
    const id = lane.producer.id;
    const expanded = count > 1 && (expansion?.get(id) ?? defaultExpanded(count));
    const base = {
      laneIndex,
      producer: lane.producer,
      partitionCount: count,
      expanded,
      eventCount: lane.events.length,
      anomalyCount: laneAnomalies[laneIndex] as number,
    };
    if (!expanded) {
      push(
        { ...base, key: id, kind: "lane" },
        (buckets.start[laneIndex + 1] as number) - (buckets.start[laneIndex] as number),
      );
      return;
    }
    push({ ...base, key: id, kind: "lane-header" }, 0);
    for (let g = g0; g < g1; g++) {
      const p = groups.parts[g] as number;
      const size = groups.sizes[g] as number;
      const summary = partitions[p];
      const row: Omit<TimelineRow, "top" | "height" | "markStart" | "markEnd"> = {
        ...base,
        key: `${id}\u0000${summary?.id ?? p}`,
        kind: "partition",
        eventCount: size,
        anomalyCount: summary?.anomalyCount ?? 0,
        partitionCount: 1,
      };
      if (summary !== undefined) row.partition = summary;
      push(row, size, p);
    }
  });
  const bad = buckets.malformed.length;
  if (bad > 0) {
    push(
      {
        key: "@malformed",
        kind: "malformed",
        laneIndex: -1,
        partitionCount: 0,
        expanded: false,
        eventCount: bad,
        anomalyCount: bad,
      },
      bad,
    );
  }
  return { rows, totalHeight: top, rowPartition: Int32Array.from(rowPartition) };
}

export interface MarkColumns {
  /** Flags here are the record's own (no seq, malformed); anomalyOverlays adds the anomalies'. */
  marks: TimelineMarks;
  /** Mark of every record; -1 for a record drawn nowhere. */
  markOfRecord: Int32Array;
}

/** The mark columns, row by row, each row in x order (then stream order). */
export function markColumns(
  layout: RowLayout,
  buckets: LaneBuckets,
  recs: TimelineRecords,
  xs: Float64Array,
  cols: RecordColumns,
  recPart: Int32Array,
  partitionCount: number,
): MarkColumns {
  const { rows, rowPartition } = layout;
  const count = rows.length === 0 ? 0 : (rows[rows.length - 1] as TimelineRow).markEnd;
  const n = recs.records.length;
  const marks: TimelineMarks = {
    count,
    x: new Float64Array(count),
    row: new Int32Array(count),
    category: new Uint8Array(count),
    seq: new Float64Array(count),
    barStart: new Float64Array(count),
    streamSeq: new Float64Array(count),
    flags: new Uint8Array(count),
    partition: new Int32Array(count),
    records: new Array<ParsedMessage>(count),
  };
  // First where each record goes (its mark and row), then every column in one tight gather.
  const recordOf = new Int32Array(count);
  const markOfRecord = new Int32Array(n).fill(-1);
  // fill[p + 1]: next free mark of partition p's row in the lane being laid out.
  const fill = new Int32Array(partitionCount + 1);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as TimelineRow;
    if (row.kind === "partition") continue;
    let items: Int32Array;
    if (row.kind === "malformed") items = buckets.malformed;
    else items = buckets.items.subarray(buckets.start[row.laneIndex], buckets.start[row.laneIndex + 1]);
    if (row.kind !== "lane-header") {
      recordOf.set(items, row.markStart);
      marks.row.fill(r, row.markStart, row.markEnd);
      continue;
    }
    // An expanded lane: its partition rows follow the header; deal the lane's records out to them, in x order.
    for (let end = r + 1; end < rows.length && (rows[end] as TimelineRow).kind === "partition"; end++) {
      const pr = rows[end] as TimelineRow;
      const p = rowPartition[end] as number;
      fill[p + 1] = pr.markStart;
      marks.row.fill(end, pr.markStart, pr.markEnd);
    }
    for (let k = 0; k < items.length; k++) {
      const i = items[k] as number;
      const p = (recPart[i] as number) + 1;
      const m = fill[p] as number;
      fill[p] = m + 1;
      recordOf[m] = i;
    }
  }
  const { x, category, seq, barStart, streamSeq, flags, partition, records } = marks;
  for (let m = 0; m < count; m++) {
    const i = recordOf[m] as number;
    markOfRecord[i] = m;
    x[m] = xs[i] as number;
    category[m] = cols.category[i] as number;
    seq[m] = cols.seq[i] as number;
    barStart[m] = cols.barStart[i] as number;
    streamSeq[m] = recs.streamSeq[i] as number;
    flags[m] = cols.flags[i] as number;
    partition[m] = recPart[i] as number;
    records[m] = recs.records[i] as ParsedMessage;
  }
  return { marks, markOfRecord };
}

/** Stream sequence → mark, through the records' table or a binary search. */
export function markIndex(recs: TimelineRecords, markOfRecord: Int32Array): MarkIndex {
  const recordOf = recordFinder(recs);
  return {
    get(s: number): number | undefined {
      const r = recordOf(s);
      const m = r < 0 ? -1 : (markOfRecord[r] as number);
      return m >= 0 ? m : undefined;
    },
  };
}
