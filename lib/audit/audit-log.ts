// The in-memory store the app feeds, live or by replay. Everything it reports
// is a function of the *set* of messages it was given: records are kept in
// stream-sequence order, and when copies of one message disagree on which is
// "first", the lowest stream sequence (then the lowest delivery count) wins,
// so chunking and arrival order cannot change a result.
//
// Design: a column store, because a million long-lived parsed objects cost
// more in GC promotion than parsing them did. add() decodes, JSON.parses and
// checks every message exactly as parseMessage() would (scan.ts; anything it
// rejects goes through parseMessage() for the exact reason), then keeps only
//   - the raw bytes, which hash chains and the detail view need anyway: a
//     large read buffer that is mostly payload is kept as it is, anything else
//     is copied into arena chunks; rows hold (chunk, offset, length), so no
//     object per message (RowStore), and
//   - typed-array columns per row: stream seq, ts, received, delivery count,
//     seq, flags, and interned ids (StringTable) for the fields the built-in
//     partition keys, open tails and lanes read (workflow_execution_id,
//     correlation_id, task_id, entity_type, entity_id, producer, identity).
// The parsed object is dropped while still young. AuditEvent objects are made
// again from the bytes only when asked for: events(executionId) parses that
// execution's rows once and keeps the objects (for a bounded number of events
// across recently viewed executions), so a live view re-parses only new rows.
// A custom partition key over another field extracts that field once per row
// the first time it is needed, then keeps it as a column. analyze() and
// chainBreaks() run on the columns (analyze.ts, chain.ts); SHA-256 digests are
// kept as columns too, so each line is hashed once, ever.

import { analyzeColumns, DEFAULT_QUIET_PERIOD_MS, positionOfStreamSeq } from "./analyze";
import type { Analysis, Duplicate } from "./anomaly";
import { findChainBreaksInColumns, type ChainBreak } from "./chain";
import {
  activityAt,
  eventFlags,
  HAS_PREV_HASH,
  HASHED,
  MALFORMED,
  PREV_HASH_HEX,
  WORKFLOW_EVENT,
  type KeyColumn,
} from "./columns";
import { fingerprint, FingerprintIndex, StreamSeqSet } from "./dedupe";
import { parseMessage } from "./parse";
import { fieldReader, IDENTITY_FIELD, type PartitionKey } from "./partition-key";
import { DEFAULT_PRODUCER_RULES, resolveProducer } from "./producer";
import { RowStore } from "./row-store";
import { newScanned, scanEvent, scanParsed } from "./scan";
import { sha256Digest } from "./sha256";
import { KeyRing, signatureProblem, type BadSignature, type Jwks } from "./signature";
import {
  packLists,
  SNAPSHOT_FORMAT,
  unpackList,
  type AuditLogSnapshot,
  type ExecutionSnapshot,
  type MalformedSnapshot,
} from "./snapshot";
import { Hint, StringTable } from "./string-table";
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
  /** Ed25519 public keys: signed events (kid/sigp/sig) are verified against them. None: nothing is checked. */
  jwks?: Jwks;
}

export interface LogAnalyzeOptions {
  executionId?: string;
  /** Default: the newest activity in the whole log, so a replayed file is judged at its own end. */
  nowMs?: number;
  /** Verify prev_hash chains (SHA-256 of every line once, then cached). Default true. */
  chains?: boolean;
  /**
   * Verify signatures (needs a JWKS; ~0.1–0.5 ms per signed event, once per row, then cached).
   * Default: true for one execution, false for the whole log.
   */
  signatures?: boolean;
}

/** Materialised events kept across versions, at most this many in all (the most recently viewed executions). */
const MAX_CACHED_EVENTS = 250_000;

interface ProducerSeen {
  identity: ProducerIdentity;
  /** Emits workflow_* events: the orchestrator even when an explicit producer/source named it. */
  leads: boolean;
  firstTsMs: number;
  firstStreamSeq: number;
}

/** Last-seen ids of one context (a run, or events outside any run): events come in streaks. */
class Hints {
  readonly corr = new Hint();
  readonly task = new Hint();
  readonly entityType = new Hint();
  readonly entityId = new Hint();
  readonly producer = new Hint();
  readonly source = new Hint();
  /** The identity of the last (producer, source, entity type, entity id, workflow event) id tuple. */
  idProducer = -2;
  idSource = -2;
  idEntityType = -2;
  idEntityId = -2;
  idWorkflow = -2;
  idIx = -1;
}

interface ExecState {
  id: string;
  /** Id in the store's execution table. */
  ix: number;
  workflowId?: string;
  /** Rows, ascending stream sequence. */
  events: number[];
  malformed: number[];
  duplicates: Duplicate[];
  producers: Map<number, ProducerSeen>;
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  lastActivityMs: number;
  completed: boolean;
  cancelled: boolean;
  stepFailed: boolean;
  failedOutcome: boolean;
  hints: Hints;
  /** Materialised events by row, while this execution is among the recently viewed. */
  cache?: Map<number, AuditEvent>;
}

interface LazyColumn {
  ids: Int32Array;
  table: StringTable;
  read: (e: AuditEvent) => string | undefined;
}

/** -2 in a lazy column: not extracted yet. */
const PENDING = -2;

const decoder = new TextDecoder("utf-8", { fatal: true });

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v !== "";
}

export class AuditLog {
  private readonly rules: readonly ProducerRule[];
  private readonly quietPeriodMs: number;
  private readonly store = new RowStore((row) => this.moved(row));
  /** Rows of distinct events / malformed messages, ascending stream sequence. */
  private readonly all: number[] = [];
  private readonly bad: number[] = [];
  private readonly badRecords = new Map<number, Malformed>();
  private readonly dups: Duplicate[] = [];
  /** Stream sequence of a byte-identical copy → the kept one. */
  private readonly copyOf = new Map<number, number>();
  private readonly seen = new StreamSeqSet();
  private readonly fingerprints = new FingerprintIndex((row, data) => this.store.sameBytes(row, data));
  private readonly execByName = new Map<string, ExecState>();
  /** By the store's execution id. */
  private readonly execList: ExecState[] = [];
  private readonly outside = new Hints();
  private readonly identities: ProducerIdentity[] = [];
  private readonly identityNames: string[] = [];
  private readonly identityIx = new Map<string, number>();
  private readonly subjectHint = new Hint();
  /** Interned `source` values: only the identity cache compares them, no column keeps them. */
  private readonly sources = new StringTable();
  private readonly lazy = new Map<string, LazyColumn>();
  /** Executions holding materialised events, least recently viewed first. */
  private readonly cached: ExecState[] = [];
  private readonly scanned = newScanned();
  private newestMs = -Infinity;
  private hasChains = false;
  private readonly keyRing: KeyRing | undefined;
  /** Signature verdict by row, once verified: what is wrong, or null (unsigned or valid). Bytes never change. */
  private readonly sigVerdicts = new Map<number, string | null>();
  private _version = 0;
  private cacheVersion = -1;
  private readonly cache = new Map<string, unknown>();
  /** Set by fromSnapshot(): rebuilds what only add() reads, on the first add(). */
  private restoreIndexes: (() => void) | undefined;

  constructor(opts: AuditLogOptions = {}) {
    this.rules = opts.producerRules ?? DEFAULT_PRODUCER_RULES;
    this.quietPeriodMs = opts.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS;
    this.keyRing = opts.jwks === undefined ? undefined : new KeyRing(opts.jwks);
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
    if (this.restoreIndexes !== undefined) {
      const rebuild = this.restoreIndexes;
      this.restoreIndexes = undefined;
      rebuild();
    }
    let changed = false;
    for (const msg of msgs) {
      this.ingest(msg);
      changed = true; // every message is either new or a duplicate worth counting
    }
    this.store.endBatch();
    if (changed) this._version++;
  }

  executions(opts: { nowMs?: number } = {}): ExecutionSummary[] {
    return this.memo(`executions\0${opts.nowMs ?? ""}`, () => {
      const out: ExecutionSummary[] = [];
      for (const st of this.execList) out.push(this.summarize(st, opts.nowMs));
      return out.sort((a, b) => b.firstTsMs - a.firstTsMs || b.firstStreamSeq - a.firstStreamSeq);
    });
  }

  execution(id: string, opts: { nowMs?: number } = {}): ExecutionSummary | undefined {
    const st = this.execByName.get(id);
    return st === undefined ? undefined : this.summarize(st, opts.nowMs);
  }

  /**
   * Distinct events in stream-sequence order; a snapshot, stable until the next
   * add(). Made from the kept bytes on demand: cheap per execution (and kept
   * for the executions viewed last), costly for the whole log.
   */
  events(executionId?: string): readonly AuditEvent[] {
    if (executionId === undefined) {
      return this.memo("events", () => Object.freeze(this.all.map((row) => this.eventAt(row))));
    }
    return this.memo(`events\0${executionId}`, () => {
      const st = this.execByName.get(executionId);
      if (st === undefined) return Object.freeze([]);
      const cache = this.cacheOf(st);
      return Object.freeze(
        st.events.map((row) => {
          let e = cache.get(row);
          if (e === undefined) {
            e = this.materialize(row);
            cache.set(row, e);
          }
          return e;
        }),
      );
    });
  }

  malformed(executionId?: string): readonly Malformed[] {
    if (executionId === undefined) return this.memo("malformed", () => Object.freeze(this.malformedAt(this.bad)));
    return this.memo(`malformed\0${executionId}`, () =>
      Object.freeze(this.malformedAt(this.execByName.get(executionId)?.malformed ?? [])),
    );
  }

  /** Every extra copy received, ordered by stream sequence. */
  duplicates(executionId?: string): readonly Duplicate[] {
    return this.memo(`duplicates\0${executionId ?? ""}`, () => {
      const src = executionId === undefined ? this.dups : (this.execByName.get(executionId)?.duplicates ?? []);
      return Object.freeze(
        src
          .map((d) => ({ ...d }))
          .sort((a, b) => a.streamSeq - b.streamSeq || a.of - b.of || a.deliveryCount - b.deliveryCount),
      );
    });
  }

  /** The message (event or malformed) kept under a stream sequence. */
  recordAt(streamSeq: number): ParsedMessage | undefined {
    const row = this.rowAt(streamSeq);
    if (row < 0) return undefined;
    return this.isMalformed(row) ? this.badRecords.get(row) : this.eventAt(row);
  }

  /** Chain breaks over the whole log. Each line is hashed once, ever; later calls only look hashes up. */
  chainBreaks(): readonly ChainBreak[] {
    if (!this.hasChains) return [];
    return this.memo("chains", () => {
      const s = this.store;
      const order = mergeByStreamSeq(s.streamSeq, this.all, this.bad);
      s.ensureDigests();
      for (const row of order) {
        if (((s.flags[row] as number) & HASHED) !== 0) continue;
        const d = sha256Digest(s.bytes(row));
        for (let w = 0; w < 8; w++) {
          s.digest[row * 8 + w] =
            ((d[w * 4] as number) << 24) |
            ((d[w * 4 + 1] as number) << 16) |
            ((d[w * 4 + 2] as number) << 8) |
            (d[w * 4 + 3] as number);
        }
        s.flags[row] = (s.flags[row] as number) | HASHED;
      }
      return findChainBreaksInColumns(
        {
          streamSeq: s.streamSeq,
          flags: s.flags,
          digest: s.digest,
          prevHash: s.prevHash,
          lane: s.identity,
          laneNames: this.identityNames,
        },
        order,
      );
    });
  }

  /**
   * Signed events of one execution (or the whole log) whose signature does not
   * hold; [] without a JWKS. Each row is verified once, ever, and only when asked.
   */
  badSignatures(executionId?: string): readonly BadSignature[] {
    const ring = this.keyRing;
    if (ring === undefined) return [];
    return this.memo(`signatures\0${executionId ?? ""}`, () => {
      const rows = executionId === undefined ? this.all : (this.execByName.get(executionId)?.events ?? []);
      const out: BadSignature[] = [];
      for (const row of rows) {
        let v = this.sigVerdicts.get(row);
        if (v === undefined) {
          v = this.verifyRow(row, ring);
          this.sigVerdicts.set(row, v);
        }
        if (v !== null) out.push({ streamSeq: this.store.streamSeq[row] as number, message: v });
      }
      return Object.freeze(out);
    });
  }

  /** Memoised per (key, version, execution, now). */
  analyze(key: PartitionKey, opts: LogAnalyzeOptions = {}): Analysis {
    const id = `analysis\0${key.id}\0${key.fields.join("\u0001")}\0${opts.executionId ?? ""}\0${opts.nowMs ?? ""}\0${opts.chains !== false}\0${opts.signatures ?? ""}`;
    return this.memo(id, () => {
      const x = opts.executionId;
      const signatures = opts.signatures ?? x !== undefined;
      const st = x === undefined ? undefined : this.execByName.get(x);
      const rows = x === undefined ? this.all : (st?.events ?? []);
      let chainBreaks = opts.chains === false ? [] : this.chainBreaks();
      if (x !== undefined) {
        chainBreaks = chainBreaks.filter((b) => positionOfStreamSeq(this.store.streamSeq, rows, b.at) >= 0);
      }
      return analyzeColumns(
        this.store,
        rows,
        this.keyColumns(key.fields, rows),
        key,
        {
          duplicates: x === undefined ? this.dups : (st?.duplicates ?? []),
          malformed: this.malformedAt(x === undefined ? this.bad : (st?.malformed ?? [])),
          chainBreaks,
          badSignatures: signatures ? this.badSignatures(x) : [],
        },
        { nowMs: opts.nowMs ?? this.nowMs(), quietPeriodMs: this.quietPeriodMs },
      );
    });
  }

  /**
   * The log as plain data (see snapshot.ts), to rebuild it elsewhere with
   * AuditLog.fromSnapshot(). It shares the log's typed arrays and byte chunks:
   * after transferring them (snapshotTransferables) this log must not be used.
   */
  snapshot(): AuditLogSnapshot {
    const dupIndex = new Map<Duplicate, number>();
    const n = this.dups.length;
    const duplicates = {
      streamSeq: new Float64Array(n),
      of: new Float64Array(n),
      deliveryCount: new Float64Array(n),
      receivedMs: new Float64Array(n),
    };
    this.dups.forEach((d, i) => {
      dupIndex.set(d, i);
      duplicates.streamSeq[i] = d.streamSeq;
      duplicates.of[i] = d.of;
      duplicates.deliveryCount[i] = d.deliveryCount;
      duplicates.receivedMs[i] = d.receivedMs;
    });
    const copyOf = new Float64Array(this.copyOf.size * 2);
    let k = 0;
    for (const [from, to] of this.copyOf) {
      copyOf[k++] = from;
      copyOf[k++] = to;
    }
    const malformed: MalformedSnapshot[] = [];
    for (const [row, rec] of this.badRecords) {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the bytes are the row's, the kind is implied
      const { raw, kind, ...rest } = rec;
      malformed.push({ ...rest, row });
    }
    const executions: ExecutionSnapshot[] = this.execList.map((st) => {
      const x: ExecutionSnapshot = {
        id: st.id,
        producers: [...st.producers].map(([identity, p]) => ({
          identity,
          leads: p.leads,
          firstTsMs: p.firstTsMs,
          firstStreamSeq: p.firstStreamSeq,
        })),
        firstTsMs: st.firstTsMs,
        lastTsMs: st.lastTsMs,
        firstStreamSeq: st.firstStreamSeq,
        lastStreamSeq: st.lastStreamSeq,
        lastActivityMs: st.lastActivityMs,
        completed: st.completed,
        cancelled: st.cancelled,
        stepFailed: st.stepFailed,
        failedOutcome: st.failedOutcome,
      };
      if (st.workflowId !== undefined) x.workflowId = st.workflowId;
      return x;
    });
    return {
      format: SNAPSHOT_FORMAT,
      producerRules: [...this.rules],
      quietPeriodMs: this.quietPeriodMs,
      version: this._version,
      newestMs: this.newestMs,
      hasChains: this.hasChains,
      store: this.store.snapshot(),
      all: Int32Array.from(this.all),
      bad: Int32Array.from(this.bad),
      malformed,
      duplicates,
      copyOf,
      identities: this.identities.map((p) => ({ ...p })),
      sources: this.sources.values,
      executions,
      executionEvents: packLists(this.execList.map((st) => st.events)),
      executionMalformed: packLists(this.execList.map((st) => st.malformed)),
      executionDuplicates: packLists(this.execList.map((st) => st.duplicates.map((d) => dupIndex.get(d) as number))),
    };
  }

  /** The log a snapshot was taken of: every query answers the same, and add() carries on from there. */
  static fromSnapshot(snap: AuditLogSnapshot, opts: { jwks?: Jwks } = {}): AuditLog {
    if (snap.format !== SNAPSHOT_FORMAT) {
      throw new Error(`audit log snapshot format ${String(snap.format)}, expected ${SNAPSHOT_FORMAT}`);
    }
    const log = new AuditLog({ producerRules: snap.producerRules, quietPeriodMs: snap.quietPeriodMs, jwks: opts.jwks });
    log.restore(snap);
    return log;
  }

  private restore(snap: AuditLogSnapshot): void {
    const s = this.store;
    s.restore(snap.store);
    for (const row of snap.all) this.all.push(row);
    for (const row of snap.bad) this.bad.push(row);
    for (const { row, ...rest } of snap.malformed) {
      this.badRecords.set(row, { kind: "malformed", ...rest, raw: s.bytes(row) });
    }
    const d = snap.duplicates;
    for (let i = 0; i < d.streamSeq.length; i++) {
      this.dups.push({
        streamSeq: d.streamSeq[i] as number,
        of: d.of[i] as number,
        deliveryCount: d.deliveryCount[i] as number,
        receivedMs: d.receivedMs[i] as number,
      });
    }
    for (let i = 0; i + 1 < snap.copyOf.length; i += 2) {
      this.copyOf.set(snap.copyOf[i] as number, snap.copyOf[i + 1] as number);
    }
    for (const p of snap.identities) {
      this.identityIx.set(p.id, this.identities.length);
      this.identities.push(p);
      this.identityNames.push(p.id);
    }
    this.sources.load(snap.sources);
    snap.executions.forEach((x, ix) => {
      const st: ExecState = {
        id: x.id,
        ix,
        events: unpackList(snap.executionEvents, ix),
        malformed: unpackList(snap.executionMalformed, ix),
        duplicates: unpackList(snap.executionDuplicates, ix).map((i) => this.dups[i] as Duplicate),
        producers: new Map(
          x.producers.map((p) => [
            p.identity,
            {
              identity: this.identities[p.identity] as ProducerIdentity,
              leads: p.leads,
              firstTsMs: p.firstTsMs,
              firstStreamSeq: p.firstStreamSeq,
            },
          ]),
        ),
        firstTsMs: x.firstTsMs,
        lastTsMs: x.lastTsMs,
        firstStreamSeq: x.firstStreamSeq,
        lastStreamSeq: x.lastStreamSeq,
        lastActivityMs: x.lastActivityMs,
        completed: x.completed,
        cancelled: x.cancelled,
        stepFailed: x.stepFailed,
        failedOutcome: x.failedOutcome,
        hints: new Hints(),
      };
      if (x.workflowId !== undefined) st.workflowId = x.workflowId;
      this.execByName.set(x.id, st);
      this.execList[ix] = st;
    });
    this.newestMs = snap.newestMs;
    this.hasChains = snap.hasChains;
    this._version = snap.version;
    this.restoreIndexes = () => {
      // Every message ever added became a row (kept, or replaced by an earlier copy) or a duplicate.
      for (let row = 0; row < s.n; row++) this.seen.add(s.streamSeq[row] as number);
      for (const dup of this.dups) this.seen.add(dup.streamSeq);
      for (const rows of [this.all, this.bad]) {
        for (const row of rows) {
          const bytes = s.bytes(row);
          const fp = fingerprint(
            bytes,
            this.isMalformed(row) ? undefined : { tsMs: s.tsMs[row] as number, seq: s.seq[row] as number },
          );
          if (this.fingerprints.find(fp, bytes) < 0) this.fingerprints.add(fp, row);
        }
      }
    };
  }

  private nowMs(): number {
    return this.newestMs === -Infinity ? 0 : this.newestMs;
  }

  /** A row's signature verdict (see sigVerdicts). */
  private verifyRow(row: number, ring: KeyRing): string | null {
    let o: unknown;
    try {
      o = JSON.parse(decoder.decode(this.store.bytes(row)));
    } catch {
      return null; // accepted at ingest, so never happens
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) return null;
    return signatureProblem(o as Record<string, unknown>, ring) ?? null;
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

  // ---- rows ----

  private isMalformed(row: number): boolean {
    return ((this.store.flags[row] as number) & MALFORMED) !== 0;
  }

  /** The live row (event or malformed) under a stream sequence, or -1. */
  private rowAt(streamSeq: number): number {
    const ss = this.store.streamSeq;
    const i = positionOfStreamSeq(ss, this.all, streamSeq);
    if (i >= 0) return this.all[i] as number;
    const j = positionOfStreamSeq(ss, this.bad, streamSeq);
    return j >= 0 ? (this.bad[j] as number) : -1;
  }

  private malformedAt(rows: readonly number[]): Malformed[] {
    return rows.map((row) => this.badRecords.get(row) as Malformed);
  }

  /** The event at a row, from an execution's cache when it has one. */
  private eventAt(row: number): AuditEvent {
    const x = this.store.exec[row] as number;
    const cached = x >= 0 ? this.execList[x]?.cache?.get(row) : undefined;
    return cached ?? this.materialize(row);
  }

  private materialize(row: number): AuditEvent {
    const s = this.store;
    const rec = parseMessage(
      {
        data: s.bytes(row),
        streamSeq: s.streamSeq[row] as number,
        receivedMs: s.receivedMs[row] as number,
        deliveryCount: s.deliveryCount[row] as number,
        subject: s.subjects.values[s.subject[row] as number] as string,
      },
      this.rules,
    );
    // The same bytes were accepted at ingest and parsing is deterministic.
    if (rec.kind !== "event") throw new Error(`stream seq ${rec.streamSeq} no longer parses: ${rec.reason}`);
    return rec;
  }

  /** The execution's event cache, made most recently used; evicts others beyond the budget. */
  private cacheOf(st: ExecState): Map<number, AuditEvent> {
    const i = this.cached.indexOf(st);
    if (i >= 0) this.cached.splice(i, 1);
    this.cached.push(st);
    let total = st.events.length;
    for (let k = this.cached.length - 2; k >= 0; k--) {
      const other = this.cached[k] as ExecState;
      total += other.events.length;
      if (total > MAX_CACHED_EVENTS) {
        other.cache = undefined;
        this.cached.splice(k, 1);
      }
    }
    st.cache ??= new Map();
    return st.cache;
  }

  /** A row's bytes moved: records made earlier must not hold on to the old buffer. */
  private moved(row: number): void {
    const rec = this.badRecords.get(row);
    if (rec !== undefined) rec.raw = this.store.bytes(row);
    else this.forget(row);
  }

  /** The rows' events changed delivery metadata: drop their cached objects. */
  private forget(row: number): void {
    const x = this.store.exec[row] as number;
    if (x >= 0) this.execList[x]?.cache?.delete(row);
  }

  /** One KeyColumn per field: native columns for the built-in fields, else extracted once per row. */
  private keyColumns(fields: readonly string[], rows: readonly number[]): KeyColumn[] {
    const s = this.store;
    const out: KeyColumn[] = [];
    const pending: LazyColumn[] = [];
    for (const f of fields) {
      switch (f) {
        case "workflow_execution_id":
          out.push({ ids: s.exec, values: s.execs.values });
          continue;
        case "correlation_id":
          out.push({ ids: s.corr, values: s.corrs.values });
          continue;
        case "task_id":
          out.push({ ids: s.task, values: s.tasks.values });
          continue;
        case "entity_type":
          out.push({ ids: s.entityType, values: s.entityTypes.values });
          continue;
        case "entity_id":
          out.push({ ids: s.entityId, values: s.entityIds.values });
          continue;
        case "producer":
          out.push({ ids: s.producer, values: s.producers.values });
          continue;
        case IDENTITY_FIELD:
          out.push({ ids: s.identity, values: this.identityNames });
          continue;
      }
      let col = this.lazy.get(f);
      if (col === undefined) {
        col = { ids: new Int32Array(0), table: new StringTable(), read: fieldReader(f) };
        this.lazy.set(f, col);
      }
      if (col.ids.length < s.n) {
        const ids = new Int32Array(Math.max(s.n, col.ids.length * 2)).fill(PENDING);
        ids.set(col.ids);
        col.ids = ids;
      }
      pending.push(col);
      out.push({ ids: col.ids, values: col.table.values });
    }
    if (pending.length > 0) {
      for (const row of rows) {
        let ev: AuditEvent | undefined;
        for (const col of pending) {
          if (col.ids[row] !== PENDING) continue;
          ev ??= this.eventAt(row);
          const v = col.read(ev);
          col.ids[row] = v === undefined ? -1 : col.table.intern(v);
        }
      }
    }
    return out;
  }

  // ---- ingest ----

  private ingest(msg: RawMessage): void {
    const s = msg.streamSeq;
    if (!this.seen.add(s)) {
      this.redelivered(msg);
      return;
    }
    const bad = this.scan(msg);
    const fp = fingerprint(msg.data, bad === undefined ? this.scanned : undefined);
    const kept = this.fingerprints.find(fp, msg.data);
    if (kept >= 0) {
      this.identicalCopy(msg, bad, fp, kept);
      return;
    }
    const row = this.addRow(msg, bad);
    this.fingerprints.add(fp, row);
    this.place(row);
  }

  /** Validates `msg`: undefined for an event (its fields in this.scanned), else the Malformed record. */
  private scan(msg: RawMessage): Malformed | undefined {
    let o: unknown;
    try {
      o = JSON.parse(decoder.decode(msg.data));
    } catch {
      o = undefined;
    }
    if (
      typeof o === "object" &&
      o !== null &&
      !Array.isArray(o) &&
      scanParsed(o as Record<string, unknown>, this.scanned)
    ) {
      return undefined;
    }
    // Rare: let parseMessage say exactly what is wrong.
    const rec = parseMessage(msg, this.rules);
    if (rec.kind === "malformed") return rec;
    scanEvent(rec, this.scanned);
    return undefined;
  }

  /** Stores a scanned message (this.scanned, or `bad`) as a new row. */
  private addRow(msg: RawMessage, bad: Malformed | undefined): number {
    const s = this.store;
    const row = s.append(msg.data);
    s.streamSeq[row] = msg.streamSeq;
    s.receivedMs[row] = msg.receivedMs;
    s.deliveryCount[row] = msg.deliveryCount;
    s.subject[row] = this.subjectHint.intern(s.subjects, msg.subject);
    s.corr[row] = -1;
    s.task[row] = -1;
    s.entityType[row] = -1;
    s.entityId[row] = -1;
    s.producer[row] = -1;
    s.identity[row] = -1;
    if (bad !== undefined) {
      s.flags[row] = MALFORMED;
      const x = bad.workflow_execution_id;
      s.exec[row] = nonEmpty(x) ? this.exec(x).ix : -1;
      bad.raw = s.bytes(row); // not the caller's buffer, which may be a view into a much larger one
      this.badRecords.set(row, bad);
      return row;
    }
    const e = this.scanned;
    const x = e.workflow_execution_id;
    const st = nonEmpty(x) ? this.exec(x) : undefined;
    const h = st === undefined ? this.outside : st.hints;
    s.tsMs[row] = e.tsMs;
    s.seq[row] = e.seq;
    s.exec[row] = st === undefined ? -1 : st.ix;
    let flags = eventFlags(e.event);
    if (nonEmpty(e.correlation_id)) s.corr[row] = h.corr.intern(s.corrs, e.correlation_id);
    if (nonEmpty(e.task_id)) s.task[row] = h.task.intern(s.tasks, e.task_id);
    if (nonEmpty(e.entity_type)) s.entityType[row] = h.entityType.intern(s.entityTypes, e.entity_type);
    if (nonEmpty(e.entity_id)) s.entityId[row] = h.entityId.intern(s.entityIds, e.entity_id);
    if (nonEmpty(e.producer)) s.producer[row] = h.producer.intern(s.producers, e.producer);
    s.identity[row] = this.identityOf(h, row, flags);
    if (e.prev_hash !== undefined) {
      this.hasChains = true;
      flags |= HAS_PREV_HASH;
      if (s.setPrevHash(row, e.prev_hash)) flags |= PREV_HASH_HEX;
    }
    s.flags[row] = flags;
    return row;
  }

  /** Identity index of the scanned event; resolves only when the tuple it depends on changed. */
  private identityOf(h: Hints, row: number, flags: number): number {
    const s = this.store;
    const e = this.scanned;
    // resolveProducer reads exactly these (and the run id, fixed by the context `h`).
    const producer = s.producer[row] as number;
    const source = nonEmpty(e.source) ? h.source.intern(this.sources, e.source) : -1;
    const entityType = s.entityType[row] as number;
    const entityId = s.entityId[row] as number;
    const workflow = flags & WORKFLOW_EVENT;
    if (
      producer === h.idProducer &&
      source === h.idSource &&
      entityType === h.idEntityType &&
      entityId === h.idEntityId &&
      workflow === h.idWorkflow
    ) {
      return h.idIx;
    }
    const identity = resolveProducer(e, this.rules);
    let ix = this.identityIx.get(identity.id);
    if (ix === undefined) {
      ix = this.identities.length;
      this.identities.push(identity);
      this.identityNames.push(identity.id);
      this.identityIx.set(identity.id, ix);
    }
    h.idProducer = producer;
    h.idSource = source;
    h.idEntityType = entityType;
    h.idEntityId = entityId;
    h.idWorkflow = workflow;
    h.idIx = ix;
    return ix;
  }

  private redelivered(msg: RawMessage): void {
    const s = msg.streamSeq;
    const kept = this.copyOf.get(s);
    if (kept !== undefined) {
      this.addDuplicate({ streamSeq: s, of: kept, deliveryCount: msg.deliveryCount, receivedMs: msg.receivedMs });
      return;
    }
    const st = this.store;
    const row = this.rowAt(s);
    if (row >= 0 && msg.deliveryCount < (st.deliveryCount[row] as number) && st.sameBytes(row, msg.data)) {
      // Keep the earliest delivery, whatever order the copies came in: same bytes, new delivery metadata.
      const old = { deliveryCount: st.deliveryCount[row] as number, receivedMs: st.receivedMs[row] as number };
      st.deliveryCount[row] = msg.deliveryCount;
      st.receivedMs[row] = msg.receivedMs;
      st.subject[row] = this.subjectHint.intern(st.subjects, msg.subject);
      const x = st.exec[row] as number;
      const exec = x >= 0 ? this.execList[x] : undefined;
      const rec = this.badRecords.get(row);
      if (rec !== undefined) {
        const { deliveryCount, receivedMs, subject } = msg;
        this.badRecords.set(row, { ...rec, deliveryCount, receivedMs, subject });
        this.touch(exec, s, msg.receivedMs);
      } else {
        this.forget(row);
        this.touch(exec, s, activityAt(st, row));
      }
      this.addDuplicate({ streamSeq: s, of: s, ...old });
      return;
    }
    this.addDuplicate({ streamSeq: s, of: s, deliveryCount: msg.deliveryCount, receivedMs: msg.receivedMs });
  }

  private identicalCopy(msg: RawMessage, bad: Malformed | undefined, fp: number, keptRow: number): void {
    const st = this.store;
    const s = msg.streamSeq;
    const kept = st.streamSeq[keptRow] as number;
    if (s > kept) {
      this.copyOf.set(s, kept);
      this.addDuplicate({ streamSeq: s, of: kept, deliveryCount: msg.deliveryCount, receivedMs: msg.receivedMs });
      return;
    }
    // The earlier copy arrived late: it becomes the kept one.
    const old = { deliveryCount: st.deliveryCount[keptRow] as number, receivedMs: st.receivedMs[keptRow] as number };
    this.remove(keptRow);
    st.release(keptRow);
    const row = this.addRow(msg, bad);
    this.place(row);
    this.fingerprints.replace(fp, keptRow, row);
    for (const d of this.dups) if (d.of === kept) d.of = s;
    for (const [k, v] of this.copyOf) if (v === kept) this.copyOf.set(k, s);
    this.copyOf.set(kept, s);
    this.addDuplicate({ streamSeq: kept, of: s, ...old });
  }

  private exec(id: string): ExecState {
    let st = this.execByName.get(id);
    if (st === undefined) {
      const ix = this.store.execs.intern(id);
      st = {
        id,
        ix,
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
        hints: new Hints(),
      };
      this.execByName.set(id, st);
      this.execList[ix] = st;
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

  /** Files a new row under its execution and updates the summaries; this.scanned still holds its fields. */
  private place(row: number): void {
    const s = this.store;
    const x = s.exec[row] as number;
    const st = x >= 0 ? this.execList[x] : undefined;
    const streamSeq = s.streamSeq[row] as number;
    if (this.isMalformed(row)) {
      insertSorted(s.streamSeq, this.bad, row);
      if (st !== undefined) insertSorted(s.streamSeq, st.malformed, row);
      this.touch(st, streamSeq, s.receivedMs[row] as number);
      return;
    }
    insertSorted(s.streamSeq, this.all, row);
    this.touch(st, streamSeq, activityAt(s, row));
    if (st === undefined) return;
    insertSorted(s.streamSeq, st.events, row);
    const e = this.scanned;
    const tsMs = e.tsMs;
    if (st.workflowId === undefined && e.workflow_id !== undefined) st.workflowId = e.workflow_id;
    if (tsMs < st.firstTsMs) st.firstTsMs = tsMs;
    if (tsMs > st.lastTsMs) st.lastTsMs = tsMs;
    const ix = s.identity[row] as number;
    const workflowEvent = e.event.startsWith("workflow_");
    const p = st.producers.get(ix);
    if (p === undefined) {
      const identity = this.identities[ix] as ProducerIdentity;
      st.producers.set(ix, {
        identity,
        leads: identity.orchestrator || workflowEvent,
        firstTsMs: tsMs,
        firstStreamSeq: streamSeq,
      });
    } else {
      if (workflowEvent) p.leads = true;
      if (tsMs < p.firstTsMs) p.firstTsMs = tsMs;
      if (streamSeq < p.firstStreamSeq) p.firstStreamSeq = streamSeq;
    }
    switch (e.event) {
      case "workflow_complete": {
        st.completed = true;
        // Assumed: a run that ends badly says so in fields.status.
        const status = e.status;
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

  /** Removes a kept row that an identical, earlier copy replaces; its counters stay valid (same content). */
  private remove(row: number): void {
    const s = this.store;
    const x = s.exec[row] as number;
    const st = x >= 0 ? this.execList[x] : undefined;
    const streamSeq = s.streamSeq[row] as number;
    if (this.isMalformed(row)) {
      removeSorted(s.streamSeq, this.bad, streamSeq);
      if (st !== undefined) removeSorted(s.streamSeq, st.malformed, streamSeq);
      this.badRecords.delete(row);
    } else {
      removeSorted(s.streamSeq, this.all, streamSeq);
      if (st !== undefined) removeSorted(s.streamSeq, st.events, streamSeq);
      this.forget(row);
    }
  }

  private addDuplicate(d: Duplicate): void {
    this.dups.push(d);
    const row = this.rowAt(d.of);
    const x = row < 0 ? -1 : (this.store.exec[row] as number);
    const st = x >= 0 ? this.execList[x] : undefined;
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

/** Inserts keeping ascending stream sequence; appending is the common case. */
function insertSorted(streamSeq: Float64Array, rows: number[], row: number): void {
  const n = rows.length;
  const s = streamSeq[row] as number;
  if (n === 0 || (streamSeq[rows[n - 1] as number] as number) < s) {
    rows.push(row);
    return;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((streamSeq[rows[mid] as number] as number) < s) lo = mid + 1;
    else hi = mid;
  }
  rows.splice(lo, 0, row);
}

function removeSorted(streamSeq: Float64Array, rows: number[], s: number): void {
  const i = positionOfStreamSeq(streamSeq, rows, s);
  if (i >= 0) rows.splice(i, 1);
}

/** Two row lists, each ascending by stream sequence, merged. */
function mergeByStreamSeq(streamSeq: Float64Array, a: readonly number[], b: readonly number[]): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const ra = a[i] as number;
    const rb = b[j] as number;
    if ((streamSeq[ra] as number) < (streamSeq[rb] as number)) {
      out[k++] = ra;
      i++;
    } else {
      out[k++] = rb;
      j++;
    }
  }
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}
