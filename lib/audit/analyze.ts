// Seq anomalies under one partition key. A pure function of the set of
// messages: events are taken in stream-sequence order, never in the order they
// happened to be handed in, so chunking and delivery order cannot change it.

import {
  emptyCounts,
  type Analysis,
  type Anomaly,
  type AnomalyKind,
  type Duplicate,
  type PartitionSummary,
} from "./anomaly";
import type { ChainBreak } from "./chain";
import { fieldReader, type PartitionKey } from "./partition-key";
import type { AuditEvent, Malformed } from "./types";

export const DEFAULT_QUIET_PERIOD_MS = 5 * 60_000;

const INVOCATION_CLOSERS = new Set(["invocation_complete", "session_end"]);
const RUN_CLOSERS = new Set(["workflow_complete", "workflow_cancelled"]);

export interface AnalysisInput {
  /** Distinct events, ascending stream sequence. */
  events: readonly AuditEvent[];
  duplicates?: readonly Duplicate[];
  malformed?: readonly Malformed[];
  /** Key-independent; computed by findChainBreaks (expensive, so cached by the caller). */
  chainBreaks?: readonly ChainBreak[];
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

interface Part {
  id: string;
  values: readonly string[];
  events: AuditEvent[];
  withoutSeq: number;
  minSeq: number;
  maxSeq: number;
  anomalyCount: number;
}

const KIND_RANK: Record<AnomalyKind, number> = {
  malformed: 0,
  duplicate: 1,
  "missing-head": 2,
  gap: 3,
  collision: 4,
  "out-of-order": 5,
  "chain-break": 6,
  "open-tail": 7,
};

function range(a: number, b: number): string {
  return a === b ? `seq ${a}` : `seq ${a}–${b}`;
}

function newPart(id: string, values: readonly string[]): Part {
  return { id, values, events: [], withoutSeq: 0, minSeq: Infinity, maxSeq: -Infinity, anomalyCount: 0 };
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

/** Assigns every event to a partition (or to `noKey`). Returns the part of each event, by index. */
function partition(events: readonly AuditEvent[], key: PartitionKey, noKey: Part): { parts: Part[]; partOf: Part[] } {
  const readers = key.fields.map(fieldReader);
  const parts: Part[] = [];
  const partOf: Part[] = new Array<Part>(events.length);
  const single = readers.length === 1 ? readers[0] : undefined;
  if (readers.length === 0) {
    for (let i = 0; i < events.length; i++) partOf[i] = noKey;
  } else if (single !== undefined) {
    // One field, the common case: a flat map, no value array per event.
    const byValue = new Map<string, Part>();
    for (let i = 0; i < events.length; i++) {
      const v = single(events[i] as AuditEvent);
      if (v === undefined) {
        partOf[i] = noKey;
        continue;
      }
      let p = byValue.get(v);
      if (p === undefined) {
        p = newPart(v, [v]);
        byValue.set(v, p);
        parts.push(p);
      }
      partOf[i] = p;
    }
  } else {
    // Nested maps, one level per field, so no composite string is built per event.
    const root = new Map<string, unknown>();
    const vals: string[] = new Array<string>(readers.length);
    const last = readers.length - 1;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i] as AuditEvent;
      let level = root;
      let p: Part | undefined;
      let missing = false;
      for (let f = 0; f <= last; f++) {
        const v = (readers[f] as (e: AuditEvent) => string | undefined)(ev);
        if (v === undefined) {
          missing = true;
          break;
        }
        vals[f] = v;
        if (f === last) {
          p = level.get(v) as Part | undefined;
          if (p === undefined) {
            const values = vals.slice();
            p = newPart(JSON.stringify(values), values);
            level.set(v, p);
            parts.push(p);
          }
        } else {
          let next = level.get(v) as Map<string, unknown> | undefined;
          if (next === undefined) {
            next = new Map();
            level.set(v, next);
          }
          level = next;
        }
      }
      partOf[i] = missing || p === undefined ? noKey : p;
    }
  }
  for (let i = 0; i < events.length; i++) (partOf[i] as Part).events.push(events[i] as AuditEvent);
  return { parts, partOf };
}

function bySeq(a: AuditEvent, b: AuditEvent): number {
  return (a.seq as number) - (b.seq as number) || a.streamSeq - b.streamSeq;
}

function detectSeqAnomalies(p: Part, out: Anomaly[]): void {
  const withSeq: AuditEvent[] = [];
  let maxSeq = -Infinity;
  let maxStreamSeq = 0;
  let sorted = true;
  for (const e of p.events) {
    const s = e.seq;
    if (s === undefined) {
      p.withoutSeq++;
      continue;
    }
    withSeq.push(e);
    if (s < maxSeq) {
      sorted = false;
      out.push({
        kind: "out-of-order",
        partition: p.id,
        streamSeqs: [maxStreamSeq, e.streamSeq],
        seq: s,
        message: `seq ${s} arrived after seq ${maxSeq}`,
      });
    } else if (s > maxSeq) {
      maxSeq = s;
      maxStreamSeq = e.streamSeq;
    }
  }
  if (withSeq.length === 0) return;
  if (!sorted) withSeq.sort(bySeq);
  const first = withSeq[0] as AuditEvent;
  const minSeq = first.seq as number;
  p.minSeq = minSeq;
  p.maxSeq = maxSeq;

  let i = 0;
  let prevSeq = 0;
  let prevGroupStart = -1;
  while (i < withSeq.length) {
    const seq = (withSeq[i] as AuditEvent).seq as number;
    let j = i + 1;
    while (j < withSeq.length && (withSeq[j] as AuditEvent).seq === seq) j++;
    const group = withSeq.slice(i, j);
    if (group.length > 1) {
      out.push({
        kind: "collision",
        partition: p.id,
        streamSeqs: group.map((e) => e.streamSeq).sort((a, b) => a - b),
        seq,
        message: `seq ${seq} used by ${group.length} different events`,
      });
    }
    if (prevGroupStart < 0) {
      if (seq > 1) {
        out.push({
          kind: "missing-head",
          partition: p.id,
          streamSeqs: group.map((e) => e.streamSeq).sort((a, b) => a - b),
          seq: 1,
          seqRange: [1, seq - 1],
          message: `${range(1, seq - 1)} never seen (first seen: ${seq})`,
        });
      }
    } else if (seq > prevSeq + 1) {
      const before = withSeq.slice(prevGroupStart, i);
      let fromMs = -Infinity;
      for (const e of before) fromMs = Math.max(fromMs, e.tsMs);
      let toMs = Infinity;
      for (const e of group) toMs = Math.min(toMs, e.tsMs);
      // Producers' clocks are allowed to disagree; a window is still a window.
      if (fromMs > toMs) [fromMs, toMs] = [toMs, fromMs];
      out.push({
        kind: "gap",
        partition: p.id,
        streamSeqs: [...before, ...group].map((e) => e.streamSeq).sort((a, b) => a - b),
        seq: prevSeq + 1,
        seqRange: [prevSeq + 1, seq - 1],
        window: { fromMs, toMs },
        message: `${range(prevSeq + 1, seq - 1)} missing`,
      });
    }
    prevSeq = seq;
    prevGroupStart = i;
    i = j;
  }
}

interface Tail {
  lastIdx: number;
  lastActivityMs: number;
  closed: boolean;
  executionId?: string;
}

function detectOpenTails(
  events: readonly AuditEvent[],
  partOf: readonly Part[],
  nowMs: number,
  quietMs: number,
  out: Anomaly[],
): void {
  const invocations = new Map<string, Tail>();
  const runs = new Map<string, Tail>();
  const touch = (map: Map<string, Tail>, id: string, i: number, closes: boolean, act: number): Tail => {
    let t = map.get(id);
    if (t === undefined) {
      t = { lastIdx: i, lastActivityMs: act, closed: closes };
      map.set(id, t);
    } else {
      t.lastIdx = i;
      if (act > t.lastActivityMs) t.lastActivityMs = act;
      if (closes) t.closed = true;
    }
    return t;
  };
  for (let i = 0; i < events.length; i++) {
    const ev = events[i] as AuditEvent;
    const act = activityMs(ev);
    const corr = ev.correlation_id;
    const x = ev.workflow_execution_id;
    if (corr !== undefined && corr !== "") {
      const t = touch(invocations, corr, i, INVOCATION_CLOSERS.has(ev.event), act);
      if (t.executionId === undefined && x !== undefined && x !== "") t.executionId = x;
    }
    if (x !== undefined && x !== "") touch(runs, x, i, RUN_CLOSERS.has(ev.event), act);
  }
  const partId = (i: number) => (partOf[i] as Part).id;
  const streamSeqAt = (i: number) => (events[i] as AuditEvent).streamSeq;
  for (const [corr, t] of invocations) {
    if (t.closed) continue;
    const runEnded = t.executionId !== undefined && runs.get(t.executionId)?.closed === true;
    if (!runEnded && nowMs - t.lastActivityMs < quietMs) continue;
    out.push({
      kind: "open-tail",
      partition: partId(t.lastIdx),
      streamSeqs: [streamSeqAt(t.lastIdx)],
      message: `invocation ${corr} never closed (no invocation_complete or session_end${runEnded ? " before its run ended" : ""})`,
    });
  }
  for (const [x, t] of runs) {
    if (t.closed || nowMs - t.lastActivityMs < quietMs) continue;
    out.push({
      kind: "open-tail",
      partition: partId(t.lastIdx),
      streamSeqs: [streamSeqAt(t.lastIdx)],
      message: `run ${x} never closed (no workflow_complete or workflow_cancelled)`,
    });
  }
}

/** Analyses `input` under `key`. Cost is O(n log n) in the events and independent of how they arrived. */
export function analyzeEvents(input: AnalysisInput, key: PartitionKey, opts: AnalyzeOptions = {}): Analysis {
  const { events } = input;
  const noKey = newPart("", []);
  const { parts, partOf } = partition(events, key, noKey);
  const anomalies: Anomaly[] = [];
  for (const p of parts) detectSeqAnomalies(p, anomalies);
  for (const e of noKey.events) if (e.seq === undefined) noKey.withoutSeq++;

  let nowMs = opts.nowMs;
  if (nowMs === undefined) {
    nowMs = -Infinity;
    for (const e of events) nowMs = Math.max(nowMs, activityMs(e));
  }
  detectOpenTails(events, partOf, nowMs, opts.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS, anomalies);

  const partitionOfStreamSeq = (s: number): string => {
    const i = indexOfStreamSeq(events, s);
    return i < 0 ? "" : (partOf[i] as Part).id;
  };
  for (const d of input.duplicates ?? []) {
    anomalies.push({
      kind: "duplicate",
      partition: partitionOfStreamSeq(d.of),
      streamSeqs: d.of === d.streamSeq ? [d.streamSeq] : [Math.min(d.of, d.streamSeq), Math.max(d.of, d.streamSeq)],
      message:
        d.of === d.streamSeq
          ? `stream seq ${d.streamSeq} delivered again (delivery ${d.deliveryCount})`
          : `stream seq ${d.streamSeq} repeats stream seq ${d.of} byte for byte`,
    });
  }
  for (const m of input.malformed ?? []) {
    anomalies.push({ kind: "malformed", partition: "", streamSeqs: [m.streamSeq], message: m.reason });
  }
  for (const b of input.chainBreaks ?? []) {
    anomalies.push({
      kind: "chain-break",
      partition: partitionOfStreamSeq(b.at),
      streamSeqs: b.streamSeqs.slice(),
      message: b.message,
    });
  }

  anomalies.sort(
    (a, b) =>
      (a.streamSeqs[0] ?? 0) - (b.streamSeqs[0] ?? 0) ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      (a.streamSeqs[1] ?? 0) - (b.streamSeqs[1] ?? 0) ||
      (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0),
  );

  const counts = emptyCounts();
  const partById = new Map<string, Part>();
  for (const p of parts) partById.set(p.id, p);
  partById.set("", noKey);
  for (const a of anomalies) {
    counts[a.kind]++;
    const p = partById.get(a.partition);
    if (p !== undefined) p.anomalyCount++;
  }

  const summary = (p: Part, isNoKey: boolean): PartitionSummary => {
    const values: Record<string, string> = {};
    key.fields.forEach((f, i) => {
      const v = p.values[i];
      if (v !== undefined) values[f] = v;
    });
    const s: PartitionSummary = {
      id: p.id,
      values,
      eventCount: p.events.length,
      withoutSeq: p.withoutSeq,
      anomalyCount: p.anomalyCount,
    };
    if (p.minSeq !== Infinity) {
      s.minSeq = p.minSeq;
      s.maxSeq = p.maxSeq;
    }
    if (isNoKey) s.noKey = true;
    return s;
  };
  const partitions = parts.map((p) => summary(p, false));
  if (noKey.events.length > 0 || noKey.anomalyCount > 0) partitions.push(summary(noKey, true));
  let withoutSeq = 0;
  for (const p of partitions) withoutSeq += p.withoutSeq;
  return { key, partitions, anomalies, counts, withoutSeq, noKey: noKey.events.length };
}
