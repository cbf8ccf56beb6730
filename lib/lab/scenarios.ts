// The named workloads of the decision lab: each one a reason for some contract or
// key to fail. A scenario is a patch on the simulator's options; the lab runs
// every scenario alone (to say which ones break a cell) and all of them together
// (for the verdict). Pure.
import type { FaultOptions, ScenarioOptions, ShapeOptions, SimOptionsInput } from "../sim/options";

export const SCENARIO_IDS = [
  "parallel",
  "retry",
  "replicas",
  "crash-restart",
  "long-lived",
  "orchestrator-restart",
  "redelivery",
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface Scenario {
  id: ScenarioId;
  label: string;
  /** What happens, in a sentence a reader of the report understands. */
  description: string;
  shapes?: Partial<ShapeOptions>;
  scenarios?: Partial<ScenarioOptions>;
  faults?: Partial<FaultOptions>;
  /** Share of stream messages the consumer is handed twice (same stream sequence, a higher delivery count). */
  redelivery?: number;
}

export const SCENARIOS: readonly Scenario[] = Object.freeze([
  {
    id: "parallel",
    label: "parallel invocations",
    description: "one agent invoked by two parallel steps of one stage of a run",
    shapes: { repeatInvocationRate: 0.6, parallelism: [2, 3] },
    scenarios: { repeatWhere: "same-stage" },
  },
  {
    id: "retry",
    label: "step retried",
    description:
      "a step's first attempt ends in an error and the orchestrator invokes the same agent again for that step",
    scenarios: { retryRate: 0.3 },
  },
  {
    id: "replicas",
    label: "replicas",
    description:
      "three processes of one agent deployment serve one run (the agent is invoked more than once per run, each time by any replica)",
    shapes: { repeatInvocationRate: 0.5 },
    scenarios: { replicas: 3 },
  },
  {
    id: "crash-restart",
    label: "crash and restart",
    description:
      "an agent process dies mid-invocation (one crash per execution), restarts with fresh counters and chain, and the orchestrator retries the step on it",
    faults: { crash: 1 },
    scenarios: { retryAfterCrash: true },
  },
  {
    id: "long-lived",
    label: "long-lived processes",
    description: "each agent deployment and the orchestrator run as one long-lived process serving many executions",
    scenarios: { processPerExecution: false },
  },
  {
    id: "orchestrator-restart",
    label: "orchestrator restart",
    description: "the orchestrator process restarts mid-run (once per execution) and loses its in-memory counters",
    scenarios: { orchestratorRestart: 1 },
  },
  {
    id: "redelivery",
    label: "at-least-once redelivery",
    description:
      "producers re-publish an event (a byte-identical copy, 3 %) and the stream redelivers messages (same stream sequence, 3 %)",
    faults: { duplicate: 0.03 },
    redelivery: 0.03,
  },
] satisfies Scenario[]);

export function scenarioById(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}

/**
 * The workload with none of the scenarios: one short-lived process per agent and per run (a process serves
 * one execution), each agent invoked at most once per run, no retries, crashes, restarts or redeliveries.
 * Line faults (drops, duplicates, reorders, malformed lines) come from the lab's fault rates.
 */
// At most 4 stages of 2 steps: never more steps than the 8 agents, so no agent is invoked twice by force.
const BASELINE_SHAPES: Partial<ShapeOptions> = { repeatInvocationRate: 0, parallelism: [1, 2] };
const BASELINE_SCENARIOS: Partial<ScenarioOptions> = { processPerExecution: true };

export interface Workload {
  /** The scenarios switched on, in SCENARIO_IDS order. */
  scenarios: ScenarioId[];
  sim: Pick<SimOptionsInput, "shapes" | "scenarios" | "faults">;
  redelivery: number;
}

/** The simulator options for a set of scenarios on top of the baseline, the user's shapes and fault rates. */
export function workloadOf(
  on: readonly ScenarioId[],
  faults: FaultOptions,
  shapes: Partial<ShapeOptions> = {},
): Workload {
  const ids = SCENARIO_IDS.filter((id) => on.includes(id));
  const list = ids.map((id) => scenarioById(id)!);
  // The user's crash rate applies only with the crash scenario on: a crash is a scenario, not a line fault.
  const f: FaultOptions = { ...faults, reorder: { ...faults.reorder }, crash: 0 };
  let sh: Partial<ShapeOptions> = { ...BASELINE_SHAPES, ...shapes };
  let sc: Partial<ScenarioOptions> = { ...BASELINE_SCENARIOS };
  let redelivery = 0;
  for (const s of list) {
    // Repeats add up: parallel and replicas together keep the higher rate.
    const repeat = Math.max(sh.repeatInvocationRate ?? 0, s.shapes?.repeatInvocationRate ?? 0);
    sh = { ...sh, ...s.shapes, repeatInvocationRate: repeat };
    sc = { ...sc, ...s.scenarios };
    if (s.faults?.duplicate !== undefined) f.duplicate = Math.max(f.duplicate, s.faults.duplicate);
    if (s.faults?.crash !== undefined) f.crash = faults.crash > 0 ? faults.crash : s.faults.crash;
    redelivery = Math.max(redelivery, s.redelivery ?? 0);
  }
  // "parallel" wants the repeat within a stage; any other scenario that repeats an agent takes any stage.
  if (ids.includes("replicas") && ids.includes("parallel")) sc.repeatWhere = "any";
  return { scenarios: ids, sim: { shapes: sh, scenarios: sc, faults: f }, redelivery };
}
