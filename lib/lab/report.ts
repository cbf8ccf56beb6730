// The lab's answer as a Markdown document a maintainer can paste into the issue
// thread: the three asks, each with its evidence table, the scenarios that decide
// it, the fault rates and seeds, and the command that reproduces it. Depends only
// on the result (no clock, no host), so the same command writes the same bytes.
import { allContracts, describeContract, keyLabel, type Contract } from "./contracts";
import {
  breakingScenarios,
  brokenByBaseline,
  compareCells,
  conclude,
  interval,
  verdictCells,
  whyBroken,
} from "./conclusion";
import { runSeed, type LabCell, type LabResult, type ResolvedLabOptions } from "./run-lab";
import { SCENARIOS } from "./scenarios";

const pct = (x: number) => `${Math.round(x * 100)}%`;
const code = (s: string) => `\`${s}\``;

/** The `npm run lab` command line that reproduces these options. */
export function labCommand(o: ResolvedLabOptions, extra: string[] = []): string {
  const f = o.faults;
  const args = [
    `--seed ${o.seed}`,
    `--runs ${o.runs}`,
    `--executions ${o.executions}`,
    `--scenario-runs ${o.scenarioRuns}`,
    `--scenarios ${o.scenarios.length > 0 ? o.scenarios.join(",") : "none"}`,
    `--drop ${f.drop}`,
    `--duplicate ${f.duplicate}`,
    `--reorder ${f.reorder.rate}`,
    `--crash ${f.crash}`,
    `--malformed ${f.malformed}`,
    ...o.customKeys.map((k) => `--custom-key ${k.join(",")}`),
    ...extra,
  ];
  return `npm run lab -- ${args.join(" ")}`;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
}

function table(head: string[], rows: (string | number)[][]): string[] {
  return [row(head), row(head.map(() => "---")), ...rows.map(row)];
}

function evidence(c: LabCell): (string | number)[] {
  const s = c.score;
  return [
    `${c.cleanRuns} of ${c.runs}`,
    s.falseCollisions,
    s.falseGaps,
    s.duplicatesAsCollisions,
    `${s.lossesDetected} of ${s.losses}`,
    `${pct(s.recall)} (${interval(c.recallInterval)})`,
    s.noKey,
  ];
}

const EVIDENCE_HEAD = [
  "clean runs",
  "false collisions",
  "false gaps",
  "duplicates as collisions",
  "losses caught",
  "recall (95% interval)",
  "seq'd events unchecked",
];

/** `transport`: how the consumer read the runs ("in memory", or the nats-server of --nats). */
export function labReport(
  result: LabResult,
  command = labCommand(result.options, ["--report answer.md"]),
  transport = "in memory (the stream reader's messages, built from the simulator's lines)",
  picture = "answer.svg",
): string {
  const o = result.options;
  const answer = conclude(result);
  const contracts = new Map(result.contracts.map((c) => [c.id, c]));
  const keyName = (id: string) => {
    const k = result.keys.find((x) => x.id === id);
    return k ? keyLabel(k) : id;
  };
  const cells = verdictCells(result);
  const cellOf = (contractId: string, keyId: string) =>
    cells.find((c) => c.contractId === contractId && c.keyId === keyId);
  const bestPer = (filter: (c: Contract) => boolean) =>
    result.contracts.filter(filter).map((c) => {
      const mine = cells.filter((x) => x.contractId === c.id).sort(compareCells);
      return { contract: c, cell: mine[0] };
    });
  const breaks = (c: LabCell) => (o.scenarioRuns > 0 ? whyBroken(result, c.contractId, c.keyId) : "not run");
  const out: string[] = [];
  const best = answer.best;
  const bestContract = answer.bestContract;

  out.push("# Which seq scope, which partition key, and the producer field: the decision lab's answer", "");
  out.push(
    `Evidence: ${o.runs} seeded runs of ${o.executions} executions per contract with every scenario below switched on together, ` +
      `scored under ${result.keys.length} partition keys against the simulator's ground truth` +
      (o.scenarioRuns > 0
        ? `; and each scenario alone, ${o.scenarioRuns} runs of ${o.scenarioExecutions} executions per contract, to say which scenarios break which cell.`
        : "."),
    "",
  );
  out.push("## The answer", "");
  for (const l of answer.lines) out.push(`- ${l}`);
  out.push("");

  // 1. Scopes.
  out.push("## 1. Which seq scope each producer should use", "");
  if (bestContract && best) {
    out.push(
      answer.split
        ? `The evidence is split: no contract was clean in every run. Closest: agents ${code(bestContract.agentScope)}, orchestrator ${code(bestContract.orchestratorScope)}.`
        : `Agents: ${code(bestContract.agentScope)}. Orchestrator: ${code(bestContract.orchestratorScope)}. ` +
            "Each contract below is shown under its best key; a contract is only as good as the key a consumer can check it in.",
      "",
    );
  }
  out.push(
    ...table(
      ["contract", "best key", ...EVIDENCE_HEAD],
      bestPer(() => true)
        .filter((x) => x.cell)
        .map(({ contract, cell }) => [
          `${describeContract(contract)}${best && cell!.contractId === best.contractId && cell!.keyId === best.keyId ? " ★" : ""}`,
          keyName(cell!.keyId),
          ...evidence(cell!),
        ]),
    ),
    "",
  );

  // 2. Keys.
  out.push("## 2. Which partition key consumers should check seq in", "");
  if (best && bestContract) {
    out.push(
      `${answer.split ? "Closest" : "Answer"}: ${code(keyName(best.keyId))}, under ${describeContract(bestContract)}. ` +
        "Every key under that contract, and the scenarios that, alone, make it mislead:",
      "",
    );
    out.push(
      ...table(
        ["key", ...EVIDENCE_HEAD, "broken by (alone)"],
        result.keys
          .map((k) => cellOf(bestContract.id, k.id))
          .filter((c): c is LabCell => !!c)
          .map((c) => [keyName(c.keyId), ...evidence(c), breaks(c)]),
      ),
      "",
    );
    if (answer.candidates.length > 1) {
      out.push(
        "Equally good on this evidence (clean in every run, every seq checked, recall within the interval):",
        "",
      );
      out.push(
        ...table(
          ["contract", "key", ...EVIDENCE_HEAD],
          answer.candidates.map((c) => [
            describeContract(contracts.get(c.contractId)!),
            keyName(c.keyId),
            ...evidence(c),
          ]),
        ),
        "",
      );
    }
  }

  // 3. The producer field.
  out.push("## 3. Whether to add the `producer` field, and what it must name", "");
  out.push(`Answer: ${answer.producerField}.`, "");
  const field = (on: boolean) =>
    [...cells.filter((c) => contracts.get(c.contractId)?.producerField === on)].sort(compareCells)[0];
  const on = field(true);
  const off = field(false);
  out.push(
    ...table(
      ["producer field", "best contract", "key", ...EVIDENCE_HEAD],
      [on, off]
        .filter((c): c is LabCell => !!c)
        .map((c) => [
          contracts.get(c.contractId)!.producerField ? "on" : "off",
          describeContract(contracts.get(c.contractId)!),
          keyName(c.keyId),
          ...evidence(c),
        ]),
    ),
    "",
  );
  const deployment = bestContract && cellOf(bestContract.id, "execution-entity");
  if (deployment) {
    out.push(
      "What it must name: the process instance (the simulator stamps `<agent>@<boot id>`, new on every restart and per replica). " +
        `A producer named per deployment partitions like ${code(keyName("execution-entity"))}, which under the recommended scopes is ` +
        `clean in ${deployment.cleanRuns} of ${deployment.runs} runs; broken by: ${breaks(deployment)}.`,
      "",
    );
  }

  // The scenarios.
  out.push("## Scenarios: which break each contract × key", "");
  out.push(`The matrix as a heat map (written next to this file): ![the matrix](${picture})`, "");
  out.push(
    `Every scenario is on for the evidence above (${o.scenarios.length > 0 ? o.scenarios.map(code).join(", ") : "none"}). ` +
      "With none of them, each execution has fresh processes, each agent is invoked at most once per run, and nothing crashes, restarts, is retried or redelivered.",
    "",
  );
  out.push(
    ...table(
      ["scenario", "on", "what happens"],
      SCENARIOS.map((s) => [s.id, o.scenarios.includes(s.id) ? "yes" : "no", s.description]),
    ),
    "",
  );
  if (o.scenarioRuns > 0 && o.scenarios.length > 0) {
    const short = new Map(o.scenarios.map((id, i) => [id, String.fromCharCode(65 + i)]));
    out.push(
      `Each cell lists the scenarios that, alone, made it mislead in at least one run (${o.scenarios
        .map((id) => `${short.get(id)} = ${id}`)
        .join(
          ", ",
        )}); "0" when it misleads with no scenario at all; "·" none; then how often it was clean with all of them on.`,
      "",
    );
    out.push(
      ...table(
        ["contract", ...result.keys.map((k) => keyName(k.id))],
        result.contracts.map((c) => [
          describeContract(c),
          ...result.keys.map((k) => {
            const v = cellOf(c.id, k.id);
            const s =
              (brokenByBaseline(result, c.id, k.id) ? "0" : "") +
              breakingScenarios(result, c.id, k.id)
                .map((id) => short.get(id))
                .join("");
            return `${s || "·"} (${v ? `${v.cleanRuns}/${v.runs}` : "–"})`;
          }),
        ]),
      ),
      "",
    );
  }

  // How it was measured.
  out.push("## How this was measured", "");
  const f = o.faults;
  out.push(
    `- Fault rates (a probability per event, or a whole count per execution): drop ${f.drop}, duplicate ${f.duplicate}, ` +
      `reorder ${f.reorder.rate} (window ${f.reorder.window}), malformed ${f.malformed}; crash ${f.crash} ` +
      `(${f.crash >= 1 ? "per execution" : "per invocation"}) with the crash scenario on.`,
    `- Base seed ${o.seed}; seeds of the runs with every scenario on: ${Array.from({ length: o.runs }, (_, r) => runSeed(o.seed, 0, r)).join(", ")}.`,
    `- ${result.done} simulated runs, ${result.lines} stream messages, ${result.done * result.keys.length} scored cells; transport: ${transport}.`,
    "- A cell is clean in a run when a consumer checking seq under its key sees no false collision, false gap or duplicate taken for a collision; recall is the share of lost events (dropped, or lost in a crash) it detected, pooled over the runs, with a 95 % Wilson interval.",
    `- Contracts: ${allContracts().length} (agent scope × orchestrator scope × producer field on/off). Keys: ${result.keys.map((k) => code(keyName(k.id))).join(", ")}.`,
    "",
  );
  out.push("Reproduce:", "", "```sh", command, "```", "");
  return out.join("\n");
}
