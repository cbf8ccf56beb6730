// The execution index: per context — a workflow execution, or an invocation
// outside any run (context-ref.ts) — its rows and what the list shows about it
// (status, producers, counts, where it lies in the stream), kept up to date as
// rows are filed, so a summary costs O(producers), never a pass over the
// events. A context evicted under the memory budget keeps all of this; only
// its rows go, and `evicted` says how many are not held.

import type { AnomalyKind, Duplicate } from "./anomaly";
import { contextKey, type ContextKind } from "./context-ref";
import { CLOSES_INVOCATION, CLOSES_RUN, WORKFLOW_EVENT } from "./columns";
import { isStepFailure, statusSaysFailed, WORKFLOW_CANCELLED } from "./event-kinds";
import { compareLanes, leadsLane } from "./lane-model";
import type { Scanned } from "./scan";
import { StreamSeqSet } from "./dedupe";
import { FoldedContexts } from "./folded-contexts";
import { Hint } from "./string-table";
import type { AuditEvent, ProducerIdentity } from "./types";

export const EXECUTION_STATUSES = ["running", "complete", "failed", "cancelled", "stalled"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** What an evicted execution left behind besides its summary. */
export interface EvictedPart {
  /** Events and malformed messages not held (they come back, one by one, on a re-read). */
  events: number;
  malformed: number;
  /** Anomaly counts under each built-in partition key (by key id), taken when it was evicted. */
  counts: Readonly<Record<string, Readonly<Record<AnomalyKind, number>>>>;
}

export interface ExecutionSummary {
  /** The log's key for it (context-ref.ts): what its queries take. An execution's key is its id. */
  id: string;
  kind: ContextKind;
  /** The workflow_execution_id, or the invocation's correlation_id: what a person reads. */
  name: string;
  workflowId?: string;
  /** An invocation's task ids, in order of first appearance. */
  taskIds?: string[];
  /** Orchestrator first, then by first event (ts, then stream sequence). */
  producers: ProducerIdentity[];
  /** Distinct events, held or not. */
  eventCount: number;
  malformedCount: number;
  duplicateCount: number;
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  status: ExecutionStatus;
  /** Set while some of its messages are not held (memory budget): re-read [firstStreamSeq, lastStreamSeq] to open it. */
  evicted?: EvictedPart;
  /**
   * An earlier part of it was folded into the log's totals (folded-contexts.ts): these counts are only
   * what came since.
   */
  folded?: true;
}

export interface ProducerSeen {
  identity: ProducerIdentity;
  /** Emits workflow_* events: the orchestrator even when an explicit producer/source named it. */
  leads: boolean;
  firstTsMs: number;
  firstStreamSeq: number;
}

/**
 * The (producer, source, entity type, entity id, run) ids of a context's last event of one kind, and the
 * identity resolveProducer gave them. A workflow_* event's identity also names its run, and evicted runs
 * share one Hints: that slot compares the run's id too.
 */
export class IdentitySlot {
  producer = -2;
  source = -2;
  entityType = -2;
  entityId = -2;
  exec = -2;
  ix = -1;
}

/** Last-seen ids of one context (a run, or events outside any run): events come in streaks. */
export class Hints {
  readonly corr = new Hint();
  readonly task = new Hint();
  readonly entityType = new Hint();
  readonly entityId = new Hint();
  readonly producer = new Hint();
  readonly source = new Hint();
  /**
   * The identity of the last id tuple, one slot for workflow_* events and one for the rest: a run's
   * orchestrator events interleave with its agents'.
   */
  readonly workflowIdentity = new IdentitySlot();
  readonly identity = new IdentitySlot();

  /** The store released ids (RowStore.releaseUnusedIds): the ones cached here may be among them. */
  forgetIds(): void {
    this.corr.forget();
    this.task.forget();
    this.entityId.forget();
    this.identity.entityId = -2;
    this.workflowIdentity.entityId = -2;
  }

  /** Execution ids were released (folded contexts): a new run may be given one this cache holds. */
  forgetRuns(): void {
    this.workflowIdentity.exec = -2;
  }
}

export interface ExecState {
  /** Its context key (context-ref.ts). */
  id: string;
  kind: ContextKind;
  /** The execution id or correlation id. */
  name: string;
  /** Position in ExecutionIndex.list; rows point at it (RowStore.home). */
  ix: number;
  /** An execution's id in the store's execution table (RowStore.exec); -1 for an invocation. */
  execIx: number;
  workflowId?: string;
  /** An invocation's task ids, each with the lowest stream sequence it was seen at. */
  tasks?: Map<string, number>;
  /** Rows, ascending stream sequence. */
  events: number[];
  malformed: number[];
  duplicates: Duplicate[];
  producers: Map<number, ProducerSeen>;
  firstTsMs: number;
  lastTsMs: number;
  firstStreamSeq: number;
  lastStreamSeq: number;
  firstActivityMs: number;
  lastActivityMs: number;
  completed: boolean;
  cancelled: boolean;
  stepFailed: boolean;
  failedOutcome: boolean;
  hints: Hints;
  /** Bumps whenever anything about this execution changed: per-execution caches key on it. */
  version: number;
  evicted?: EvictedPart;
  /** Its key was folded before (folded-contexts.ts): this state holds only what came since. */
  refolded?: true;
  /**
   * A refolded context's own lines evicted since it was made anew (stream sequences): a re-read of any other
   * of its lines was among the folded totals, not in its evicted count.
   */
  evictedOwn?: StreamSeqSet;
  /** Materialised events by row, while this execution is among the recently viewed. */
  cache?: Map<number, AuditEvent>;
  /** Its summary as last made, while `version` and its status are unchanged. */
  summary?: { version: number; value: ExecutionSummary };
  /** Its events as last handed out, while `version` is unchanged. */
  cachedEvents?: { version: number; events: readonly AuditEvent[] };
  /** In ExecutionIndex's list of contexts that may hold rows. */
  mayHold?: boolean;
}

export function newExecState(kind: ContextKind, name: string, ix: number): ExecState {
  return {
    id: contextKey({ kind, id: name }),
    kind,
    name,
    ix,
    execIx: -1,
    events: [],
    malformed: [],
    duplicates: [],
    producers: new Map(),
    firstTsMs: Infinity,
    lastTsMs: -Infinity,
    firstStreamSeq: Infinity,
    lastStreamSeq: -Infinity,
    firstActivityMs: Infinity,
    lastActivityMs: -Infinity,
    completed: false,
    cancelled: false,
    stepFailed: false,
    failedOutcome: false,
    hints: new Hints(),
    version: 0,
    mayHold: false,
  };
}

export class ExecutionIndex {
  /** Hints shared by this log's evicted executions (few messages come for them; a hint is only a cache of this log's ids). */
  readonly sharedHints = new Hints();
  readonly byName = new Map<string, ExecState>();
  /** By position (RowStore.home). */
  list: ExecState[] = [];
  /** Contexts folded into totals, past the summaries' share of the memory budget. */
  readonly folded = new FoldedContexts();
  /**
   * Contexts that may hold rows: every one touched since the last eviction or holding rows after it. Eviction
   * looks at these, not at every context ever seen (most are summaries by then).
   */
  private mayHold: ExecState[] = [];
  /** Refolded contexts with evicted lines of their own (ExecState.evictedOwn): few, so the estimate sums them. */
  private withOwn = new Set<ExecState>();

  /** Notes an evicted line of a refolded context's own (a re-read of it comes out of its evicted count). */
  noteEvictedOwn(st: ExecState, streamSeq: number): void {
    (st.evictedOwn ??= new StreamSeqSet()).add(streamSeq);
    this.withOwn.add(st);
  }

  /** Bytes of the refolded contexts' evicted-own sets, for the memory budget. */
  get evictedOwnBytes(): number {
    let n = 0;
    for (const st of this.withOwn) n += st.evictedOwn?.bytes ?? 0;
    return n;
  }
  /** Contexts made by ensure(); fewer than the list holds: some came from a snapshot, not yet looked at. */
  private ensured = 0;

  /** By context key. */
  get(key: string): ExecState | undefined {
    return this.byName.get(key);
  }

  /** The context of this kind and name, made when new. */
  ensure(kind: ContextKind, name: string): ExecState {
    const key = contextKey({ kind, id: name });
    let st = this.byName.get(key);
    if (st === undefined) {
      st = newExecState(kind, name, this.list.length);
      if (this.folded.size > 0 && this.folded.relist(key, kind)) st.refolded = true;
      this.byName.set(key, st);
      this.list.push(st);
      this.ensured++;
    }
    return st;
  }

  /**
   * Drops contexts that hold no rows (they were folded), renumbering the rest in order.
   * Returns old position → new (−1: dropped), for RowStore.home.
   */
  drop(gone: ReadonlySet<ExecState>): Int32Array {
    const remap = new Int32Array(this.list.length).fill(-1);
    const kept: ExecState[] = [];
    for (const st of this.list) {
      if (gone.has(st)) {
        this.byName.delete(st.id);
        this.withOwn.delete(st);
        continue;
      }
      remap[st.ix] = kept.length;
      st.ix = kept.length;
      kept.push(st);
    }
    // Positions changed: the count of contexts ensure() made stays true only if it covered them all.
    this.ensured = this.ensured === this.list.length ? kept.length : Math.max(0, this.ensured - gone.size);
    this.list = kept;
    this.mayHold = this.mayHold.filter((st) => !gone.has(st));
    return remap;
  }

  /** Contexts that may hold rows (a superset of those that do), for eviction. */
  holding(): readonly ExecState[] {
    if (this.ensured !== this.list.length) {
      // Restored from a snapshot: one pass finds what the restored contexts hold.
      this.ensured = this.list.length;
      for (const st of this.list) if (st.events.length + st.malformed.length > 0) this.noteHolding(st);
    }
    return this.mayHold;
  }

  /** After an eviction: only contexts still holding rows stay listed. */
  settleHolding(): void {
    const still: ExecState[] = [];
    for (const st of this.mayHold) {
      if (st.events.length + st.malformed.length > 0) still.push(st);
      else st.mayHold = false;
    }
    this.mayHold = still;
  }

  private noteHolding(st: ExecState): void {
    if (st.mayHold === true) return;
    st.mayHold = true;
    this.mayHold.push(st);
  }

  /** Something arrived for the execution at this stream sequence and time (every row filed comes here). */
  touch(st: ExecState, streamSeq: number, act: number): void {
    if (st.mayHold !== true) this.noteHolding(st);
    st.version++;
    if (streamSeq < st.firstStreamSeq) st.firstStreamSeq = streamSeq;
    if (streamSeq > st.lastStreamSeq) st.lastStreamSeq = streamSeq;
    if (act > st.lastActivityMs) st.lastActivityMs = act;
    if (act < st.firstActivityMs) st.firstActivityMs = act;
  }

  /** A new event row of `st`: the summary fields it changes. `flags`: its row flags (eventFlags of its type). */
  noteEvent(
    st: ExecState,
    e: Scanned,
    flags: number,
    identityIx: number,
    identity: ProducerIdentity,
    streamSeq: number,
  ): void {
    const tsMs = e.tsMs;
    if (st.workflowId === undefined && e.workflow_id !== undefined) st.workflowId = e.workflow_id;
    if (tsMs < st.firstTsMs) st.firstTsMs = tsMs;
    if (tsMs > st.lastTsMs) st.lastTsMs = tsMs;
    const workflowEvent = (flags & WORKFLOW_EVENT) !== 0;
    const p = st.producers.get(identityIx);
    if (p === undefined) {
      st.producers.set(identityIx, {
        identity,
        leads: leadsLane(identity, workflowEvent),
        firstTsMs: tsMs,
        firstStreamSeq: streamSeq,
      });
    } else {
      if (!p.leads && leadsLane(identity, workflowEvent)) p.leads = true;
      if (tsMs < p.firstTsMs) p.firstTsMs = tsMs;
      if (streamSeq < p.firstStreamSeq) p.firstStreamSeq = streamSeq;
    }
    if (st.kind === "invocation") {
      const task = e.task_id;
      if (task !== undefined && task !== "") {
        const tasks = (st.tasks ??= new Map());
        const at = tasks.get(task);
        if (at === undefined || streamSeq < at) tasks.set(task, streamSeq);
      }
      if ((flags & CLOSES_INVOCATION) !== 0) {
        st.completed = true;
        if (statusSaysFailed(e.status)) st.failedOutcome = true;
      }
      return;
    }
    if ((flags & CLOSES_RUN) !== 0) {
      if (e.event === WORKFLOW_CANCELLED) st.cancelled = true;
      else {
        st.completed = true;
        if (statusSaysFailed(e.status)) st.failedOutcome = true;
      }
    } else if (workflowEvent && isStepFailure(e.event)) st.stepFailed = true;
  }

  /** Whether the execution ended (a closing event) or went quiet: what the memory budget may evict. */
  finished(st: ExecState, nowMs: number, quietPeriodMs: number): boolean {
    const s = statusOf(st, nowMs, quietPeriodMs);
    return s !== "running";
  }

  /** The same object while nothing about the execution changed: lists re-derive only what did. */
  summarize(st: ExecState, nowMs: number, quietPeriodMs: number): ExecutionSummary {
    const status = statusOf(st, nowMs, quietPeriodMs);
    const hit = st.summary;
    if (hit !== undefined && hit.version === st.version && hit.value.status === status) return hit.value;
    const value = this.makeSummary(st, status);
    st.summary = { version: st.version, value };
    return value;
  }

  private makeSummary(st: ExecState, status: ExecutionStatus): ExecutionSummary {
    const producers = [...st.producers.values()].sort(compareLanes).map((p) => p.identity);
    const held = st.events.length;
    const events = held + (st.evicted?.events ?? 0);
    const noEvents = events === 0;
    const s: ExecutionSummary = {
      id: st.id,
      kind: st.kind,
      name: st.name,
      producers,
      eventCount: events,
      malformedCount: st.malformed.length + (st.evicted?.malformed ?? 0),
      duplicateCount: st.duplicates.length,
      // An execution known only from malformed lines has no producer time; use arrival.
      firstTsMs: noEvents ? st.lastActivityMs : st.firstTsMs,
      lastTsMs: noEvents ? st.lastActivityMs : st.lastTsMs,
      firstStreamSeq: st.firstStreamSeq,
      lastStreamSeq: st.lastStreamSeq,
      status,
    };
    if (st.workflowId !== undefined) s.workflowId = st.workflowId;
    // Stream order, not arrival order: a summary is a function of the set of messages.
    if (st.tasks !== undefined) s.taskIds = [...st.tasks].sort((a, b) => a[1] - b[1]).map(([t]) => t);
    if (st.evicted !== undefined) s.evicted = st.evicted;
    if (st.refolded === true) s.folded = true;
    return s;
  }
}

function statusOf(st: ExecState, nowMs: number, quietPeriodMs: number): ExecutionStatus {
  if (st.cancelled) return "cancelled";
  if (st.completed) return st.stepFailed || st.failedOutcome ? "failed" : "complete";
  if (nowMs - st.lastActivityMs >= quietPeriodMs) return "stalled";
  return "running";
}
