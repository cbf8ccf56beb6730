import { describe, expect, it } from "vitest";
import { LabOptionsError, parseLabOptions, ROUND_TRIP_LIMITS, runLabSession, type LabResponse } from "./lab-session";
import { DEFAULT_LAB_FAULTS, LabRunner, runLab } from "./run-lab";
import { conclude } from "./conclusion";

describe("lab options from a request", () => {
  it("fill in the CLI's defaults and keep what is asked within bounds", () => {
    const o = parseLabOptions({ seed: 7, runs: 2, executions: 3, scenarioRuns: 0, customKeys: [["a", "b"]] });
    expect(o).toMatchObject({ seed: 7, runs: 2, executions: 3, scenarioRuns: 0, customKeys: [["a", "b"]] });
    expect(o.faults).toEqual(DEFAULT_LAB_FAULTS);
    expect(parseLabOptions({}).runs).toBeGreaterThan(0);
  });

  it("refuse what would make the server work without bound, or is not lab options, saying which", () => {
    for (const [body, why] of [
      [{ runs: ROUND_TRIP_LIMITS.runs + 1 }, /runs must be/],
      [{ executions: 0 }, /executions must be/],
      [{ seed: 1.5 }, /seed must be/],
      [{ scenarios: ["replicas", "nope"] }, /scenarios must be/],
      [{ customKeys: [[]] }, /customKeys/],
      [{ customKeys: "a,b" }, /customKeys/],
      [{ faults: { drop: -1 } }, /faults.drop/],
    ] as const) {
      expect(() => parseLabOptions(body)).toThrow(LabOptionsError);
      expect(() => parseLabOptions(body)).toThrow(why);
    }
  });
});

describe("a lab session", () => {
  it("posts progress for every run and then the verdict of the same code as runLab", async () => {
    const options = { seed: 3, runs: 1, executions: 2, scenarioRuns: 0, faults: DEFAULT_LAB_FAULTS };
    const runner = new LabRunner(options);
    const posted: LabResponse[] = [];
    let t = 0;
    await runLabSession(
      runner,
      () => runner.step(),
      (m) => posted.push(m),
      { now: () => (t += 500) },
    );
    const last = posted.at(-1);
    expect(last?.type).toBe("result");
    const progress = posted.filter((m) => m.type === "progress");
    expect(progress.length).toBe(runner.total);
    // The clock moved 500 ms a step: every progress message carries the cells so far.
    expect(progress.every((m) => m.type === "progress" && m.partial !== undefined)).toBe(true);
    if (last?.type === "result") expect(last.conclusion).toEqual(conclude(runLab(options)).lines);
  });

  it("says what failed instead of throwing", async () => {
    const runner = new LabRunner({ seed: 1, runs: 1, executions: 1, scenarioRuns: 0, faults: DEFAULT_LAB_FAULTS });
    const posted: LabResponse[] = [];
    await runLabSession(
      runner,
      () => {
        throw new Error("stream gone");
      },
      (m) => posted.push(m),
    );
    expect(posted).toEqual([{ type: "error", message: "stream gone" }]);
  });
});
