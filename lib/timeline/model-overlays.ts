// Where each of the engine's anomalies (and the view's own causality skews)
// is drawn: steps of the timeline model, pure functions of the laid-out
// marks and what they draw. The engine decides what is an anomaly; this only
// places it.

import type { Analysis, Anomaly } from "../audit";
import type { CausalitySkew } from "./causality";
import { sortedIndices } from "../audit/sorted-indices";
import {
  DUPLICATED,
  IN_ANOMALY,
  type MarkIndex,
  type OrderMode,
  type Overlay,
  type TimelineMarks,
  type TimelineRow,
} from "./model-types";

export interface AnomalyOverlays {
  overlays: Overlay[];
  /** analysis.anomalies[i] → its index in `overlays`, or -1. */
  overlayOfAnomaly: Int32Array;
  /** The marks' flags with those of the anomalies they are in (IN_ANOMALY, DUPLICATED). */
  flags: Uint8Array;
}

/**
 * Per partition, on first use: its distinct seqs ascending, and for each the
 * mark furthest left and furthest right (ties: lowest and highest mark) — all
 * an out-of-order arrow needs to find the neighbours of its seq. Grouping is a
 * counting sort by partition and, where seqs are dense (the usual case), by
 * seq; no sort of every mark by x.
 */
function bySeqWithin(marks: TimelineMarks): (p: number) => SeqList {
  let start: Int32Array | undefined;
  let items: Int32Array | undefined;
  const lists = new Map<number, SeqList>();
  return (p) => {
    let list = lists.get(p);
    if (list !== undefined) return list;
    if (start === undefined || items === undefined) {
      let max = -1;
      for (let i = 0; i < marks.count; i++) max = Math.max(max, marks.partition[i] as number);
      start = new Int32Array(max + 2);
      for (let i = 0; i < marks.count; i++) {
        const q = marks.partition[i] as number;
        if (q >= 0 && (marks.seq[i] as number) > 0) start[q + 1] = (start[q + 1] as number) + 1;
      }
      for (let q = 0; q <= max; q++) start[q + 1] = (start[q + 1] as number) + (start[q] as number);
      items = new Int32Array(start[max + 1] as number);
      const fill = start.slice(0, max + 1);
      for (let i = 0; i < marks.count; i++) {
        const q = marks.partition[i] as number;
        if (q >= 0 && (marks.seq[i] as number) > 0) items[(fill[q] = (fill[q] as number) + 1) - 1] = i;
      }
    }
    const group = p >= 0 && p + 1 < start.length ? items.subarray(start[p], start[p + 1]) : new Int32Array(0);
    list = seqList(marks, group);
    lists.set(p, list);
    return list;
  };
}

/** The SeqList of a group of marks (each with a seq), in mark order. */
function seqList(marks: TimelineMarks, group: Int32Array): SeqList {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < group.length; k++) {
    const s = marks.seq[group[k] as number] as number;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  // Slot of each mark's seq: seq − lo when the seqs are dense enough for a table, else by a Map.
  const dense = group.length > 0 && hi - lo <= 4 * group.length + 64;
  const slotOf = new Int32Array(group.length);
  let slotSeqs: Float64Array;
  if (dense) {
    slotSeqs = new Float64Array(hi - lo + 1).fill(NaN);
    for (let k = 0; k < group.length; k++) {
      const s = marks.seq[group[k] as number] as number;
      slotOf[k] = s - lo;
      slotSeqs[s - lo] = s;
    }
  } else {
    const slots = new Map<number, number>();
    const seen: number[] = [];
    for (let k = 0; k < group.length; k++) {
      const s = marks.seq[group[k] as number] as number;
      let at = slots.get(s);
      if (at === undefined) slots.set(s, (at = seen.push(s) - 1));
      slotOf[k] = at;
    }
    slotSeqs = Float64Array.from(seen);
  }
  const n = slotSeqs.length;
  const left = new Int32Array(n).fill(-1);
  const right = new Int32Array(n).fill(-1);
  for (let k = 0; k < group.length; k++) {
    const mk = group[k] as number;
    const at = slotOf[k] as number;
    const x = marks.x[mk] as number;
    const l = left[at] as number;
    if (l < 0 || x < (marks.x[l] as number)) left[at] = mk;
    const r = right[at] as number;
    if (r < 0 || x >= (marks.x[r] as number)) right[at] = mk;
  }
  // Distinct seqs ascending: a dense table is in order already (empty slots dropped); a Map's are sorted.
  const order = dense ? undefined : sortedIndices(slotSeqs);
  let d = 0;
  const seqs = new Float64Array(n);
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const at = order === undefined ? k : (order[k] as number);
    if (left[at] === -1) continue;
    seqs[d] = slotSeqs[at] as number;
    first[d] = left[at] as number;
    last[d] = right[at] as number;
    d++;
  }
  return { seqs: seqs.subarray(0, d), first: first.subarray(0, d), last: last.subarray(0, d), around: new Map() };
}

/** A partition's distinct seqs ascending, and of the marks with each seq the first and last in (x, mark) order. */
interface SeqList {
  seqs: Float64Array;
  first: Int32Array;
  last: Int32Array;
  /** seq → its neighbours, once asked: under a key that mixes counters, thousands of events share a seq. */
  around: Map<number, [number, number]>;
}

/** The marks just below and just above seq `s` in a partition, -1 for none: two binary searches. */
function seqNeighbours(list: SeqList, s: number): [number, number] {
  let found = list.around.get(s);
  if (found === undefined) list.around.set(s, (found = searchNeighbours(list, s)));
  return found;
}

function searchNeighbours({ seqs, first, last }: SeqList, s: number): [number, number] {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((seqs[mid] as number) < s) lo = mid + 1;
    else hi = mid;
  }
  const prev = lo > 0 ? (last[lo - 1] as number) : -1;
  const j = lo < seqs.length && seqs[lo] === s ? lo + 1 : lo;
  return [prev, j < seqs.length ? (first[j] as number) : -1];
}

export function anomalyOverlays(
  marks: TimelineMarks,
  index: MarkIndex,
  rows: readonly TimelineRow[],
  analysis: Analysis,
  order: OrderMode,
): AnomalyOverlays {
  const { anomalies } = analysis;
  const flags = marks.flags.slice();
  const overlays: Overlay[] = [];
  const overlayOfAnomaly = new Int32Array(anomalies.length).fill(-1);
  const mx = marks.x;
  const mrow = marks.row;
  const copies = new Map<number, number>();
  for (const a of anomalies) {
    if (a.kind !== "duplicate") continue;
    const s = a.streamSeqs[0];
    const mk = s === undefined ? undefined : index.get(s);
    if (mk !== undefined) copies.set(mk, (copies.get(mk) ?? 1) + 1);
  }
  const partitionBySeq = bySeqWithin(marks);
  // The marks of the anomaly at hand, in its streamSeqs order: a key that mixes counters makes 90 000
  // anomalies, so this loop is kept to typed arrays and one object per overlay.
  let involved = new Int32Array(16);

  for (let ai = 0; ai < anomalies.length; ai++) {
    const a = anomalies[ai] as Anomaly;
    const ss = a.streamSeqs;
    if (ss.length > involved.length) involved = new Int32Array(ss.length * 2);
    const flag = a.kind === "open-tail" ? 0 : IN_ANOMALY;
    let n = 0;
    for (let k = 0; k < ss.length; k++) {
      const mk = index.get(ss[k] as number);
      if (mk === undefined) continue;
      involved[n++] = mk;
      flags[mk] = (flags[mk] as number) | flag;
    }
    if (n === 0) continue;
    const first = involved[0] as number;
    const last = involved[n - 1] as number;
    let ov: Overlay;
    switch (a.kind) {
      case "out-of-order": {
        const list = partitionBySeq(marks.partition[last] as number);
        const [prev, next] = seqNeighbours(list, marks.seq[last] as number);
        const x = mx[last] as number;
        const toX =
          prev >= 0 && next >= 0
            ? ((mx[prev] as number) + (mx[next] as number)) / 2
            : next >= 0
              ? (mx[next] as number)
              : prev >= 0
                ? (mx[prev] as number)
                : x;
        const row = mrow[last] as number;
        const toRow = next >= 0 ? (mrow[next] as number) : prev >= 0 ? (mrow[prev] as number) : row;
        ov = {
          kind: "out-of-order",
          anomaly: ai,
          mark: last,
          toX,
          toRow,
          x0: Math.min(x, toX),
          x1: Math.max(x, toX),
          row0: Math.min(row, toRow),
          row1: Math.max(row, toRow),
        };
        break;
      }
      case "collision": {
        let x0 = Infinity;
        let x1 = -Infinity;
        for (let k = 0; k < n; k++) {
          const x = mx[involved[k] as number] as number;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
        }
        // Mark order is row order, then x: the path a connector takes through them.
        const ms = Array.from(involved.slice(0, n).sort());
        const producers = [...new Set(ms.map((mk) => rows[mrow[mk] as number]?.producer?.id ?? "@malformed"))].sort();
        const row0 = mrow[ms[0] as number] as number;
        const row1 = mrow[ms[ms.length - 1] as number] as number;
        ov = { kind: "collision", anomaly: ai, seq: a.seq ?? 0, marks: ms, producers, x0, x1, row0, row1 };
        break;
      }
      case "gap":
      case "missing-head":
        ov = gapOverlay(a, ai, marks, involved, n, order);
        break;
      case "duplicate":
        flags[first] = (flags[first] as number) | DUPLICATED;
        ov = { kind: "duplicate", anomaly: ai, mark: first, count: copies.get(first) ?? 2, ...at(marks, first) };
        break;
      case "open-tail":
        ov = { kind: "open-tail", anomaly: ai, mark: last, ...at(marks, last) };
        break;
      case "chain-break": {
        let mk = first;
        for (let k = 1; k < n; k++) {
          const c = involved[k] as number;
          if ((marks.streamSeq[c] as number) > (marks.streamSeq[mk] as number)) mk = c;
        }
        ov = { kind: "chain-break", anomaly: ai, mark: mk, ...at(marks, mk) };
        break;
      }
      case "bad-signature":
      case "malformed":
        ov = { kind: a.kind, anomaly: ai, mark: first, reason: a.message, ...at(marks, first) };
        break;
    }
    overlayOfAnomaly[ai] = overlays.length;
    overlays.push(ov);
  }
  return { overlays, overlayOfAnomaly, flags };
}

/** The extent of one mark. */
function at(marks: TimelineMarks, mk: number): { x0: number; x1: number; row0: number; row1: number } {
  const x = marks.x[mk] as number;
  const row = marks.row[mk] as number;
  return { x0: x, x1: x, row0: row, row1: row };
}

/** The placeholder of missing seqs, between the involved events below the range and those above it. */
function gapOverlay(
  a: Anomaly,
  ai: number,
  marks: TimelineMarks,
  involved: Int32Array,
  n: number,
  order: OrderMode,
): Overlay {
  const kind = a.kind as "gap" | "missing-head";
  const [lo, hi] = a.seqRange ?? [a.seq ?? 1, a.seq ?? 1];
  // The involved events with a seq below the missing range, and above it; x extremes of each.
  let anchor = -1;
  let firstAfter = -1;
  let maxBefore = -Infinity;
  let minAfter = Infinity;
  for (let k = 0; k < n; k++) {
    const mk = involved[k] as number;
    const sq = marks.seq[mk] as number;
    const x = marks.x[mk] as number;
    if (sq < lo) {
      anchor = mk;
      maxBefore = Math.max(maxBefore, x);
    } else if (sq > hi) {
      if (firstAfter < 0) firstAfter = mk;
      minAfter = Math.min(minAfter, x);
    }
  }
  const hasBefore = anchor >= 0;
  if (anchor < 0) anchor = firstAfter >= 0 ? firstAfter : (involved[0] as number);
  const anchorX = marks.x[anchor] as number;
  let from: number;
  let to: number;
  if (order === "seq") {
    from = lo - 0.5;
    to = hi + 0.5;
  } else if (kind === "missing-head") {
    from = to = Math.min(minAfter, anchorX);
  } else if (order === "ts" && a.window !== undefined) {
    from = a.window.fromMs;
    to = a.window.toMs;
  } else {
    from = hasBefore ? maxBefore : anchorX;
    to = firstAfter >= 0 ? minAfter : from;
    if (from > to) [from, to] = [to, from];
  }
  const row = marks.row[anchor] as number;
  return {
    kind,
    anomaly: ai,
    row,
    from,
    to,
    align: kind === "missing-head" && order !== "seq" ? "end" : "center",
    label: lo === hi ? `seq ${lo} missing` : `seq ${lo}–${hi} missing`,
    x0: from,
    x1: to,
    row0: row,
    row1: row,
  };
}

/** Connectors from each skewed invocation to the step start that caused it. */
export function skewOverlays(skews: readonly CausalitySkew[], index: MarkIndex, marks: TimelineMarks): Overlay[] {
  const out: Overlay[] = [];
  const xOf = (mk: number) => marks.x[mk] as number;
  const rowOf = (mk: number) => marks.row[mk] as number;
  for (const s of skews) {
    const mk = index.get(s.effect);
    const cause = index.get(s.cause);
    if (mk === undefined || cause === undefined) continue;
    out.push({
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
  return out;
}

/** Anomaly overlays first (overlayOfAnomaly indexes them), then skews. */
export function allOverlays(anomalies: readonly Overlay[], skews: readonly Overlay[]): Overlay[] {
  return skews.length === 0 ? (anomalies as Overlay[]) : [...anomalies, ...skews];
}

/** [min, max] x of every mark, its duration bar included; [Infinity, -Infinity] for none. */
export function marksExtent(marks: TimelineMarks): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < marks.count; i++) {
    const x = marks.x[i] as number;
    const b = marks.barStart[i] as number;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    if (b < lo) lo = b;
  }
  return [lo, hi];
}

/** The domain of "fit to run": marks and overlays, padded; never narrower than a second (or two units). */
export function timelineExtent(
  marks: readonly [number, number],
  overlays: readonly Overlay[],
  order: OrderMode,
): [number, number] {
  let [lo, hi] = marks;
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
