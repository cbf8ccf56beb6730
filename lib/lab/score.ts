// Scores what a consumer detected (the engine's analysis under one partition
// key) against what the simulator says happened (its ground truth). Pure.
//
// Every event belongs to one true counter: `partition[scope]` in its truth
// record, the counter its producer really stamped it from. A consumer's gap is
// real when one of the seqs it reports missing was stamped from the counter of
// a neighbouring event it saw, and that event never arrived usable (dropped,
// lost in a crash, or malformed). Everything else it reports missing is false.
import type { Analysis, Anomaly } from "../audit";
import type { SimLine } from "../sim/simulator";
import type { TruthEvent, TruthRecord } from "../sim/truth";

export interface CellScore {
  /** Collision anomalies, and those whose events come from different true counters (all of them, unless a producer really reused a seq). */
  collisions: number;
  falseCollisions: number;
  /** Gap and missing-head anomalies, and those that name no real loss. */
  gaps: number;
  falseGaps: number;
  /** Seqs the consumer reported missing, and how many of them really were. */
  missingReported: number;
  missingReal: number;
  /** Events lost before the stream (dropped, or the tail of a crashed invocation). */
  losses: number;
  lossesDetected: number;
  lossesMissed: number;
  /**
   * Losses no consumer could see under any key: a dropped event that was its counter's
   * last (no later seq arrived, no open tail). Counted in `lossesMissed` too.
   */
  lossesUndetectable: number;
  /** Events published twice: recognised as duplicates, and mistaken for collisions. */
  duplicates: number;
  duplicatesRecognised: number;
  duplicatesAsCollisions: number;
  /** Of the seqs reported missing, the share that were really lost (1 when none reported). */
  precision: number;
  /** Of the real losses, the share detected (1 when none happened). */
  recall: number;
  /** Events with a seq that the key could not place (a key field missing): their seq is never checked. */
  noKey: number;
}

export interface ScoreInput {
  analysis: Analysis;
  /** The run's lines in publish order: line i is stream sequence i + 1. */
  lines: readonly SimLine[];
  truths: readonly TruthRecord[];
}

const LOSS_FATES = new Set(["dropped", "crash-lost"]);
const UNUSABLE_FATES = new Set(["dropped", "crash-lost", "malformed"]);

const counterOf = (e: TruthEvent): string => e.partition[e.scope];

export function scoreAnalysis({ analysis, lines, truths }: ScoreInput): CellScore {
  const byId = new Map<string, TruthEvent>();
  for (const t of truths) for (const e of t.events) byId.set(e.id, e);
  const eventAt = (streamSeq: number): TruthEvent | undefined => {
    const line = lines[streamSeq - 1];
    return line ? byId.get(line.id) : undefined;
  };

  // Per counter, the seqs of events that never arrived usable.
  const unusable = new Map<string, Map<number, TruthEvent>>();
  for (const e of byId.values()) {
    if (!UNUSABLE_FATES.has(e.fate)) continue;
    const c = counterOf(e);
    let m = unusable.get(c);
    if (!m) unusable.set(c, (m = new Map()));
    m.set(e.wouldBe[e.scope], e);
  }

  const crashLostByInvocation = new Map<string, TruthEvent[]>();
  for (const e of byId.values()) {
    if (e.fate !== "crash-lost" || !e.correlationId) continue;
    const list = crashLostByInvocation.get(e.correlationId) ?? [];
    list.push(e);
    crashLostByInvocation.set(e.correlationId, list);
  }

  const detected = new Set<string>();
  let collisions = 0;
  let falseCollisions = 0;
  let gaps = 0;
  let falseGaps = 0;
  let missingReported = 0;
  let missingReal = 0;
  const duplicateSeqSets: number[][] = [];
  const collisionSeqSets: Set<number>[] = [];

  for (const a of analysis.anomalies) {
    switch (a.kind) {
      case "collision": {
        collisions++;
        collisionSeqSets.push(new Set(a.streamSeqs));
        const counters = new Set(a.streamSeqs.map((s) => eventAt(s)).map((e) => (e ? counterOf(e) : "?")));
        if (counters.size > 1) falseCollisions++;
        break;
      }
      case "gap":
      case "missing-head": {
        gaps++;
        const [from, to] = a.seqRange ?? [0, -1];
        missingReported += to - from + 1;
        const real = realMissing(a, from, to, eventAt, unusable);
        missingReal += real.length;
        for (const e of real) detected.add(e.id);
        if (real.length === 0) falseGaps++;
        break;
      }
      case "open-tail": {
        // An invocation that never closed: the tail it lost in a crash is detected.
        const e = a.streamSeqs[0] === undefined ? undefined : eventAt(a.streamSeqs[0]);
        for (const x of (e?.correlationId && crashLostByInvocation.get(e.correlationId)) || []) detected.add(x.id);
        break;
      }
      case "duplicate":
        duplicateSeqSets.push(a.streamSeqs);
        break;
      default:
        break;
    }
  }

  // The highest seq that arrived usable, per counter: a loss above it leaves no trace.
  const lastArrived = new Map<string, number>();
  for (const e of byId.values()) {
    if (UNUSABLE_FATES.has(e.fate)) continue;
    const c = counterOf(e);
    lastArrived.set(c, Math.max(lastArrived.get(c) ?? 0, e.wouldBe[e.scope]));
  }

  let losses = 0;
  let lossesDetected = 0;
  let lossesUndetectable = 0;
  let duplicates = 0;
  let duplicatesRecognised = 0;
  let duplicatesAsCollisions = 0;
  const dupCovered = new Set<number>();
  for (const s of duplicateSeqSets) for (const x of s) dupCovered.add(x);
  for (const e of byId.values()) {
    if (LOSS_FATES.has(e.fate)) {
      losses++;
      if (detected.has(e.id)) lossesDetected++;
      else if (e.fate === "dropped" && e.wouldBe[e.scope] > (lastArrived.get(counterOf(e)) ?? 0)) lossesUndetectable++;
    }
    if (e.fate === "duplicated" && e.published.length > 1) {
      duplicates++;
      const copies = e.published.map((i) => i + 1);
      if (copies.slice(1).every((s) => dupCovered.has(s))) duplicatesRecognised++;
      if (collisionSeqSets.some((set) => copies.filter((s) => set.has(s)).length > 1)) duplicatesAsCollisions++;
    }
  }

  return {
    collisions,
    falseCollisions,
    gaps,
    falseGaps,
    missingReported,
    missingReal,
    losses,
    lossesDetected,
    lossesMissed: losses - lossesDetected,
    lossesUndetectable,
    duplicates,
    duplicatesRecognised,
    duplicatesAsCollisions,
    precision: missingReported === 0 ? 1 : missingReal / missingReported,
    recall: losses === 0 ? 1 : lossesDetected / losses,
    noKey: uncheckedWithSeq(analysis),
  };
}

/** The really lost events among the seqs a gap reports, judged by the counters of the events around it. */
function realMissing(
  a: Anomaly,
  from: number,
  to: number,
  eventAt: (s: number) => TruthEvent | undefined,
  unusable: Map<string, Map<number, TruthEvent>>,
): TruthEvent[] {
  const counters = new Set<string>();
  for (const s of a.streamSeqs) {
    const e = eventAt(s);
    if (e) counters.add(counterOf(e));
  }
  const out: TruthEvent[] = [];
  for (const c of counters) {
    const lost = unusable.get(c);
    if (!lost) continue;
    // Gaps are short; a missing head can be long, so walk the smaller side.
    if (to - from + 1 <= lost.size) {
      for (let s = from; s <= to; s++) {
        const e = lost.get(s);
        if (e) out.push(e);
      }
    } else {
      for (const [s, e] of lost) if (s >= from && s <= to) out.push(e);
    }
  }
  return out;
}

function uncheckedWithSeq(analysis: Analysis): number {
  const bucket = analysis.partitions.find((p) => p.noKey);
  return bucket ? bucket.eventCount - bucket.withoutSeq : 0;
}
