// TEST ORACLE — not part of the engine, imported only by property tests.
//
// A deliberately plain reference of what the AuditLog must answer, written
// from CONTRACT.md and the rules documented in analyze.ts, ingest.ts and
// anomaly.ts: parsed records, arrays, Maps and sorting; no columns, no typed
// arrays, no incremental state. It is slow on purpose (every question starts
// from the raw messages again), so it is easy to believe. Differential tests
// (audit-log.property.test.ts) feed the same messages to it and to the log and
// compare what both can report identically: anomalies by kind, stream
// sequences, partition and seq data (never the wording), counts, partition
// summaries, execution summaries. Chains use findChainBreaks (chain.ts), the
// record-based reference the ledger is checked against.

import type { Analysis, AnomalyKind, PartitionSummary } from "./anomaly";
import { ANOMALY_KINDS } from "./anomaly";
import { findChainBreaks, type ChainBreak } from "./chain";
import { closesInvocation, closesRun, isStepFailure, statusSaysFailed, WORKFLOW_CANCELLED } from "./event-kinds";
import { parseMessage } from "./parse";
import { fieldReader, type PartitionKey } from "./partition-key";
import { sha256Hex } from "./sha256";
import type { AuditEvent, Malformed, ParsedMessage, ProducerRule, RawMessage } from "./types";

/** A duplicate as the oracle sees it: which message repeated which kept one. */
export interface OracleDuplicate {
  streamSeq: number;
  of: number;
  receivedMs: number;
}

/** The messages as a set: one record per distinct message, every extra copy a duplicate. */
export interface OracleSet {
  events: AuditEvent[];
  malformed: Malformed[];
  duplicates: OracleDuplicate[];
  /** Newest activity of any copy: the log's default "now". */
  newestMs: number;
  chainBreaks: ChainBreak[];
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

// Tests ask about the same lines again and again (a line's bytes never change), so
// the byte key and the hash of each are remembered.
const keys = new WeakMap<Uint8Array, string>();
const hashes = new WeakMap<Uint8Array, string>();

/** The bytes as a string (one char per byte), to find identical copies. */
function bytesKey(data: Uint8Array): string {
  let s = keys.get(data);
  if (s === undefined) {
    s = "";
    for (const b of data) s += String.fromCharCode(b);
    keys.set(data, s);
  }
  return s;
}

function hashOf(r: ParsedMessage): string {
  let h = hashes.get(r.raw);
  if (h === undefined) hashes.set(r.raw, (h = sha256Hex(r.raw)));
  return h;
}

/**
 * De-duplicates as ingest.ts documents: per stream sequence the copy with the
 * lowest delivery count is the message (the others are redeliveries); among
 * messages with identical bytes the lowest stream sequence is kept and the
 * others, with all their redeliveries, repeat it.
 */
export function oracleSet(msgs: readonly RawMessage[], rules?: readonly ProducerRule[]): OracleSet {
  const bySeq = new Map<number, RawMessage[]>();
  for (const m of msgs) push(bySeq, m.streamSeq, m);
  const firstOfBytes = new Map<string, number>();
  const keptMsgs: RawMessage[] = [];
  const duplicates: OracleDuplicate[] = [];
  for (const s of [...bySeq.keys()].sort((a, b) => a - b)) {
    const copies = (bySeq.get(s) as RawMessage[])
      .slice()
      .sort((a, b) => a.deliveryCount - b.deliveryCount || a.receivedMs - b.receivedMs);
    const first = copies[0] as RawMessage;
    const key = bytesKey(first.data);
    const kept = firstOfBytes.get(key);
    if (kept === undefined) {
      firstOfBytes.set(key, s);
      keptMsgs.push(first);
    } else {
      duplicates.push({ streamSeq: s, of: kept, receivedMs: first.receivedMs });
    }
    for (const c of copies.slice(1)) duplicates.push({ streamSeq: s, of: kept ?? s, receivedMs: c.receivedMs });
  }
  const records = keptMsgs.map((m) => parseMessage(m, rules));
  const events = records.filter((r): r is AuditEvent => r.kind === "event");
  const malformed = records.filter((r): r is Malformed => r.kind === "malformed");
  let newestMs = -Infinity;
  for (const e of events) newestMs = Math.max(newestMs, activity(e));
  for (const m of malformed) newestMs = Math.max(newestMs, m.receivedMs);
  for (const d of duplicates) newestMs = Math.max(newestMs, d.receivedMs);
  return { events, malformed, duplicates, newestMs, chainBreaks: findChainBreaks(records, hashOf) };
}

/** Server time when known, else the producer's ts. */
function activity(e: AuditEvent): number {
  return e.receivedMs > 0 ? e.receivedMs : e.tsMs;
}

function execOf(r: ParsedMessage): string | undefined {
  const x = r.workflow_execution_id;
  return x === undefined || x === "" ? undefined : x;
}

/** The part of the set one execution owns: its events, its malformed lines, the copies of either. */
function scoped(set: OracleSet, executionId: string | undefined) {
  if (executionId === undefined) return { events: set.events, malformed: set.malformed, duplicates: set.duplicates };
  const events = set.events.filter((e) => execOf(e) === executionId);
  const malformed = set.malformed.filter((m) => execOf(m) === executionId);
  const own = new Set([...events, ...malformed].map((r) => r.streamSeq));
  return { events, malformed, duplicates: set.duplicates.filter((d) => own.has(d.of)) };
}

/** One anomaly, as both sides can state it. */
export interface OracleAnomaly {
  kind: AnomalyKind;
  partition: string;
  streamSeqs: number[];
  seq?: number;
  seqRange?: [number, number];
  window?: { fromMs: number; toMs: number };
}

export interface OracleFindings {
  anomalies: OracleAnomaly[];
  counts: Record<AnomalyKind, number>;
  /** Sorted by id. */
  partitions: PartitionSummary[];
  withoutSeq: number;
  noKey: number;
}

export interface OracleOptions {
  executionId?: string;
  nowMs?: number;
  quietPeriodMs: number;
  chains?: boolean;
}

const byNumber = (a: number, b: number) => a - b;

/** The analysis of `set` (or one execution of it) under `key`. */
export function oracleAnalyze(set: OracleSet, key: PartitionKey, opts: OracleOptions): OracleFindings {
  const { events, malformed, duplicates } = scoped(set, opts.executionId);
  const readers = key.fields.map(fieldReader);
  const partitionOf = (e: AuditEvent): string => {
    const values = readers.map((read) => read(e));
    if (values.some((v) => v === undefined)) return "";
    return values.length === 1 ? (values[0] as string) : JSON.stringify(values);
  };
  const partOfSeq = new Map(events.map((e) => [e.streamSeq, partitionOf(e)]));
  const members = new Map<string, AuditEvent[]>();
  for (const e of events) push(members, partitionOf(e), e);
  const out: OracleAnomaly[] = [];

  for (const [p, list] of members) {
    if (p === "") continue; // no key: no counter to check
    // Out of order: a seq below the highest seen earlier in the stream.
    let max = -Infinity;
    let maxAt = 0;
    for (const e of list) {
      if (e.seq === undefined) continue;
      if (e.seq < max) out.push({ kind: "out-of-order", partition: p, streamSeqs: [maxAt, e.streamSeq], seq: e.seq });
      if (e.seq > max) [max, maxAt] = [e.seq, e.streamSeq];
    }
    const seqs = [...new Set(list.flatMap((e) => (e.seq === undefined ? [] : [e.seq])))].sort(byNumber);
    const withSeq = (s: number) => list.filter((e) => e.seq === s);
    const streamSeqs = (es: AuditEvent[]) => es.map((e) => e.streamSeq).sort(byNumber);
    seqs.forEach((s, i) => {
      const group = withSeq(s);
      if (group.length > 1) out.push({ kind: "collision", partition: p, streamSeqs: streamSeqs(group), seq: s });
      if (i === 0 && s > 1) {
        out.push({ kind: "missing-head", partition: p, streamSeqs: streamSeqs(group), seq: 1, seqRange: [1, s - 1] });
      }
      const prev = seqs[i - 1];
      if (prev !== undefined && s > prev + 1) {
        const before = withSeq(prev);
        const from = Math.max(...before.map((e) => e.tsMs));
        const to = Math.min(...group.map((e) => e.tsMs));
        out.push({
          kind: "gap",
          partition: p,
          streamSeqs: streamSeqs([...before, ...group]),
          seq: prev + 1,
          seqRange: [prev + 1, s - 1],
          window: { fromMs: Math.min(from, to), toMs: Math.max(from, to) },
        });
      }
    });
  }

  // Open tails: an invocation never closed (overdue, or its run ended), a run never closed (overdue).
  const now = opts.nowMs ?? set.newestMs;
  const quiet = opts.quietPeriodMs;
  const byCorr = new Map<string, AuditEvent[]>();
  const byRun = new Map<string, AuditEvent[]>();
  for (const e of events) {
    if (e.correlation_id !== undefined && e.correlation_id !== "") push(byCorr, e.correlation_id, e);
    const x = execOf(e);
    if (x !== undefined) push(byRun, x, e);
  }
  const runClosed = (x: string) => (byRun.get(x) ?? []).some((e) => closesRun(e.event));
  const lastActivity = (es: AuditEvent[]) => Math.max(...es.map(activity));
  const openTail = (es: AuditEvent[]) => {
    const last = es[es.length - 1] as AuditEvent;
    out.push({ kind: "open-tail", partition: partitionOf(last), streamSeqs: [last.streamSeq] });
  };
  for (const es of byCorr.values()) {
    if (es.some((e) => closesInvocation(e.event))) continue;
    const run = es.map(execOf).find((x) => x !== undefined);
    const runEnded = run !== undefined && runClosed(run);
    if (runEnded || now - lastActivity(es) >= quiet) openTail(es);
  }
  for (const [x, es] of byRun) if (!runClosed(x) && now - lastActivity(es) >= quiet) openTail(es);

  // Copies belong where the kept message is; malformed lines belong to no partition.
  for (const d of duplicates) {
    const seqs = d.of === d.streamSeq ? [d.streamSeq] : [d.of, d.streamSeq].sort(byNumber);
    out.push({ kind: "duplicate", partition: partOfSeq.get(d.of) ?? "", streamSeqs: seqs });
  }
  for (const m of malformed) out.push({ kind: "malformed", partition: "", streamSeqs: [m.streamSeq] });
  if (opts.chains !== false) {
    for (const b of set.chainBreaks) {
      const p = partOfSeq.get(b.at);
      if (p !== undefined) out.push({ kind: "chain-break", partition: p, streamSeqs: b.streamSeqs.slice() });
    }
  }

  const counts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  for (const a of out) counts[a.kind]++;
  const partitions: PartitionSummary[] = [];
  for (const [p, list] of members) {
    const seqs = list.flatMap((e) => (e.seq === undefined ? [] : [e.seq]));
    const values: Record<string, string> = {};
    if (p !== "") key.fields.forEach((f, i) => (values[f] = readers[i]?.(list[0] as AuditEvent) as string));
    const s: PartitionSummary = {
      id: p,
      values,
      eventCount: list.length,
      withoutSeq: list.length - seqs.length,
      anomalyCount: out.filter((a) => a.partition === p).length,
    };
    // The no-key bucket shares no counter, so it has no seq range either.
    if (p === "") s.noKey = true;
    else if (seqs.length > 0) [s.minSeq, s.maxSeq] = [Math.min(...seqs), Math.max(...seqs)];
    partitions.push(s);
  }
  const noKeyAnomalies = out.filter((a) => a.partition === "").length;
  if (!members.has("") && noKeyAnomalies > 0) {
    partitions.push({ id: "", values: {}, eventCount: 0, withoutSeq: 0, anomalyCount: noKeyAnomalies, noKey: true });
  }
  return {
    anomalies: sortFindings(out),
    counts,
    partitions: partitions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    withoutSeq: events.filter((e) => e.seq === undefined).length,
    noKey: members.get("")?.length ?? 0,
  };
}

function sortFindings(anomalies: OracleAnomaly[]): OracleAnomaly[] {
  const tagged = anomalies.map((a) => [JSON.stringify(a), a] as const);
  return tagged.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, a]) => a);
}

/** The engine's Analysis in the oracle's terms: the same fields, the same order, no wording. */
export function findingsOf(a: Analysis): OracleFindings {
  const anomalies = a.anomalies.map((x) => {
    const o: OracleAnomaly = { kind: x.kind, partition: x.partition, streamSeqs: x.streamSeqs.slice() };
    if (x.seq !== undefined) o.seq = x.seq;
    if (x.seqRange !== undefined) o.seqRange = [x.seqRange[0], x.seqRange[1]];
    if (x.window !== undefined) o.window = { fromMs: x.window.fromMs, toMs: x.window.toMs };
    return o;
  });
  return {
    anomalies: sortFindings(anomalies),
    counts: { ...a.counts },
    partitions: a.partitions.slice().sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
    withoutSeq: a.withoutSeq,
    noKey: a.noKey,
  };
}

/** What the execution list must say about one execution, evicted or not. */
export interface OracleExecution {
  id: string;
  eventCount: number;
  malformedCount: number;
  duplicateCount: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  firstTsMs: number;
  lastTsMs: number;
  status: "running" | "complete" | "failed" | "cancelled" | "stalled";
}

/** Every execution named by an event or a readable malformed line, by id. */
export function oracleExecutions(set: OracleSet, nowMs: number, quietPeriodMs: number): OracleExecution[] {
  const ids = new Set([...set.events, ...set.malformed].flatMap((r) => execOf(r) ?? []));
  return [...ids].sort().map((id) => {
    const { events, malformed, duplicates } = scoped(set, id);
    const seqs = [...events, ...malformed, ...duplicates].map((r) => r.streamSeq);
    const acts = [
      ...events.map(activity),
      ...malformed.map((m) => m.receivedMs),
      ...duplicates.map((d) => d.receivedMs),
    ];
    const last = Math.max(...acts);
    const ts = events.map((e) => e.tsMs);
    const closing = events.filter((e) => closesRun(e.event));
    let status: OracleExecution["status"];
    if (closing.some((e) => e.event === WORKFLOW_CANCELLED)) status = "cancelled";
    else if (closing.length > 0) {
      const failed =
        events.some((e) => isStepFailure(e.event)) || closing.some((e) => statusSaysFailed(e.fields?.status));
      status = failed ? "failed" : "complete";
    } else status = nowMs - last >= quietPeriodMs ? "stalled" : "running";
    return {
      id,
      eventCount: events.length,
      malformedCount: malformed.length,
      duplicateCount: duplicates.length,
      firstStreamSeq: Math.min(...seqs),
      lastStreamSeq: Math.max(...seqs),
      firstTsMs: ts.length > 0 ? Math.min(...ts) : last,
      lastTsMs: ts.length > 0 ? Math.max(...ts) : last,
      status,
    };
  });
}
