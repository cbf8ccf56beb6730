// Runs the decision lab: simulate under every contract, analyse each run under
// every partition key, score each pair against the ground truth. Many seeded runs
// per contract, so that the verdict rests on how often a cell misleads, not on
// whether one run happened to hold a crash. Pure and synchronous, one job at a
// time (the page runs it in a Web Worker with partial results, the CLI in Node).
import { AuditLog, type PartitionKey } from "../audit";
import type { RawMessage } from "../audit/types";
import { seededRng } from "../random";
import type { FaultOptions, ShapeOptions } from "../sim/options";
import { runSimulation, type SimLine, type SimRuntime } from "../sim/simulator";
import type { TruthRecord } from "../sim/truth";
import { allContracts, labKeys, type Contract } from "./contracts";
import { SCENARIO_IDS, workloadOf, type ScenarioId, type Workload } from "./scenarios";
import { scoreAnalysis, type CellScore } from "./score";
import { wilson } from "./stats";

export interface LabOptions {
  /** Base seed: every run's seed derives from it. */
  seed: number;
  /** Seeded runs per contract of the verdict's workload (every scenario switched on together). */
  runs?: number;
  /** Executions simulated per run. */
  executions: number;
  /** Scenarios switched on; all by default. */
  scenarios?: ScenarioId[];
  /** Seeded runs per contract of each scenario alone (the breakdown); 0 skips it. */
  scenarioRuns?: number;
  /** Executions per run of a scenario alone; `executions` by default. */
  scenarioExecutions?: number;
  faults: FaultOptions;
  shapes?: Partial<ShapeOptions>;
  /** Extra partition keys, as field lists. */
  customKeys?: string[][];
  /** Restrict to these contracts (ids); all by default. */
  contracts?: string[];
}

export type ResolvedLabOptions = Required<Omit<LabOptions, "shapes" | "contracts">> &
  Pick<LabOptions, "shapes" | "contracts">;

export const DEFAULT_LAB_FAULTS: FaultOptions = {
  drop: 0.02,
  duplicate: 0.01,
  reorder: { rate: 0.01, window: 8 },
  // With the crash scenario on: one crash per execution, so that every run holds some (a rate left it to luck).
  crash: 1,
  malformed: 0.005,
};

export const DEFAULT_LAB_RUNS = 12;
export const DEFAULT_SCENARIO_RUNS = 3;

export function resolveLabOptions(o: LabOptions): ResolvedLabOptions {
  const out: ResolvedLabOptions = {
    seed: o.seed,
    runs: o.runs ?? DEFAULT_LAB_RUNS,
    executions: o.executions,
    scenarios: SCENARIO_IDS.filter((id) => (o.scenarios ?? SCENARIO_IDS).includes(id)),
    scenarioRuns: o.scenarioRuns ?? DEFAULT_SCENARIO_RUNS,
    scenarioExecutions: o.scenarioExecutions ?? o.executions,
    faults: o.faults,
    customKeys: o.customKeys ?? [],
  };
  if (o.shapes) out.shapes = o.shapes;
  if (o.contracts) out.contracts = o.contracts;
  return out;
}

/** "all": every scenario switched on together (the verdict); "none": the baseline; else one scenario alone. */
export type WorkloadId = "all" | "none" | ScenarioId;

/** One seeded run of one contract, scored under one key. */
export interface RunScore {
  seed: number;
  clean: boolean;
  /** An execution that shows this run's findings best (most anomalies), for the timeline. */
  representative?: string;
}

export interface LabCell {
  workload: WorkloadId;
  contractId: string;
  keyId: string;
  /** Pooled over the runs: counts summed, precision and recall of the pool. */
  score: CellScore;
  runs: number;
  cleanRuns: number;
  /** 95 % Wilson interval of the pooled recall. */
  recallInterval: [number, number];
  /** Where to look: the first run that misled under this cell, else the first run. */
  representative?: { seed: number; executionId: string };
}

export interface LabRun {
  workload: WorkloadId;
  contract: Contract;
  seed: number;
  lines: number;
  executions: number;
}

export interface LabResult {
  options: ResolvedLabOptions;
  contracts: Contract[];
  keys: PartitionKey[];
  /** The verdict's workload ("all"), then the baseline ("none") and each scenario alone. */
  workloads: WorkloadId[];
  /** Jobs done and planned (one job: one seeded run of one contract, scored under every key). */
  done: number;
  total: number;
  /** Runs per workload and contract: lines and executions, summed. */
  lines: number;
  cells: LabCell[];
}

/** Seed of run `run` of a workload, from the base seed: independent streams, the same for every contract. */
export function runSeed(base: number, workload: number, run: number): number {
  let h =
    Math.imul(base ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(workload + 1, 0xc2b2ae35) ^ Math.imul(run + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return (h >>> 0) % 2_000_000_000;
}

/** The messages a consumer would read off the stream for this run, with at-least-once redelivery when asked. */
export function toMessages(
  lines: readonly SimLine[],
  startMs: number,
  subject = "auditEvent",
  redelivery = 0,
  seed = 0,
): RawMessage[] {
  const msgs = lines.map((l, i): RawMessage => ({
    data: l.bytes,
    streamSeq: i + 1,
    receivedMs: startMs + l.atMs,
    deliveryCount: 1,
    subject,
  }));
  return redeliver(msgs, redelivery, seed);
}

/** At-least-once delivery: some messages come again a few messages later, same stream sequence, next delivery count. */
export function redeliver(msgs: readonly RawMessage[], redelivery: number, seed: number): RawMessage[] {
  if (redelivery <= 0) return [...msgs];
  const rng = seededRng(seed ^ 0x5bd1e995);
  const out: RawMessage[] = [];
  const later: { at: number; msg: RawMessage }[] = [];
  msgs.forEach((msg, i) => {
    out.push(msg);
    if (rng.chance(redelivery))
      later.push({ at: i + rng.int(1, 8), msg: { ...msg, deliveryCount: msg.deliveryCount + 1 } });
    while (later.length > 0 && later[0]!.at <= i) out.push(later.shift()!.msg);
  });
  for (const x of later) out.push(x.msg);
  return out;
}

/**
 * Carries one run's lines to a consumer and back: what it returns is what the consumer reads. Stream
 * sequence n must be line n - 1 (a fresh stream per run). The default is in memory; round-trip.ts goes
 * through a real nats-server.
 */
export type LabTransport = (lines: readonly SimLine[], startMs: number) => Promise<RawMessage[]>;

export interface SimulatedContract {
  contract: Contract;
  seed: number;
  lines: SimLine[];
  truths: TruthRecord[];
  log: AuditLog;
}

const START_MS = Date.UTC(2026, 0, 1);

/** One seeded run of one contract under a workload, ingested: what the lab page also shows as a timeline. */
export function simulateContract(
  contract: Contract,
  opts: Pick<LabOptions, "executions" | "faults" | "shapes">,
  workload: Workload,
  seed: number,
  runtime: SimRuntime = {},
): SimulatedContract {
  const { lines, truths } = simulateLines(contract, opts, workload, seed, runtime);
  const log = new AuditLog();
  log.add(toMessages(lines, START_MS, "auditEvent", workload.redelivery, seed));
  return { contract, seed, lines, truths, log };
}

function simulateLines(
  contract: Contract,
  opts: Pick<LabOptions, "executions" | "faults" | "shapes">,
  workload: Workload,
  seed: number,
  runtime: SimRuntime,
) {
  return runSimulation(
    {
      seed,
      startMs: START_MS,
      executions: opts.executions,
      agentScope: contract.agentScope,
      orchestratorScope: contract.orchestratorScope,
      producerField: contract.producerField,
      ...workload.sim,
    },
    runtime,
  );
}

/** The workload of a workload id under these options. */
export function workloadFor(id: WorkloadId, opts: ResolvedLabOptions): Workload {
  return workloadOf(id === "all" ? opts.scenarios : id === "none" ? [] : [id], opts.faults, opts.shapes);
}

/**
 * The run's analysis under `key`, read as a finished stream: a day after its last message, so an invocation
 * cut short near the end reads as never closed rather than as still running. Chains and signatures say
 * nothing about seq, and cost most of an analysis.
 */
export function analyzeFinished(sim: SimulatedContract, key: PartitionKey) {
  const last = sim.lines[sim.lines.length - 1]?.atMs ?? 0;
  return sim.log.analyze(key, { chains: false, signatures: false, nowMs: START_MS + last + 86_400_000 });
}

interface Job {
  workload: WorkloadId;
  workloadIndex: number;
  contract: Contract;
  run: number;
}

/** The lab as a sequence of jobs, so a caller can show progress and partial results between them. */
export class LabRunner {
  readonly options: ResolvedLabOptions;
  readonly contracts: Contract[];
  readonly keys: PartitionKey[];
  readonly workloads: WorkloadId[];
  private readonly jobs: Job[] = [];
  private next = 0;
  private lines = 0;
  private readonly acc = new Map<string, { cell: LabCell; runs: RunScore[] }>();
  private readonly runtime: SimRuntime;

  constructor(opts: LabOptions, runtime: SimRuntime = {}) {
    this.options = resolveLabOptions(opts);
    this.runtime = runtime;
    const o = this.options;
    this.contracts = allContracts().filter((c) => !o.contracts || o.contracts.includes(c.id));
    this.keys = labKeys(o.customKeys);
    this.workloads = ["all", ...(o.scenarioRuns > 0 ? (["none", ...o.scenarios] as WorkloadId[]) : [])];
    // Run by run across contracts, so partial results cover every cell early.
    this.workloads.forEach((workload, workloadIndex) => {
      const runs = workload === "all" ? o.runs : o.scenarioRuns;
      for (let run = 0; run < runs; run++)
        for (const contract of this.contracts) this.jobs.push({ workload, workloadIndex, contract, run });
    });
  }

  get total(): number {
    return this.jobs.length;
  }

  get done(): number {
    return this.next;
  }

  /** Runs one job in memory; false when there are none left. */
  step(): boolean {
    const job = this.jobs[this.next];
    if (!job) return false;
    this.next++;
    const { seed, workload, lines, truths } = this.simulate(job);
    const log = new AuditLog();
    log.add(toMessages(lines, START_MS, "auditEvent", workload.redelivery, seed));
    this.score(job, { contract: job.contract, seed, lines, truths, log });
    return true;
  }

  /** Runs one job through `transport` (a real stream); the scenario's redeliveries are added on top. */
  async stepVia(transport: LabTransport): Promise<boolean> {
    const job = this.jobs[this.next];
    if (!job) return false;
    this.next++;
    const { seed, workload, lines, truths } = this.simulate(job);
    const log = new AuditLog();
    log.add(redeliver(await transport(lines, START_MS), workload.redelivery, seed));
    this.score(job, { contract: job.contract, seed, lines, truths, log });
    return true;
  }

  private simulate(job: Job) {
    const o = this.options;
    const seed = runSeed(o.seed, job.workloadIndex, job.run);
    const executions = job.workload === "all" ? o.executions : o.scenarioExecutions;
    const workload = workloadFor(job.workload, o);
    const sim = simulateLines(
      job.contract,
      { executions, faults: o.faults, shapes: o.shapes },
      workload,
      seed,
      this.runtime,
    );
    return { seed, workload, lines: sim.lines, truths: sim.truths };
  }

  private score(job: Job, sim: SimulatedContract): void {
    const seed = sim.seed;
    this.lines += sim.lines.length;
    for (const key of this.keys) {
      const analysis = analyzeFinished(sim, key);
      const score = scoreAnalysis({ analysis, lines: sim.lines, truths: sim.truths });
      const id = `${job.workload}|${job.contract.id}|${key.id}`;
      let a = this.acc.get(id);
      if (!a) {
        a = {
          cell: {
            workload: job.workload,
            contractId: job.contract.id,
            keyId: key.id,
            score: emptyScore(),
            runs: 0,
            cleanRuns: 0,
            recallInterval: [0, 1],
          },
          runs: [],
        };
        this.acc.set(id, a);
      }
      const clean = score.falseCollisions + score.falseGaps + score.duplicatesAsCollisions === 0;
      const cell = a.cell;
      addScore(cell.score, score);
      cell.runs++;
      if (clean) cell.cleanRuns++;
      cell.recallInterval = wilson(cell.score.lossesDetected, cell.score.losses);
      const rep = representative(sim, analysis);
      if (rep && (!cell.representative || (!clean && cell.cleanRuns === cell.runs - 1)))
        cell.representative = { seed, executionId: rep };
    }
  }

  /** The cells so far (copies: the runner goes on filling its own). */
  result(): LabResult {
    return {
      options: this.options,
      contracts: this.contracts,
      keys: this.keys,
      workloads: this.workloads,
      done: this.next,
      total: this.jobs.length,
      lines: this.lines,
      cells: [...this.acc.values()].map(({ cell }) => ({
        ...cell,
        score: { ...cell.score },
        recallInterval: [...cell.recallInterval],
      })),
    };
  }
}

export function runLab(
  opts: LabOptions,
  onProgress?: (done: number, total: number) => void,
  runtime: SimRuntime = {},
): LabResult {
  const runner = new LabRunner(opts, runtime);
  while (runner.step()) onProgress?.(runner.done, runner.total);
  return runner.result();
}

export function emptyScore(): CellScore {
  return {
    collisions: 0,
    falseCollisions: 0,
    gaps: 0,
    falseGaps: 0,
    missingReported: 0,
    missingReal: 0,
    losses: 0,
    lossesDetected: 0,
    lossesMissed: 0,
    lossesUndetectable: 0,
    duplicates: 0,
    duplicatesRecognised: 0,
    duplicatesAsCollisions: 0,
    precision: 1,
    recall: 1,
    noKey: 0,
  };
}

/** Adds `s` into `into` and recomputes the pooled precision and recall. */
function addScore(into: CellScore, s: CellScore): void {
  for (const k of Object.keys(s) as (keyof CellScore)[]) {
    if (k !== "precision" && k !== "recall") into[k] += s[k];
  }
  into.precision = into.missingReported === 0 ? 1 : into.missingReal / into.missingReported;
  into.recall = into.losses === 0 ? 1 : into.lossesDetected / into.losses;
}

/** The execution with the most collisions and gaps under this key: the one worth a look. */
function representative(sim: SimulatedContract, analysis: ReturnType<AuditLog["analyze"]>): string | undefined {
  const perExecution = new Map<string, number>();
  for (const a of analysis.anomalies) {
    if (a.kind !== "collision" && a.kind !== "gap" && a.kind !== "missing-head") continue;
    const line = a.streamSeqs[0] === undefined ? undefined : sim.lines[a.streamSeqs[0] - 1];
    if (line?.executionId) perExecution.set(line.executionId, (perExecution.get(line.executionId) ?? 0) + 1);
  }
  let best: string | undefined;
  let max = 0;
  for (const [id, n] of perExecution) {
    if (n > max) [best, max] = [id, n];
  }
  return best ?? sim.truths[0]?.executionId;
}
