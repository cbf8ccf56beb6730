// The ledger per producer process: every process seen, what it served and
// whether its prev_hash chain holds. A process is not named on the wire, so it
// is found the way chains are followed (chain.ts): by hash. A line whose
// prev_hash names a line read belongs to that line's process; a genesis line
// starts a process; a line whose predecessor was not read starts one only when
// its lane (resolved producer) has none yet ("starts mid-chain") and otherwise
// stays in the lane's latest process — exactly where chain-ledger.ts reports a
// break against the lane's previous line. Lines without a prev_hash stay in
// their lane's latest process. So replicas and restarts of one deployment (each
// its own genesis) are told apart, and a break never invents a process.
//
// This module verifies nothing itself: the breaks, the predecessor links and
// the signature verdicts come from chain-ledger.ts and signature.ts through
// the AuditLog. Pure: no React, DOM or NATS.

import type { ChainBreak } from "./chain";
import { HAS_PREV_HASH, MALFORMED, PREV_HASH_HEX } from "./columns";
import type { ProducerIdentity, ProducerRule } from "./types";

/** Where a process's chain begins among the lines read. */
export type ChainStart = "genesis" | "mid-chain" | "unchained";

/** continuous: from genesis, no break; mid-chain: no break, but its first lines were not read; no-chain: no prev_hash. */
export type ChainStatus = "continuous" | "breaks" | "mid-chain" | "no-chain";

/** One point of the stream. */
export interface LinePosition {
  streamSeq: number;
  /** The producer's `ts`, ms since epoch. */
  tsMs: number;
}

export interface ProcessBreak {
  /** Stream sequence of the line whose prev_hash does not fit. */
  at: number;
  atTsMs: number;
  /**
   * missing: its predecessor was never read (lost, or altered) — the lines missing were written after `after`
   * and before `at`; fork: it and another line both follow `after`.
   */
  kind: "missing" | "fork";
  /** The process's line before it (NaN: none held). */
  after: number;
  afterTsMs: number;
  /** fork: the other line that follows `after`. */
  forkWith?: number;
  /** The engine's words (producer text inside: show it through visible()). */
  message: string;
}

export interface ProducerProcess {
  /** `<identity id>@<stream seq of its first line read>`: stable while the stream is read from the same start. */
  id: string;
  identity: ProducerIdentity;
  /** How the identity was resolved (the producer rule that fired). */
  rule: ProducerRule;
  first: LinePosition;
  last: LinePosition;
  /** Events of this process held. */
  events: number;
  /** Lines carrying a prev_hash. */
  chained: number;
  /** Lines whose link was checked and holds: genesis, or the predecessor was read and no break is at them. */
  verified: number;
  start: ChainStart;
  status: ChainStatus;
  breaks: ProcessBreak[];
  /** Workflow executions it served, in the order first seen. */
  executions: string[];
  /** correlation_ids (invocations) it served, in the order first seen. */
  invocations: string[];
  /** Events of no execution and no invocation (startup, housekeeping). */
  processLevel: number;
}

export interface LedgerRange {
  first: LinePosition;
  last: LinePosition;
  /** Lines (events and malformed) in it. */
  lines: number;
}

export interface ProcessLedger {
  /** What the reader holds: the range a verification was asked for. Undefined: nothing read. */
  requested: LedgerRange | undefined;
  processes: ProducerProcess[];
  /** Malformed lines held: no process can be named for them. */
  malformed: number;
  /** Rows of each process (valid for the log version the ledger was made at). */
  rowsOf: ReadonlyMap<string, readonly number[]>;
}

/** What the tracker reads: the log's columns and its chain ledger's answers. */
export interface ProcessLedgerInput {
  streamSeq: Float64Array;
  tsMs: Float64Array;
  flags: Uint8Array;
  identity: Int32Array;
  exec: Int32Array;
  execNames: readonly string[];
  corr: Int32Array;
  corrNames: readonly string[];
  identityAt(ix: number): ProducerIdentity;
  /** Held event rows and malformed rows, each ascending stream sequence. */
  all: readonly number[];
  bad: readonly number[];
  /** Two such row lists merged (AuditLog's mergeByStreamSeq). */
  merge(a: readonly number[], b: readonly number[]): ArrayLike<number>;
  /** The held row under a stream sequence, or -1. */
  rowAt(streamSeq: number): number;
  /** The chain ledger's breaks (chain-ledger.ts). */
  breaks: readonly ChainBreak[];
  /** Stream sequence of the line (held or not) this row's prev_hash names; 0: genesis; NaN: none read. */
  predecessorOf(row: number): number;
}

interface Building {
  id: string;
  identity: ProducerIdentity;
  start: ChainStart;
  first: LinePosition;
  last: LinePosition;
  /** Its newest held line (-1: evicted). */
  lastRow: number;
  events: number;
  chained: number;
  verified: number;
  breaks: Map<number, ProcessBreak>;
  rows: number[];
  execs: Set<number>;
  executions: string[];
  /** By name: the id of an evicted invocation's correlation id is released, and a late line interns it anew. */
  corrs: Set<string>;
  invocations: string[];
  processLevel: number;
  lastExec: number;
  lastCorr: number;
  /** What was last handed out, while nothing changed. */
  shown: ProducerProcess | undefined;
}

/**
 * The process ledger, kept up to date as the log grows: rows past the last one seen are taken one by one,
 * and only breaks that came or went at older rows (a late predecessor) are judged again. Evicted rows leave
 * their counts behind. Anything else — a row removed or read back, one arriving before rows already taken —
 * takes every held row again, which gives the same answer while nothing was evicted (the property test
 * compares the two); after an eviction such a pass counts the held lines only.
 */
export class ProcessTracker {
  private procs: Building[] = [];
  /** Process index + 1 by row (0: not taken; -1: a malformed line taken). */
  private procOfRow = new Int32Array(0);
  /** The process's line before this row (-1: none). */
  private prevInProc = new Int32Array(0);
  /** 1 where the row was counted as verified. */
  private verifiedRow = new Uint8Array(0);
  /** Lane → index of its latest process. */
  private latestOfLane: number[] = [];
  private breaksSeen = new Map<number, ChainBreak>();
  private highWater = -Infinity;
  private taken = 0;
  private malformed = 0;
  private requested: LedgerRange | undefined;
  private dirty = false;
  /** Asked at least once: from then on it is kept up to date before every eviction. */
  active = false;

  /** A held row went (an identical, earlier copy replaces it): take every row again next time. */
  removed(): void {
    this.dirty = true;
  }

  /** A row arrived: one read back after eviction, or one before rows already taken, means every row again. */
  added(streamSeq: number, restored: boolean): void {
    if (restored || streamSeq <= this.highWater) this.dirty = true;
  }

  /**
   * Rows evicted and the rest renumbered (`remap`: old row → new row, -1 evicted). The ledger keeps what it
   * counted of the evicted lines (events, what they served, their chain's verdicts); only the rows go.
   */
  evicted(remap: Int32Array): void {
    if (this.dirty) return;
    const n = this.procOfRow.length;
    const procOfRow = new Int32Array(n);
    const prevInProc = new Int32Array(n);
    const verifiedRow = new Uint8Array(n);
    for (let r = 0; r < remap.length && r < n; r++) {
      const to = remap[r] as number;
      if (to < 0) {
        if (this.procOfRow[r] !== 0) this.taken--;
        continue;
      }
      procOfRow[to] = this.procOfRow[r] as number;
      const prev = this.prevInProc[r] as number;
      prevInProc[to] = prev >= 0 ? (remap[prev] ?? -1) : -1;
      verifiedRow[to] = this.verifiedRow[r] as number;
    }
    this.procOfRow = procOfRow;
    this.prevInProc = prevInProc;
    this.verifiedRow = verifiedRow;
    for (const b of this.procs) {
      if (b.rows.length === 0 && b.lastRow < 0) continue; // nothing of it held: nothing to renumber
      const rows: number[] = [];
      for (const r of b.rows) {
        const to = remap[r] ?? -1;
        if (to >= 0) rows.push(to);
      }
      b.rows = rows;
      b.lastRow = b.lastRow >= 0 ? (remap[b.lastRow] ?? -1) : -1;
      b.shown = undefined;
    }
  }

  update(c: ProcessLedgerInput): ProcessLedger {
    this.active = true;
    const total = c.all.length + c.bad.length;
    const takenAll = countUpTo(c.streamSeq, c.all, this.highWater);
    const takenBad = countUpTo(c.streamSeq, c.bad, this.highWater);
    // Only new rows, all past the last one taken: every row up to it is one taken before.
    const appended = !this.dirty && takenAll + takenBad === this.taken;
    const breaksAt = new Map<number, ChainBreak>();
    for (const b of c.breaks) breaksAt.set(b.at, b);
    if (!appended) this.reset();
    const before = this.highWater;
    const rows = appended ? c.merge(c.all.slice(takenAll), c.bad.slice(takenBad)) : c.merge(c.all, c.bad);
    this.grow(c.flags.length);
    for (let i = 0; i < rows.length; i++) this.take(c, rows[i] as number, breaksAt);
    this.taken = total;
    if (appended) {
      // A break that came or went at a row taken before: its line is judged again.
      for (const [at, b] of this.breaksSeen) if (at <= before && breaksAt.get(at) !== b) this.rejudge(c, at, breaksAt);
      for (const at of breaksAt.keys()) if (at <= before && !this.breaksSeen.has(at)) this.rejudge(c, at, breaksAt);
    }
    this.breaksSeen = breaksAt;
    const rowsOf = new Map<string, readonly number[]>();
    const processes = this.procs.map((b) => {
      rowsOf.set(b.id, b.rows);
      return (b.shown ??= shown(c, b));
    });
    const r = this.requested;
    return {
      requested: r === undefined ? undefined : { first: { ...r.first }, last: { ...r.last }, lines: r.lines },
      processes,
      malformed: this.malformed,
      rowsOf,
    };
  }

  private reset(): void {
    this.dirty = false;
    this.procs = [];
    this.procOfRow.fill(0);
    this.verifiedRow.fill(0);
    this.latestOfLane = [];
    this.breaksSeen = new Map();
    this.highWater = -Infinity;
    this.taken = 0;
    this.malformed = 0;
    this.requested = undefined;
  }

  private grow(rows: number): void {
    if (this.procOfRow.length >= rows) return;
    const n = Math.max(rows, this.procOfRow.length * 2, 1024);
    const p = new Int32Array(n);
    p.set(this.procOfRow);
    this.procOfRow = p;
    const q = new Int32Array(n);
    q.set(this.prevInProc);
    this.prevInProc = q;
    const v = new Uint8Array(n);
    v.set(this.verifiedRow);
    this.verifiedRow = v;
  }

  private take(c: ProcessLedgerInput, row: number, breaksAt: ReadonlyMap<number, ChainBreak>): void {
    const seq = c.streamSeq[row] as number;
    const f = c.flags[row] as number;
    this.highWater = seq;
    const ts = (f & MALFORMED) !== 0 ? NaN : (c.tsMs[row] as number);
    const r = (this.requested ??= {
      first: { streamSeq: seq, tsMs: ts },
      last: { streamSeq: seq, tsMs: ts },
      lines: 0,
    });
    r.lines++;
    // A malformed line has no ts: the range's times are those of the first and last events.
    r.last.streamSeq = seq;
    if (ts === ts) r.last.tsMs = ts;
    if (r.first.tsMs !== r.first.tsMs) r.first.tsMs = ts;
    if ((f & MALFORMED) !== 0) {
      this.malformed++;
      this.procOfRow[row] = -1;
      return;
    }
    const lane = c.identity[row] as number;
    const chained = (f & HAS_PREV_HASH) !== 0;
    const pred = (f & PREV_HASH_HEX) !== 0 ? c.predecessorOf(row) : NaN;
    let ix: number | undefined;
    if (pred !== 0) {
      ix = this.latestOfLane[lane];
      // Nearly always the predecessor is the lane's latest line: no lookup then.
      const latest = ix === undefined ? undefined : this.procs[ix];
      if (pred === pred && latest?.last.streamSeq !== pred) {
        const predRow = c.rowAt(pred);
        const of = predRow >= 0 ? (this.procOfRow[predRow] as number) - 1 : -1;
        if (of >= 0) ix = of;
      }
    }
    let b = ix === undefined ? undefined : this.procs[ix];
    if (ix === undefined || b === undefined) {
      const identity = c.identityAt(lane);
      b = {
        id: `${identity.id}@${seq}`,
        identity,
        start: pred === 0 ? "genesis" : chained ? "mid-chain" : "unchained",
        first: { streamSeq: seq, tsMs: ts },
        last: { streamSeq: seq, tsMs: ts },
        lastRow: -1,
        events: 0,
        chained: 0,
        verified: 0,
        breaks: new Map(),
        rows: [],
        execs: new Set(),
        executions: [],
        corrs: new Set(),
        invocations: [],
        processLevel: 0,
        lastExec: -1,
        lastCorr: -1,
        shown: undefined,
      };
      ix = this.procs.length;
      this.procs.push(b);
    } else if (b.start === "unchained" && chained) {
      // Its first lines carried no prev_hash: the chain begins here.
      b.start = pred === 0 ? "genesis" : "mid-chain";
    }
    b.shown = undefined;
    this.prevInProc[row] = b.lastRow;
    this.verifiedRow[row] = 0;
    b.events++;
    b.lastRow = row;
    b.last.streamSeq = seq;
    b.last.tsMs = ts;
    b.rows.push(row);
    if (chained) {
      b.chained++;
      this.judge(c, b, row, pred, breaksAt);
    }
    const x = c.exec[row] as number;
    const k = c.corr[row] as number;
    // Lines come in streaks of one execution and invocation: the Sets are asked only when it changes.
    if (x >= 0 && x !== b.lastExec && !b.execs.has(x)) {
      b.execs.add(x);
      b.executions.push(c.execNames[x] as string);
    }
    if (k >= 0 && k !== b.lastCorr) {
      const name = c.corrNames[k] as string;
      if (!b.corrs.has(name)) {
        b.corrs.add(name);
        b.invocations.push(name);
      }
    }
    b.lastExec = x;
    b.lastCorr = k;
    if (x < 0 && k < 0) b.processLevel++;
    this.procOfRow[row] = ix + 1;
    this.latestOfLane[lane] = ix;
  }

  /** Counts a chained row: a break, or verified when its predecessor was read (and no break is at it). */
  private judge(
    c: ProcessLedgerInput,
    b: Building,
    row: number,
    pred: number,
    breaksAt: ReadonlyMap<number, ChainBreak>,
  ): void {
    const seq = c.streamSeq[row] as number;
    const brk = breaksAt.get(seq);
    if (brk === undefined) {
      if (pred === pred) {
        b.verified++;
        this.verifiedRow[row] = 1;
      }
      return;
    }
    const fork = brk.streamSeqs.length > 2;
    const prevRow = this.prevInProc[row] as number;
    const afterRow = fork ? c.rowAt(pred) : prevRow;
    const after = fork ? pred : prevRow >= 0 ? (c.streamSeq[prevRow] as number) : NaN;
    const pb: ProcessBreak = {
      at: seq,
      atTsMs: c.tsMs[row] as number,
      kind: fork ? "fork" : "missing",
      after,
      afterTsMs: afterRow >= 0 ? (c.tsMs[afterRow] as number) : NaN,
      message: brk.message,
    };
    if (fork) pb.forkWith = brk.streamSeqs.find((s) => s !== seq && s !== pred) ?? NaN;
    b.breaks.set(seq, pb);
  }

  /** A row taken before whose break came or went: its old verdict out, the new one in. */
  private rejudge(c: ProcessLedgerInput, at: number, breaksAt: ReadonlyMap<number, ChainBreak>): void {
    const row = c.rowAt(at);
    const ix = row >= 0 ? (this.procOfRow[row] as number) - 1 : -1;
    const b = this.procs[ix];
    if (b === undefined || ((c.flags[row] as number) & HAS_PREV_HASH) === 0) return;
    // Its old verdict out: a break, verified, or neither (its predecessor was not read then).
    b.breaks.delete(at);
    if (this.verifiedRow[row] === 1) {
      b.verified--;
      this.verifiedRow[row] = 0;
    }
    const pred = ((c.flags[row] as number) & PREV_HASH_HEX) !== 0 ? c.predecessorOf(row) : NaN;
    this.judge(c, b, row, pred, breaksAt);
    b.shown = undefined;
  }
}

/** How many of `rows` (ascending stream sequence) lie at or before `past`: the position of the first past it. */
function countUpTo(streamSeq: Float64Array, rows: readonly number[], past: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((streamSeq[rows[mid] as number] as number) <= past) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function shown(c: ProcessLedgerInput, b: Building): ProducerProcess {
  const breaks = [...b.breaks.values()].sort((x, y) => x.at - y.at);
  const status: ChainStatus =
    b.chained === 0 ? "no-chain" : breaks.length > 0 ? "breaks" : b.start === "genesis" ? "continuous" : "mid-chain";
  return {
    id: b.id,
    identity: b.identity,
    rule: b.identity.rule,
    first: { ...b.first },
    last: { ...b.last },
    events: b.events,
    chained: b.chained,
    verified: b.verified,
    start: b.start,
    status,
    breaks,
    executions: [...b.executions],
    invocations: [...b.invocations],
    processLevel: b.processLevel,
  };
}

/** The ledger of the rows in one pass (what a ProcessTracker answers after any history of updates). */
export function buildProcessLedger(c: ProcessLedgerInput): ProcessLedger {
  return new ProcessTracker().update(c);
}

/** One line's signature, as signature.ts judges it. */
export type SignatureVerdict = "unsigned" | "verified" | "bad" | "unknown-kid" | "unchecked";

export interface KidStatus {
  kid: string;
  verified: number;
  bad: number;
  unknownKid: number;
  /** Signed, but no JWKS was given to check it against. */
  unchecked: number;
}

export interface SignatureStatus {
  /** Whether a JWKS was given (else every signed line is unchecked). */
  checked: boolean;
  unsigned: number;
  /** Signed lines by kid ("" for a signed line without a kid), kid order. */
  byKid: KidStatus[];
  /** Lines whose signature does not hold (bad or unknown kid), ascending stream sequence. */
  problems: { streamSeq: number; kid: string; message: string }[];
}

export interface LineSignature {
  verdict: SignatureVerdict;
  kid?: string;
  message?: string;
}

/** Totals per kid over `rows`; `signatureOf` classifies one row (the AuditLog, with its cache). */
export function signatureStatus(
  rows: readonly number[],
  streamSeq: Float64Array,
  checked: boolean,
  signatureOf: (row: number) => LineSignature,
): SignatureStatus {
  const byKid = new Map<string, KidStatus>();
  const problems: SignatureStatus["problems"] = [];
  let unsigned = 0;
  for (const row of rows) {
    const s = signatureOf(row);
    if (s.verdict === "unsigned") {
      unsigned++;
      continue;
    }
    const kid = s.kid ?? "";
    let k = byKid.get(kid);
    if (k === undefined) byKid.set(kid, (k = { kid, verified: 0, bad: 0, unknownKid: 0, unchecked: 0 }));
    if (s.verdict === "verified") k.verified++;
    else if (s.verdict === "unchecked") k.unchecked++;
    else {
      if (s.verdict === "bad") k.bad++;
      else k.unknownKid++;
      problems.push({ streamSeq: streamSeq[row] as number, kid, message: s.message ?? s.verdict });
    }
  }
  const kids = [...byKid.values()].sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
  return { checked, unsigned, byKid: kids, problems };
}
