// The rows and marks of the execution timeline, computed once per (events,
// analysis, order mode, expansion) and memoised by the view, like jaeger's
// generateRowStates. It draws the engine's results and decides none: which
// events collide, which seqs are missing, what is out of order all come from
// the Analysis; this file only says where on the screen each one goes.
//
// Marks are kept as columns (typed arrays) sorted by row, then by x, so a row
// is one contiguous range and the visible part of it is two binary searches.

import {
  fieldReader,
  type Analysis,
  type AuditEvent,
  type Lane,
  type Malformed,
  type ParsedMessage,
  type PartitionSummary,
  type ProducerIdentity,
} from "../audit";
import { categoryIndex } from "./event-category";
import { findCausalitySkews, type CausalitySkew } from "./causality";

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
  | (OverlayBase & { kind: "collision"; seq: number; marks: number[] })
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
  lanes: readonly Lane[];
  /** The same events as the lanes, ascending stream sequence (log.events(id)); saves a sort when given. */
  events?: readonly AuditEvent[];
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

/** Partition index of each event under the analysed key, matched on the engine's partition values. */
export function partitionIndexOf(events: readonly AuditEvent[], analysis: Analysis): Int32Array {
  const fields = analysis.key.fields;
  const readers = fields.map(fieldReader);
  const byTuple = new Map<string, number>();
  let noKey = -1;
  analysis.partitions.forEach((p, i) => {
    if (p.noKey === true) noKey = i;
    else byTuple.set(fields.map((f) => p.values[f] ?? "").join("\u0000"), i);
  });
  const out = new Int32Array(events.length);
  const single = readers.length === 1 ? readers[0] : undefined;
  if (single !== undefined) {
    for (let i = 0; i < events.length; i++) {
      const v = single(events[i] as AuditEvent);
      out[i] = v === undefined ? noKey : (byTuple.get(v) ?? noKey);
    }
    return out;
  }
  const vals: string[] = new Array<string>(readers.length);
  for (let i = 0; i < events.length; i++) {
    const ev = events[i] as AuditEvent;
    let missing = readers.length === 0;
    for (let f = 0; f < readers.length && !missing; f++) {
      const v = (readers[f] as (e: AuditEvent) => string | undefined)(ev);
      if (v === undefined) missing = true;
      else vals[f] = v;
    }
    out[i] = missing ? noKey : (byTuple.get(vals.join("\u0000")) ?? noKey);
  }
  return out;
}

/** x of every record under an order mode. `records` is every event and malformed message, ascending streamSeq. */
function positions(records: readonly ParsedMessage[], order: OrderMode): Float64Array {
  const xs = new Float64Array(records.length);
  if (order === "arrival") {
    for (let i = 0; i < records.length; i++) xs[i] = i;
    return xs;
  }
  if (order === "ts") {
    let last = NaN;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as ParsedMessage;
      // A malformed line has no producer time: server time, else the event before it on the stream.
      const x = r.kind === "event" ? r.tsMs : r.receivedMs > 0 ? r.receivedMs : last;
      xs[i] = x;
      if (Number.isFinite(x)) last = x;
    }
    if (records.length > 0 && !Number.isFinite(xs[0] as number)) {
      const first = xs.find((v) => Number.isFinite(v)) ?? 0;
      for (let i = 0; i < xs.length && !Number.isFinite(xs[i] as number); i++) xs[i] = first;
    }
    return xs;
  }
  // By seq: the seq itself, so a missing seq leaves a hole exactly where it belongs. An event
  // without seq sits just after the last seq its lane stamped before it.
  const lastSeqOfLane = new Map<string, number>();
  let lastAny = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as ParsedMessage;
    if (r.kind === "malformed") {
      xs[i] = lastAny + 0.25;
      continue;
    }
    if (r.seq !== undefined) {
      xs[i] = r.seq;
      lastSeqOfLane.set(r.identity.id, r.seq);
      lastAny = r.seq;
    } else {
      xs[i] = (lastSeqOfLane.get(r.identity.id) ?? 0) + 0.5;
    }
  }
  return xs;
}

function mergeByStreamSeq(events: readonly AuditEvent[], malformed: readonly Malformed[]): ParsedMessage[] {
  if (malformed.length === 0) return events as ParsedMessage[];
  const out: ParsedMessage[] = new Array<ParsedMessage>(events.length + malformed.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < events.length || j < malformed.length) {
    const e = events[i];
    const m = malformed[j];
    if (m === undefined || (e !== undefined && e.streamSeq < m.streamSeq)) {
      out[k++] = e as AuditEvent;
      i++;
    } else {
      out[k++] = m;
      j++;
    }
  }
  return out;
}

/** Builds the rows, marks and anomaly overlays. Pure; O(n log n) in the events. */
export function buildTimelineModel(input: TimelineInput): TimelineModel {
  const { lanes, analysis, order } = input;
  const malformed = input.malformed ?? [];
  // Lanes hold events in stream order; the model needs them all, in stream order, once.
  let events: AuditEvent[] = [];
  let n0 = 0;
  for (const l of lanes) n0 += l.events.length;
  if (input.events !== undefined && input.events.length === n0) events = input.events as AuditEvent[];
  else {
    for (const l of lanes) for (const e of l.events) events.push(e);
    events.sort((a, b) => a.streamSeq - b.streamSeq);
  }
  const records = mergeByStreamSeq(events, malformed);
  const n = records.length;
  const xs = positions(records, order);
  const partOfEvent = partitionIndexOf(events, analysis);
  // Per record: its lane and partition (malformed: lane -1, partition -1).
  const laneOf = new Map<string, number>();
  lanes.forEach((l, i) => laneOf.set(l.producer.id, i));
  const recLane = new Int32Array(n);
  const recPart = new Int32Array(n);
  const laneCount = new Int32Array(lanes.length);
  for (let i = 0, e = 0; i < n; i++) {
    const r = records[i] as ParsedMessage;
    if (r.kind === "malformed") {
      recLane[i] = -1;
      recPart[i] = -1;
      continue;
    }
    const li = laneOf.get(r.identity.id) ?? -1;
    recLane[i] = li;
    recPart[i] = partOfEvent[e++] as number;
    if (li >= 0) laneCount[li] = (laneCount[li] as number) + 1;
  }
  // Record indices bucketed by lane, in stream order.
  const laneStart = new Int32Array(lanes.length + 1);
  for (let l = 0; l < lanes.length; l++) laneStart[l + 1] = (laneStart[l] as number) + (laneCount[l] as number);
  const byLane = new Int32Array(laneStart[lanes.length] as number);
  const fill = laneStart.slice(0, lanes.length);
  const malformedIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    const li = recLane[i] as number;
    if (li >= 0) byLane[(fill[li] = (fill[li] as number) + 1) - 1] = i;
    else if ((records[i] as ParsedMessage).kind === "malformed") malformedIdx.push(i);
  }

  const rows: TimelineRow[] = [];
  const rowItems: ArrayLike<number>[] = [];
  let top = 0;
  const pushRow = (row: Omit<TimelineRow, "top" | "height" | "markStart" | "markEnd">, items: ArrayLike<number>) => {
    const height = ROW_HEIGHTS[row.kind];
    rows.push({ ...row, top, height, markStart: 0, markEnd: 0 });
    rowItems.push(items);
    top += height;
  };

  lanes.forEach((lane, laneIndex) => {
    const items = byLane.subarray(laneStart[laneIndex] as number, laneStart[laneIndex + 1] as number);
    const groups = new Map<number, number[]>();
    for (let k = 0; k < items.length; k++) {
      const i = items[k] as number;
      const p = recPart[i] as number;
      let g = groups.get(p);
      if (g === undefined) groups.set(p, (g = []));
      g.push(i);
    }
    const id = lane.producer.id;
    const expanded = groups.size > 1 && (input.expansion?.get(id) ?? defaultExpanded(groups.size));
    const base = {
      laneIndex,
      producer: lane.producer,
      partitionCount: groups.size,
      expanded,
      eventCount: lane.events.length,
      anomalyCount: lane.anomalyCount,
    };
    if (!expanded) {
      pushRow({ ...base, key: id, kind: "lane" }, items);
      return;
    }
    pushRow({ ...base, key: id, kind: "lane-header" }, []);
    const ordered = [...groups.entries()].map(([p, g]) => {
      let first = Infinity;
      for (const i of g) if ((xs[i] as number) < first) first = xs[i] as number;
      return { p, g, first };
    });
    ordered.sort((a, b) => a.first - b.first || a.p - b.p);
    for (const { p, g } of ordered) {
      const summary = analysis.partitions[p];
      const row: Omit<TimelineRow, "top" | "height" | "markStart" | "markEnd"> = {
        ...base,
        key: `${id}\u0000${summary?.id ?? p}`,
        kind: "partition",
        eventCount: g.length,
        anomalyCount: summary?.anomalyCount ?? 0,
        partitionCount: 1,
      };
      if (summary !== undefined) row.partition = summary;
      pushRow(row, g);
    }
  });
  if (malformedIdx.length > 0) {
    pushRow(
      {
        key: "@malformed",
        kind: "malformed",
        laneIndex: -1,
        partitionCount: 0,
        expanded: false,
        eventCount: malformed.length,
        anomalyCount: malformed.length,
      },
      malformedIdx,
    );
  }

  // Mark columns, row by row, each row sorted by x (then stream order).
  const marks: TimelineMarks = {
    count: n,
    x: new Float64Array(n),
    row: new Int32Array(n),
    category: new Uint8Array(n),
    seq: new Float64Array(n),
    barStart: new Float64Array(n),
    streamSeq: new Float64Array(n),
    flags: new Uint8Array(n),
    partition: new Int32Array(n),
    records: new Array<ParsedMessage>(n),
  };
  const markOfRecord = new Int32Array(n).fill(-1);
  const byXThenStream = (a: number, b: number) => (xs[a] as number) - (xs[b] as number) || a - b;
  let m = 0;
  rows.forEach((row, r) => {
    let items = rowItems[r] as ArrayLike<number>;
    let sorted = true;
    for (let k = 1; k < items.length && sorted; k++)
      if (byXThenStream(items[k - 1] as number, items[k] as number) > 0) sorted = false;
    if (!sorted) items = Array.from(items).sort(byXThenStream);
    row.markStart = m;
    for (let k = 0; k < items.length; k++) {
      const i = items[k] as number;
      const rec = records[i] as ParsedMessage;
      const x = xs[i] as number;
      marks.x[m] = x;
      marks.row[m] = r;
      marks.streamSeq[m] = rec.streamSeq;
      marks.partition[m] = recPart[i] as number;
      marks.records[m] = rec;
      marks.barStart[m] = NaN;
      if (rec.kind === "malformed") {
        marks.category[m] = MALFORMED_CATEGORY;
        marks.flags[m] = MALFORMED_MARK | IN_ANOMALY;
      } else {
        marks.category[m] = categoryIndex(rec.event);
        const seq = rec.seq;
        if (seq === undefined) marks.flags[m] = NO_SEQ;
        else marks.seq[m] = seq;
        const d = rec.duration_ms;
        if (order === "ts" && typeof d === "number" && d > 0 && d < Infinity) marks.barStart[m] = x - d;
      }
      markOfRecord[i] = m;
      m++;
    }
    row.markEnd = m;
  });
  marks.count = m;
  const recStreamSeq = new Float64Array(n);
  for (let i = 0; i < n; i++) recStreamSeq[i] = (records[i] as ParsedMessage).streamSeq;
  const markOfStreamSeq: MarkIndex = {
    get(s: number): number | undefined {
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = recStreamSeq[mid] as number;
        if (v === s) {
          const mk = markOfRecord[mid] as number;
          return mk >= 0 ? mk : undefined;
        }
        if (v < s) lo = mid + 1;
        else hi = mid - 1;
      }
      return undefined;
    },
  };

  const overlays: Overlay[] = [];
  const overlayOfAnomaly = new Int32Array(analysis.anomalies.length).fill(-1);
  const markOf = (s: number | undefined) => (s === undefined ? undefined : markOfStreamSeq.get(s));
  const xOf = (mk: number) => marks.x[mk] as number;
  const rowOf = (mk: number) => marks.row[mk] as number;
  const single = (mk: number) => ({ x0: xOf(mk), x1: xOf(mk), row0: rowOf(mk), row1: rowOf(mk) });
  const copies = new Map<number, number>();
  for (const a of analysis.anomalies) {
    if (a.kind !== "duplicate") continue;
    const mk = markOf(a.streamSeqs[0]);
    if (mk !== undefined) copies.set(mk, (copies.get(mk) ?? 1) + 1);
  }
  let seqOrder: Map<number, number[]> | undefined;
  const partitionBySeq = (p: number): number[] => {
    seqOrder ??= new Map();
    let list = seqOrder.get(p);
    if (list === undefined) {
      list = [];
      for (let i = 0; i < marks.count; i++) if (marks.partition[i] === p && (marks.seq[i] as number) > 0) list.push(i);
      list.sort((a, b) => (marks.seq[a] as number) - (marks.seq[b] as number) || xOf(a) - xOf(b));
      seqOrder.set(p, list);
    }
    return list;
  };

  analysis.anomalies.forEach((a, ai) => {
    const involved: number[] = [];
    for (const s of a.streamSeqs) {
      const mk = markOf(s);
      if (mk !== undefined) {
        involved.push(mk);
        marks.flags[mk] = (marks.flags[mk] as number) | (a.kind === "open-tail" ? 0 : IN_ANOMALY);
      }
    }
    if (involved.length === 0) return;
    let ov: Overlay | undefined;
    switch (a.kind) {
      case "collision": {
        let x0 = Infinity;
        let x1 = -Infinity;
        let row0 = Infinity;
        let row1 = -Infinity;
        for (const mk of involved) {
          x0 = Math.min(x0, xOf(mk));
          x1 = Math.max(x1, xOf(mk));
          row0 = Math.min(row0, rowOf(mk));
          row1 = Math.max(row1, rowOf(mk));
        }
        ov = { kind: "collision", anomaly: ai, seq: a.seq ?? 0, marks: involved, x0, x1, row0, row1 };
        break;
      }
      case "gap":
      case "missing-head": {
        const [lo, hi] = a.seqRange ?? [a.seq ?? 1, a.seq ?? 1];
        const before = involved.filter((mk) => (marks.seq[mk] as number) < lo);
        const after = involved.filter((mk) => (marks.seq[mk] as number) > hi);
        const anchor = before.at(-1) ?? after[0] ?? (involved[0] as number);
        let from: number;
        let to: number;
        if (order === "seq") {
          from = lo - 0.5;
          to = hi + 0.5;
        } else if (a.kind === "missing-head") {
          from = to = Math.min(...after.map(xOf), xOf(anchor));
        } else if (order === "ts" && a.window !== undefined) {
          from = a.window.fromMs;
          to = a.window.toMs;
        } else {
          from = before.length > 0 ? Math.max(...before.map(xOf)) : xOf(anchor);
          to = after.length > 0 ? Math.min(...after.map(xOf)) : from;
          if (from > to) [from, to] = [to, from];
        }
        const row = rowOf(anchor);
        ov = {
          kind: a.kind,
          anomaly: ai,
          row,
          from,
          to,
          align: a.kind === "missing-head" && order !== "seq" ? "end" : "center",
          label: lo === hi ? `seq ${lo} missing` : `seq ${lo}–${hi} missing`,
          x0: from,
          x1: to,
          row0: row,
          row1: row,
        };
        break;
      }
      case "duplicate": {
        const mk = involved[0] as number;
        marks.flags[mk] = (marks.flags[mk] as number) | DUPLICATED;
        ov = { kind: "duplicate", anomaly: ai, mark: mk, count: copies.get(mk) ?? 2, ...single(mk) };
        break;
      }
      case "out-of-order": {
        const mk = involved.at(-1) as number;
        const list = partitionBySeq(marks.partition[mk] as number);
        const s = marks.seq[mk] as number;
        // list is sorted by seq: the neighbours by seq are two binary searches away.
        const seqAt = (k: number) => marks.seq[list[k] as number] as number;
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (seqAt(mid) < s) lo = mid + 1;
          else hi = mid;
        }
        const prev = lo > 0 ? list[lo - 1] : undefined;
        let j = lo;
        hi = list.length;
        while (j < hi) {
          const mid = (j + hi) >>> 1;
          if (seqAt(mid) <= s) j = mid + 1;
          else hi = mid;
        }
        const next = list[j];
        const toX =
          prev !== undefined && next !== undefined
            ? (xOf(prev) + xOf(next)) / 2
            : next !== undefined
              ? xOf(next)
              : prev !== undefined
                ? xOf(prev)
                : xOf(mk);
        const toRow = next !== undefined ? rowOf(next) : prev !== undefined ? rowOf(prev) : rowOf(mk);
        ov = {
          kind: "out-of-order",
          anomaly: ai,
          mark: mk,
          toX,
          toRow,
          x0: Math.min(xOf(mk), toX),
          x1: Math.max(xOf(mk), toX),
          row0: Math.min(rowOf(mk), toRow),
          row1: Math.max(rowOf(mk), toRow),
        };
        break;
      }
      case "open-tail": {
        const mk = involved.at(-1) as number;
        ov = { kind: "open-tail", anomaly: ai, mark: mk, ...single(mk) };
        break;
      }
      case "chain-break": {
        const mk = involved.reduce((b, c) => ((marks.streamSeq[c] as number) > (marks.streamSeq[b] as number) ? c : b));
        ov = { kind: "chain-break", anomaly: ai, mark: mk, ...single(mk) };
        break;
      }
      case "bad-signature": {
        const mk = involved[0] as number;
        ov = { kind: "bad-signature", anomaly: ai, mark: mk, reason: a.message, ...single(mk) };
        break;
      }
      case "malformed": {
        const mk = involved[0] as number;
        ov = { kind: "malformed", anomaly: ai, mark: mk, reason: a.message, ...single(mk) };
        break;
      }
    }
    if (ov !== undefined) {
      overlayOfAnomaly[ai] = overlays.length;
      overlays.push(ov);
    }
  });

  const skews = findCausalitySkews(events);
  for (const s of skews) {
    const mk = markOf(s.effect);
    const cause = markOf(s.cause);
    if (mk === undefined || cause === undefined) continue;
    overlays.push({
      kind: "skew",
      anomaly: -1,
      mark: mk,
      cause,
      deltaMs: s.deltaMs,
      x0: Math.min(xOf(mk), xOf(cause)),
      x1: Math.max(xOf(mk), xOf(cause)),
      row0: Math.min(rowOf(mk), rowOf(cause)),
      row1: Math.max(rowOf(mk), rowOf(cause)),
    });
  }

  return {
    order,
    lanes,
    rows,
    totalHeight: top,
    marks,
    extent: extentOf(marks, overlays, order),
    partitions: analysis.partitions,
    overlays,
    overlayOfAnomaly,
    skews,
    markOfStreamSeq,
  };
}

function extentOf(marks: TimelineMarks, overlays: readonly Overlay[], order: OrderMode): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < marks.count; i++) {
    const x = marks.x[i] as number;
    const b = marks.barStart[i] as number;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    if (b < lo) lo = b;
  }
  for (const o of overlays) {
    if (o.x0 < lo) lo = o.x0;
    if (o.x1 > hi) hi = o.x1;
  }
  if (!Number.isFinite(lo)) return order === "ts" ? [0, 1000] : [0, 1];
  // A run of one instant still needs a visible axis; otherwise a little air at both ends.
  const minSpan = order === "ts" ? 1000 : 2;
  const span = Math.max(hi - lo, minSpan);
  const mid = (lo + hi) / 2;
  const pad = span * 0.03;
  return [Math.min(lo, mid - span / 2) - pad, Math.max(hi, mid + span / 2) + pad];
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
