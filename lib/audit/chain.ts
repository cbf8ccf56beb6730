// Hash-chain verification (audit-tamper-evidence): each line's prev_hash is the
// SHA-256 of the previous raw line its producer *process* wrote, 64 zeros for a
// process's first line. The envelope does not name the process, so a chain is
// followed by hash alone: a prev_hash that matches no line read is a break,
// unless it is the first chained line of its lane (that process started before
// the first message we read). Key-independent, so callers compute it once per
// log version, not per partition key.

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
