// `npm run lab -- [options]`: every seq scope × every partition key, over many
// seeded runs and named scenarios, scored against the simulator's ground truth,
// as a table (or --json, or a Markdown answer with --report). With
// --expect-scope/--expect-key it pins a contract: exit 1 if that cell misleads in
// any run or misses a loss a consumer could have seen.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { contractId, describeContract } from "../lib/lab/contracts";
import { alwaysClean, conclude, verdictCells } from "../lib/lab/conclusion";
import { labHeatmap } from "../lib/lab/heatmap";
import { labCommand, labReport } from "../lib/lab/report";
import {
  DEFAULT_LAB_FAULTS,
  DEFAULT_LAB_RUNS,
  DEFAULT_SCENARIO_RUNS,
  LabRunner,
  type LabOptions,
} from "../lib/lab/run-lab";
import { natsTransport } from "../lib/lab/round-trip";
import { SCENARIO_IDS, type ScenarioId } from "../lib/lab/scenarios";
import { connectNode } from "../lib/nats/node-connection";
import { SEQ_SCOPES, type SeqScope } from "../lib/sim/options";
import { BAD_OPTION, command, integer, listOf, number, probabilityOrCount } from "./lib/cli";

function fail(msg: string, code = BAD_OPTION): never {
  process.stderr.write(`lab: ${msg}\n`);
  process.exit(code);
}

interface Flags {
  seed: number;
  runs: number;
  executions: number;
  scenarioRuns: number;
  scenarios: string;
  drop: number;
  duplicate: number;
  reorder: number;
  crash: number;
  malformed: number;
  customKey?: string[];
  json?: true;
  report?: string;
  nats?: string;
  creds?: string;
  expectScope?: string;
  expectKey?: string;
  maxMissed: number;
}

const F = DEFAULT_LAB_FAULTS;
const collect = (v: string, previous: string[] = []) => [...previous, v];
const values = command(
  "lab",
  "Simulates workflow runs under every contract (agent seq scope × orchestrator seq scope × producer field " +
    "on/off), many seeded runs each, with named scenarios on together and each alone; analyses each run under " +
    "every partition key and scores what a consumer would detect against the simulator's ground truth.",
)
  .option("--seed <n>", "base seed: every run's seed derives from it", integer({ min: 0 }), 1)
  .option(
    "--runs <n>",
    "seeded runs per contract with every scenario on (the verdict)",
    integer({ min: 1 }),
    DEFAULT_LAB_RUNS,
  )
  .option("--executions <n>", "executions per run", number({ min: 0 }), 8)
  .option(
    "--scenario-runs <n>",
    "seeded runs per contract of each scenario alone (which scenarios break a cell); 0 skips them",
    integer({ min: 0 }),
    DEFAULT_SCENARIO_RUNS,
  )
  .option(
    "--scenarios <list>",
    `scenarios switched on, comma-separated, or "none" (${SCENARIO_IDS.join(", ")})`,
    SCENARIO_IDS.join(","),
  )
  .optionsGroup("Faults (P: a probability 0 ≤ P < 1 per event; N: exactly N ≥ 1 per execution):")
  .option("--drop <P|N>", "emitted but never published", probabilityOrCount, F.drop)
  .option("--duplicate <P|N>", "published twice", probabilityOrCount, F.duplicate)
  .option("--reorder <P|N>", `published up to ${F.reorder.window} lines late`, probabilityOrCount, F.reorder.rate)
  .option(
    "--crash <P|N>",
    "with the crash-restart scenario: the agent process dies mid-invocation (P per invocation, N per execution)",
    probabilityOrCount,
    F.crash,
  )
  .option("--malformed <P|N>", "a truncated line or a wrongly typed field", probabilityOrCount, F.malformed)
  .optionsGroup("Output:")
  .option("--custom-key <f1,f2>", "also score this partition key (repeatable; a+b|c+d: a and b, else c and d)", collect)
  .option("--json", "print the full result as JSON")
  .option("--report <file>", "write the answer to the three asks as Markdown (byte-for-byte reproducible)")
  .optionsGroup("The round trip (optional):")
  .option(
    "--nats <url>",
    "publish every run to a fresh stream on this nats-server and analyse what the stream reader brings back",
  )
  .option("--creds <file>", "NATS .creds file for --nats (a user that may create streams, publish and read)")
  .optionsGroup("Pinning a contract (exit 1 if it misleads):")
  .option(
    "--expect-scope <s>",
    `pin a contract: agents=<scope>,orchestrator=<scope>[,producer-field=on|off] (scopes: ${SEQ_SCOPES.join(", ")})`,
  )
  .option(
    "--expect-key <k>",
    "the key to check it under (without --expect-scope: the recommended contract): execution, execution-entity, " +
      "invocation, execution-producer or custom:F1,F2; exit 1 if it misleads in any run (a false collision, false gap, " +
      "duplicate taken for a collision), or misses a loss that left a trace (a later seq or an open tail); " +
      "a dropped last event of a counter leaves none, under any key",
  )
  .option("--max-missed <n>", "detectable missed losses tolerated by --expect-key", number({ min: 0 }), 0)
  .parse()
  .opts<Flags>();

let scenarios: ScenarioId[] = [];
if (values.scenarios !== "none") {
  try {
    scenarios = listOf(SCENARIO_IDS)(values.scenarios) as ScenarioId[];
  } catch (e) {
    fail(`--scenarios: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const opts: LabOptions = {
  seed: values.seed,
  runs: values.runs,
  executions: Math.max(1, Math.floor(values.executions)),
  scenarioRuns: values.scenarioRuns,
  scenarios,
  faults: {
    drop: values.drop,
    duplicate: values.duplicate,
    reorder: { rate: values.reorder, window: F.reorder.window },
    crash: values.crash,
    malformed: values.malformed,
  },
  customKeys: (values.customKey ?? []).map((k) =>
    k
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean),
  ),
};

function parseScope(spec: string): string {
  const parts = Object.fromEntries(spec.split(",").map((p) => p.split("=").map((x) => x.trim()) as [string, string]));
  const scope = (name: string): SeqScope => {
    const v = parts[name];
    if (!v || !SEQ_SCOPES.includes(v as SeqScope))
      fail(`--expect-scope needs ${name}=<${SEQ_SCOPES.join("|")}>, got "${spec}"`);
    return v as SeqScope;
  };
  const field = parts["producer-field"] ?? "off";
  if (field !== "on" && field !== "off") fail(`--expect-scope producer-field must be on or off, got "${field}"`);
  return contractId({
    agentScope: scope("agents"),
    orchestratorScope: scope("orchestrator"),
    producerField: field === "on",
  });
}
const expectedContract = values.expectScope ? parseScope(values.expectScope) : undefined;

const started = performance.now();
// node:crypto hashes the prev_hash chains faster than the portable default; the bytes are the same.
const runner = new LabRunner(opts, { sha256Hex: (b) => createHash("sha256").update(b).digest("hex") });
const tick = () => {
  if (process.stderr.isTTY) process.stderr.write(`\r${runner.done}/${runner.total} runs`);
};
if (values.nats) {
  const nc = await connectNode(values.nats, "seqscope-lab", {
    creds: values.creds ? readFileSync(values.creds, "utf8") : undefined,
  }).catch((e: unknown) => fail(`--nats ${values.nats}: ${e instanceof Error ? e.message : String(e)}`, 1));
  const transport = natsTransport(nc);
  while (await runner.stepVia(transport)) tick();
  await nc.drain();
} else {
  while (runner.step()) tick();
}
if (process.stderr.isTTY) process.stderr.write("\r");
const result = runner.result();
const answer = conclude(result);
const seconds = (performance.now() - started) / 1000;
const scored = result.done * result.keys.length;
const via = values.nats ? ` through ${values.nats}` : "";

if (values.report) {
  const extra = [...(values.nats ? [`--nats ${values.nats}`] : []), `--report ${values.report}`];
  const transport = values.nats ? `published to and read back from a nats-server (${values.nats})` : undefined;
  // The matrix as a picture, next to the answer: answer.md → answer.svg.
  const picture = values.report.replace(/(\.md)?$/i, ".svg");
  writeFileSync(values.report, labReport(result, labCommand(result.options, extra), transport, basename(picture)));
  writeFileSync(picture, labHeatmap(result));
}
if (values.json) {
  console.log(JSON.stringify({ ...result, conclusion: answer.lines }, null, 2));
} else {
  const keys = result.keys;
  const cells = verdictCells(result);
  const short = keys.map((_, i) => `k${i + 1}`);
  console.log(
    `base seed ${opts.seed}, ${result.options.runs} runs × ${opts.executions} executions per contract, ` +
      `scenarios ${result.options.scenarios.join(",") || "none"}, faults ${JSON.stringify(opts.faults)}`,
  );
  console.log(keys.map((k, i) => `${short[i]} = ${k.label}`).join("; "));
  console.log("cell: runs clean of runs, recall; ★ = recommended, * = clean in every run\n");
  console.log(["contract".padEnd(72), ...short.map((k) => k.padStart(12))].join(" "));
  for (const c of result.contracts) {
    const row = keys.map((k) => {
      const cell = cells.find((x) => x.contractId === c.id && x.keyId === k.id)!;
      const mark = cell === answer.best ? "★" : alwaysClean(cell) ? "*" : " ";
      return `${mark}${cell.cleanRuns}/${cell.runs} ${Math.round(cell.score.recall * 100)}%`.padStart(12);
    });
    console.log([describeContract(c).padEnd(72), ...row].join(" "));
  }
  console.log(`\n${answer.lines.join("\n")}`);
  if (values.report) console.log(`\nThe answer, written: ${values.report}`);
}
process.stderr.write(
  `lab: ${result.done} runs${via} × ${result.keys.length} keys = ${scored} scored cells in ${seconds.toFixed(1)} s ` +
    `(${Math.round(scored / seconds)} cells/s)\n`,
);

if (values.expectKey || expectedContract) {
  const contract = expectedContract ?? answer.best?.contractId;
  const keyId = values.expectKey ?? answer.best?.keyId;
  const cell = verdictCells(result).find((c) => c.contractId === contract && c.keyId === keyId);
  if (!cell)
    fail(
      `no cell for contract ${contract} under key ${keyId} (known keys: ${result.keys.map((k) => k.id).join(", ")})`,
    );
  const s = cell.score;
  const maxMissed = values.maxMissed;
  const problems = [
    cell.cleanRuns < cell.runs && `misleading in ${cell.runs - cell.cleanRuns} of ${cell.runs} runs`,
    s.falseCollisions && `${s.falseCollisions} false collisions`,
    s.falseGaps && `${s.falseGaps} false gaps`,
    s.duplicatesAsCollisions && `${s.duplicatesAsCollisions} duplicates taken for collisions`,
    s.lossesMissed - s.lossesUndetectable > maxMissed &&
      `${s.lossesMissed - s.lossesUndetectable} of ${s.losses} losses missed that a consumer could have seen`,
  ].filter(Boolean);
  if (problems.length > 0) {
    process.stderr.write(`lab: the pinned contract (${contract}, key ${keyId}) shows ${problems.join(", ")}\n`);
    // exitCode, not exit(): a large --json on a pipe must finish writing first.
    process.exitCode = 1;
  } else process.stderr.write(`lab: the pinned contract (${contract}, key ${keyId}) holds\n`);
}
