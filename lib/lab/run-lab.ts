// Runs the decision lab: simulate under every contract, analyse each run under
// every partition key, score each pair against the ground truth. Pure and
// synchronous (the page runs it in a Web Worker, the CLI in Node).
import { AuditLog, type PartitionKey } from "../audit";
import type { RawMessage } from "../audit/types";
import type { FaultOptions, ShapeOptions } from "../sim/options";
import { runSimulation, type SimLine } from "../sim/simulator";
import type { TruthRecord } from "../sim/truth";
import { allContracts, labKeys, type Contract } from "./contracts";
import { scoreAnalysis, type CellScore } from "./score";

export interface LabOptions {
  seed: number;
  /** Executions simulated per contract. */
  executions: number;
  faults: FaultOptions;
  shapes?: Partial<ShapeOptions>;
  /** Extra partition keys, as field lists. */
  customKeys?: string[][];
  /** Restrict to these contracts (ids); all by default. */
  contracts?: string[];
}

export interface LabCell {
  contractId: string;
  keyId: string;
  score: CellScore;
  /** An execution that shows this cell's findings best (most anomalies), for the timeline. */
  representative?: string;
}

export interface LabRun {
  contract: Contract;
  lines: number;
  executions: number;
}

export interface LabResult {
  options: LabOptions;
  contracts: Contract[];
  keys: PartitionKey[];
  runs: LabRun[];
  cells: LabCell[];
}

export const DEFAULT_LAB_FAULTS: FaultOptions = {
  drop: 0.02,
  duplicate: 0.01,
  reorder: { rate: 0.01, window: 8 },
  crash: 0.01,
  malformed: 0.005,
};

/** The messages a consumer would read off the stream for this run. */
export function toMessages(lines: readonly SimLine[], startMs: number, subject = "auditEvent"): RawMessage[] {
  return lines.map((l, i) => ({
    data: l.bytes,
    streamSeq: i + 1,
    receivedMs: startMs + l.atMs,
    deliveryCount: 1,
    subject,
  }));
}

export interface SimulatedContract {
  contract: Contract;
  lines: SimLine[];
  truths: TruthRecord[];
  log: AuditLog;
}

/** One contract's run, ingested: what the lab page also shows as a timeline. */
export function simulateContract(contract: Contract, opts: LabOptions): SimulatedContract {
  const startMs = Date.UTC(2026, 0, 1);
  const { lines, truths } = runSimulation({
    seed: opts.seed,
    startMs,
    executions: opts.executions,
    agentScope: contract.agentScope,
    orchestratorScope: contract.orchestratorScope,
    producerField: contract.producerField,
    faults: opts.faults,
    shapes: opts.shapes,
  });
  const log = new AuditLog();
  log.add(toMessages(lines, startMs));
  return { contract, lines, truths, log };
}

export function runLab(opts: LabOptions, onProgress?: (done: number, total: number) => void): LabResult {
  const contracts = allContracts().filter((c) => !opts.contracts || opts.contracts.includes(c.id));
  const keys = labKeys(opts.customKeys);
  const cells: LabCell[] = [];
  const runs: LabRun[] = [];
  contracts.forEach((contract, i) => {
    const sim = simulateContract(contract, opts);
    runs.push({ contract, lines: sim.lines.length, executions: sim.truths.length });
    for (const key of keys) {
      const analysis = sim.log.analyze(key);
      const score = scoreAnalysis({ analysis, lines: sim.lines, truths: sim.truths });
      cells.push({ contractId: contract.id, keyId: key.id, score, representative: representative(sim, analysis) });
    }
    onProgress?.(i + 1, contracts.length);
  });
  return { options: opts, contracts, keys, runs, cells };
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
