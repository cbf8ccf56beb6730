// `npm run lab -- [options]`: every seq scope × every partition key, scored
// against the simulator's ground truth, as a table (or --json). With
// --expect-scope/--expect-key it pins a contract: exit 1 if that cell shows any
// false collision, false gap or missed loss.
import { parseArgs } from "node:util";
import { contractId, describeContract } from "../lib/lab/contracts";
import { conclude, falseFindings } from "../lib/lab/conclusion";
import { DEFAULT_LAB_FAULTS, runLab, type LabOptions } from "../lib/lab/run-lab";
import { SEQ_SCOPES, type SeqScope } from "../lib/sim/options";

const HELP = `Usage: npm run lab -- [options]

Simulates workflow runs under every contract (agent seq scope × orchestrator seq
scope × producer field on/off), analyses each under every partition key, and
scores what a consumer would detect against the simulator's ground truth.

  --seed N              seed of the simulated runs (default 1)
  --executions N        executions per contract (default 50)
  --drop P              fault rates: a probability per event (0 ≤ P < 1),
  --duplicate P           or exactly N per execution (integer ≥ 1);
  --reorder P             defaults: drop ${DEFAULT_LAB_FAULTS.drop}, duplicate ${DEFAULT_LAB_FAULTS.duplicate}, reorder ${DEFAULT_LAB_FAULTS.reorder.rate},
  --crash P               crash ${DEFAULT_LAB_FAULTS.crash} (per invocation), malformed ${DEFAULT_LAB_FAULTS.malformed}
  --malformed P
  --custom-key F1,F2    also score this partition key (repeatable)
  --json                print the full result as JSON
  --expect-scope S      pin a contract: agents=<scope>,orchestrator=<scope>[,producer-field=on|off]
                        (scopes: ${SEQ_SCOPES.join(", ")})
  --expect-key K        ...checked under this key (execution, execution-entity, invocation,
                        execution-producer, or custom:F1,F2); exit 1 if it shows any false
                        collision, false gap, duplicate taken for a collision, or a missed
                        loss that left a trace (a later seq or an open tail); a dropped last
                        event of a counter leaves none, under any key
  --max-missed N        detectable missed losses tolerated by --expect-key (default 0)
  --help`;

function fail(msg: string, code = 2): never {
  process.stderr.write(`lab: ${msg}\n`);
  process.exit(code);
}

let values: ReturnType<typeof parse>["values"];
function parse() {
  return parseArgs({
    options: {
      seed: { type: "string", default: "1" },
      executions: { type: "string", default: "50" },
      drop: { type: "string" },
      duplicate: { type: "string" },
      reorder: { type: "string" },
      crash: { type: "string" },
      malformed: { type: "string" },
      "custom-key": { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      "expect-scope": { type: "string" },
      "expect-key": { type: "string" },
      "max-missed": { type: "string", default: "0" },
      help: { type: "boolean", default: false },
    },
  });
}
try {
  values = parse().values;
} catch (e) {
  fail(`${(e as Error).message}\n\n${HELP}`);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function num(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number, got "${v}"`);
  return n;
}

const opts: LabOptions = {
  seed: num("seed", values.seed, 1),
  executions: Math.max(1, Math.floor(num("executions", values.executions, 50))),
  faults: {
    drop: num("drop", values.drop, DEFAULT_LAB_FAULTS.drop),
    duplicate: num("duplicate", values.duplicate, DEFAULT_LAB_FAULTS.duplicate),
    reorder: {
      rate: num("reorder", values.reorder, DEFAULT_LAB_FAULTS.reorder.rate),
      window: DEFAULT_LAB_FAULTS.reorder.window,
    },
    crash: num("crash", values.crash, DEFAULT_LAB_FAULTS.crash),
    malformed: num("malformed", values.malformed, DEFAULT_LAB_FAULTS.malformed),
  },
  customKeys: (values["custom-key"] ?? []).map((k) =>
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
const expectedContract = values["expect-scope"] ? parseScope(values["expect-scope"]) : undefined;

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

if (values["expect-key"] || expectedContract) {
  const contract = expectedContract ?? answer.best?.contractId;
  const keyId = values["expect-key"] ?? answer.best?.keyId;
  const cell = result.cells.find((c) => c.contractId === contract && c.keyId === keyId);
  if (!cell)
    fail(
      `no cell for contract ${contract} under key ${keyId} (known keys: ${result.keys.map((k) => k.id).join(", ")})`,
    );
  const s = cell.score;
  const maxMissed = num("max-missed", values["max-missed"], 0);
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
