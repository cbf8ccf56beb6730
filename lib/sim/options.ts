// Every knob of the simulator in one typed object, so the CLI, `npm start` and
// the decision lab describe a run the same way. Pure.

export type SeqScope = "per-invocation" | "per-execution" | "per-process";
export const SEQ_SCOPES: readonly SeqScope[] = Object.freeze([
  "per-invocation",
  "per-execution",
  "per-process",
] as const);

/**
 * A fault amount: `0 ≤ p < 1` is a probability per event (per invocation for
 * `crash`); an integer `n ≥ 1` means exactly n per execution (fewer only when the
 * execution has fewer eligible events, or a crash removed them first).
 */
export type FaultAmount = number;

export interface FaultOptions {
  /** Emitted (seq and chain advance) but never published. */
  drop: FaultAmount;
  /** Published twice, byte-identical, the copy up to `reorder.window` lines later. */
  duplicate: FaultAmount;
  /** Published up to `window` lines later than emitted. */
  reorder: { rate: FaultAmount; window: number };
  /** The agent process dies before this invocation ends: every in-flight invocation on it loses its tail; it restarts with a genesis chain. */
  crash: FaultAmount;
  /** The producer writes a broken line: truncated JSON or a wrongly typed field. */
  malformed: FaultAmount;
}

export interface ShapeOptions {
  /** Workflow definitions to draw runs from. */
  workflows: number;
  /** Agent deployments (one process each). */
  agents: number;
  /** Stages per workflow, inclusive range. */
  stages: [number, number];
  /** Parallel steps per stage, inclusive range. */
  parallelism: [number, number];
  /** Probability that a step invokes an agent the workflow already invokes (same run, possibly in parallel). */
  repeatInvocationRate: number;
  /** Probability that an invocation ends in error (step failed, run cancelled) without any crash. */
  failureRate: number;
  /** LLM calls per invocation, inclusive range. */
  llmCalls: [number, number];
}

/**
 * Workloads that make one contract or key fail where another holds (the decision lab switches them on one
 * at a time). Every default keeps the simulator as it was: one long-lived process per agent deployment, one
 * orchestrator, no retries, no restarts but crashes.
 */
export interface ScenarioOptions {
  /** Processes per agent deployment (replicas); each invocation is served by one of them, drawn at random. */
  replicas: number;
  /** Where a repeated invocation of an agent lands: any stage, only in parallel within a stage, or only in a later stage. */
  repeatWhere: "any" | "same-stage" | "later-stage";
  /** Probability per invocation that its step is retried: the attempt ends in an error and the orchestrator invokes the same agent again for the same step. */
  retryRate: number;
  /** A crashed step is retried on the restarted process (else the step fails and the run is cancelled). */
  retryAfterCrash: boolean;
  /** Every execution gets fresh processes of its own (one pod per run); false: long-lived processes serve many executions. */
  processPerExecution: boolean;
  /** The orchestrator process restarts mid-run (P per execution, or N per execution): its counters restart, it is a new producer instance. */
  orchestratorRestart: FaultAmount;
}

export interface SimOptions {
  seed: number;
  /** Wall-clock ms of simulated time 0; `ts` = startMs + offset + the producer's skew. */
  startMs: number;
  /** Stop after this many executions; undefined runs forever. */
  executions: number | undefined;
  /** Executions started per simulated second (Poisson arrivals); sets how many overlap. */
  executionsPerSecond: number;
  /**
   * Share of all invocations, `0 ≤ s < 1`, that an agent serves directly: called by an upstream client, not by
   * the orchestrator. Their events carry correlation_id and task_id but no workflow_id, workflow_execution_id,
   * stage_id or step_id; the same long-lived agent processes write them, so per-process seq and prev_hash
   * chains run through them. They arrive as a Poisson stream of their own, beside the executions (and end
   * when the last execution has started). 0: none, and the run is exactly as without this option.
   */
  standaloneShare: number;
  /** Seq scope of every agent, or "mixed": agents take the three scopes in turn. */
  agentScope: SeqScope | "mixed";
  /** Per-agent overrides, by agent name (`billing-agent`). */
  agentScopes: Record<string, SeqScope>;
  /**
   * Seq scope of the orchestrator. Its "invocation" is the run itself (it has no
   * A2A ingress of its own), so per-invocation counts like per-execution.
   */
  orchestratorScope: SeqScope;
  /** Stamp the proposed explicit `producer` field (issue #198). */
  producerField: boolean;
  /** Ed25519-sign agent lines (kid/sigp/sig, jcs-1). */
  sign: boolean;
  /** Each producer's clock is off by a fixed amount in [-skewMs, +skewMs]. */
  skewMs: number;
  faults: FaultOptions;
  shapes: ShapeOptions;
  scenarios: ScenarioOptions;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};
export type SimOptionsInput = DeepPartial<Omit<SimOptions, "agentScopes">> & { agentScopes?: Record<string, SeqScope> };

/** A fixed epoch, so a seed alone reproduces a run byte for byte. */
export const DEFAULT_START_MS = Date.UTC(2026, 0, 1, 9, 0, 0);

export const DEFAULT_SIM_OPTIONS: Readonly<SimOptions> = Object.freeze<SimOptions>({
  seed: 1,
  startMs: DEFAULT_START_MS,
  executions: undefined,
  executionsPerSecond: 2,
  standaloneShare: 0,
  agentScope: "per-invocation",
  agentScopes: {},
  orchestratorScope: "per-execution",
  producerField: false,
  sign: false,
  skewMs: 150,
  faults: { drop: 0, duplicate: 0, reorder: { rate: 0, window: 8 }, crash: 0, malformed: 0 },
  shapes: {
    workflows: 6,
    agents: 8,
    stages: [2, 4],
    parallelism: [1, 3],
    repeatInvocationRate: 0.25,
    failureRate: 0.02,
    llmCalls: [1, 3],
  },
  scenarios: {
    replicas: 1,
    repeatWhere: "any",
    retryRate: 0,
    retryAfterCrash: false,
    processPerExecution: false,
    orchestratorRestart: 0,
  },
});

export class SimOptionsError extends Error {}

function range(name: string, r: [number, number], min: number): [number, number] {
  const [lo, hi] = r;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi < lo)
    throw new SimOptionsError(`${name} must be two integers ${min} ≤ min ≤ max, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** A fault amount: a probability 0 ≤ P < 1 per event (per invocation for a crash), or a whole count N ≥ 1 per execution. */
export function isFaultAmount(v: number): boolean {
  return v >= 0 && (v < 1 || Number.isInteger(v));
}

function amount(name: string, v: number): number {
  if (!isFaultAmount(v))
    throw new SimOptionsError(`${name} must be a probability in [0, 1) or a whole count ≥ 1 per execution, got ${v}`);
  return v;
}

function probability(name: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new SimOptionsError(`${name} must be in [0, 1], got ${v}`);
  return v;
}

function scope(name: string, v: string): SeqScope {
  if (!(SEQ_SCOPES as readonly string[]).includes(v))
    throw new SimOptionsError(`${name} must be one of ${SEQ_SCOPES.join(", ")}, got "${v}"`);
  return v as SeqScope;
}

/** Fills defaults and validates; throws SimOptionsError with a message fit for a CLI. */
export function resolveSimOptions(input: SimOptionsInput = {}): SimOptions {
  const d = DEFAULT_SIM_OPTIONS;
  const f = input.faults ?? {};
  const s = input.shapes ?? {};
  const sc = input.scenarios ?? {};
  const o: SimOptions = {
    seed: input.seed ?? d.seed,
    startMs: input.startMs ?? d.startMs,
    executions: input.executions ?? d.executions,
    executionsPerSecond: input.executionsPerSecond ?? d.executionsPerSecond,
    standaloneShare: input.standaloneShare ?? d.standaloneShare,
    agentScope: input.agentScope ?? d.agentScope,
    agentScopes: { ...(input.agentScopes ?? {}) },
    orchestratorScope: input.orchestratorScope ?? d.orchestratorScope,
    producerField: input.producerField ?? d.producerField,
    sign: input.sign ?? d.sign,
    skewMs: input.skewMs ?? d.skewMs,
    faults: {
      drop: f.drop ?? d.faults.drop,
      duplicate: f.duplicate ?? d.faults.duplicate,
      reorder: { rate: f.reorder?.rate ?? d.faults.reorder.rate, window: f.reorder?.window ?? d.faults.reorder.window },
      crash: f.crash ?? d.faults.crash,
      malformed: f.malformed ?? d.faults.malformed,
    },
    shapes: {
      workflows: s.workflows ?? d.shapes.workflows,
      agents: s.agents ?? d.shapes.agents,
      stages: s.stages ?? d.shapes.stages,
      parallelism: s.parallelism ?? d.shapes.parallelism,
      repeatInvocationRate: s.repeatInvocationRate ?? d.shapes.repeatInvocationRate,
      failureRate: s.failureRate ?? d.shapes.failureRate,
      llmCalls: s.llmCalls ?? d.shapes.llmCalls,
    },
    scenarios: {
      replicas: sc.replicas ?? d.scenarios.replicas,
      repeatWhere: sc.repeatWhere ?? d.scenarios.repeatWhere,
      retryRate: sc.retryRate ?? d.scenarios.retryRate,
      retryAfterCrash: sc.retryAfterCrash ?? d.scenarios.retryAfterCrash,
      processPerExecution: sc.processPerExecution ?? d.scenarios.processPerExecution,
      orchestratorRestart: sc.orchestratorRestart ?? d.scenarios.orchestratorRestart,
    },
  };
  if (!Number.isInteger(o.seed)) throw new SimOptionsError(`seed must be an integer, got ${o.seed}`);
  if (!Number.isFinite(o.startMs)) throw new SimOptionsError(`startMs must be a number of ms, got ${o.startMs}`);
  if (o.executions !== undefined && !(Number.isInteger(o.executions) && o.executions >= 0))
    throw new SimOptionsError(`executions must be a whole number ≥ 0, got ${o.executions}`);
  if (!(o.executionsPerSecond > 0))
    throw new SimOptionsError(`executionsPerSecond must be > 0, got ${o.executionsPerSecond}`);
  if (!(o.standaloneShare >= 0 && o.standaloneShare < 1))
    throw new SimOptionsError(`standaloneShare must be a share in [0, 1), got ${o.standaloneShare}`);
  if (o.agentScope !== "mixed") scope("agent scope", o.agentScope);
  for (const [agent, v] of Object.entries(o.agentScopes)) scope(`scope of ${agent}`, v);
  scope("orchestrator scope", o.orchestratorScope);
  if (!(o.skewMs >= 0)) throw new SimOptionsError(`skewMs must be ≥ 0, got ${o.skewMs}`);
  amount("drop", o.faults.drop);
  amount("duplicate", o.faults.duplicate);
  amount("reorder", o.faults.reorder.rate);
  amount("crash", o.faults.crash);
  amount("malformed", o.faults.malformed);
  if (!(Number.isInteger(o.faults.reorder.window) && o.faults.reorder.window >= 1))
    throw new SimOptionsError(`reorder window must be a whole number of lines ≥ 1, got ${o.faults.reorder.window}`);
  if (!(Number.isInteger(o.shapes.workflows) && o.shapes.workflows >= 1))
    throw new SimOptionsError(`workflows must be ≥ 1, got ${o.shapes.workflows}`);
  if (!(Number.isInteger(o.shapes.agents) && o.shapes.agents >= 1))
    throw new SimOptionsError(`agents must be ≥ 1, got ${o.shapes.agents}`);
  range("stages", o.shapes.stages, 1);
  range("parallelism", o.shapes.parallelism, 1);
  range("llmCalls", o.shapes.llmCalls, 0);
  probability("repeatInvocationRate", o.shapes.repeatInvocationRate);
  probability("failureRate", o.shapes.failureRate);
  if (!(Number.isInteger(o.scenarios.replicas) && o.scenarios.replicas >= 1))
    throw new SimOptionsError(`replicas must be a whole number ≥ 1, got ${o.scenarios.replicas}`);
  if (!["any", "same-stage", "later-stage"].includes(o.scenarios.repeatWhere))
    throw new SimOptionsError(`repeatWhere must be any, same-stage or later-stage, got "${o.scenarios.repeatWhere}"`);
  probability("retryRate", o.scenarios.retryRate);
  amount("orchestratorRestart", o.scenarios.orchestratorRestart);
  return o;
}

/**
 * The live demo of `npm start`: agents on all three scopes, the orchestrator per
 * execution, a fifth of the invocations outside any workflow run (so the
 * Invocations view has live rows), and small fault rates, so that at ~2
 * executions/s every anomaly kind (naive-key collision, gap, duplicate, out of
 * order, open tail, chain break, malformed) appears within a minute. A test
 * checks that claim on simulated time.
 */
export function demoSimOptions(seed: number, startMs = DEFAULT_START_MS): SimOptions {
  return resolveSimOptions({
    seed,
    startMs,
    executionsPerSecond: 2,
    standaloneShare: 0.2,
    agentScope: "mixed",
    orchestratorScope: "per-execution",
    skewMs: 120,
    // A crash cuts every invocation in flight on that process (a handful), so it stays rare.
    faults: { drop: 0.004, duplicate: 0.004, reorder: { rate: 0.004, window: 6 }, crash: 0.006, malformed: 0.001 },
    shapes: { failureRate: 0.01 },
  });
}
