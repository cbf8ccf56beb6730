// Each named scenario, alone, must break exactly the contract × key cells that its ground truth says it
// should: a key misleads when one of its partitions holds events of two true counters (a collision), or one
// true counter's events fall into two partitions (a false gap or missing head). The expected set is derived
// from the simulator's truth records and the wire fields, never from the engine, and never pinned.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PartitionKey } from "../audit";
import { fallbackAlternatives } from "../audit/partition-key";
import type { SimLine } from "../sim/simulator";
import type { TruthRecord } from "../sim/truth";
import { falseFindings } from "./conclusion";
import { allContracts, labKeys } from "./contracts";
import { analyzeFinished, resolveLabOptions, simulateContract, workloadFor, type WorkloadId } from "./run-lab";
import { SCENARIO_IDS } from "./scenarios";
import { scoreAnalysis } from "./score";

const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const dec = new TextDecoder();

function valueOf(w: Record<string, unknown>, field: string): string | undefined {
  const alts = fallbackAlternatives(field);
  if (alts) {
    for (const [i, alt] of alts.entries()) {
      const vs = alt.map((f) => valueOf(w, f));
      if (vs.every((v) => v !== undefined)) return `${i}:${vs.join("/")}`;
    }
    return undefined;
  }
  const v = w[field];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** From the truth: does checking seq under `key` put two counters together, or one counter apart? */
function truthSaysMisleads(lines: readonly SimLine[], truths: readonly TruthRecord[], key: PartitionKey): boolean {
  const truth = new Map(truths.flatMap((t) => t.events.map((e) => [e.id, e] as const)));
  const countersOf = new Map<string, Set<string>>();
  const partsOf = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));
  for (const l of lines) {
    const e = truth.get(l.id);
    if (!e) continue; // a process line: no seq
    const w = JSON.parse(dec.decode(l.bytes)) as Record<string, unknown>;
    const values = key.fields.map((f) => valueOf(w, f));
    if (values.some((v) => v === undefined)) continue; // unchecked under this key, not misleading
    const part = values.join("\u0001");
    const counter = e.partition[e.scope];
    add(countersOf, part, counter);
    add(partsOf, counter, part);
  }
  return [...countersOf.values(), ...partsOf.values()].some((s) => s.size > 1);
}

// No line faults: the only reason to mislead is the workload.
const opts = resolveLabOptions({
  seed: 11,
  executions: 5,
  faults: { drop: 0, duplicate: 0, reorder: { rate: 0, window: 8 }, crash: 0, malformed: 0 },
});
const keys = labKeys();

/** "contract|key" of every cell that misleads, from the engine and from the truth. */
function breaks(workload: WorkloadId): { engine: string[]; truth: string[] } {
  const engine: string[] = [];
  const truth: string[] = [];
  for (const contract of allContracts()) {
    const sim = simulateContract(contract, opts, workloadFor(workload, opts), 4242, { sha256Hex });
    for (const key of keys) {
      const analysis = analyzeFinished(sim, key);
      const score = scoreAnalysis({ analysis, lines: sim.lines, truths: sim.truths });
      const id = `${contract.id}|${key.id}`;
      if (falseFindings(score) > 0) engine.push(id);
      if (truthSaysMisleads(sim.lines, sim.truths, key)) truth.push(id);
    }
  }
  return { engine, truth };
}

const C = (agents: string, orchestrator: string, field: "on" | "off") =>
  `agents=${agents},orchestrator=${orchestrator},producer-field=${field}`;
const FALLBACK_ENTITY = "custom:correlation_id+task_id|workflow_execution_id+entity_type+entity_id";
const FALLBACK_PRODUCER = "custom:correlation_id+task_id|workflow_execution_id+producer";

/** Cells the issue names, per scenario: true = must mislead, false = must hold. */
const NAMED: Record<WorkloadId, [string, string, boolean][]> = {
  all: [],
  none: [
    [C("per-invocation", "per-execution", "off"), "execution", true],
    [C("per-process", "per-process", "off"), "execution-entity", false],
  ],
  parallel: [
    [C("per-invocation", "per-execution", "off"), "execution-entity", true],
    [C("per-invocation", "per-execution", "off"), "invocation", false],
  ],
  retry: [
    [C("per-invocation", "per-execution", "off"), "execution-entity", true],
    [C("per-execution", "per-execution", "off"), "execution-entity", false],
  ],
  replicas: [
    [C("per-execution", "per-execution", "off"), "execution-entity", true],
    [C("per-execution", "per-execution", "on"), "execution-producer", false],
  ],
  "crash-restart": [
    [C("per-execution", "per-execution", "off"), "execution-entity", true],
    [C("per-execution", "per-execution", "on"), "execution-producer", false],
  ],
  "long-lived": [
    [C("per-process", "per-process", "on"), "execution-producer", true],
    [C("per-process", "per-process", "on"), "custom:producer", false],
  ],
  "orchestrator-restart": [
    [C("per-invocation", "per-execution", "off"), FALLBACK_ENTITY, true],
    [C("per-invocation", "per-execution", "on"), FALLBACK_PRODUCER, false],
  ],
  redelivery: [
    [C("per-execution", "per-execution", "off"), "execution-entity", false],
    [C("per-invocation", "per-execution", "off"), "invocation", false],
  ],
};

describe("each scenario alone breaks exactly the cells its ground truth says", () => {
  it.each(["none", ...SCENARIO_IDS] as WorkloadId[])(
    "%s",
    (workload) => {
      const { engine, truth } = breaks(workload);
      expect(engine).toEqual(truth);
      for (const [contract, key, misleads] of NAMED[workload])
        expect(engine.includes(`${contract}|${key}`), `${workload}: ${contract} under ${key}`).toBe(misleads);
      // Every scenario but redelivery adds a reason to fail to the baseline; redelivery is the reader's to absorb.
      if (workload !== "none" && workload !== "redelivery")
        expect(engine.length).toBeGreaterThan(breaks("none").engine.length);
    },
    30_000,
  );
});
