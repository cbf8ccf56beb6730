"use client";

import { useMemo, useState } from "react";
import { StaticFeedProvider } from "@/components/live/static-feed-provider";
import { ExecutionView } from "@/components/timeline/execution-view";
import { useLabRun } from "@/hooks/use-lab-run";
import { describeContract, type Contract } from "@/lib/lab/contracts";
import { DEFAULT_LAB_FAULTS, simulateContract, type LabCell, type LabOptions } from "@/lib/lab/run-lab";
import { LabMatrix } from "./lab-matrix";
import { LabForm, type LabFormValues } from "./lab-form";

const DEFAULT_FORM: LabFormValues = {
  seed: 7,
  executions: 20,
  stagesMax: 4,
  parallelismMax: 3,
  repeatInvocationRate: 0.25,
  faults: DEFAULT_LAB_FAULTS,
  customKey: "",
};

function toOptions(v: LabFormValues): LabOptions {
  const custom = v.customKey
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  return {
    seed: v.seed,
    executions: v.executions,
    faults: v.faults,
    shapes: {
      stages: [1, Math.max(1, v.stagesMax)],
      parallelism: [1, Math.max(1, v.parallelismMax)],
      repeatInvocationRate: v.repeatInvocationRate,
    },
    customKeys: custom.length ? [custom] : [],
  };
}

/** The seq-scope decision lab: every contract × every key, scored against the simulator's ground truth. */
export function LabView() {
  const [form, setForm] = useState<LabFormValues>(DEFAULT_FORM);
  const { state, run, cancel } = useLabRun();
  const [selected, setSelected] = useState<LabCell | undefined>();

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-base font-semibold">Seq-scope decision lab</h1>
        <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          Which seq scope should each producer use, which partition key should consumers check seq in, and does an
          explicit <code>producer</code> field help? The lab simulates the same workload under every contract, analyses
          it under every key with the same engine as the dashboard, and scores what a consumer would see against what
          really happened. It runs in your browser; nothing is sent anywhere.
        </p>
      </div>
      <LabForm
        value={form}
        onChange={setForm}
        running={state.phase === "running"}
        onRun={() => {
          setSelected(undefined);
          run(toOptions(form));
        }}
        onCancel={cancel}
      />
      {state.phase === "running" && (
        <div className="flex items-center gap-3 text-sm" data-testid="lab-progress">
          <progress max={state.total || 1} value={state.done} className="w-64" />
          {state.total ? `${state.done} of ${state.total} contracts` : "starting…"}
        </div>
      )}
      {state.phase === "error" && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          The lab failed: {state.message}
        </p>
      )}
      {state.phase === "done" && (
        <>
          <section
            aria-label="Conclusion"
            className="max-w-4xl space-y-1 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950/40"
            data-testid="lab-conclusion"
          >
            {state.conclusion.map((line) => (
              <p key={line}>{line}</p>
            ))}
            <p className="text-xs text-slate-500">
              For this workload: {state.result.options.executions} executions per contract, seed{" "}
              {state.result.options.seed}, {state.result.cells.length} cells in {Math.round(state.ms)} ms. Contracts
              differ most where agents crash and restart or are invoked several times in one run: raise those to stress
              a contract.
            </p>
          </section>
          <LabMatrix
            result={state.result}
            bestContractId={state.bestContractId}
            bestKeyId={state.bestKeyId}
            selected={selected}
            onSelect={setSelected}
          />
          {selected && (
            <RepresentativeRun
              cell={selected}
              contract={state.result.contracts.find((c) => c.id === selected.contractId)}
              options={state.result.options}
            />
          )}
        </>
      )}
    </div>
  );
}

/** The cell's numbers as a picture: its most telling execution, on the timeline, under the cell's key. */
function RepresentativeRun({ cell, contract, options }: { cell: LabCell; contract?: Contract; options: LabOptions }) {
  // Re-simulating one contract takes tens of milliseconds: cheaper than shipping every run's log out of the worker.
  const sim = useMemo(() => (contract ? simulateContract(contract, options) : undefined), [contract, options]);
  if (!sim || !cell.representative)
    return <p className="text-sm text-slate-500">This cell has no execution to show.</p>;
  return (
    <section
      aria-label="Representative execution"
      className="space-y-2 border-t border-slate-200 pt-3 dark:border-slate-800"
      data-testid="lab-representative"
    >
      <h2 className="text-sm font-semibold">
        {describeContract(sim.contract)} — key <span className="font-mono">{cell.keyId}</span>
      </h2>
      <StaticFeedProvider log={sim.log}>
        <ExecutionView
          key={`${cell.contractId}|${cell.keyId}`}
          executionId={cell.representative}
          initialKeyId={cell.keyId}
        />
      </StaticFeedProvider>
    </section>
  );
}
