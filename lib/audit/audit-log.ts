// The in-memory store the app feeds, live or by replay, and what it answers.
// Everything it reports is a function of the *set* of messages it was given.
// It is a façade over the parts, each in its own module:
//   ingest.ts            ingest and de-duplication, rows filed per execution
//   row-store.ts         the columns and raw bytes of every held message
//   execution-index.ts   per-execution state and summaries
//   event-cache.ts       AuditEvent objects, made from the bytes on demand
//   key-columns.ts       one column per partition-key field
//   chain-ledger.ts      hash-chain verification, incremental
//   memory-budget.ts     eviction of finished executions past the budget
//   log-snapshot.ts      to plain data and back (a log built in a worker)
// Answers are memoised: per execution on that execution's version (so a live
// batch recomputes only the executions it touched), for the whole log on the
// log's version.

import { analyzeColumns, DEFAULT_QUIET_PERIOD_MS } from "./analyze";
import type { Analysis, Duplicate } from "./anomaly";
import type { ChainBreak } from "./chain";
import { ChainLedger } from "./chain-ledger";
import { contextOfKey, type ContextKind } from "./context-ref";
import { EventCache, EVENT_OBJECT_BYTES } from "./event-cache";
import type { ExecState, ExecutionSummary } from "./execution-index";
import { Ingest } from "./ingest";
import { ALONE } from "./columns";
import { KeyColumns } from "./key-columns";
import { restoreIngest, snapshotIngest } from "./log-snapshot";
import type { FoldedTotals } from "./folded-contexts";
import { evictToBudget, foldSummaries, heldBytes, summariesOverShare, type MemoryStats } from "./memory-budget";
import { BUILTIN_KEYS, type PartitionKey } from "./partition-key";
import { DEFAULT_PRODUCER_RULES } from "./producer";
import {
  ProcessTracker,
  signatureStatus,
  type LineSignature,
  type ProcessLedger,
  type SignatureStatus,
} from "./process-ledger";
import { processTimelineModel, type ProcessTimelineModel } from "./process-ledger-timeline";
import { KeyRing, SIG_PROFILE, signatureProblem, type BadSignature, type Jwks } from "./signature";
import type { AuditLogSnapshot } from "./snapshot";
import type { AuditEvent, Malformed, ParsedMessage, ProducerIdentity, ProducerRule, RawMessage } from "./types";

export type { ExecutionStatus, ExecutionSummary, EvictedPart } from "./execution-index";
export type { MemoryStats } from "./memory-budget";

export interface AuditLogOptions {
  producerRules?: readonly ProducerRule[];
  /** Silence after which a run counts as stalled and open tails are reported. Default 5 min. */
  quietPeriodMs?: number;
  /** Ed25519 public keys: signed events (kid/sigp/sig) are verified against them. None: nothing is checked. */
  jwks?: Jwks;
  /**
   * Bytes the log may hold (estimated). Past it, finished executions are evicted, oldest first,
   * and stay as summaries. None: nothing is evicted (a file, the lab).
   */
  budgetBytes?: number;
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

/** Materialised events kept at most without a budget (the most recently viewed executions). */
const MAX_CACHED_EVENTS = 250_000;

/** Per-execution answers kept (analyses, event lists): the views open at once need a handful each. */
const MAX_EXEC_MEMOS = 256;

const decoder = new TextDecoder("utf-8", { fatal: true });

interface ExecMemo {
  version: number;
  nowMs: number;
  value: unknown;
}

export class AuditLog {
  private readonly quietPeriodMs: number;
  private readonly ing: Ingest;
  private readonly cache: EventCache;
  private readonly keys: KeyColumns;
  private readonly ledger: ChainLedger;
  private readonly keyRing: KeyRing | undefined;
  readonly budgetBytes: number | undefined;
  /** Signature verdict by row, once verified: what is wrong, or null (unsigned or valid). Bytes never change. */
  private sigVerdicts = new Map<number, string | null>();
  /** Each row's signature as the process ledger reports it (kid and verdict), once classified. */
  private lineSigs = new Map<number, LineSignature>();
  /** The process ledger, kept up to date as rows arrive (see process-ledger.ts). */
  private readonly processes = new ProcessTracker();
  private _version = 0;
  private memoVersion = -1;
  /** Bumped by each fold: contexts' positions (ExecState.ix) change, so stamps made before mean nothing. */
  private foldEpoch = 0;
  private readonly memos = new Map<string, unknown>();
  /** Per-execution answers, least recently used first (a bounded number: analyses can be large). */
  private readonly execMemos = new Map<string, ExecMemo>();
  /** The last eviction that left the log over budget: what was held then, and when (log time). */
  private overAfterEvict: { held: number; at: number } | undefined;
  /** Contexts there were when folding last could not bring the summaries within their share. */
  private overAfterFold: number | undefined;
  /** Executions open in a view (never evicted), with how many views hold each. */
  private readonly pinned = new Map<string, number>();
  /** Execution ids (store table) in the order executions() last returned them. */
  private lastOrder: number[] = [];
  private evictedExecutions = 0;
  private evictedMessages = 0;
  /** Set by fromSnapshot(): rebuilds what only add() reads, on the first add(). */
  private restoreIndexes: (() => void) | undefined;

  constructor(opts: AuditLogOptions = {}) {
    const rules = opts.producerRules ?? DEFAULT_PRODUCER_RULES;
    this.quietPeriodMs = opts.quietPeriodMs ?? DEFAULT_QUIET_PERIOD_MS;
    this.keyRing = opts.jwks === undefined ? undefined : new KeyRing(opts.jwks);
    this.budgetBytes = opts.budgetBytes;
    const ing = (this.ing = new Ingest(rules));
    // With a budget, what evicted lines leave behind (content ids, chain digests) takes at most a sixteenth of it each.
    const goneLines =
      opts.budgetBytes === undefined ? undefined : Math.max(20_000, Math.floor(opts.budgetBytes / 16 / 48));
    if (goneLines !== undefined) ing.evictedCopiesLimit = goneLines;
    // And the ids of folded contexts (25 bytes each) at most a sixteenth.
    if (opts.budgetBytes !== undefined)
      ing.execs.folded.maxIds = Math.max(100_000, Math.floor(opts.budgetBytes / 16 / 25));
    const maxEvents =
      opts.budgetBytes === undefined
        ? MAX_CACHED_EVENTS
        : Math.max(1_000, Math.floor(opts.budgetBytes / 8 / EVENT_OBJECT_BYTES));
    this.cache = new EventCache(ing.store, rules, (row) => ing.execOf(row), maxEvents);
    this.keys = new KeyColumns(ing.store, ing.identities.names, (row) => this.cache.eventAt(row));
    this.ledger = new ChainLedger(
      ing.store,
      (lane) => ing.identities.names[lane] as string,
      () => mergeByStreamSeq(ing.store.streamSeq, ing.all, ing.bad),
      (streamSeq) => {
        const row = ing.rowAt(streamSeq);
        const st = row < 0 ? undefined : ing.execOf(row);
        if (st !== undefined) st.version++;
      },
      goneLines,
    );
    ing.listener = {
      added: (row, restored) => {
        this.ledger.added(row, restored);
        this.processes.added(ing.store.streamSeq[row] as number, restored);
      },
      removed: (row) => {
        this.ledger.removed();
        this.cache.forget(row);
        this.sigVerdicts.delete(row);
        this.lineSigs.delete(row);
        this.processes.removed();
      },
      stale: (row) => this.cache.forget(row),
    };
  }

  /** Increments whenever add() changed anything; the UI re-renders on it. */
  get version(): number {
    return this._version;
  }

  /** Distinct events + malformed messages held. */
  get size(): number {
    return this.ing.all.length + this.ing.bad.length;
  }

  add(msgs: Iterable<RawMessage>): void {
    if (this.restoreIndexes !== undefined) {
      const rebuild = this.restoreIndexes;
      this.restoreIndexes = undefined;
      rebuild();
    }
    const ing = this.ing;
    let changed = false;
    for (const msg of msgs) {
      ing.ingest(msg);
      changed = true; // every message is either new or a duplicate worth counting
    }
    ing.store.endBatch();
    if (ing.hasChains) this.ledger.active = true;
    if (changed) this._version++;
    const budget = this.budgetBytes;
    if (budget === undefined) return;
    const held = heldBytes(this.parts());
    // Still over budget after the last eviction (all running or in view, or summaries fill it): try again once
    // it grew by 5 % of the budget or a second passed, not on every batch (each eviction compacts the store).
    const retry = this.overAfterEvict;
    if (
      held > budget &&
      (retry === undefined || held > retry.held + budget * 0.05 || this.nowMs() > retry.at + 1_000)
    ) {
      const after = this.evict(budget) ? heldBytes(this.parts()) : held;
      this.overAfterEvict = after > budget ? { held: after, at: this.nowMs() } : undefined;
    }
    // Summaries past their share: fold the oldest; if what is left cannot be (held, in view), wait for 5 % more.
    const n = ing.execs.list.length;
    if (summariesOverShare(ing, budget) && (this.overAfterFold === undefined || n > this.overAfterFold * 1.05)) {
      this.fold(budget);
      this.overAfterFold = summariesOverShare(ing, budget) ? ing.execs.list.length : undefined;
    }
  }

  /** Folds the oldest summaries into the totals (folded-contexts.ts); positions change, so per-context memos go. */
  private fold(budget: number): void {
    const now = this.nowMs();
    const folded = foldSummaries(this.ing, {
      budgetBytes: budget,
      foldable: (st) => !this.pinned.has(st.id),
      summaryOf: (st) => this.ing.execs.summarize(st, now, this.quietPeriodMs),
    });
    if (folded === 0) return;
    this.foldEpoch++;
    this.execMemos.clear();
    this.lastOrder = [];
    this._version++;
  }

  /**
   * Where a folded context of this key lay on the stream (first to last message), if it was folded and is
   * not listed again since: where to read it again. Undefined otherwise.
   */
  foldedRange(key: string): { from: number; to: number } | undefined {
    const f = this.ing.execs.folded;
    if (f.size === 0 || this.ing.execs.get(key) !== undefined) return undefined;
    return f.where(key);
  }

  /** What was folded into totals, per kind of context (nothing until summaries outgrow their share of the budget). */
  folded(): Readonly<Record<ContextKind, Readonly<FoldedTotals>>> {
    return this.ing.execs.folded.totals;
  }

  /** Keeps an execution held while a view shows it; call the result when the view closes. */
  pin(executionId: string): () => void {
    this.pinned.set(executionId, (this.pinned.get(executionId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.pinned.get(executionId) ?? 1) - 1;
      if (n > 0) this.pinned.set(executionId, n);
      else this.pinned.delete(executionId);
    };
  }

  /** What the log holds against its budget, and what it let go. */
  memory(): MemoryStats {
    return {
      budgetBytes: this.budgetBytes,
      heldBytes: heldBytes(this.parts()),
      heldMessages: this.size,
      foldedContexts: this.ing.execs.folded.size,
      evictedExecutions: this.evictedExecutions,
      evictedMessages: this.evictedMessages,
    };
  }

  /**
   * Summaries of one kind of context (context-ref.ts), newest first: workflow executions (the default),
   * invocations outside any run, or both ("all").
   */
  executions(opts: { nowMs?: number; kind?: ContextKind | "all" } = {}): ExecutionSummary[] {
    const kind = opts.kind ?? "execution";
    const all = this.contexts(opts.nowMs);
    if (kind === "all") return all;
    return this.memo(`executions\0${opts.nowMs ?? ""}\0${kind}`, () => all.filter((x) => x.kind === kind));
  }

  /** Invocations outside any workflow run (their events carry a correlation_id and no workflow_execution_id). */
  invocations(opts: { nowMs?: number } = {}): ExecutionSummary[] {
    return this.executions({ ...opts, kind: "invocation" });
  }

  /**
   * How every distinct event read divides, held or let go under the memory budget: per kind of context, and
   * outside any (process-level events); malformed messages, held or let go.
   */
  eventCounts(): { executions: number; invocations: number; outside: number; malformed: number } {
    return this.memo("event-counts", () => {
      const f = this.ing.execs.folded.totals;
      let executions = f.execution.events;
      let invocations = f.invocation.events;
      let malformed = this.ing.bad.length + f.execution.malformed + f.invocation.malformed;
      for (const st of this.ing.execs.list) {
        const n = st.events.length + (st.evicted?.events ?? 0);
        if (st.kind === "execution") executions += n;
        else invocations += n;
        malformed += st.evicted?.malformed ?? 0;
      }
      return { executions, invocations, outside: this.ing.outsideEvents, malformed };
    });
  }

  /**
   * The correlation ids of the invocations a context's events carry (a run's invocations), in order of first
   * appearance; for an invocation key, the executions whose events carry its correlation id (the runs it served).
   */
  related(key: string): string[] {
    const st = this.ing.execs.get(key);
    return this.memo(`related\0${key}`, () => {
      const s = this.ing.store;
      if (st?.kind === "execution") {
        const seen = new Set<number>();
        const out: string[] = [];
        for (const row of st.events) {
          const c = s.corr[row] as number;
          if (c >= 0 && !seen.has(c)) {
            seen.add(c);
            out.push(s.corrs.values[c] as string);
          }
        }
        return out;
      }
      const ref = contextOfKey(key);
      if (ref.kind !== "invocation") return [];
      const c = s.corrs.lookup(ref.id);
      const out = new Set<string>();
      if (c < 0) return [];
      for (const row of this.ing.all) {
        const x = s.exec[row] as number;
        if (x >= 0 && s.corr[row] === c) out.add(s.execs.values[x] as string);
      }
      return [...out];
    });
  }

  private contexts(nowMs: number | undefined): ExecutionSummary[] {
    return this.memo(`contexts\0${nowMs ?? ""}`, () => {
      const now = nowMs ?? this.nowMs();
      const list = this.ing.execs.list;
      // Last time's order first, new contexts after: the sort then sees a nearly sorted array.
      const order = this.lastOrder;
      const placed = new Uint8Array(list.length);
      const out: ExecutionSummary[] = [];
      for (const ix of order) {
        const st = list[ix];
        if (st === undefined) continue;
        placed[ix] = 1;
        out.push(this.ing.execs.summarize(st, now, this.quietPeriodMs));
      }
      for (let ix = 0; ix < list.length; ix++) {
        const st = list[ix];
        if (st !== undefined && placed[ix] === 0) out.push(this.ing.execs.summarize(st, now, this.quietPeriodMs));
      }
      out.sort((a, b) => b.firstTsMs - a.firstTsMs || b.firstStreamSeq - a.firstStreamSeq);
      this.lastOrder = out.map((x) => (this.ing.execs.get(x.id) as ExecState).ix);
      return out;
    });
  }

  /**
   * Changes whenever an answer about this execution may (its summary, analysis, events, malformed lines):
   * its version, after the chain ledger's breaks are synced into it, and which side of its quiet-period
   * thresholds now lies on — the same rule its memos keep. A view keyed on it skips the batches that did
   * not touch its execution. An id the log does not hold follows the log's version.
   */
  executionStamp(id: string): string {
    const st = this.ing.execs.get(id);
    if (st === undefined) return `log ${this._version}`;
    if (this.ing.hasChains) this.ledger.sync();
    const now = this.nowMs();
    const q = this.quietPeriodMs;
    const side = now < st.firstActivityMs + q ? "before" : now >= st.lastActivityMs + q ? "after" : now;
    return `${this.foldEpoch} ${st.ix} ${st.version} ${side}`;
  }

  execution(id: string, opts: { nowMs?: number } = {}): ExecutionSummary | undefined {
    const st = this.ing.execs.get(id);
    return st === undefined ? undefined : this.ing.execs.summarize(st, opts.nowMs ?? this.nowMs(), this.quietPeriodMs);
  }

  /**
   * Distinct events in stream-sequence order; a snapshot, stable until the
   * execution (or, without one, the log) changes. Made from the kept bytes on
   * demand: cheap per execution (and kept for the executions viewed last),
   * costly for the whole log.
   */
  events(executionId?: string): readonly AuditEvent[] {
    if (executionId === undefined) {
      return this.memo("events", () => Object.freeze(this.ing.all.map((row) => this.cache.eventAt(row))));
    }
    const st = this.ing.execs.get(executionId);
    if (st === undefined) return Object.freeze([]);
    return this.cache.eventsOf(st);
  }

  malformed(executionId?: string): readonly Malformed[] {
    if (executionId === undefined) return this.memo("malformed", () => Object.freeze(this.malformedAt(this.ing.bad)));
    const st = this.ing.execs.get(executionId);
    if (st === undefined) return Object.freeze([]);
    return this.execMemo(st, "malformed", undefined, () => Object.freeze(this.malformedAt(st.malformed)));
  }

  /** Every extra copy received, ordered by stream sequence. */
  duplicates(executionId?: string): readonly Duplicate[] {
    const sorted = (src: readonly Duplicate[]) =>
      Object.freeze(
        src
          .map((d) => ({ ...d }))
          .sort((a, b) => a.streamSeq - b.streamSeq || a.of - b.of || a.deliveryCount - b.deliveryCount),
      );
    if (executionId === undefined) return this.memo("duplicates", () => sorted(this.ing.dups));
    const st = this.ing.execs.get(executionId);
    if (st === undefined) return Object.freeze([]);
    return this.execMemo(st, "duplicates", undefined, () => sorted(st.duplicates));
  }

  /** The message (event or malformed) held under a stream sequence. */
  recordAt(streamSeq: number): ParsedMessage | undefined {
    const row = this.ing.rowAt(streamSeq);
    if (row < 0) return undefined;
    return this.ing.isMalformed(row) ? this.ing.badRecords.get(row) : this.cache.eventAt(row);
  }

  /** The lane (resolved producer) of the event at a stream sequence, from its column: no parse. */
  producerAt(streamSeq: number): ProducerIdentity | undefined {
    const row = this.ing.rowAt(streamSeq);
    const ix = row < 0 ? -1 : (this.ing.store.identity[row] as number);
    return ix < 0 ? undefined : this.ing.identities.at(ix);
  }

  /** Chain breaks over the whole log. Each line is hashed and checked once, as it arrives. */
  chainBreaks(): readonly ChainBreak[] {
    if (!this.ing.hasChains) return [];
    this.ledger.sync();
    return this.memo(`chains\0${this.ledger.version}`, () =>
      Object.freeze(this.ledger.all().filter((b) => this.shownBreak(b))),
    );
  }

  /** Some of the execution's lines were read by themselves (through the index): its chains are not followed. */
  readAlone(executionId: string): boolean {
    const st = this.ing.execs.get(executionId);
    if (st === undefined) return false;
    const flags = this.ing.store.flags;
    return (
      st.events.some((r) => ((flags[r] as number) & ALONE) !== 0) ||
      st.malformed.some((r) => ((flags[r] as number) & ALONE) !== 0)
    );
  }

  private isAlone(streamSeq: number): boolean {
    const row = this.ing.rowAt(streamSeq);
    return row >= 0 && ((this.ing.store.flags[row] as number) & ALONE) !== 0;
  }

  /**
   * Signed events of one execution (or the whole log) whose signature does not
   * hold; [] without a JWKS. Each row is verified once, ever, and only when asked.
   */
  badSignatures(executionId?: string): readonly BadSignature[] {
    const ring = this.keyRing;
    if (ring === undefined) return [];
    const run = (rows: readonly number[]) => {
      const out: BadSignature[] = [];
      for (const row of rows) {
        let v = this.sigVerdicts.get(row);
        if (v === undefined) {
          v = this.verifyRow(row, ring);
          this.sigVerdicts.set(row, v);
        }
        if (v !== null) out.push({ streamSeq: this.ing.store.streamSeq[row] as number, message: v });
      }
      return Object.freeze(out);
    };
    if (executionId === undefined) return this.memo("signatures", () => run(this.ing.all));
    const st = this.ing.execs.get(executionId);
    if (st === undefined) return [];
    return this.execMemo(st, "signatures", undefined, () => run(st.events));
  }

  /**
   * Every producer process the log holds lines of, with what it served and its chain's status (see
   * process-ledger.ts). The chains are the ledger's (verified once per line, as it arrives); the grouping by
   * process is incremental too (rows past the last one taken), memoised on the log's version.
   */
  processLedger(): ProcessLedger {
    const ing = this.ing;
    this.ledger.sync();
    return this.memo(`processes\0${this.ledger.version}`, () => {
      const s = ing.store;
      return this.processes.update({
        streamSeq: s.streamSeq,
        tsMs: s.tsMs,
        flags: s.flags,
        identity: s.identity,
        exec: s.exec,
        execNames: s.execNames,
        corr: s.corr,
        corrNames: s.corrNames,
        identityAt: (ix) => ing.identities.at(ix),
        all: ing.all,
        bad: ing.bad,
        merge: (a, b) => mergeByStreamSeq(s.streamSeq, a, b),
        rowAt: (streamSeq) => ing.rowAt(streamSeq),
        breaks: this.chainBreaks(),
        predecessorOf: (row) => this.ledger.predecessorOf(row),
      });
    });
  }

  /** One process's held lines across everything it wrote, for its timeline. Undefined: no such process. */
  processTimeline(processId: string): ProcessTimelineModel | undefined {
    const ledger = this.processLedger();
    const p = ledger.processes.find((x) => x.id === processId);
    const rows = ledger.rowsOf.get(processId);
    if (p === undefined || rows === undefined) return undefined;
    const s = this.ing.store;
    return this.memo(`process-timeline\0${processId}`, () =>
      processTimelineModel(p, rows, { streamSeq: s.streamSeq, tsMs: s.tsMs, exec: s.exec, execNames: s.execNames }),
    );
  }

  /**
   * Signatures of one producer process's lines by kid (signature.ts's rule; without a JWKS signed lines are
   * "unchecked"). Each line is classified once, ever, and only when asked. Undefined: no such process.
   */
  processSignatures(processId: string): SignatureStatus | undefined {
    const rows = this.processLedger().rowsOf.get(processId);
    if (rows === undefined) return undefined;
    return this.memo(`process-signatures\0${processId}`, () =>
      signatureStatus(rows, this.ing.store.streamSeq, this.keyRing !== undefined, (row) => this.lineSignature(row)),
    );
  }

  /** Memoised per (key, options) and the execution's version (or the log's). */
  analyze(key: PartitionKey, opts: LogAnalyzeOptions = {}): Analysis {
    const x = opts.executionId;
    const chains = opts.chains !== false;
    const signatures = opts.signatures ?? x !== undefined;
    const id = `analysis\0${key.id}\0${key.fields.join("\u0001")}\0${chains}\0${signatures}`;
    const ing = this.ing;
    if (chains) this.ledger.sync(); // breaks that changed bump their executions' versions first
    // The whole log (st undefined), or one execution (st; an unknown one has nothing). An execution's breaks
    // are looked up by its own lines: a live batch costs what the execution holds, not a pass over every
    // break the log ever found.
    const run = (rows: readonly number[], st: ExecState | null | undefined, nowMs: number) => {
      const chainBreaks = !chains ? [] : st === undefined ? this.chainBreaks() : st === null ? [] : this.breaksOf(st);
      return analyzeColumns(
        ing.store,
        rows,
        this.keys.columns(key.fields, rows),
        key,
        {
          duplicates: st === undefined ? ing.dups : (st?.duplicates ?? []),
          malformed: this.malformedAt(st === undefined ? ing.bad : (st?.malformed ?? [])),
          chainBreaks,
          badSignatures: signatures ? this.badSignatures(x) : [],
        },
        { nowMs, quietPeriodMs: this.quietPeriodMs },
      );
    };
    if (x === undefined) {
      const now = opts.nowMs ?? this.nowMs();
      return this.memo(`${id}\0${now}`, () => run(ing.all, undefined, now));
    }
    const st = ing.execs.get(x);
    const now = opts.nowMs ?? this.nowMs();
    if (st === undefined) return run([], null, now);
    return this.execMemo(st, id, now, () => run(st.events, st, now));
  }

  /**
   * The log as plain data (see snapshot.ts), to rebuild it elsewhere with
   * AuditLog.fromSnapshot(). It shares the log's typed arrays and byte chunks:
   * after transferring them (snapshotTransferables) this log must not be used.
   */
  snapshot(): AuditLogSnapshot {
    return snapshotIngest(this.ing, { quietPeriodMs: this.quietPeriodMs, version: this._version });
  }

  /** The log a snapshot was taken of: every query answers the same, and add() carries on from there. */
  static fromSnapshot(snap: AuditLogSnapshot, opts: { jwks?: Jwks } = {}): AuditLog {
    const log = new AuditLog({ producerRules: snap.producerRules, quietPeriodMs: snap.quietPeriodMs, jwks: opts.jwks });
    log.restoreIndexes = restoreIngest(log.ing, snap);
    log._version = snap.version;
    if (log.ing.hasChains) log.ledger.active = true;
    log.ledger.removed(); // verify everything restored on the first query
    return log;
  }

  private parts() {
    return { ing: this.ing, cache: this.cache, keys: this.keys, ledger: this.ledger };
  }

  /** Whether anything was let go. */
  private evict(budget: number): boolean {
    const now = this.nowMs();
    // Once someone reads the process ledger, it takes the rows about to go first, so it keeps their counts.
    if (this.processes.active) this.processLedger();
    const r = evictToBudget(this.parts(), {
      budgetBytes: budget,
      evictable: (st) => !this.pinned.has(st.id) && this.ing.execs.finished(st, now, this.quietPeriodMs),
      countsOf: (st) => this.countsForSummary(st),
    });
    if (r.executions === 0) return false;
    this.evictedExecutions += r.executions;
    this.evictedMessages += r.messages;
    const sig = new Map<number, string | null>();
    for (const [row, v] of this.sigVerdicts) {
      const to = r.remap[row] ?? -1;
      if (to >= 0) sig.set(to, v);
    }
    this.sigVerdicts = sig;
    const lineSigs = new Map<number, LineSignature>();
    for (const [row, v] of this.lineSigs) {
      const to = r.remap[row] ?? -1;
      if (to >= 0) lineSigs.set(to, v);
    }
    this.lineSigs = lineSigs;
    this.processes.evicted(r.remap);
    this._version++;
    return true;
  }

  /**
   * Anomaly counts under each built-in key, for the summary an evicted execution leaves. A chain break counts
   * once whatever the key, so its breaks are looked up by its own lines (the ledger is synced) rather than
   * filtered out of every break the log ever found, four times over.
   */
  private countsForSummary(st: ExecState): Record<string, Analysis["counts"]> {
    const breaks = this.breaksOf(st).length;
    const out: Record<string, Analysis["counts"]> = {};
    for (const key of BUILTIN_KEYS) {
      const counts = { ...this.analyze(key, { executionId: st.id, signatures: false, chains: false }).counts };
      counts["chain-break"] = breaks;
      out[key.id] = counts;
    }
    return out;
  }

  /** The breaks shown at the execution's own lines, ascending stream sequence, as chainBreaks() lists them; after sync(). */
  private breaksOf(st: ExecState): ChainBreak[] {
    if (!this.ing.hasChains) return [];
    const found: ChainBreak[] = [];
    const seqs = this.ing.store.streamSeq;
    for (const row of st.events) this.ledger.breaksAt(seqs[row] as number, found);
    return found.filter((b) => this.shownBreak(b));
  }

  /** A line read alone (or one whose lane's previous line was) may follow a line nobody read: no verdict. */
  private shownBreak(b: ChainBreak): boolean {
    return !b.streamSeqs.some((q) => this.isAlone(q));
  }

  private nowMs(): number {
    return this.ing.newestMs === -Infinity ? 0 : this.ing.newestMs;
  }

  private lineSignature(row: number): LineSignature {
    const hit = this.lineSigs.get(row);
    if (hit !== undefined) return hit;
    let o: unknown;
    try {
      o = JSON.parse(decoder.decode(this.ing.store.bytes(row)));
    } catch {
      o = undefined;
    }
    const e = typeof o === "object" && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : {};
    const kid = typeof e.kid === "string" ? e.kid : undefined;
    const ring = this.keyRing;
    let v: LineSignature;
    if (!Object.hasOwn(e, "sig")) v = { verdict: "unsigned" };
    else if (ring === undefined) v = { verdict: "unchecked", kid };
    else {
      let problem = this.sigVerdicts.get(row);
      if (problem === undefined) {
        problem = this.verifyRow(row, ring);
        this.sigVerdicts.set(row, problem);
      }
      if (problem === null) v = { verdict: "verified", kid };
      else if (kid !== undefined && e.sigp === SIG_PROFILE && ring.get(kid) === undefined) {
        v = { verdict: "unknown-kid", kid, message: problem };
      } else v = { verdict: "bad", kid, message: problem };
    }
    this.lineSigs.set(row, v);
    return v;
  }

  /** A row's signature verdict (see sigVerdicts). */
  private verifyRow(row: number, ring: KeyRing): string | null {
    let o: unknown;
    try {
      o = JSON.parse(decoder.decode(this.ing.store.bytes(row)));
    } catch {
      return null; // accepted at ingest, so never happens
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) return null;
    return signatureProblem(o as Record<string, unknown>, ring) ?? null;
  }

  private memo<T>(id: string, make: () => T): T {
    if (this.memoVersion !== this._version) {
      this.memos.clear();
      this.memoVersion = this._version;
    }
    if (this.memos.has(id)) return this.memos.get(id) as T;
    const v = make();
    this.memos.set(id, v);
    return v;
  }

  /**
   * Memoised on the execution's version. `nowMs` (analyses only): a result made
   * at another time still holds while both times are on the same side of every
   * quiet-period threshold the execution can have (between its first and last
   * activity plus the quiet period).
   */
  private execMemo<T>(st: ExecState, id: string, nowMs: number | undefined, make: () => T): T {
    const m = this.execMemos;
    const k = `${st.ix}\0${id}`;
    const hit = m.get(k);
    if (hit !== undefined) {
      m.delete(k);
      if (
        hit.version === st.version &&
        (nowMs === undefined || hit.nowMs === nowMs || this.sameSideOfQuiet(st, hit.nowMs, nowMs))
      ) {
        m.set(k, hit);
        return hit.value as T;
      }
    }
    const value = make();
    m.set(k, { version: st.version, nowMs: nowMs ?? NaN, value });
    if (m.size > MAX_EXEC_MEMOS) m.delete(m.keys().next().value as string);
    return value;
  }

  private sameSideOfQuiet(st: ExecState, a: number, b: number): boolean {
    const q = this.quietPeriodMs;
    const lo = st.firstActivityMs + q;
    const hi = st.lastActivityMs + q;
    return (a < lo && b < lo) || (a >= hi && b >= hi);
  }

  private malformedAt(rows: readonly number[]): Malformed[] {
    return rows.map((row) => this.ing.badRecords.get(row) as Malformed);
  }
}

/** Two row lists, each ascending by stream sequence, merged. */
export function mergeByStreamSeq(streamSeq: Float64Array, a: readonly number[], b: readonly number[]): Int32Array {
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
