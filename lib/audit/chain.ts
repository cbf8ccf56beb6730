// Hash-chain verification (audit-tamper-evidence): each line's prev_hash is the
// SHA-256 of the previous raw line its producer *process* wrote, 64 zeros for a
// process's first line. The envelope does not name the process, so a chain is
// followed by hash alone: a prev_hash that matches no line read is a break,
// unless it is the first chained line of its lane (that process started before
// the first message we read). Key-independent, so callers compute it once per
// log version, not per partition key.

import { HAS_PREV_HASH, MALFORMED, PREV_HASH_HEX } from "./columns";
import { sha256Hex } from "./sha256";
import type { ParsedMessage } from "./types";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainBreak {
  /** Stream sequence of the line whose prev_hash does not fit. */
  at: number;
  /** The breaking line and, when known, the line it should have followed or shares a predecessor with. */
  streamSeqs: number[];
  message: string;
}

/**
 * `records`: events and malformed messages (a malformed line is still a line
 * of the chain), ascending stream sequence, no duplicates. `hashOf` lets the
 * caller cache hashes across calls.
 */
export function findChainBreaks(
  records: readonly ParsedMessage[],
  hashOf: (m: ParsedMessage) => string = (m) => sha256Hex(m.raw),
): ChainBreak[] {
  let any = false;
  for (const r of records) {
    if (r.kind === "event" && r.prev_hash !== undefined) {
      any = true;
      break;
    }
  }
  if (!any) return [];

  const lineByHash = new Map<string, number>();
  for (const r of records) {
    const h = hashOf(r);
    if (!lineByHash.has(h)) lineByHash.set(h, r.streamSeq);
  }

  const breaks: ChainBreak[] = [];
  const followerOf = new Map<string, number>();
  const lastOfLane = new Map<string, number>();
  for (const r of records) {
    if (r.kind !== "event") continue;
    const lane = r.identity.id;
    const previousInLane = lastOfLane.get(lane);
    lastOfLane.set(lane, r.streamSeq);
    if (r.prev_hash === undefined) continue;
    const prev = r.prev_hash.toLowerCase();
    if (prev === GENESIS_HASH) continue;
    const pred = lineByHash.get(prev);
    if (pred !== undefined) {
      const other = followerOf.get(prev);
      if (other === undefined) {
        followerOf.set(prev, r.streamSeq);
      } else {
        breaks.push({
          at: r.streamSeq,
          streamSeqs: [pred, other, r.streamSeq].sort((a, b) => a - b),
          message: `stream seqs ${other} and ${r.streamSeq} both follow stream seq ${pred} (forked chain)`,
        });
      }
      continue;
    }
    if (previousInLane === undefined) continue; // chain began before our first message
    breaks.push({
      at: r.streamSeq,
      streamSeqs: [previousInLane, r.streamSeq],
      message: `prev_hash of stream seq ${r.streamSeq} matches no line read: a line was lost or altered (lane ${lane})`,
    });
  }
  return breaks;
}

/** What chain verification reads per row; hashes as 8 big-endian int32 words per row. */
export interface ChainColumns {
  streamSeq: Float64Array;
  flags: Uint8Array;
  /** SHA-256 of every row in the order passed. */
  digest: Int32Array;
  /** prev_hash words, where the flags say PREV_HASH_HEX. */
  prevHash: Int32Array;
  /** Lane (resolved producer) id per row, into laneNames. */
  lane: Int32Array;
  laneNames: readonly string[];
}

/**
 * findChainBreaks over columns: the same rules, with hashes as words in an
 * open-addressing table instead of hex strings in a Map, so a million lines
 * cost no string and no Map entry each. `order`: rows in ascending stream
 * sequence, events and malformed, no duplicates.
 */
export function findChainBreaksInColumns(c: ChainColumns, order: ArrayLike<number>): ChainBreak[] {
  const { streamSeq, flags, digest, prevHash, lane } = c;
  const n = order.length;
  let any = false;
  for (let i = 0; i < n && !any; i++) {
    const f = flags[order[i] as number] as number;
    any = (f & MALFORMED) === 0 && (f & HAS_PREV_HASH) !== 0;
  }
  if (!any) return [];

  // Hash → first row with it (slot holds row + 1; 0 is empty).
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap);
  const sameWords = (a: Int32Array, ai: number, row: number): boolean => {
    for (let w = 0; w < 8; w++) if (a[ai + w] !== digest[row * 8 + w]) return false;
    return true;
  };
  /** Row whose line hashes to the 8 words at a[ai..], or -1. */
  const lookup = (a: Int32Array, ai: number): number => {
    for (let i = (a[ai] as number) & mask; ; i = (i + 1) & mask) {
      const r = (slots[i] as number) - 1;
      if (r < 0) return -1;
      if (sameWords(a, ai, r)) return r;
    }
  };
  for (let i = 0; i < n; i++) {
    const row = order[i] as number;
    let j = (digest[row * 8] as number) & mask;
    for (; ; j = (j + 1) & mask) {
      const r = (slots[j] as number) - 1;
      if (r < 0 || sameWords(digest, row * 8, r)) break;
    }
    if (slots[j] === 0) slots[j] = row + 1;
  }

  const breaks: ChainBreak[] = [];
  // First follower's stream sequence, by predecessor row.
  const followerOf = new Float64Array(digest.length >>> 3).fill(NaN);
  const lastOfLane = new Float64Array(c.laneNames.length).fill(NaN);
  for (let i = 0; i < n; i++) {
    const row = order[i] as number;
    const f = flags[row] as number;
    if ((f & MALFORMED) !== 0) continue;
    const s = streamSeq[row] as number;
    const l = lane[row] as number;
    const previousInLane = lastOfLane[l] as number;
    lastOfLane[l] = s;
    if ((f & HAS_PREV_HASH) === 0) continue;
    if ((f & PREV_HASH_HEX) !== 0) {
      let genesis = true;
      for (let w = 0; w < 8 && genesis; w++) genesis = prevHash[row * 8 + w] === 0;
      if (genesis) continue;
      const predRow = lookup(prevHash, row * 8);
      if (predRow >= 0) {
        const pred = streamSeq[predRow] as number;
        const other = followerOf[predRow] as number;
        if (Number.isNaN(other)) {
          followerOf[predRow] = s;
        } else {
          breaks.push({
            at: s,
            streamSeqs: [pred, other, s].sort((a, b) => a - b),
            message: `stream seqs ${other} and ${s} both follow stream seq ${pred} (forked chain)`,
          });
        }
        continue;
      }
    }
    if (Number.isNaN(previousInLane)) continue; // chain began before our first message
    breaks.push({
      at: s,
      streamSeqs: [previousInLane, s],
      message: `prev_hash of stream seq ${s} matches no line read: a line was lost or altered (lane ${c.laneNames[l]})`,
    });
  }
  return breaks;
}
