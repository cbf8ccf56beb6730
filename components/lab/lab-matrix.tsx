"use client";

import { describeContract, keyLabel } from "@/lib/lab/contracts";
import { alwaysClean, breakingScenarios, brokenByBaseline, verdictCells } from "@/lib/lab/conclusion";
import type { LabCell, LabResult } from "@/lib/lab/run-lab";
import type { ScenarioId } from "@/lib/lab/scenarios";

export interface LabMatrixProps {
  result: LabResult;
  bestContractId?: string;
  bestKeyId?: string;
  selected?: LabCell;
  onSelect(cell: LabCell): void;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** One letter per scenario, in the order the lab runs them. */
export function scenarioLetters(scenarios: readonly ScenarioId[]): Map<ScenarioId, string> {
  return new Map(scenarios.map((id, i) => [id, String.fromCharCode(65 + i)]));
}

/**
 * Contracts down, partition keys across; each cell pooled over the seeded runs with every scenario on, and the
 * letters of the scenarios that, alone, break it. Colour is a heat map of how often it was clean.
 */
export function LabMatrix({ result, bestContractId, bestKeyId, selected, onSelect }: LabMatrixProps) {
  const cells = verdictCells(result);
  const cellOf = (contractId: string, keyId: string) =>
    cells.find((c) => c.contractId === contractId && c.keyId === keyId);
  const letters = scenarioLetters(result.options.scenarios);
  return (
    <div className="overflow-x-auto">
      <table className="border-collapse text-xs" data-testid="lab-matrix">
        <thead>
          <tr>
            <th className="p-1 text-left font-medium text-slate-500">contract ↓ · key →</th>
            {result.keys.map((k) => (
              <th key={k.id} className="max-w-40 p-1 text-left align-bottom font-mono font-medium" title={k.label}>
                {keyLabel(k)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.contracts.map((c) => (
            <tr key={c.id}>
              <th className="whitespace-nowrap p-1 pr-3 text-left font-normal">{describeContract(c)}</th>
              {result.keys.map((k) => {
                const cell = cellOf(c.id, k.id);
                if (!cell)
                  return (
                    <td key={k.id} className="p-0.5 text-slate-400">
                      …
                    </td>
                  );
                const s = cell.score;
                const best = c.id === bestContractId && k.id === bestKeyId;
                const share = cell.cleanRuns / Math.max(1, cell.runs);
                const tone = alwaysClean(cell)
                  ? s.noKey > 0
                    ? "bg-emerald-50 dark:bg-emerald-950/40"
                    : "bg-emerald-100 dark:bg-emerald-950"
                  : share > 0
                    ? "bg-amber-100 dark:bg-amber-950"
                    : "bg-red-100 dark:bg-red-950";
                const why =
                  (brokenByBaseline(result, c.id, k.id) ? "0" : "") +
                  breakingScenarios(result, c.id, k.id)
                    .map((id) => letters.get(id))
                    .join("");
                return (
                  <td key={k.id} className="p-0.5">
                    <button
                      type="button"
                      onClick={() => onSelect(cell)}
                      data-testid="lab-cell"
                      data-contract={c.id}
                      data-key={k.id}
                      data-clean-runs={cell.cleanRuns}
                      data-runs={cell.runs}
                      data-best={best ? "true" : undefined}
                      aria-pressed={selected?.contractId === c.id && selected.keyId === k.id}
                      className={`w-36 rounded px-1.5 py-1 text-left tabular-nums ${tone} ${best ? "ring-2 ring-amber-500" : ""} ${selected?.contractId === c.id && selected.keyId === k.id ? "outline outline-2 outline-sky-600" : ""}`}
                      title={`clean in ${cell.cleanRuns} of ${cell.runs} runs; ${s.falseCollisions} false collisions, ${s.falseGaps} false gaps, ${s.lossesDetected}/${s.losses} losses caught, ${s.duplicatesRecognised}/${s.duplicates} duplicates recognised, ${s.noKey} seq'd events unchecked`}
                    >
                      <div className="flex justify-between">
                        <span>
                          {best && "★ "}
                          {cell.cleanRuns}/{cell.runs} clean
                        </span>
                        <span className="font-mono text-red-800 dark:text-red-300" data-testid="lab-cell-why">
                          {why}
                        </span>
                      </div>
                      <div className="text-slate-600 dark:text-slate-400">
                        R {pct(s.recall)} · {s.falseCollisions + s.falseGaps} false
                      </div>
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 max-w-4xl text-xs text-slate-500">
        Each cell: how many seeded runs (every scenario on) it was clean in, its pooled recall of real losses, and its
        false findings. Letters: the scenarios that, alone, make it mislead (
        {[...letters].map(([id, l]) => `${l} ${id}`).join(", ")}; 0: it misleads with no scenario at all). Green: clean
        in every run (pale: some seq never checked); amber: split; red: never clean. ★ is the recommendation.
      </p>
    </div>
  );
}
