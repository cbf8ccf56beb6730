import { describe, expect, it } from "vitest";
import { compareCells, conclude, falseFindings } from "./conclusion";
import { allContracts } from "./contracts";
import { DEFAULT_LAB_FAULTS, runLab, type LabCell, type LabResult } from "./run-lab";
import { BUILTIN_KEYS } from "../audit";
import type { CellScore } from "./score";

function cell(over: Partial<CellScore>, keyId = "k", contractId = "c"): LabCell {
  const score: CellScore = {
    collisions: 0,
    falseCollisions: 0,
    gaps: 0,
    falseGaps: 0,
    missingReported: 0,
    missingReal: 0,
    losses: 10,
    lossesDetected: 10,
    lossesMissed: 0,
    lossesUndetectable: 0,
    duplicates: 0,
    duplicatesRecognised: 0,
    duplicatesAsCollisions: 0,
    precision: 1,
    recall: 1,
    noKey: 0,
    ...over,
  };
  return { contractId, keyId, score };
}

describe("ranking cells", () => {
  it("puts cells that never mislead first, then the ones that catch most losses", () => {
    const misleading = cell({ falseCollisions: 3, recall: 1 }, "misleading");
    const blind = cell({ recall: 0.5 }, "blind");
    const good = cell({ recall: 0.9 }, "good");
    const unchecked = cell({ recall: 0.9, noKey: 40 }, "unchecked");
    expect([misleading, blind, unchecked, good].sort(compareCells).map((c) => c.keyId)).toEqual([
      "good",
      "unchecked",
      "blind",
      "misleading",
    ]);
    expect(falseFindings(misleading.score)).toBe(3);
  });
});

describe("the lab's answer on a seeded workload", () => {
  // Agents invoked several times per run, a few percent of drops, duplicates,
  // reorders, crashes and malformed lines.
  const result = runLab({ seed: 7, executions: 20, faults: DEFAULT_LAB_FAULTS });
  const answer = conclude(result);

  it("covers every contract under every key", () => {
    expect(result.contracts).toHaveLength(18);
    expect(result.cells).toHaveLength(18 * result.keys.length);
    expect(result.runs.every((r) => r.executions === 20)).toBe(true);
  });

  it("recommends one counter per producer per run, checked per (execution, producer entity)", () => {
    // With one process per agent deployment and runs cancelled when an agent
    // crashes, (execution, entity) already names one counter: no field needed.
    expect(answer.bestContract).toMatchObject({
      agentScope: "per-execution",
      orchestratorScope: "per-execution",
      producerField: false,
    });
    expect(answer.best?.keyId).toBe("execution-entity");
    expect(falseFindings(answer.best!.score)).toBe(0);
    expect(answer.producerFieldNeeded).toBe(false);
    expect(answer.lines[0]).toMatch(
      /^Recommended contract: agents per-execution, orchestrator per-execution, producer field off/,
    );
  });

  it("shows the naive key misleading under every contract", () => {
    const naive = result.cells.filter((c) => c.keyId === "execution");
    expect(naive.every((c) => c.score.falseCollisions > 0)).toBe(true);
  });

  it("scores Forge today as clean under its own key but blind to the orchestrator", () => {
    expect(answer.today?.keyId).toBe("invocation");
    expect(answer.today?.score.falseCollisions).toBe(0);
    expect(answer.today?.score.noKey).toBeGreaterThan(0);
    expect(answer.today!.score.recall).toBeLessThan(answer.best!.score.recall);
  });
});

describe("whether the producer field is needed", () => {
  const contracts = allContracts();
  const id = (agentScope: string, producerField: boolean) =>
    contracts.find(
      (c) =>
        c.agentScope === agentScope && c.orchestratorScope === "per-execution" && c.producerField === producerField,
    )!.id;
  const result = (cells: LabCell[]): LabResult => ({
    options: { seed: 1, executions: 1, faults: DEFAULT_LAB_FAULTS },
    contracts,
    keys: [...BUILTIN_KEYS],
    runs: [],
    cells,
  });

  it("is needed when only contracts with it are clean", () => {
    const answer = conclude(
      result([
        cell({ falseCollisions: 4 }, "execution-entity", id("per-execution", false)),
        cell({}, "execution-producer", id("per-execution", true)),
      ]),
    );
    expect(answer.producerFieldNeeded).toBe(true);
    expect(answer.lines[1]).toMatch(/^The producer field is needed/);
  });

  it("is not needed when a contract without it does as well", () => {
    const answer = conclude(
      result([
        cell({}, "execution-entity", id("per-execution", false)),
        cell({}, "execution-producer", id("per-execution", true)),
      ]),
    );
    expect(answer.producerFieldNeeded).toBe(false);
    expect(answer.bestContract?.producerField).toBe(false);
  });
});
