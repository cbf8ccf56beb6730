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

/** What buildProcessLedger reads. */
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
  /** Held rows, events and malformed, ascending stream sequence. */
  rows: ArrayLike<number>;
  /** The chain ledger's breaks (chain-ledger.ts), ascending `at`. */
  breaks: readonly ChainBreak[];
  /** Stream sequence of the line (held or not) this row's prev_hash names; 0: genesis; NaN: none read. */
  predecessorOf(row: number): number;
}

interface Building {
  p: ProducerProcess;
  rows: number[];
  execs: Set<number>;
  corrs: Set<number>;
  lastSeq: number;
  lastTs: number;
}

/** Every producer process in the rows, ordered by its first line. */
export function buildProcessLedger(c: ProcessLedgerInput): ProcessLedger {
  const breaksAt = new Map<number, ChainBreak>();
  for (const b of c.breaks) breaksAt.set(b.at, b);
  const list: Building[] = [];
  const bySeq = new Map<number, Building>();
  const latestOfLane = new Map<number, Building>();
  let malformed = 0;
  let requested: LedgerRange | undefined;
  const n = c.rows.length;
  for (let i = 0; i < n; i++) {
    const row = c.rows[i] as number;
    const seq = c.streamSeq[row] as number;
    const f = c.flags[row] as number;
    const ts = (f & MALFORMED) !== 0 ? NaN : (c.tsMs[row] as number);
    if (requested === undefined) {
      requested = { first: { streamSeq: seq, tsMs: ts }, last: { streamSeq: seq, tsMs: ts }, lines: 0 };
    }
    requested.lines++;
    // A malformed line has no ts: the range's times are those of the first and last events.
    requested.last = { streamSeq: seq, tsMs: ts === ts ? ts : requested.last.tsMs };
    if (requested.first.tsMs !== requested.first.tsMs) requested.first.tsMs = ts;
    if ((f & MALFORMED) !== 0) {
      malformed++;
      continue;
    }
    const lane = c.identity[row] as number;
    const chained = (f & HAS_PREV_HASH) !== 0;
    const pred = (f & PREV_HASH_HEX) !== 0 ? c.predecessorOf(row) : NaN;
    let b: Building | undefined;
    let start: ChainStart = chained ? "mid-chain" : "unchained";
    if (pred === 0) start = "genesis";
    else if (pred === pred) b = bySeq.get(pred) ?? latestOfLane.get(lane);
    else b = latestOfLane.get(lane);
    const brk = breaksAt.get(seq);
    if (b === undefined) {
      const identity = c.identityAt(lane);
      b = {
        p: {
          id: `${identity.id}@${seq}`,
          identity,
          rule: identity.rule,
          first: { streamSeq: seq, tsMs: ts },
          last: { streamSeq: seq, tsMs: ts },
          events: 0,
          chained: 0,
          verified: 0,
          start,
          status: "no-chain",
          breaks: [],
          executions: [],
          invocations: [],
          processLevel: 0,
        },
        rows: [],
        execs: new Set(),
        corrs: new Set(),
        lastSeq: NaN,
        lastTs: NaN,
      };
      list.push(b);
    } else if (b.p.start === "unchained" && chained) {
      // Its first lines carried no prev_hash: the chain begins here.
      b.p.start = pred === 0 ? "genesis" : "mid-chain";
    }
    const p = b.p;
    p.events++;
    p.last = { streamSeq: seq, tsMs: ts };
    if (chained) {
      p.chained++;
      if (brk !== undefined) {
        const fork = brk.streamSeqs.length > 2;
        const after = fork ? pred : b.lastSeq;
        p.breaks.push({
          at: seq,
          atTsMs: ts,
          kind: fork ? "fork" : "missing",
          after,
          afterTsMs: after === b.lastSeq ? b.lastTs : tsOf(c, bySeq, after),
          ...(fork ? { forkWith: brk.streamSeqs.find((s) => s !== seq && s !== pred) ?? NaN } : {}),
          message: brk.message,
        });
      } else if (pred === pred) {
        p.verified++;
      }
    }
    const x = c.exec[row] as number;
    const k = c.corr[row] as number;
    if (x >= 0 && !b.execs.has(x)) {
      b.execs.add(x);
      p.executions.push(c.execNames[x] as string);
    }
    if (k >= 0 && !b.corrs.has(k)) {
      b.corrs.add(k);
      p.invocations.push(c.corrNames[k] as string);
    }
    if (x < 0 && k < 0) p.processLevel++;
    b.rows.push(row);
    b.lastSeq = seq;
    b.lastTs = ts;
    bySeq.set(seq, b);
    latestOfLane.set(lane, b);
  }
  const rowsOf = new Map<string, readonly number[]>();
  for (const b of list) {
    const p = b.p;
    p.status =
      p.chained === 0
        ? "no-chain"
        : p.breaks.length > 0
          ? "breaks"
          : p.start === "genesis"
            ? "continuous"
            : "mid-chain";
    rowsOf.set(p.id, b.rows);
  }
  return { requested, processes: list.map((b) => b.p), malformed, rowsOf };
}

function tsOf(c: ProcessLedgerInput, bySeq: Map<number, Building>, seq: number): number {
  const b = bySeq.get(seq);
  if (b === undefined) return NaN;
  for (let i = b.rows.length - 1; i >= 0; i--) {
    const row = b.rows[i] as number;
    if (c.streamSeq[row] === seq) return c.tsMs[row] as number;
  }
  return NaN;
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
