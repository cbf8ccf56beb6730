// Ingest and de-duplication: every message becomes a row of the store (an
// event or a malformed message) or a Duplicate of one, and is filed under its
// context: its workflow execution, else its invocation (context-ref.ts). The result is a function of the *set* of messages given: rows are
// kept in stream-sequence order, and when copies of one message disagree on
// which is "first", the lowest stream sequence (then the lowest delivery
// count) wins, so chunking and arrival order cannot change it.
//
// Each message is checked exactly as parseMessage() would: by a byte scanner
// that takes out only the fields the columns need (json-scan.ts); anything it
// rejects goes through parseMessage() for the exact reason (or, nested deeper
// than the scanner follows, for its fields). Only the columns are kept
// (row-store.ts); no object per message.
//
// A message whose execution was evicted (memory budget) and whose stream
// sequence is among the evicted comes back as a *restore*: a re-read to open
// that execution again, not a new delivery. Other messages of a re-read
// stretch that are held already are dropped without counting as duplicates.

import { positionOfStreamSeq } from "./analyze";
import type { Duplicate } from "./anomaly";
import { activityAt, ALONE, eventFlags, HAS_PREV_HASH, MALFORMED, PREV_HASH_HEX, WORKFLOW_EVENT } from "./columns";
import { contentHash, fingerprint, FingerprintIndex, StreamSeqSet } from "./dedupe";
import { DigestTable } from "./digest-table";
import { contextKey, contextOfIds, type ContextKind } from "./context-ref";
import { ExecutionIndex, Hints, type ExecState } from "./execution-index";
import { leftOutPrevHash, notJson, prevHashWords, scanBytes } from "./json-scan";
import { parseMessage } from "./parse";
import { ProducerIdentities } from "./producer-identities";
import { RowStore } from "./row-store";
import { newScanned, scanEvent } from "./scan";
import { Hint } from "./string-table";
import type { Malformed, ProducerRule, RawMessage } from "./types";

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v !== "";
}

/** What else must hear of a row: the chain ledger and the event cache. */
export interface IngestListener {
  /** A new held row; `restored`: an evicted one read again. */
  added(row: number, restored: boolean): void;
  /** A held row replaced by an identical, earlier copy (it is about to be released). */
  removed(row: number): void;
  /** A held row's delivery metadata or bytes changed: objects made from it are stale. */
  stale(row: number): void;
}

export class Ingest {
  readonly store = new RowStore((row) => this.moved(row));
  readonly execs = new ExecutionIndex();
  readonly identities: ProducerIdentities;
  /** Rows of distinct events / malformed messages, ascending stream sequence. */
  all: number[] = [];
  bad: number[] = [];
  badRecords = new Map<number, Malformed>();
  dups: Duplicate[] = [];
  /** Stream sequence of a byte-identical copy → the kept one. */
  readonly copyOf = new Map<number, number>();
  readonly seen = new StreamSeqSet();
  /** Stream sequences of evicted rows: seen, not held. */
  readonly evictedSeqs = new StreamSeqSet();
  /** Content ids of evicted rows → their stream sequence, so a copy published again is still a duplicate. */
  readonly evictedCopies = new DigestTable();
  /** Entries kept at most in evictedCopies (the newest). */
  evictedCopiesLimit = 2_000_000;
  fingerprints = new FingerprintIndex((row, data) => this.store.sameBytes(row, data));
  readonly outside = new Hints();
  private readonly subjectHint = new Hint();
  private readonly scanned = newScanned();
  newestMs = -Infinity;
  hasChains = false;
  listener: IngestListener = { added() {}, removed() {}, stale() {} };

  constructor(readonly rules: readonly ProducerRule[]) {
    this.identities = new ProducerIdentities(rules);
  }

  /** Distinct events + malformed messages held. */
  get size(): number {
    return this.all.length + this.bad.length;
  }

  isMalformed(row: number): boolean {
    return ((this.store.flags[row] as number) & MALFORMED) !== 0;
  }

  /** The held row (event or malformed) under a stream sequence, or -1. */
  rowAt(streamSeq: number): number {
    const ss = this.store.streamSeq;
    const i = positionOfStreamSeq(ss, this.all, streamSeq);
    if (i >= 0) return this.all[i] as number;
    const j = positionOfStreamSeq(ss, this.bad, streamSeq);
    return j >= 0 ? (this.bad[j] as number) : -1;
  }

  /** The context (execution or invocation) a row is filed under. */
  execOf(row: number): ExecState | undefined {
    const x = this.store.home[row] as number;
    return x >= 0 ? this.execs.list[x] : undefined;
  }

  /** Events held that name neither a workflow execution nor an invocation (process-level events). */
  outsideEvents = 0;
  /** Contexts rows were filed under lately, by recentSlot() of their name. */
  private readonly recent: (ExecState | undefined)[] = new Array<ExecState | undefined>(RECENT_SLOTS).fill(undefined);

  /** Contexts were folded (ExecutionIndex.drop): the recent ones cached here may be among them. */
  forgetContexts(): void {
    this.recent.fill(undefined);
  }

  ingest(msg: RawMessage): void {
    const s = msg.streamSeq;
    if (!this.seen.add(s)) {
      if (this.evictedSeqs.has(s)) {
        if (msg.reread === true) this.restore(msg);
        else this.redeliveredEvicted(msg);
      } else if (msg.reread !== true) this.redelivered(msg);
      return;
    }
    this.take(msg, false);
  }

  /** A new message, or (`restored`) one evicted earlier coming back. */
  private take(msg: RawMessage, restored: boolean): void {
    const bad = this.scan(msg);
    const fp = fingerprint(msg.data, bad === undefined ? this.scanned : undefined);
    const kept = this.fingerprints.find(fp, msg.data);
    if (kept >= 0) {
      this.identicalCopy(msg, bad, fp, kept, restored);
      return;
    }
    // Only an execution that was let go (or folded) can have a copy there: hash nothing else.
    if (!restored && this.evictedCopies.size > 0 && this.letGo(bad)) {
      if (this.copyOfEvicted(msg, bad)) return;
    }
    const row = this.addRow(msg, bad);
    this.fingerprints.add(fp, row);
    this.place(row, restored);
  }

  /** An evicted message read again: held once more, counted once (its execution's evicted count goes down). */
  private restore(msg: RawMessage): void {
    const s = msg.streamSeq;
    this.evictedSeqs.delete(s);
    if (this.copyOf.has(s)) return; // a duplicate: its record never left
    this.take(msg, true);
  }

  /** The same bytes as an evicted message with a lower stream sequence: a duplicate of it. */
  private copyOfEvicted(msg: RawMessage, bad: Malformed | undefined): boolean {
    const [hi, lo] = contentHash(msg.data);
    const kept = this.evictedCopies.lineOf(hi, lo);
    if (!(kept < msg.streamSeq)) return false; // none (NaN), or itself
    const st = this.namedExec(bad);
    const d: Duplicate = {
      streamSeq: msg.streamSeq,
      of: kept,
      deliveryCount: msg.deliveryCount,
      receivedMs: msg.receivedMs,
    };
    this.copyOf.set(msg.streamSeq, kept);
    this.dups.push(d);
    if (st !== undefined) st.duplicates.push(d);
    this.touch(st, d.streamSeq, d.receivedMs);
    return true;
  }

  /** Whether the context the message names was evicted, or folded into the totals (then it is not known). */
  private letGo(bad: Malformed | undefined): boolean {
    const key = this.namedKey(bad);
    if (key === undefined) return false;
    const st = this.execs.get(key);
    return st === undefined
      ? this.execs.folded.size > 0 && this.execs.folded.has(key)
      : st.evicted !== undefined || st.refolded === true;
  }

  /** The known context the scanned message (or `bad`) names. */
  private namedExec(bad: Malformed | undefined): ExecState | undefined {
    const key = this.namedKey(bad);
    return key === undefined ? undefined : this.execs.get(key);
  }

  /** The key of the context the scanned message (or `bad`) names; undefined: a process-level event. */
  private namedKey(bad: Malformed | undefined): string | undefined {
    const e = bad ?? this.scanned;
    const ref = contextOfIds(e.workflow_execution_id, e.correlation_id);
    return ref === undefined ? undefined : contextKey(ref);
  }

  /** Rows about to be evicted: their content ids stay, so later copies of them are still duplicates. */
  noteEvicted(row: number): void {
    const [hi, lo] = contentHash(this.store.bytes(row));
    this.evictedCopies.add(hi, lo, this.store.streamSeq[row] as number);
  }

  /** Another delivery of an evicted message: a duplicate of it, filed under the execution its bytes name. */
  private redeliveredEvicted(msg: RawMessage): void {
    const st = this.namedExec(this.scan(msg));
    const d: Duplicate = {
      streamSeq: msg.streamSeq,
      of: this.copyOf.get(msg.streamSeq) ?? msg.streamSeq,
      deliveryCount: msg.deliveryCount,
      receivedMs: msg.receivedMs,
    };
    this.dups.push(d);
    if (st !== undefined) st.duplicates.push(d);
    this.touch(st, d.streamSeq, d.receivedMs);
  }

  /** The scanned event's prev_hash words when scanBytes left its string out (this.scanned.prev_hash undefined). */
  private prevWords: Int32Array | undefined = undefined;

  /** Validates `msg`: undefined for an event (its fields in this.scanned), else the Malformed record. */
  private scan(msg: RawMessage): Malformed | undefined {
    // The byte scanner answers for nearly every event without building an object. What it refuses, the
    // slow path (decode, JSON.parse, scanParsed) refuses too, but for nesting deeper than it follows: so
    // parseMessage is next, to say exactly what is wrong; told when the bytes are no JSON, it skips the
    // JSON.parse that would throw (costlier than scanning them again).
    // A prev_hash of plain hex digits is kept as its words only: no string is made of it.
    if (scanBytes(msg.data, this.scanned, true)) {
      this.prevWords = leftOutPrevHash();
      return undefined;
    }
    this.prevWords = undefined;
    const rec = parseMessage(msg, this.rules, notJson(msg.data));
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
      s.flags[row] = msg.alone === true ? MALFORMED | ALONE : MALFORMED;
      const x = bad.workflow_execution_id;
      s.exec[row] = nonEmpty(x) ? s.execs.intern(x) : -1;
      s.home[row] = this.home(x, bad.correlation_id)?.ix ?? -1;
      bad.raw = s.bytes(row); // not the caller's buffer, which may be a view into a much larger one
      this.badRecords.set(row, bad);
      if (msg.sha256 !== undefined) s.setDigest(row, msg.sha256);
      return row;
    }
    const e = this.scanned;
    const x = e.workflow_execution_id;
    const st = this.home(x, e.correlation_id);
    const h = st === undefined ? this.outside : st.hints;
    s.tsMs[row] = e.tsMs;
    s.seq[row] = e.seq;
    s.home[row] = st === undefined ? -1 : st.ix;
    s.exec[row] = st === undefined || st.kind !== "execution" ? -1 : st.execIx;
    let flags = eventFlags(e.event);
    if (nonEmpty(e.correlation_id)) s.corr[row] = h.corr.intern(s.corrs, e.correlation_id);
    if (nonEmpty(e.task_id)) s.task[row] = h.task.intern(s.tasks, e.task_id);
    if (nonEmpty(e.entity_type)) s.entityType[row] = h.entityType.intern(s.entityTypes, e.entity_type);
    if (nonEmpty(e.entity_id)) s.entityId[row] = h.entityId.intern(s.entityIds, e.entity_id);
    if (nonEmpty(e.producer)) s.producer[row] = h.producer.intern(s.producers, e.producer);
    s.identity[row] = this.identities.of(
      h,
      e,
      s.producer[row] as number,
      s.entityType[row] as number,
      s.entityId[row] as number,
      s.exec[row] as number,
      flags & WORKFLOW_EVENT,
    );
    const left = this.prevWords;
    if (left !== undefined) {
      this.hasChains = true;
      flags |= HAS_PREV_HASH | PREV_HASH_HEX;
      s.setPrevHashWords(row, left);
    } else if (e.prev_hash !== undefined) {
      this.hasChains = true;
      flags |= HAS_PREV_HASH;
      const words = prevHashWords(e.prev_hash);
      if (words !== undefined) s.setPrevHashWords(row, words);
      if (words !== undefined || s.setPrevHash(row, e.prev_hash)) flags |= PREV_HASH_HEX;
    }
    s.flags[row] = msg.alone === true ? flags | ALONE : flags;
    if (msg.sha256 !== undefined) s.setDigest(row, msg.sha256);
    return row;
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
      const exec = this.execOf(row);
      const rec = this.badRecords.get(row);
      if (rec !== undefined) {
        const { deliveryCount, receivedMs, subject } = msg;
        this.badRecords.set(row, { ...rec, deliveryCount, receivedMs, subject });
        this.touch(exec, s, msg.receivedMs);
      } else {
        this.listener.stale(row);
        this.touch(exec, s, activityAt(st, row));
      }
      this.addDuplicate({ streamSeq: s, of: s, ...old });
      return;
    }
    this.addDuplicate({ streamSeq: s, of: s, deliveryCount: msg.deliveryCount, receivedMs: msg.receivedMs });
  }

  private identicalCopy(
    msg: RawMessage,
    bad: Malformed | undefined,
    fp: number,
    keptRow: number,
    restored: boolean,
  ): void {
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
    this.place(row, restored);
    this.fingerprints.replace(fp, keptRow, row);
    for (const d of this.dups) if (d.of === kept) d.of = s;
    for (const [k, v] of this.copyOf) if (v === kept) this.copyOf.set(k, s);
    this.copyOf.set(kept, s);
    this.addDuplicate({ streamSeq: kept, of: s, ...old });
  }

  /** The context ids file a row under, made when new; undefined: a process-level event. */
  private home(workflowExecutionId: string | undefined, correlationId: string | undefined): ExecState | undefined {
    if (nonEmpty(workflowExecutionId)) return this.context("execution", workflowExecutionId);
    return nonEmpty(correlationId) ? this.context("invocation", correlationId) : undefined;
  }

  private context(kind: ContextKind, name: string): ExecState {
    // Dozens of runs interleave, each for many events: a recent context answers most lookups without hashing.
    const slot = recentSlot(name);
    const hit = this.recent[slot];
    if (hit !== undefined && hit.kind === kind && hit.name === name) return hit;
    const st = this.execs.ensure(kind, name);
    if (kind === "execution" && st.execIx < 0) st.execIx = this.store.execs.intern(name);
    this.recent[slot] = st;
    return st;
  }

  private touch(st: ExecState | undefined, streamSeq: number, act: number): void {
    if (act > this.newestMs) this.newestMs = act;
    if (st !== undefined) this.execs.touch(st, streamSeq, act);
  }

  /** Files a new row under its execution and updates the summaries; this.scanned still holds its fields. */
  private place(row: number, restored: boolean): void {
    const s = this.store;
    const st = this.execOf(row);
    const streamSeq = s.streamSeq[row] as number;
    this.listener.added(row, restored);
    if (this.isMalformed(row)) {
      insertSorted(s.streamSeq, this.bad, row);
      if (st !== undefined) {
        insertSorted(s.streamSeq, st.malformed, row);
        if (restored) this.takeBack(st, "malformed", streamSeq);
        else if (st.evicted !== undefined) st.evicted = { ...st.evicted, counts: {} };
      }
      this.touch(st, streamSeq, s.receivedMs[row] as number);
      return;
    }
    insertSorted(s.streamSeq, this.all, row);
    this.touch(st, streamSeq, activityAt(s, row));
    if (st === undefined) {
      this.outsideEvents++;
      return;
    }
    insertSorted(s.streamSeq, st.events, row);
    if (restored && this.takeBack(st, "events", streamSeq)) return; // its summary fields never left
    if (st.evicted !== undefined) st.evicted = { ...st.evicted, counts: {} }; // with this one, unknown until read again
    const ix = s.identity[row] as number;
    this.execs.noteEvent(st, this.scanned, s.flags[row] as number, ix, this.identities.at(ix), streamSeq);
  }

  /**
   * A row read again comes back to its context: out of its evicted count, or — the context was folded and made
   * anew since, and this line is not one of its own evicted since — out of the folded totals, and then its
   * summary fields must note it. Whether they already do.
   */
  private takeBack(st: ExecState, what: "events" | "malformed", streamSeq: number): boolean {
    const own = st.evictedOwn;
    if (st.refolded === true && own?.has(streamSeq) !== true) {
      this.execs.folded.unfold(st.kind, what);
      return false;
    }
    own?.delete(streamSeq);
    unevict(st, what);
    return true;
  }

  /** Removes a held row that an identical, earlier copy replaces; its counters stay valid (same content). */
  private remove(row: number): void {
    const s = this.store;
    const st = this.execOf(row);
    const streamSeq = s.streamSeq[row] as number;
    this.listener.removed(row);
    if (this.isMalformed(row)) {
      removeSorted(s.streamSeq, this.bad, streamSeq);
      if (st !== undefined) removeSorted(s.streamSeq, st.malformed, streamSeq);
      this.badRecords.delete(row);
    } else {
      removeSorted(s.streamSeq, this.all, streamSeq);
      if (st !== undefined) removeSorted(s.streamSeq, st.events, streamSeq);
      else this.outsideEvents--;
    }
  }

  private addDuplicate(d: Duplicate): void {
    this.dups.push(d);
    const row = this.rowAt(d.of);
    const st = row < 0 ? undefined : this.execOf(row);
    if (st !== undefined) st.duplicates.push(d);
    this.touch(st, d.streamSeq, d.receivedMs);
  }

  /** A row's bytes moved: records made earlier must not hold on to the old buffer. */
  private moved(row: number): void {
    const rec = this.badRecords.get(row);
    if (rec !== undefined) rec.raw = this.store.bytes(row);
    else this.listener.stale(row);
  }
}

const RECENT_SLOTS = 256;

/** A slot for a context name, from its length and last two characters (where generated ids differ). */
function recentSlot(name: string): number {
  const n = name.length;
  return (n + name.charCodeAt(n - 1) * 31 + (n > 1 ? name.charCodeAt(n - 2) * 961 : 0)) & (RECENT_SLOTS - 1);
}

function unevict(st: ExecState, what: "events" | "malformed"): void {
  const e = st.evicted;
  if (e === undefined) return;
  const left = { ...e, [what]: Math.max(0, e[what] - 1) };
  st.evicted = left.events + left.malformed > 0 ? left : undefined;
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
