import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compareCells, conclude, falseFindings } from "./conclusion";
import { allContracts, labKeys } from "./contracts";
import { DEFAULT_LAB_FAULTS, emptyScore, resolveLabOptions, runLab, type LabCell, type LabResult } from "./run-lab";
import type { CellScore } from "./score";
import { wilson } from "./stats";

const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A cell pooled over `runs` runs, `cleanRuns` of them clean. */
function cell(over: Partial<CellScore>, keyId = "k", contractId = "c", runs = 10, cleanRuns = runs): LabCell {
  const score: CellScore = { ...emptyScore(), losses: 100, lossesDetected: 100, ...over };
  score.recall = score.losses === 0 ? 1 : score.lossesDetected / score.losses;
  return {
    workload: "all",
    contractId,
    keyId,
    score,
    runs,
    cleanRuns,
    recallInterval: wilson(score.lossesDetected, score.losses),
  };
}

describe("ranking cells", () => {
  it("puts cells clean in every run first, then the ones that catch most losses", () => {
    const misleading = cell({ falseCollisions: 3 }, "misleading", "c", 10, 7);
    const blind = cell({ lossesDetected: 50 }, "blind");
    const good = cell({ lossesDetected: 90 }, "good");
    const unchecked = cell({ lossesDetected: 90, noKey: 40 }, "unchecked");
    expect([misleading, blind, unchecked, good].sort(compareCells).map((c) => c.keyId)).toEqual([
      "good",
      "unchecked",
      "blind",
      "misleading",
    ]);
    expect(falseFindings(misleading.score)).toBe(3);
  });
});

describe("the verdict", () => {
  const contracts = allContracts();
  const id = (agentScope: string, producerField: boolean, orchestratorScope = "per-execution") =>
    contracts.find(
      (c) =>
        c.agentScope === agentScope && c.orchestratorScope === orchestratorScope && c.producerField === producerField,
    )!.id;
  const result = (cells: LabCell[]): LabResult => ({
    options: resolveLabOptions({ seed: 1, executions: 1, faults: DEFAULT_LAB_FAULTS, scenarioRuns: 0 }),
    contracts,
    keys: labKeys(),
    workloads: ["all"],
    done: 0,
    total: 0,
    lines: 0,
    cells,
  });

  it("needs the producer field when only contracts with it are clean in every run", () => {
    const answer = conclude(
      result([
        cell({ falseCollisions: 4 }, "execution-entity", id("per-execution", false), 10, 8),
        cell({}, "execution-producer", id("per-execution", true)),
      ]),
    );
    expect(answer.producerField).toBe("needed");
    expect(answer.lines[1]).toMatch(/^The producer field is needed: .* clean in only 8 of 10 runs/);
  });

  it("does not need it when a contract without it does as well, and prefers the contract closest to today's", () => {
    const answer = conclude(
      result([
        cell({ lossesDetected: 95 }, "execution-entity", id("per-execution", false)),
        cell({ lossesDetected: 96 }, "execution-producer", id("per-execution", true)),
      ]),
    );
    // 95 and 96 of 100 are not told apart by their intervals: the plainer contract wins.
    expect(answer.producerField).toBe("not needed");
    expect(answer.bestContract?.producerField).toBe(false);
    expect(answer.candidates).toHaveLength(2);
  });

  it("says the evidence is split when no cell is clean in every run", () => {
    const answer = conclude(
      result([
        cell({ falseGaps: 1 }, "execution-entity", id("per-execution", false), 10, 9),
        cell({ falseGaps: 2 }, "execution-producer", id("per-execution", true), 10, 8),
      ]),
    );
    expect(answer.split).toBe(true);
    expect(answer.producerField).toBe("split");
    expect(answer.lines[0]).toMatch(/^The evidence is split: .* clean in 9 of 10 runs/);
  });
});

describe("the lab's answer does not depend on the seed", () => {
  // Every scenario on: parallel and repeated invocations, retries, replicas, a crash per execution with the
  // step retried on the restarted process, long-lived processes, orchestrator restarts, redeliveries.
  const verdict = (seed: number) => {
    const answer = conclude(
      runLab({ seed, runs: 8, executions: 6, scenarioRuns: 0, faults: DEFAULT_LAB_FAULTS }, undefined, { sha256Hex }),
    );
    return {
      contract: answer.best?.contractId,
      key: answer.best?.keyId,
      split: answer.split,
      producerField: answer.producerField,
      first: answer.lines[0]?.replace(/Under it:.*/, ""),
      clean: answer.best && answer.best.cleanRuns === answer.best.runs,
    };
  };

  it("gives the same verdict under two base seeds", () => {
    const a = verdict(1);
    const b = verdict(2);
    expect(a).toEqual(b);
    expect(a.clean).toBe(true);
    expect(a.producerField).toBe("needed");
  }, 60_000);
});
