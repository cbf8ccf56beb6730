import { describe, expect, it } from "vitest";
import { breakingScenarios } from "./conclusion";
import { labHeatmap, scenarioBars } from "./heatmap";
import { DEFAULT_LAB_FAULTS, runLab } from "./run-lab";

const result = runLab({ seed: 4, runs: 1, executions: 3, scenarioRuns: 1, faults: DEFAULT_LAB_FAULTS });

describe("the lab's pictures", () => {
  it("have a bar per scenario run alone, and the baseline's, counting the cells each breaks", () => {
    const bars = scenarioBars(result);
    expect(bars.map((b) => b.id)).toEqual(["none", ...result.options.scenarios]);
    // Replicas alone break (execution, entity) under per-execution scopes without the producer field (issue 15).
    const replicas = bars.find((b) => b.id === "replicas");
    const cell = ["agents=per-execution,orchestrator=per-execution,producer-field=off", "execution-entity"] as const;
    expect(breakingScenarios(result, ...cell)).toContain("replicas");
    expect(replicas?.broken).toBeGreaterThan(0);
    expect(bars.every((b) => b.broken <= result.contracts.length * result.keys.length)).toBe(true);
    const svg = labHeatmap(result);
    for (const b of bars) expect(svg).toContain(`>${b.label}</text>`);
  });

  it("draw the same bytes from the same result", () => {
    expect(labHeatmap(result)).toBe(labHeatmap(runLab(result.options)));
  });
});
