// The in-memory store the app feeds, live or by replay. Everything it reports
// is a function of the *set* of messages it was given: records are kept in
// stream-sequence order, and when copies of one message disagree on which is
// "first", the lowest stream sequence (then the lowest delivery count) wins,
// so chunking and arrival order cannot change a result.

import { activityMs, analyzeEvents, DEFAULT_QUIET_PERIOD_MS, indexOfStreamSeq } from "./analyze";
import type { Analysis, Duplicate } from "./anomaly";
import { findChainBreaks, type ChainBreak } from "./chain";
import { fingerprint, FingerprintIndex, sameBytes, StreamSeqSet } from "./dedupe";
import { parseMessage } from "./parse";
import type { PartitionKey } from "./partition-key";
import { DEFAULT_PRODUCER_RULES } from "./producer";
import { sha256Hex } from "./sha256";
import type { AuditEvent, Malformed, ParsedMessage, ProducerIdentity, ProducerRule, RawMessage } from "./types";

export type ExecutionStatus = "running" | "complete" | "failed" | "cancelled" | "stalled";

export interface ExecutionSummary {
  id: string;
  workflowId?: string;
  /** Orchestrator first, then by first event (ts, then stream sequence). */
  producers: ProducerIdentity[];
  /** Distinct events. */
  eventCount: number;
  malformedCount: number;
  duplicateCount: number;
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  status: ExecutionStatus;
}

export interface AuditLogOptions {
  producerRules?: readonly ProducerRule[];
  /** Silence after which a run counts as stalled and open tails are reported. Default 5 min. */
  quietPeriodMs?: number;
}

export interface LogAnalyzeOptions {
  executionId?: string;
  /** Default: the newest activity in the whole log, so a replayed file is judged at its own end. */
  nowMs?: number;
  /** Verify prev_hash chains (SHA-256 of every line once, then cached). Default true. */
  chains?: boolean;
}

interface ProducerSeen {
  identity: ProducerIdentity;
  /** Emits workflow_* events: the orchestrator even when an explicit producer/source named it. */
  leads: boolean;
  firstTsMs: number;
  firstStreamSeq: number;
}

interface ExecState {
  id: string;
  workflowId?: string;
  events: AuditEvent[];
  malformed: Malformed[];
  duplicates: Duplicate[];
  producers: Map<string, ProducerSeen>;
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  lastActivityMs: number;
  completed: boolean;
  cancelled: boolean;
  stepFailed: boolean;
  failedOutcome: boolean;
}

/** Inserts keeping ascending streamSeq; appending is the common case. */
function insertSorted<T extends { streamSeq: number }>(arr: T[], rec: T): void {
  const n = arr.length;
  if (n === 0 || (arr[n - 1] as T).streamSeq < rec.streamSeq) {
    arr.push(rec);
    return;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as T).streamSeq < rec.streamSeq) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, rec);
}

function removeSorted<T extends { streamSeq: number }>(arr: T[], streamSeq: number): void {
  const i = indexOfStreamSeq(arr, streamSeq);
  if (i >= 0) arr.splice(i, 1);
}

export class AuditLog {
  private readonly rules: readonly ProducerRule[];
  private readonly quietPeriodMs: number;
  private readonly all: AuditEvent[] = [];
  private readonly bad: Malformed[] = [];
  private readonly dups: Duplicate[] = [];
  /** Stream sequence of a byte-identical copy → the kept one. */
  private readonly copyOf = new Map<number, number>();
  private readonly seen = new StreamSeqSet();
  private readonly fingerprints = new FingerprintIndex((s) => this.recordAt(s)?.raw);
  private readonly execs = new Map<string, ExecState>();
  private newestMs = -Infinity;
  private hasChains = false;
  private readonly hashes = new Map<number, string>();
  private _version = 0;
  private cacheVersion = -1;
  private readonly cache = new Map<string, unknown>();

  constructor(opts: AuditLogOptions = {}) {
    this.rules = opts.producerRules ?? DEFAULT_PRODUCER_RULES;
    this.quietPeriodMs = opts.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS;
  }

  /** Increments whenever add() changed anything; the UI re-renders on it. */
  get version(): number {
    return this._version;
  }

  /** Distinct events + malformed messages. */
  get size(): number {
    return this.all.length + this.bad.length;
  }

  add(msgs: Iterable<RawMessage>): void {
    let changed = false;
    for (const msg of msgs) {
      this.ingest(msg);
      changed = true; // every message is either new or a duplicate worth counting
    }
    if (changed) this._version++;
  }

  executions(opts: { nowMs?: number } = {}): ExecutionSummary[] {
    return this.memo(`executions\0${opts.nowMs ?? ""}`, () => {
      const out: ExecutionSummary[] = [];
      for (const st of this.execs.values()) out.push(this.summarize(st, opts.nowMs));
      return out.sort((a, b) => b.firstTsMs - a.firstTsMs || b.firstStreamSeq - a.firstStreamSeq);
    });
  }

  execution(id: string, opts: { nowMs?: number } = {}): ExecutionSummary | undefined {
    const st = this.execs.get(id);
    return st === undefined ? undefined : this.summarize(st, opts.nowMs);
  }

  /** Distinct events in stream-sequence order; a snapshot, stable until the next add(). */
  events(executionId?: string): readonly AuditEvent[] {
    if (executionId === undefined) return this.memo("events", () => Object.freeze(this.all.slice()));
    return this.memo(`events\0${executionId}`, () =>
      Object.freeze((this.execs.get(executionId)?.events ?? []).slice()),
    );
  }

  malformed(executionId?: string): readonly Malformed[] {
    if (executionId === undefined) return this.memo("malformed", () => Object.freeze(this.bad.slice()));
    return this.memo(`malformed\0${executionId}`, () =>
      Object.freeze((this.execs.get(executionId)?.malformed ?? []).slice()),
    );
  }

  /** Every extra copy received, ordered by stream sequence. */
  duplicates(executionId?: string): readonly Duplicate[] {
    return this.memo(`duplicates\0${executionId ?? ""}`, () => {
      const src = executionId === undefined ? this.dups : (this.execs.get(executionId)?.duplicates ?? []);
      return Object.freeze(
        src
          .map((d) => ({ ...d }))
          .sort((a, b) => a.streamSeq - b.streamSeq || a.of - b.of || a.deliveryCount - b.deliveryCount),
      );
    });
  }

  /** The message (event or malformed) kept under a stream sequence. */
  recordAt(streamSeq: number): ParsedMessage | undefined {
    const i = indexOfStreamSeq(this.all, streamSeq);
    if (i >= 0) return this.all[i];
    const j = indexOfStreamSeq(this.bad, streamSeq);
    return j >= 0 ? this.bad[j] : undefined;
  }

  /** Chain breaks over the whole log. Each line is hashed once, ever; later calls only look hashes up. */
  chainBreaks(): readonly ChainBreak[] {
    if (!this.hasChains) return [];
    return this.memo("chains", () => {
      const records: ParsedMessage[] = [...this.all, ...this.bad].sort((a, b) => a.streamSeq - b.streamSeq);
      return findChainBreaks(records, (m) => {
        let h = this.hashes.get(m.streamSeq);
        if (h === undefined) {
          h = sha256Hex(m.raw);
          this.hashes.set(m.streamSeq, h);
        }
        return h;
      });
    });
  }

  /** Memoised per (key, version, execution, now). */
  analyze(key: PartitionKey, opts: LogAnalyzeOptions = {}): Analysis {
    const id = `analysis\0${key.id}\0${key.fields.join("\u0001")}\0${opts.executionId ?? ""}\0${opts.nowMs ?? ""}\0${opts.chains !== false}`;
    return this.memo(id, () => {
      const x = opts.executionId;
      const st = x === undefined ? undefined : this.execs.get(x);
      const events = x === undefined ? this.all : (st?.events ?? []);
      let chainBreaks = opts.chains === false ? [] : this.chainBreaks();
      if (x !== undefined) chainBreaks = chainBreaks.filter((b) => indexOfStreamSeq(events, b.at) >= 0);
      return analyzeEvents(
        {
          events,
          duplicates: x === undefined ? this.dups : (st?.duplicates ?? []),
          malformed: x === undefined ? this.bad : (st?.malformed ?? []),
          chainBreaks,
        },
        key,
        { nowMs: opts.nowMs ?? this.nowMs(), quietPeriodMs: this.quietPeriodMs },
      );
    });
  }

  private nowMs(): number {
    return this.newestMs === -Infinity ? 0 : this.newestMs;
  }

  private memo<T>(id: string, make: () => T): T {
    if (this.cacheVersion !== this._version) {
      this.cache.clear();
      this.cacheVersion = this._version;
    }
    if (this.cache.has(id)) return this.cache.get(id) as T;
    const v = make();
    this.cache.set(id, v);
    return v;
  }

  private ingest(msg: RawMessage): void {
    const s = msg.streamSeq;
    if (this.seen.has(s)) {
      this.redelivered(msg);
      return;
    }
    this.seen.add(s);
    const rec = parseMessage(msg, this.rules);
    const fp = fingerprint(rec);
    const kept = this.fingerprints.find(fp, msg.data);
    if (kept !== undefined) {
      this.identicalCopy(rec, fp, kept);
      return;
    }
    this.fingerprints.add(fp, s);
    this.insert(rec);
  }

  private redelivered(msg: RawMessage): void {
    const s = msg.streamSeq;
    const kept = this.copyOf.get(s);
    if (kept !== undefined) {
      this.addDuplicate({ streamSeq: s, of: kept, deliveryCount: msg.deliveryCount, receivedMs: msg.receivedMs });
      return;
    }
    const rec = this.recordAt(s);
    if (rec !== undefined && msg.deliveryCount < rec.deliveryCount && sameBytes(rec.raw, msg.data)) {
      // Keep the earliest delivery, whatever order the copies came in.
      this.remove(rec);
      this.insert(parseMessage(msg, this.rules));
      this.addDuplicate({ streamSeq: s, of: s, deliveryCount: rec.deliveryCount, receivedMs: rec.receivedMs });
      return;
    }
    this.addDuplicate({ streamSeq: s, of: s, deliveryCount: msg.deliveryCount, receivedMs: msg.receivedMs });
  }

  private identicalCopy(rec: ParsedMessage, fp: number, kept: number): void {
    const s = rec.streamSeq;
    if (s > kept) {
      this.copyOf.set(s, kept);
      this.addDuplicate({ streamSeq: s, of: kept, deliveryCount: rec.deliveryCount, receivedMs: rec.receivedMs });
      return;
    }
    // The earlier copy arrived late: it becomes the kept one.
    const old = this.recordAt(kept) as ParsedMessage;
    this.remove(old);
    this.insert(rec);
    this.fingerprints.replace(fp, kept, s);
    for (const d of this.dups) if (d.of === kept) d.of = s;
    for (const [k, v] of this.copyOf) if (v === kept) this.copyOf.set(k, s);
    this.copyOf.set(kept, s);
    this.addDuplicate({ streamSeq: kept, of: s, deliveryCount: old.deliveryCount, receivedMs: old.receivedMs });
  }

  private exec(id: string): ExecState {
    let st = this.execs.get(id);
    if (st === undefined) {
      st = {
        id,
        events: [],
        malformed: [],
        duplicates: [],
        producers: new Map(),
        firstTsMs: Infinity,
        lastTsMs: -Infinity,
        firstStreamSeq: Infinity,
        lastStreamSeq: -Infinity,
        lastActivityMs: -Infinity,
        completed: false,
        cancelled: false,
        stepFailed: false,
        failedOutcome: false,
      };
      this.execs.set(id, st);
    }
    return st;
  }

  private touch(st: ExecState | undefined, streamSeq: number, act: number): void {
    if (act > this.newestMs) this.newestMs = act;
    if (st === undefined) return;
    if (streamSeq < st.firstStreamSeq) st.firstStreamSeq = streamSeq;
    if (streamSeq > st.lastStreamSeq) st.lastStreamSeq = streamSeq;
    if (act > st.lastActivityMs) st.lastActivityMs = act;
  }

  private insert(rec: ParsedMessage): void {
    const x = rec.workflow_execution_id;
    const st = x === undefined || x === "" ? undefined : this.exec(x);
    if (rec.kind === "malformed") {
      insertSorted(this.bad, rec);
      if (st !== undefined) insertSorted(st.malformed, rec);
      this.touch(st, rec.streamSeq, rec.receivedMs);
      return;
    }
    insertSorted(this.all, rec);
    if (rec.prev_hash !== undefined) this.hasChains = true;
    this.touch(st, rec.streamSeq, activityMs(rec));
    if (st === undefined) return;
    insertSorted(st.events, rec);
    if (st.workflowId === undefined && rec.workflow_id !== undefined) st.workflowId = rec.workflow_id;
    if (rec.tsMs < st.firstTsMs) st.firstTsMs = rec.tsMs;
    if (rec.tsMs > st.lastTsMs) st.lastTsMs = rec.tsMs;
    const p = st.producers.get(rec.identity.id);
    if (p === undefined) {
      st.producers.set(rec.identity.id, {
        identity: rec.identity,
        leads: rec.identity.orchestrator || rec.event.startsWith("workflow_"),
        firstTsMs: rec.tsMs,
        firstStreamSeq: rec.streamSeq,
      });
    } else {
      if (rec.event.startsWith("workflow_")) p.leads = true;
      if (rec.tsMs < p.firstTsMs) p.firstTsMs = rec.tsMs;
      if (rec.streamSeq < p.firstStreamSeq) p.firstStreamSeq = rec.streamSeq;
    }
    switch (rec.event) {
      case "workflow_complete": {
        st.completed = true;
        // Assumed: a run that ends badly says so in fields.status.
        const status = rec.fields?.status;
        if (status === "failed" || status === "error") st.failedOutcome = true;
        break;
      }
      case "workflow_cancelled":
        st.cancelled = true;
        break;
      case "workflow_step_failed":
        st.stepFailed = true;
        break;
    }
  }

  /** Removes a kept record that an identical, earlier copy replaces; its counters stay valid (same content). */
  private remove(rec: ParsedMessage): void {
    const x = rec.workflow_execution_id;
    const st = x === undefined ? undefined : this.execs.get(x);
    if (rec.kind === "malformed") {
      removeSorted(this.bad, rec.streamSeq);
      if (st !== undefined) removeSorted(st.malformed, rec.streamSeq);
    } else {
      removeSorted(this.all, rec.streamSeq);
      if (st !== undefined) removeSorted(st.events, rec.streamSeq);
    }
  }

  private addDuplicate(d: Duplicate): void {
    this.dups.push(d);
    const x = this.recordAt(d.of)?.workflow_execution_id;
    const st = x === undefined || x === "" ? undefined : this.execs.get(x);
    if (st !== undefined) st.duplicates.push(d);
    this.touch(st, d.streamSeq, d.receivedMs);
  }

  private summarize(st: ExecState, nowMs?: number): ExecutionSummary {
    const producers = [...st.producers.values()]
      .sort(
        (a, b) => Number(b.leads) - Number(a.leads) || a.firstTsMs - b.firstTsMs || a.firstStreamSeq - b.firstStreamSeq,
      )
      .map((p) => p.identity);
    const now = nowMs ?? this.nowMs();
    let status: ExecutionStatus;
    if (st.cancelled) status = "cancelled";
    else if (st.completed) status = st.stepFailed || st.failedOutcome ? "failed" : "complete";
    else if (now - st.lastActivityMs >= this.quietPeriodMs) status = "stalled";
    else status = "running";
    const noEvents = st.events.length === 0;
    const s: ExecutionSummary = {
      id: st.id,
      producers,
      eventCount: st.events.length,
      malformedCount: st.malformed.length,
      duplicateCount: st.duplicates.length,
      // An execution known only from malformed lines has no producer time; use arrival.
      firstTsMs: noEvents ? st.lastActivityMs : st.firstTsMs,
      lastTsMs: noEvents ? st.lastActivityMs : st.lastTsMs,
      firstStreamSeq: st.firstStreamSeq,
      lastStreamSeq: st.lastStreamSeq,
      status,
    };
    if (st.workflowId !== undefined) s.workflowId = st.workflowId;
    return s;
  }
}
