// One run of the lab as a stream of messages — progress after every run, the cells
// so far every few hundred milliseconds, at the end the verdict and the written
// answer — whatever runs it: the page's Web Worker (in memory) or the dashboard
// server (the NATS round trip, streamed to the page as NDJSON). Pure.
import { conclude } from "./conclusion";
import { labReport } from "./report";
import { SCENARIO_IDS, type ScenarioId } from "./scenarios";
import {
  DEFAULT_LAB_FAULTS,
  DEFAULT_LAB_RUNS,
  DEFAULT_SCENARIO_RUNS,
  type LabOptions,
  type LabResult,
  type LabRunner,
} from "./run-lab";

export type LabResponse =
  | { type: "progress"; done: number; total: number; partial?: LabResult; conclusion?: string[] }
  | {
      type: "result";
      result: LabResult;
      conclusion: string[];
      bestContractId?: string;
      bestKeyId?: string;
      report: string;
    }
  | { type: "error"; message: string };

const PARTIAL_EVERY_MS = 400;

/** Steps `runner` with `step` to its end, telling `post` as it goes; never throws (an error is a message). */
export async function runLabSession(
  runner: LabRunner,
  step: () => boolean | Promise<boolean>,
  post: (m: LabResponse) => void,
  opts: { now?: () => number; signal?: AbortSignal; report?: (r: LabResult) => string } = {},
): Promise<void> {
  const now = opts.now ?? (() => performance.now());
  try {
    let last = now();
    while (await step()) {
      if (opts.signal?.aborted) return;
      const t = now();
      if (t - last >= PARTIAL_EVERY_MS) {
        last = t;
        const partial = runner.result();
        post({
          type: "progress",
          done: runner.done,
          total: runner.total,
          partial,
          conclusion: conclude(partial).lines,
        });
      } else post({ type: "progress", done: runner.done, total: runner.total });
    }
    const result = runner.result();
    const answer = conclude(result);
    post({
      type: "result",
      result,
      conclusion: answer.lines,
      bestContractId: answer.best?.contractId,
      bestKeyId: answer.best?.keyId,
      report: (opts.report ?? labReport)(result),
    });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
}

/** The most a request to the dashboard's round trip may ask for: it runs on the server. */
export const ROUND_TRIP_LIMITS = { runs: 50, executions: 100, scenarioRuns: 20, customKeys: 3, fields: 8 } as const;

export class LabOptionsError extends Error {}

/** Lab options from untrusted JSON (a request body), checked and bounded; throws LabOptionsError with the reason. */
export function parseLabOptions(o: unknown): LabOptions {
  const v = (o ?? {}) as Record<string, unknown>;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const x = v[name] ?? fallback;
    if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max)
      throw new LabOptionsError(`${name} must be a whole number from ${min} to ${max}`);
    return x;
  };
  const scenarios = v.scenarios ?? [...SCENARIO_IDS];
  if (!Array.isArray(scenarios) || !scenarios.every((s) => (SCENARIO_IDS as readonly unknown[]).includes(s)))
    throw new LabOptionsError(`scenarios must be a list of ${SCENARIO_IDS.join(", ")}`);
  const f = (v.faults ?? {}) as Record<string, unknown>;
  const amount = (x: unknown, fallback: number, name: string): number => {
    const a = x ?? fallback;
    if (typeof a !== "number" || !Number.isFinite(a) || a < 0 || a > 10)
      throw new LabOptionsError(`faults.${name} must be a number from 0 to 10`);
    return a;
  };
  const reorder = (f.reorder ?? {}) as Record<string, unknown>;
  const keys = v.customKeys ?? [];
  if (
    !Array.isArray(keys) ||
    keys.length > ROUND_TRIP_LIMITS.customKeys ||
    !keys.every(
      (k) =>
        Array.isArray(k) &&
        k.length > 0 &&
        k.length <= ROUND_TRIP_LIMITS.fields &&
        k.every((x) => typeof x === "string" && x.length > 0 && x.length <= 200),
    )
  )
    throw new LabOptionsError(`customKeys must be at most ${ROUND_TRIP_LIMITS.customKeys} lists of field names`);
  const D = DEFAULT_LAB_FAULTS;
  return {
    seed: int("seed", 1, 0, 2 ** 31 - 1),
    runs: int("runs", DEFAULT_LAB_RUNS, 1, ROUND_TRIP_LIMITS.runs),
    executions: int("executions", 8, 1, ROUND_TRIP_LIMITS.executions),
    scenarioRuns: int("scenarioRuns", DEFAULT_SCENARIO_RUNS, 0, ROUND_TRIP_LIMITS.scenarioRuns),
    scenarios: scenarios as ScenarioId[],
    faults: {
      drop: amount(f.drop, D.drop, "drop"),
      duplicate: amount(f.duplicate, D.duplicate, "duplicate"),
      reorder: {
        rate: amount(reorder.rate, D.reorder.rate, "reorder.rate"),
        window: Math.min(64, Math.max(1, Math.round(amount(reorder.window, D.reorder.window, "reorder.window")))),
      },
      crash: amount(f.crash, D.crash, "crash"),
      malformed: amount(f.malformed, D.malformed, "malformed"),
    },
    customKeys: keys as string[][],
  };
}
