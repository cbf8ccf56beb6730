"use client";

import { describeContract } from "@/lib/lab/contracts";
import { falseFindings } from "@/lib/lab/conclusion";
import type { LabCell, LabResult } from "@/lib/lab/run-lab";

export interface LabMatrixProps {
  result: LabResult;
  bestContractId?: string;
  bestKeyId?: string;
  selected?: LabCell;
  onSelect(cell: LabCell): void;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Contracts down, partition keys across; each cell scored against ground truth. Green never misleads. */
export function LabMatrix({ result, bestContractId, bestKeyId, selected, onSelect }: LabMatrixProps) {
  const cellOf = (contractId: string, keyId: string) =>
    result.cells.find((c) => c.contractId === contractId && c.keyId === keyId);
  return (
    <div className="overflow-x-auto">
      <table className="border-collapse text-xs" data-testid="lab-matrix">
        <thead>
          <tr>
            <th className="p-1 text-left font-medium text-slate-500">contract ↓ · key →</th>
            {result.keys.map((k) => (
              <th key={k.id} className="p-1 text-left font-mono font-medium" title={k.label}>
                ({k.fields.join(", ")})
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
                if (!cell) return <td key={k.id} />;
                const s = cell.score;
                const best = c.id === bestContractId && k.id === bestKeyId;
                const clean = falseFindings(s) === 0;
                const tone = clean
                  ? s.recall >= 0.9
                    ? "bg-emerald-100 dark:bg-emerald-950"
                    : "bg-emerald-50 dark:bg-emerald-950/40"
                  : "bg-red-100 dark:bg-red-950";
                return (
                  <td key={k.id} className="p-0.5">
                    <button
                      type="button"
                      onClick={() => onSelect(cell)}
                      data-testid="lab-cell"
                      data-contract={c.id}
                      data-key={k.id}
                      data-best={best ? "true" : undefined}
                      aria-pressed={selected === cell}
                      className={`w-40 rounded px-1.5 py-1 text-left tabular-nums ${tone} ${best ? "ring-2 ring-amber-500" : ""} ${selected === cell ? "outline outline-2 outline-sky-600" : ""}`}
                      title={`${s.falseCollisions} false collisions, ${s.falseGaps} false gaps, ${s.lossesDetected}/${s.losses} losses caught, ${s.duplicatesRecognised}/${s.duplicates} duplicates recognised, ${s.noKey} seq'd events unchecked`}
                    >
                      <div className="flex justify-between">
                        <span>
                          {best && "★ "}
                          {s.falseCollisions} coll · {s.falseGaps} gaps
                        </span>
                      </div>
                      <div className="text-slate-600 dark:text-slate-400">
                        caught {s.lossesDetected}/{s.losses} · P {pct(s.precision)} R {pct(s.recall)}
                      </div>
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-slate-500">
        Each cell: false collisions · false gaps; real losses caught of all real losses; precision and recall of loss
        detection. Green cells never mislead (no false collision, false gap or duplicate taken for a collision); ★ is
        the best contract.
      </p>
    </div>
  );
}
