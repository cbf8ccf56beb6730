// `npm run lab -- [options]`: every seq scope × every partition key, scored
// against the simulator's ground truth, as a table (or --json). With
// --expect-scope/--expect-key it pins a contract: exit 1 if that cell shows any
// false collision, false gap or missed loss.
import { contractId, describeContract } from "../lib/lab/contracts";
import { conclude, falseFindings } from "../lib/lab/conclusion";
import { DEFAULT_LAB_FAULTS, runLab, type LabOptions } from "../lib/lab/run-lab";
import { SEQ_SCOPES, type SeqScope } from "../lib/sim/options";
import { BAD_OPTION, command, integer, number, probabilityOrCount } from "./lib/cli";

function fail(msg: string, code = BAD_OPTION): never {
  process.stderr.write(`lab: ${msg}\n`);
  process.exit(code);
}

interface Flags {
  seed: number;
  executions: number;
  drop: number;
  duplicate: number;
  reorder: number;
  crash: number;
  malformed: number;
  customKey?: string[];
  json?: true;
  expectScope?: string;
  expectKey?: string;
  maxMissed: number;
}

const F = DEFAULT_LAB_FAULTS;
const collect = (v: string, previous: string[] = []) => [...previous, v];
const values = command(
  "lab",
  "Simulates workflow runs under every contract (agent seq scope × orchestrator seq scope × producer field " +
    "on/off), analyses each under every partition key, and scores what a consumer would detect against the " +
    "simulator's ground truth.",
)
  .option("--seed <n>", "seed of the simulated runs", integer({ min: 0 }), 1)
  .option("--executions <n>", "executions per contract", number({ min: 0 }), 50)
  .optionsGroup("Faults (P: a probability 0 ≤ P < 1 per event; N: exactly N ≥ 1 per execution):")
  .option("--drop <P|N>", "emitted but never published", probabilityOrCount, F.drop)
  .option("--duplicate <P|N>", "published twice", probabilityOrCount, F.duplicate)
  .option("--reorder <P|N>", `published up to ${F.reorder.window} lines late`, probabilityOrCount, F.reorder.rate)
  .option("--crash <P|N>", "the agent process dies mid-invocation (P per invocation)", probabilityOrCount, F.crash)
  .option("--malformed <P|N>", "a truncated line or a wrongly typed field", probabilityOrCount, F.malformed)
  .optionsGroup("Output:")
  .option("--custom-key <f1,f2>", "also score this partition key (repeatable)", collect)
  .option("--json", "print the full result as JSON")
  .optionsGroup("Pinning a contract (exit 1 if it misleads):")
  .option(
    "--expect-scope <s>",
    `pin a contract: agents=<scope>,orchestrator=<scope>[,producer-field=on|off] (scopes: ${SEQ_SCOPES.join(", ")})`,
  )
  .option(
    "--expect-key <k>",
    "the key to check it under (without --expect-scope: the recommended contract): execution, execution-entity, " +
      "invocation, execution-producer or custom:F1,F2; exit 1 if it shows any false collision, false gap, " +
      "duplicate taken for a collision, or a missed loss that left a trace (a later seq or an open tail); " +
      "a dropped last event of a counter leaves none, under any key",
  )
  .option("--max-missed <n>", "detectable missed losses tolerated by --expect-key", number({ min: 0 }), 0)
  .parse()
  .opts<Flags>();

const opts: LabOptions = {
  seed: values.seed,
  executions: Math.max(1, Math.floor(values.executions)),
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
const result = runLab(opts, (done, total) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} contracts`);
});
if (process.stderr.isTTY) process.stderr.write("\r");
const answer = conclude(result);

if (values.json) {
  console.log(JSON.stringify({ ...result, conclusion: answer.lines }, null, 2));
} else {
  const keys = result.keys;
  const head = ["contract".padEnd(72), ...keys.map((k) => k.id.padStart(20))].join(" ");
  console.log(`seed ${opts.seed}, ${opts.executions} executions per contract, faults ${JSON.stringify(opts.faults)}`);
  console.log("cell: false collisions / false gaps / losses missed of losses, recall; * = no false findings\n");
  console.log(head);
  for (const c of result.contracts) {
    const row = keys.map((k) => {
      const cell = result.cells.find((x) => x.contractId === c.id && x.keyId === k.id)!;
      const s = cell.score;
      const mark = cell === answer.best ? "★" : falseFindings(s) === 0 ? "*" : " ";
      return `${mark}${s.falseCollisions}/${s.falseGaps}/${s.lossesMissed}of${s.losses} ${Math.round(s.recall * 100)}%`.padStart(
        20,
      );
    });
    console.log([describeContract(c).padEnd(72), ...row].join(" "));
  }
  console.log(`\n${answer.lines.join("\n")}`);
  console.log(`\n(${result.cells.length} cells in ${Math.round(performance.now() - started)} ms)`);
}

if (values.expectKey || expectedContract) {
  const contract = expectedContract ?? answer.best?.contractId;
  const keyId = values.expectKey ?? answer.best?.keyId;
  const cell = result.cells.find((c) => c.contractId === contract && c.keyId === keyId);
  if (!cell)
    fail(
      `no cell for contract ${contract} under key ${keyId} (known keys: ${result.keys.map((k) => k.id).join(", ")})`,
    );
  const s = cell.score;
  const maxMissed = values.maxMissed;
  const problems = [
    s.falseCollisions && `${s.falseCollisions} false collisions`,
    s.falseGaps && `${s.falseGaps} false gaps`,
    s.duplicatesAsCollisions && `${s.duplicatesAsCollisions} duplicates taken for collisions`,
    s.lossesMissed - s.lossesUndetectable > maxMissed &&
      `${s.lossesMissed - s.lossesUndetectable} of ${s.losses} losses missed that a consumer could have seen`,
  ].filter(Boolean);
  if (problems.length > 0) {
    process.stderr.write(`lab: the pinned contract (${contract}, key ${keyId}) shows ${problems.join(", ")}\n`);
    process.exit(1);
  }
  process.stderr.write(`lab: the pinned contract (${contract}, key ${keyId}) holds\n`);
}
