// Turns the lab's matrix into an answer to the three asks: which seq scope each
// producer should use, which partition key consumers should check seq in, and
// whether the explicit `producer` field is needed. Generated from the numbers,
// never canned, and from many seeded runs: a cell counts as clean only when it
// was clean in every run, and recalls only differ when their intervals do.
import { describeContract, keyLabel, type Contract } from "./contracts";
import type { LabCell, LabResult, WorkloadId } from "./run-lab";
import { scenarioById, type ScenarioId } from "./scenarios";
import type { CellScore } from "./score";

/** Wrong findings a consumer would act on: false collisions, false gaps, duplicates taken for collisions. */
export function falseFindings(s: CellScore): number {
  return s.falseCollisions + s.falseGaps + s.duplicatesAsCollisions;
}

/** A score is clean when a consumer acting on it is never misled. */
export function isClean(s: CellScore): boolean {
  return falseFindings(s) === 0;
}

/** Clean in every one of its runs. */
export function alwaysClean(c: LabCell): boolean {
  return c.runs > 0 && c.cleanRuns === c.runs;
}

/** Orders cells best first: clean in most runs, then fewest false findings, most losses caught, fewest unchecked. */
export function compareCells(a: LabCell, b: LabCell): number {
  return (
    b.cleanRuns / Math.max(1, b.runs) - a.cleanRuns / Math.max(1, a.runs) ||
    falseFindings(a.score) - falseFindings(b.score) ||
    b.score.recall - a.score.recall ||
    a.score.noKey - b.score.noKey ||
    b.score.duplicatesRecognised - a.score.duplicatesRecognised
  );
}

/** How far a contract is from Forge today (agents per-invocation, orchestrator per-execution, no producer field). */
export function departure(c: Contract): number {
  return (
    (c.agentScope === "per-invocation" ? 0 : 1) +
    (c.orchestratorScope === "per-execution" ? 0 : 1) +
    (c.producerField ? 1 : 0)
  );
}

/**
 * Recalls this close to the best count as equally good. The contracts differ by a point or two, consistently
 * (a counter that spans more events catches a dropped last event more often); letting that decide flipped the
 * verdict with the seed, so the plainest contract among them wins and the report shows every recall.
 */
export const RECALL_MARGIN = 0.05;

export type FieldAnswer = "needed" | "not needed" | "split";

export interface Conclusion {
  best?: LabCell;
  bestContract?: Contract;
  /** Clean in every run, checking every seq, with a recall no cell beats beyond its interval: equally good answers. */
  candidates: LabCell[];
  /** No cell was clean in every run: the lab does not pick one. */
  split: boolean;
  /** Best cell among contracts without the producer field, to judge whether the field is needed. */
  bestWithoutField?: LabCell;
  producerField: FieldAnswer;
  producerFieldNeeded: boolean;
  /** Forge today: agents per invocation, orchestrator per execution, no producer field. */
  today?: LabCell;
  lines: string[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
export const interval = ([lo, hi]: [number, number]) => `${pct(lo)}–${pct(hi)}`;

export function summarise(cell: LabCell): string {
  const s = cell.score;
  return (
    `clean in ${cell.cleanRuns} of ${cell.runs} runs, ${s.falseCollisions} false collisions, ${s.falseGaps} false gaps, ` +
    `${s.lossesDetected} of ${s.losses} losses caught (recall ${pct(s.recall)}, 95% interval ${interval(cell.recallInterval)}, precision ${pct(s.precision)})` +
    (s.noKey > 0 ? `, ${s.noKey} events with a seq never checked (they lack a key field)` : "")
  );
}

/** The verdict's cells: the workload with every chosen scenario on. */
export function verdictCells(result: LabResult): LabCell[] {
  return result.cells.filter((c) => c.workload === "all");
}

/** The scenarios that, alone, made this contract × key mislead in at least one run. */
export function breakingScenarios(result: LabResult, contractId: string, keyId: string): ScenarioId[] {
  return result.cells
    .filter(
      (c) =>
        c.workload !== "all" &&
        c.workload !== "none" &&
        c.contractId === contractId &&
        c.keyId === keyId &&
        !alwaysClean(c),
    )
    .map((c) => c.workload as ScenarioId);
}

/** Misleads even with no scenario on: the key is wrong for the contract whatever the workload. */
export function brokenByBaseline(result: LabResult, contractId: string, keyId: string): boolean {
  const c = result.cells.find((x) => x.workload === "none" && x.contractId === contractId && x.keyId === keyId);
  return !!c && !alwaysClean(c);
}

/** The reasons a cell misleads, in words: "no scenario needed", or the scenarios that break it alone. */
export function whyBroken(result: LabResult, contractId: string, keyId: string): string {
  const s = breakingScenarios(result, contractId, keyId).map(scenarioLabel);
  if (brokenByBaseline(result, contractId, keyId)) return "misleads with no scenario at all";
  return s.length > 0 ? s.join(", ") : "none alone";
}

export function scenarioLabel(w: WorkloadId): string {
  return w === "all" ? "all scenarios together" : w === "none" ? "no scenario" : (scenarioById(w)?.label ?? w);
}

export function conclude(result: LabResult): Conclusion {
  const contracts = new Map(result.contracts.map((c) => [c.id, c]));
  const keyIndex = new Map(result.keys.map((k, i) => [k.id, i]));
  const keyOf = (id: string) => result.keys.find((k) => k.id === id);
  const label = (id: string) => {
    const k = keyOf(id);
    return k ? keyLabel(k) : id;
  };
  const contractOrder = new Map(result.contracts.map((c, i) => [c.id, i]));
  // Among equally good cells: the contract closest to today's, then the key with fewest fields, then a fixed order.
  const plainer = (a: LabCell, b: LabCell) =>
    departure(contracts.get(a.contractId)!) - departure(contracts.get(b.contractId)!) ||
    (keyOf(a.keyId)?.fields.length ?? 0) - (keyOf(b.keyId)?.fields.length ?? 0) ||
    (keyIndex.get(a.keyId) ?? 0) - (keyIndex.get(b.keyId) ?? 0) ||
    (contractOrder.get(a.contractId) ?? 0) - (contractOrder.get(b.contractId) ?? 0);

  const cells = verdictCells(result);
  const pickFrom = (pool: LabCell[]): { best?: LabCell; candidates: LabCell[] } => {
    const clean = pool.filter(alwaysClean);
    if (clean.length === 0)
      return { best: [...pool].sort((a, b) => compareCells(a, b) || plainer(a, b))[0], candidates: [] };
    const checked = clean.filter((c) => c.score.noKey === 0);
    const field = checked.length > 0 ? checked : clean;
    const top = [...field].sort((a, b) => b.score.recall - a.score.recall)[0]!;
    // Equally good: within RECALL_MARGIN of the top, or not told apart from it by the intervals.
    const candidates = field
      .filter((c) => c.score.recall >= top.score.recall - RECALL_MARGIN || c.recallInterval[1] >= top.recallInterval[0])
      .sort(plainer);
    return { best: candidates[0], candidates };
  };
  const { best, candidates } = pickFrom(cells);
  const bestContract = best && contracts.get(best.contractId);
  const withoutField = cells.filter((c) => contracts.get(c.contractId)?.producerField === false);
  const noField = pickFrom(withoutField);
  const bestWithoutField = noField.best;
  const split = candidates.length === 0;

  let producerField: FieldAnswer;
  if (split) producerField = "split";
  else if (candidates.some((c) => contracts.get(c.contractId)?.producerField === false)) producerField = "not needed";
  else producerField = "needed";

  const today = cells
    .filter((c) => {
      const k = contracts.get(c.contractId);
      return k?.agentScope === "per-invocation" && k.orchestratorScope === "per-execution" && !k.producerField;
    })
    .sort((a, b) => compareCells(a, b) || plainer(a, b))[0];

  const lines: string[] = [];
  if (!best || !bestContract)
    return { candidates, split: true, producerField: "split", producerFieldNeeded: false, lines: ["No results."] };
  const runs = best.runs;
  if (split) {
    lines.push(
      `The evidence is split: no contract × key was clean in every one of the ${runs} runs. ` +
        `The best, ${describeContract(bestContract)} under ${label(best.keyId)}, was ${summarise(best)}.`,
    );
  } else {
    lines.push(
      `Recommended contract: ${describeContract(bestContract)}; consumers check seq in ${label(best.keyId)}. ` +
        `Under it: ${summarise(best)}.`,
    );
  }
  const why = (c: LabCell) => {
    if (brokenByBaseline(result, c.contractId, c.keyId)) return "; it misleads with no scenario at all";
    const s = breakingScenarios(result, c.contractId, c.keyId);
    return s.length > 0 ? `; alone, ${s.map(scenarioLabel).join(", ")} break it` : "";
  };
  if (producerField === "needed") {
    const w = bestWithoutField;
    lines.push(
      "The producer field is needed" +
        (w
          ? `: the best contract without it (${describeContract(contracts.get(w.contractId)!)}, key ${label(w.keyId)}) was ${
              alwaysClean(w)
                ? w.score.noKey > 0
                  ? "clean in every run but never checks some events' seq"
                  : "clean in every run but caught fewer losses"
                : `clean in only ${w.cleanRuns} of ${w.runs} runs`
            } (${summarise(w)})${why(w)}. `
          : ". ") +
        "It must name the producer process instance (a restarted process or another replica is a new producer): named per deployment it partitions like (workflow_execution_id, entity_type, entity_id).",
    );
  } else if (producerField === "not needed") {
    lines.push(
      bestContract.producerField
        ? "The producer field is not needed: a contract without it does as well."
        : "The producer field is not needed for these scenarios: a contract without it is clean in every run.",
    );
  } else {
    lines.push(
      "Whether the producer field is needed cannot be told from this evidence: no contract is clean in every run.",
    );
  }
  if (candidates.length > 1) {
    lines.push(
      `Equally good on this evidence: ${candidates
        .slice(1, 4)
        .map((c) => `${describeContract(contracts.get(c.contractId)!)} under ${label(c.keyId)}`)
        .join("; ")}${candidates.length > 4 ? `; and ${candidates.length - 4} more` : ""}.`,
    );
  }
  if (today) {
    lines.push(
      `Forge today (agents per-invocation, orchestrator per-execution, no producer field), at best under ${label(today.keyId)}: ${summarise(today)}${why(today)}.`,
    );
  }
  const naive = cells.filter((c) => c.keyId === "execution").sort(compareCells)[0];
  if (naive && naive.cleanRuns === 0) {
    lines.push(
      `Checking seq per execution alone, ${label("execution")}, misleads under every contract in every run: at best ${naive.score.falseCollisions} false collisions.`,
    );
  }
  return {
    best,
    bestContract,
    candidates,
    split,
    bestWithoutField,
    producerField,
    producerFieldNeeded: producerField === "needed",
    today,
    lines,
  };
}
