// Seq anomalies under one partition key. A pure function of the set of
// messages: events are taken in stream-sequence order, never in the order they
// happened to be handed in, so chunking and delivery order cannot change it.
//
// The work happens on columns (typed arrays indexed by row, strings interned
// to ids, see columns.ts): partitions are found by remapping value ids, not by
// hashing strings per event, and events are grouped per partition with one
// counting sort. analyzeEvents() builds the columns from AuditEvent objects;
// the AuditLog hands over the ones it keeps anyway.

import {
  emptyCounts,
  type Analysis,
  type Anomaly,
  type AnomalyKind,
  type Duplicate,
  type PartitionSummary,
} from "./anomaly";
import type { ChainBreak } from "./chain";
import type { BadSignature } from "./signature";
import { activityAt, CLOSES_INVOCATION, CLOSES_RUN, eventFlags, type EventColumns, type KeyColumn } from "./columns";
import { fieldReader, type PartitionKey } from "./partition-key";
import { sortedIndices } from "./sorted-indices";
import { IntPairMap, StringTable } from "./string-table";
import type { AuditEvent, Malformed } from "./types";

export const DEFAULT_QUIET_PERIOD_MS = 5 * 60_000;

export interface AnalysisInput {
  /** Distinct events, ascending stream sequence. */
  events: readonly AuditEvent[];
  duplicates?: readonly Duplicate[];
  malformed?: readonly Malformed[];
  /** Key-independent; computed by findChainBreaks (expensive, so cached by the caller). */
  chainBreaks?: readonly ChainBreak[];
  /** Signed events whose signature does not hold (see signature.ts; verified by the caller). */
  badSignatures?: readonly BadSignature[];
}

/** What analyzeColumns needs besides the events. */
export interface AnalysisExtras {
  duplicates?: readonly Duplicate[];
  malformed?: readonly Pick<Malformed, "streamSeq" | "reason">[];
  chainBreaks?: readonly ChainBreak[];
  badSignatures?: readonly BadSignature[];
}

export interface AnalyzeOptions {
  /** "Now" for open tails; default: the newest activity among the events. */
  nowMs?: number;
  quietPeriodMs?: number;
}

/** When a message last showed life: server time when known (a file has none), else the producer's ts. */
export function activityMs(m: { receivedMs: number; tsMs?: number }): number {
  return m.receivedMs > 0 ? m.receivedMs : (m.tsMs ?? 0);
}

const KIND_RANK: Record<AnomalyKind, number> = {
  malformed: 0,
  duplicate: 1,
  "missing-head": 2,
  gap: 3,
  collision: 4,
  "out-of-order": 5,
  "chain-break": 6,
  "bad-signature": 7,
  "open-tail": 8,
};

function range(a: number, b: number): string {
  return a === b ? `seq ${a}` : `seq ${a}–${b}`;
}

/** Index of the event with stream sequence `s` in `events` (ascending), or -1. */
export function indexOfStreamSeq(events: readonly { streamSeq: number }[], s: number): number {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = (events[mid] as { streamSeq: number }).streamSeq;
    if (v === s) return mid;
    if (v < s) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Position of the row with stream sequence `s` in `rows` (ascending stream sequence), or -1. */
export function positionOfStreamSeq(streamSeq: Float64Array, rows: ArrayLike<number>, s: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = streamSeq[rows[mid] as number] as number;
    if (v === s) return mid;
    if (v < s) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Partitions found by one key: the partition index of every position in `rows` (noKey = `count`). */
interface Partitioning {
  count: number;
  partOf: Int32Array;
  ids: string[];
  /** Value id of every key field, `fields` per partition. */
  valueIds: number[];
}

/**
 * The id of the partition a key's field values name: the value itself for a
 * one-field key, else the values as a JSON array. The one encoding of a
 * partition's identity; everything else refers to partitions by index.
 */
export function partitionIdOf(values: readonly string[]): string {
  return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
}

/**
 * A dense id → slot map over a log-wide string table, reused across analyses
 * and reset after each: an analysis of one execution costs its rows, not the
 * size of the tables (every correlation id of the log).
 */
class Scratch {
  private a = new Int32Array(0);
  private readonly used: number[] = [];

  /** All -1, at least `size` long; record() each id set, then release(). */
  take(size: number): Int32Array {
    if (this.a.length < size) this.a = new Int32Array(Math.max(size, this.a.length * 2)).fill(-1);
    return this.a;
  }

  record(id: number): void {
    this.used.push(id);
  }

  release(): void {
    for (const id of this.used) this.a[id] = -1;
    this.used.length = 0;
  }
}

const partScratch = new Scratch();
const invScratch = new Scratch();
const runScratch = new Scratch();

function partitionRows(rows: ArrayLike<number>, keyCols: readonly KeyColumn[]): Partitioning {
  const n = rows.length;
  const k = keyCols.length;
  const partOf = new Int32Array(n);
  const ids: string[] = [];
  const valueIds: number[] = [];
  let count = 0;
  const first = keyCols[0];
  if (first === undefined) {
    partOf.fill(-1);
  } else if (k === 1) {
    // One field, the common case: the value id is the partition, through a dense remap.
    const col = first.ids;
    const remap = partScratch.take(first.values.length);
    for (let i = 0; i < n; i++) {
      const id = col[rows[i] as number] as number;
      if (id < 0) {
        partOf[i] = -1;
        continue;
      }
      let p = remap[id] as number;
      if (p < 0) {
        p = count++;
        remap[id] = p;
        partScratch.record(id);
        ids.push(partitionIdOf([first.values[id] as string]));
        valueIds.push(id);
      }
      partOf[i] = p;
    }
  } else {
    // Several fields: remap the first, then (prefix, next id) pairs, one level per field.
    const remap = partScratch.take(first.values.length);
    let level0 = 0;
    const maps: IntPairMap[] = [];
    const sizes: number[] = [];
    for (let f = 0; f < k; f++) {
      maps.push(new IntPairMap(f === 0 ? 0 : Math.min(n, 1 << 16)));
      sizes.push(0);
    }
    const last = k - 1;
    for (let i = 0; i < n; i++) {
      const row = rows[i] as number;
      const id0 = first.ids[row] as number;
      let p = -1;
      if (id0 >= 0) {
        let cur = remap[id0] as number;
        if (cur < 0) {
          cur = level0++;
          remap[id0] = cur;
          partScratch.record(id0);
        }
        for (let f = 1; f <= last; f++) {
          const col = keyCols[f] as KeyColumn;
          const id = col.ids[row] as number;
          if (id < 0) break;
          const map = maps[f] as IntPairMap;
          let next = map.get(cur, id);
          if (next < 0) {
            next = f === last ? count++ : (sizes[f] as number);
            if (f !== last) sizes[f] = next + 1;
            map.add(cur, id, next);
            if (f === last) {
              const values: string[] = [];
              for (const c of keyCols) {
                const v = c.ids[row] as number;
                valueIds.push(v);
                values.push(c.values[v] as string);
              }
              ids.push(partitionIdOf(values));
            }
          }
          if (f === last) p = next;
          else cur = next;
        }
      }
      partOf[i] = p;
    }
  }
  partScratch.release();
  for (let i = 0; i < n; i++) if ((partOf[i] as number) < 0) partOf[i] = count;
  return { count, partOf, ids, valueIds };
}

/**
 * ws[0..m) (rows in stream order) sorted by (seq, stream sequence): stream
 * order makes that a stable sort by seq, which sortedIndices does natively
 * (not a comparator call per comparison: 100 000 unsorted rows under a key
 * that mixes counters).
 */
function sortBySeq(ws: Int32Array, m: number, seq: Float64Array): void {
  const rows = ws.slice(0, m);
  const keys = new Float64Array(m);
  for (let t = 0; t < m; t++) keys[t] = seq[rows[t] as number] as number;
  const order = sortedIndices(keys);
  for (let t = 0; t < m; t++) ws[t] = rows[order[t] as number] as number;
}

function ascending(a: number, b: number): number {
  return a - b;
}

/**
 * Analyses the events at `rows` (ascending stream sequence) under `key`, one
 * KeyColumn per key field. Cost is O(n log n) in the events and independent of
 * how they arrived.
 */
export function analyzeColumns(
  cols: EventColumns,
  rows: ArrayLike<number>,
  keyCols: readonly KeyColumn[],
  key: PartitionKey,
  extras: AnalysisExtras = {},
  opts: AnalyzeOptions = {},
): Analysis {
  const { streamSeq, seq, tsMs } = cols;
  const n = rows.length;
  const parting = partitionRows(rows, keyCols);
  const { partOf } = parting;
  const noKey = parting.count;
  const P = noKey + 1;
  const partId = (p: number): string => (p === noKey ? "" : (parting.ids[p] as string));

  // Group rows by partition, keeping stream order inside each (counting sort).
  const start = new Int32Array(P + 1);
  for (let i = 0; i < n; i++) {
    const p = (partOf[i] as number) + 1;
    start[p] = (start[p] as number) + 1;
  }
  for (let p = 0; p < P; p++) start[p + 1] = (start[p + 1] as number) + (start[p] as number);
  const members = new Int32Array(n);
  const fill = start.slice(0, P);
  for (let i = 0; i < n; i++) {
    const p = partOf[i] as number;
    const at = fill[p] as number;
    members[at] = rows[i] as number;
    fill[p] = at + 1;
  }

  const withoutSeq = new Int32Array(P);
  const minSeq = new Float64Array(P).fill(Infinity);
  const maxSeqOf = new Float64Array(P).fill(-Infinity);
  const anomalyCount = new Int32Array(P);
  const anomalies: Anomaly[] = [];

  // ---- seq anomalies, per partition ----
  const ws = new Int32Array(n);
  /** Stream sequences of ws[from..to), ascending. */
  const streamSeqsOf = (from: number, to: number): number[] => {
    const out = new Array<number>(to - from);
    let sorted = true;
    for (let t = from; t < to; t++) {
      const v = streamSeq[ws[t] as number] as number;
      if (t > from && v < (out[t - from - 1] as number)) sorted = false;
      out[t - from] = v;
    }
    return sorted ? out : out.sort(ascending);
  };
  for (let p = 0; p < noKey; p++) {
    const pid = parting.ids[p] as string;
    let m = 0;
    let maxSeq = -Infinity;
    let maxStreamSeq = 0;
    let sorted = true;
    let without = 0;
    let found = 0;
    for (let j = start[p] as number, end = start[p + 1] as number; j < end; j++) {
      const row = members[j] as number;
      const s = seq[row] as number;
      if (s === 0) {
        without++;
        continue;
      }
      ws[m++] = row;
      if (s < maxSeq) {
        sorted = false;
        found++;
        anomalies.push({
          kind: "out-of-order",
          partition: pid,
          streamSeqs: [maxStreamSeq, streamSeq[row] as number],
          seq: s,
          message: `seq ${s} arrived after seq ${maxSeq}`,
        });
      } else if (s > maxSeq) {
        maxSeq = s;
        maxStreamSeq = streamSeq[row] as number;
      }
    }
    withoutSeq[p] = without;
    if (m === 0) {
      anomalyCount[p] = found;
      continue;
    }
    if (!sorted) sortBySeq(ws, m, seq);
    minSeq[p] = seq[ws[0] as number] as number;
    maxSeqOf[p] = maxSeq;

    let i = 0;
    let prevSeq = 0;
    let prevGroupStart = -1;
    while (i < m) {
      const sq = seq[ws[i] as number] as number;
      let j = i + 1;
      while (j < m && seq[ws[j] as number] === sq) j++;
      if (j - i > 1) {
        found++;
        anomalies.push({
          kind: "collision",
          partition: pid,
          streamSeqs: streamSeqsOf(i, j),
          seq: sq,
          message: `seq ${sq} used by ${j - i} different events`,
        });
      }
      if (prevGroupStart < 0) {
        if (sq > 1) {
          found++;
          anomalies.push({
            kind: "missing-head",
            partition: pid,
            streamSeqs: streamSeqsOf(i, j),
            seq: 1,
            seqRange: [1, sq - 1],
            message: `${range(1, sq - 1)} never seen (first seen: ${sq})`,
          });
        }
      } else if (sq > prevSeq + 1) {
        let fromMs = -Infinity;
        for (let t = prevGroupStart; t < i; t++) fromMs = Math.max(fromMs, tsMs[ws[t] as number] as number);
        let toMs = Infinity;
        for (let t = i; t < j; t++) toMs = Math.min(toMs, tsMs[ws[t] as number] as number);
        // Producers' clocks are allowed to disagree; a window is still a window.
        if (fromMs > toMs) [fromMs, toMs] = [toMs, fromMs];
        found++;
        anomalies.push({
          kind: "gap",
          partition: pid,
          streamSeqs: streamSeqsOf(prevGroupStart, j),
          seq: prevSeq + 1,
          seqRange: [prevSeq + 1, sq - 1],
          window: { fromMs, toMs },
          message: `${range(prevSeq + 1, sq - 1)} missing`,
        });
      }
      prevSeq = sq;
      prevGroupStart = i;
      i = j;
    }
    anomalyCount[p] = found;
  }
  let noKeyWithoutSeq = 0;
  for (let j = start[noKey] as number; j < n; j++) if (seq[members[j] as number] === 0) noKeyWithoutSeq++;
  withoutSeq[noKey] = noKeyWithoutSeq;
  const countAnomaly = (p: number) => {
    anomalyCount[p] = (anomalyCount[p] as number) + 1;
  };

  let nowMs = opts.nowMs;
  if (nowMs === undefined) {
    nowMs = -Infinity;
    for (let i = 0; i < n; i++) nowMs = Math.max(nowMs, activityAt(cols, rows[i] as number));
  }
  detectOpenTails(cols, rows, nowMs, opts.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS, (pos, message) => {
    const p = partOf[pos] as number;
    countAnomaly(p);
    anomalies.push({
      kind: "open-tail",
      partition: partId(p),
      streamSeqs: [streamSeq[rows[pos] as number] as number],
      message,
    });
  });

  const partOfStreamSeq = (s: number): number => {
    const pos = positionOfStreamSeq(streamSeq, rows, s);
    return pos < 0 ? noKey : (partOf[pos] as number);
  };
  for (const d of extras.duplicates ?? []) {
    const p = partOfStreamSeq(d.of);
    countAnomaly(p);
    anomalies.push({
      kind: "duplicate",
      partition: partId(p),
      streamSeqs: d.of === d.streamSeq ? [d.streamSeq] : [Math.min(d.of, d.streamSeq), Math.max(d.of, d.streamSeq)],
      message:
        d.of === d.streamSeq
          ? `stream seq ${d.streamSeq} delivered again (delivery ${d.deliveryCount})`
          : `stream seq ${d.streamSeq} repeats stream seq ${d.of} byte for byte`,
    });
  }
  for (const m of extras.malformed ?? []) {
    countAnomaly(noKey);
    anomalies.push({ kind: "malformed", partition: "", streamSeqs: [m.streamSeq], message: m.reason });
  }
  for (const b of extras.chainBreaks ?? []) {
    const p = partOfStreamSeq(b.at);
    countAnomaly(p);
    anomalies.push({ kind: "chain-break", partition: partId(p), streamSeqs: b.streamSeqs.slice(), message: b.message });
  }
  for (const b of extras.badSignatures ?? []) {
    const p = partOfStreamSeq(b.streamSeq);
    countAnomaly(p);
    anomalies.push({ kind: "bad-signature", partition: partId(p), streamSeqs: [b.streamSeq], message: b.message });
  }

  sortAnomalies(anomalies);
  const counts = emptyCounts();
  for (const a of anomalies) counts[a.kind]++;

  const fields = key.fields;
  const k = keyCols.length;
  const summary = (p: number): PartitionSummary => {
    const values: Record<string, string> = {};
    if (p !== noKey) {
      for (let f = 0; f < k; f++) {
        values[fields[f] as string] = (keyCols[f] as KeyColumn).values[parting.valueIds[p * k + f] as number] as string;
      }
    }
    const s: PartitionSummary = {
      id: partId(p),
      values,
      eventCount: (start[p + 1] as number) - (start[p] as number),
      withoutSeq: withoutSeq[p] as number,
      anomalyCount: anomalyCount[p] as number,
    };
    if (minSeq[p] !== Infinity) {
      s.minSeq = minSeq[p] as number;
      s.maxSeq = maxSeqOf[p] as number;
    }
    if (p === noKey) s.noKey = true;
    return s;
  };
  const partitions: PartitionSummary[] = new Array<PartitionSummary>(noKey);
  let totalWithoutSeq = 0;
  for (let p = 0; p < noKey; p++) {
    partitions[p] = summary(p);
    totalWithoutSeq += withoutSeq[p] as number;
  }
  const noKeyEvents = n - (start[noKey] as number);
  if (noKeyEvents > 0 || (anomalyCount[noKey] as number) > 0) {
    partitions.push(summary(noKey));
    totalWithoutSeq += withoutSeq[noKey] as number;
  }
  // The no-key bucket is listed whenever it holds an event, so every position has its summary.
  return {
    key,
    partitions,
    partitionOfRow: partOf,
    anomalies,
    counts,
    withoutSeq: totalWithoutSeq,
    noKey: noKeyEvents,
  };
}

/** By first stream sequence, then kind, second stream sequence, partition; stable otherwise. */
function sortAnomalies(anomalies: Anomaly[]): void {
  anomalies.sort(
    (a, b) =>
      (a.streamSeqs[0] ?? 0) - (b.streamSeqs[0] ?? 0) ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      (a.streamSeqs[1] ?? 0) - (b.streamSeqs[1] ?? 0) ||
      (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0),
  );
}

/**
 * Invocations (correlation_id) with no invocation_complete / session_end and
 * runs with no workflow_complete / workflow_cancelled, once overdue. Reports
 * the position (in `rows`) of each one's last event, invocations first, each
 * in order of first appearance.
 */
function detectOpenTails(
  cols: EventColumns,
  rows: ArrayLike<number>,
  nowMs: number,
  quietMs: number,
  report: (pos: number, message: string) => void,
): void {
  const invOf = invScratch.take(cols.corrNames.length);
  const runOf = runScratch.take(cols.execNames.length);
  try {
    openTails(cols, rows, nowMs, quietMs, report, invOf, runOf);
  } finally {
    invScratch.release();
    runScratch.release();
  }
}

function openTails(
  cols: EventColumns,
  rows: ArrayLike<number>,
  nowMs: number,
  quietMs: number,
  report: (pos: number, message: string) => void,
  invOf: Int32Array,
  runOf: Int32Array,
): void {
  const { corr, exec, flags } = cols;
  const invCorr: number[] = [];
  const invLast: number[] = [];
  const invAct: number[] = [];
  const invClosed: boolean[] = [];
  const invExec: number[] = [];
  const runExec: number[] = [];
  const runLast: number[] = [];
  const runAct: number[] = [];
  const runClosed: boolean[] = [];
  for (let pos = 0; pos < rows.length; pos++) {
    const row = rows[pos] as number;
    const act = activityAt(cols, row);
    const c = corr[row] as number;
    const x = exec[row] as number;
    const fl = flags[row] as number;
    if (c >= 0) {
      let t = invOf[c] as number;
      if (t < 0) {
        t = invCorr.length;
        invOf[c] = t;
        invScratch.record(c);
        invCorr.push(c);
        invLast.push(pos);
        invAct.push(act);
        invClosed.push((fl & CLOSES_INVOCATION) !== 0);
        invExec.push(-1);
      } else {
        invLast[t] = pos;
        if (act > (invAct[t] as number)) invAct[t] = act;
        if ((fl & CLOSES_INVOCATION) !== 0) invClosed[t] = true;
      }
      if (x >= 0 && invExec[t] === -1) invExec[t] = x;
    }
    if (x >= 0) {
      const r = runOf[x] as number;
      if (r < 0) {
        runOf[x] = runExec.length;
        runScratch.record(x);
        runExec.push(x);
        runLast.push(pos);
        runAct.push(act);
        runClosed.push((fl & CLOSES_RUN) !== 0);
      } else {
        runLast[r] = pos;
        if (act > (runAct[r] as number)) runAct[r] = act;
        if ((fl & CLOSES_RUN) !== 0) runClosed[r] = true;
      }
    }
  }
  for (let t = 0; t < invCorr.length; t++) {
    if (invClosed[t]) continue;
    const x = invExec[t] as number;
    const runEnded = x >= 0 && runClosed[runOf[x] as number] === true;
    if (!runEnded && nowMs - (invAct[t] as number) < quietMs) continue;
    const corrId = cols.corrNames[invCorr[t] as number] as string;
    report(
      invLast[t] as number,
      `invocation ${corrId} never closed (no invocation_complete or session_end${runEnded ? " before its run ended" : ""})`,
    );
  }
  for (let r = 0; r < runExec.length; r++) {
    if (runClosed[r] || nowMs - (runAct[r] as number) < quietMs) continue;
    const x = cols.execNames[runExec[r] as number] as string;
    report(runLast[r] as number, `run ${x} never closed (no workflow_complete or workflow_cancelled)`);
  }
}

/** Interns one string per event (undefined and "" become -1). */
function internColumn(n: number, read: (i: number) => string | undefined): KeyColumn {
  const table = new StringTable();
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    ids[i] = v === undefined || v === "" ? -1 : table.intern(v);
  }
  return { ids, values: table.values };
}

/** Analyses `input` under `key`. Cost is O(n log n) in the events and independent of how they arrived. */
export function analyzeEvents(input: AnalysisInput, key: PartitionKey, opts: AnalyzeOptions = {}): Analysis {
  const events = input.events;
  const n = events.length;
  const at = (i: number) => events[i] as AuditEvent;
  const streamSeq = new Float64Array(n);
  const seq = new Float64Array(n);
  const tsMs = new Float64Array(n);
  const receivedMs = new Float64Array(n);
  const flags = new Uint8Array(n);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = at(i);
    streamSeq[i] = e.streamSeq;
    seq[i] = e.seq ?? 0;
    tsMs[i] = e.tsMs;
    receivedMs[i] = e.receivedMs;
    flags[i] = eventFlags(e.event);
    rows[i] = i;
  }
  // Arrival order is stream order: callers may hand events in any order.
  rows.sort((a, b) => (streamSeq[a] as number) - (streamSeq[b] as number));
  const exec = internColumn(n, (i) => at(i).workflow_execution_id);
  const corr = internColumn(n, (i) => at(i).correlation_id);
  const cols: EventColumns = {
    streamSeq,
    seq,
    tsMs,
    receivedMs,
    flags,
    exec: exec.ids,
    execNames: exec.values,
    corr: corr.ids,
    corrNames: corr.values,
  };
  const keyCols = key.fields.map((f) => {
    const read = fieldReader(f);
    return internColumn(n, (i) => read(at(i)));
  });
  return analyzeColumns(cols, rows, keyCols, key, input, opts);
}
