// Turns the lab's matrix into an answer: which seq scope each producer should
// use, which partition key consumers should check seq in, and whether the
// explicit `producer` field is needed. Generated from the numbers, never canned.
import { describeContract, type Contract } from "./contracts";
import type { LabCell, LabResult } from "./run-lab";
import type { CellScore } from "./score";

/** Wrong findings a consumer would act on: false collisions, false gaps, duplicates taken for collisions. */
export function falseFindings(s: CellScore): number {
  return s.falseCollisions + s.falseGaps + s.duplicatesAsCollisions;
}

/** Orders cells best first: no false findings, then most losses caught, then fewest unchecked events. */
export function compareCells(a: LabCell, b: LabCell): number {
  return (
    falseFindings(a.score) - falseFindings(b.score) ||
    b.score.recall - a.score.recall ||
    a.score.noKey - b.score.noKey ||
    b.score.duplicatesRecognised - a.score.duplicatesRecognised
  );
}

export function bestCell(cells: readonly LabCell[]): LabCell | undefined {
  return [...cells].sort(compareCells)[0];
}

/** A cell is clean when a consumer acting on it is never misled. */
export function isClean(s: CellScore): boolean {
  return falseFindings(s) === 0;
}

export interface Conclusion {
  best?: LabCell;
  bestContract?: Contract;
  /** Best cell among contracts without the producer field, to judge whether the field is needed. */
  bestWithoutField?: LabCell;
  producerFieldNeeded: boolean;
  /** Forge today: agents per invocation, orchestrator per execution, no producer field. */
  today?: LabCell;
  lines: string[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function summarise(cell: LabCell, keyLabel: string): string {
  const s = cell.score;
  return (
    `${keyLabel}: ${s.falseCollisions} false collisions, ${s.falseGaps} false gaps, ` +
    `${s.lossesDetected} of ${s.losses} losses caught (recall ${pct(s.recall)}, precision ${pct(s.precision)})` +
    (s.noKey > 0 ? `, ${s.noKey} events with a seq never checked (they lack a key field)` : "")
  );
}

export function conclude(result: LabResult): Conclusion {
  const contracts = new Map(result.contracts.map((c) => [c.id, c]));
  const keyLabel = (id: string) => {
    const k = result.keys.find((x) => x.id === id);
    return k ? `(${k.fields.join(", ")})` : id;
  };
  // Among equally good cells prefer the plainer contract: orchestrator per-execution, no extra field.
  const plain = (c: LabCell) => {
    const k = contracts.get(c.contractId);
    return (k?.orchestratorScope === "per-execution" ? 0 : 1) + (k?.producerField ? 1 : 0);
  };
  const ordered = [...result.cells].sort((a, b) => compareCells(a, b) || plain(a) - plain(b));
  const best = ordered[0];
  const bestContract = best && contracts.get(best.contractId);
  const withoutField = result.cells.filter((c) => contracts.get(c.contractId)?.producerField === false);
  const bestWithoutField = withoutField.sort((a, b) => compareCells(a, b) || plain(a) - plain(b))[0];
  const producerFieldNeeded =
    !!best && !!bestContract?.producerField && (!bestWithoutField || compareCells(bestWithoutField, best) > 0);
  const today = result.cells
    .filter((c) => {
      const k = contracts.get(c.contractId);
      return k?.agentScope === "per-invocation" && k.orchestratorScope === "per-execution" && !k.producerField;
    })
    .sort(compareCells)[0];

  const lines: string[] = [];
  if (!best || !bestContract) return { producerFieldNeeded: false, lines: ["No results."] };
  lines.push(
    `Recommended contract: ${describeContract(bestContract)}; consumers check seq in ${keyLabel(best.keyId)}. ` +
      summarise(best, "Under it") +
      ".",
  );
  if (producerFieldNeeded && bestWithoutField) {
    lines.push(
      `The producer field is needed: the best contract without it (${describeContract(contracts.get(bestWithoutField.contractId)!)}, ` +
        `key ${keyLabel(bestWithoutField.keyId)}) gives ${falseFindings(bestWithoutField.score)} false findings and recall ${pct(bestWithoutField.score.recall)}. ` +
        "It must name the producer process instance (a restarted process is a new producer), or a restart's counter reset reads as collisions.",
    );
  } else if (bestContract.producerField) {
    lines.push("The producer field is not needed: a contract without it does as well.");
  } else {
    lines.push("The producer field is not needed for this workload.");
  }
  if (today) {
    lines.push(
      `Forge today (agents per-invocation, orchestrator per-execution, no producer field), at best ${summarise(today, keyLabel(today.keyId))}.`,
    );
  }
  const naive = result.cells.filter((c) => c.keyId === "execution").sort(compareCells)[0];
  if (naive && naive.score.falseCollisions > 0) {
    lines.push(
      `Checking seq per execution alone, ${keyLabel("execution")}, is misleading under every contract: at best ${naive.score.falseCollisions} false collisions.`,
    );
  }
  return { best, bestContract, bestWithoutField, producerFieldNeeded, today, lines };
}
