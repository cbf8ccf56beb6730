"use client";

import { useMemo, useState } from "react";
import { StaticFeedProvider } from "@/components/live/static-feed-provider";
import { ExecutionView } from "@/components/timeline/execution-view";
import { useLabRun } from "@/hooks/use-lab-run";
import { describeContract, keyLabel, type Contract } from "@/lib/lab/contracts";
import { alwaysClean, scenarioLabel } from "@/lib/lab/conclusion";
import {
  DEFAULT_LAB_FAULTS,
  DEFAULT_LAB_RUNS,
  DEFAULT_SCENARIO_RUNS,
  simulateContract,
  workloadFor,
  type LabCell,
  type LabOptions,
  type LabResult,
  type WorkloadId,
} from "@/lib/lab/run-lab";
import { labHeatmap } from "@/lib/lab/heatmap";
import { SCENARIO_IDS } from "@/lib/lab/scenarios";
import { LabMatrix } from "./lab-matrix";
import { LabForm, type LabFormValues } from "./lab-form";

/** `npm run lab`'s defaults, so that the page and the CLI reach the same verdict. */
export const DEFAULT_LAB_FORM: LabFormValues = {
  seed: 1,
  runs: DEFAULT_LAB_RUNS,
  executions: 8,
  scenarioRuns: DEFAULT_SCENARIO_RUNS,
  scenarios: [...SCENARIO_IDS],
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
    runs: v.runs,
    executions: v.executions,
    scenarioRuns: v.scenarioRuns,
    scenarios: v.scenarios,
    faults: v.faults,
    customKeys: custom.length ? [custom] : [],
  };
}

/** Where to look: one seeded run of one workload, one execution in it, under one key. */
interface Look {
  workload: WorkloadId;
  contractId: string;
  keyId: string;
  seed: number;
  executionId: string;
}

/** The seq-scope decision lab: every contract × every key over many seeded runs and scenarios, scored against ground truth. */
export function LabView({ natsUnavailable }: { natsUnavailable?: string }) {
  const [form, setForm] = useState<LabFormValues>(DEFAULT_LAB_FORM);
  const [via, setVia] = useState<"memory" | "nats">("memory");
  const { state, run, cancel } = useLabRun();
  const [selected, setSelected] = useState<LabCell | undefined>();
  const [look, setLook] = useState<Look | undefined>();

  const shown =
    state.phase === "done"
      ? { result: state.result, conclusion: state.conclusion, best: state.bestContractId, bestKey: state.bestKeyId }
      : state.phase === "running" && state.partial
        ? { result: state.partial, conclusion: state.conclusion ?? [], best: undefined, bestKey: undefined }
        : undefined;

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-base font-semibold">Seq-scope decision lab</h1>
        <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
          Which seq scope should each producer use, which partition key should consumers check seq in, and does an
          explicit <code>producer</code> field help? The lab simulates the same workload under every contract, many
          seeded runs each, with named scenarios on together and each alone; it analyses every run under every key with
          the same engine as the dashboard, and scores what a consumer would see against what really happened. It runs
          in your browser and sends nothing anywhere — unless you tick &ldquo;through NATS&rdquo;: then the dashboard
          server publishes every run to a scratch stream and scores what the stream reader brings back.{" "}
          <code>npm run lab</code> gives the same answer for the same settings.
        </p>
      </div>
      <LabForm
        value={form}
        onChange={setForm}
        running={state.phase === "running"}
        onRun={() => {
          setSelected(undefined);
          setLook(undefined);
          run(toOptions(form), via);
        }}
        onCancel={cancel}
        via={via}
        onVia={setVia}
        natsUnavailable={natsUnavailable}
      />
      {state.phase === "running" && (
        <div className="flex items-center gap-3 text-sm" data-testid="lab-progress">
          <progress max={state.total || 1} value={state.done} className="w-64" />
          {state.total ? `${state.done} of ${state.total} runs` : "starting…"}
          {state.done > 0 && state.ms > 0 && (
            <span className="text-xs text-slate-500">
              {Math.round(state.done / (state.ms / 1000))} runs/s; partial results below
            </span>
          )}
        </div>
      )}
      {state.phase === "error" && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          The lab failed: {state.message}
        </p>
      )}
      {shown && (
        <>
          <section
            aria-label="Conclusion"
            className="max-w-4xl space-y-1 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950/40"
            data-testid={state.phase === "done" ? "lab-conclusion" : "lab-partial-conclusion"}
          >
            {state.phase === "running" && <p className="font-medium">So far (partial):</p>}
            {shown.conclusion.map((line) => (
              <p key={line}>{line}</p>
            ))}
            {state.phase === "done" && (
              <>
                <p className="text-xs text-slate-500">
                  {state.result.options.runs} runs of {state.result.options.executions} executions per contract, base
                  seed {state.result.options.seed}; {state.result.done} runs × {state.result.keys.length} keys ={" "}
                  {state.result.done * state.result.keys.length} scored cells in {(state.ms / 1000).toFixed(1)} s (
                  {Math.round((state.result.done * state.result.keys.length) / (state.ms / 1000))} cells/s).
                </p>
                <ReportDownload report={state.report} result={state.result} />
              </>
            )}
          </section>
          <LabMatrix
            result={shown.result}
            bestContractId={shown.best}
            bestKeyId={shown.bestKey}
            selected={selected}
            onSelect={(cell) => {
              setSelected(cell);
              setLook(
                cell.representative && {
                  workload: "all",
                  contractId: cell.contractId,
                  keyId: cell.keyId,
                  ...cell.representative,
                },
              );
            }}
          />
          {selected && <CellDetail result={shown.result} cell={selected} onLook={setLook} look={look} />}
          {look && (
            <RepresentativeRun
              look={look}
              contract={shown.result.contracts.find((c) => c.id === look.contractId)}
              result={shown.result}
            />
          )}
        </>
      )}
    </div>
  );
}

/** The written answer and its heat map, the same bytes `npm run lab -- --report answer.md` writes. */
function ReportDownload({ report, result }: { report: string; result: LabResult }) {
  const md = useMemo(() => URL.createObjectURL(new Blob([report], { type: "text/markdown" })), [report]);
  const svg = useMemo(() => URL.createObjectURL(new Blob([labHeatmap(result)], { type: "image/svg+xml" })), [result]);
  const link = "inline-block rounded bg-sky-700 px-3 py-1 text-xs font-medium text-white hover:bg-sky-800";
  return (
    <p className="flex gap-2">
      <a href={md} download="answer.md" className={link} data-testid="lab-report">
        Download the answer (Markdown)
      </a>
      <a href={svg} download="answer.svg" className={link} data-testid="lab-heatmap">
        Download the heat map (SVG)
      </a>
    </p>
  );
}

/** Why a cell is the colour it is: with every scenario on, and each scenario alone, with a run to open for each failure. */
function CellDetail({
  result,
  cell,
  look,
  onLook,
}: {
  result: LabResult;
  cell: LabCell;
  look?: Look;
  onLook(l: Look): void;
}) {
  const rows = result.cells.filter((c) => c.contractId === cell.contractId && c.keyId === cell.keyId);
  const key = result.keys.find((k) => k.id === cell.keyId);
  return (
    <section aria-label="Cell detail" className="max-w-4xl text-xs" data-testid="lab-cell-detail">
      <h2 className="mb-1 text-sm font-semibold">
        {describeContract(result.contracts.find((c) => c.id === cell.contractId)!)} — key{" "}
        <span className="font-mono">{key ? keyLabel(key) : cell.keyId}</span>
      </h2>
      <table className="border-collapse">
        <thead>
          <tr className="text-left text-slate-500">
            <th className="pr-3">workload</th>
            <th className="pr-3">clean runs</th>
            <th className="pr-3">false collisions</th>
            <th className="pr-3">false gaps</th>
            <th className="pr-3">recall</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const active = look?.workload === c.workload && look.contractId === c.contractId && look.keyId === c.keyId;
            return (
              <tr key={c.workload} data-testid="lab-cell-workload" data-workload={c.workload}>
                <td className="pr-3">{scenarioLabel(c.workload)}</td>
                <td className={`pr-3 tabular-nums ${alwaysClean(c) ? "" : "font-semibold text-red-700"}`}>
                  {c.cleanRuns} of {c.runs}
                </td>
                <td className="pr-3 tabular-nums">{c.score.falseCollisions}</td>
                <td className="pr-3 tabular-nums">{c.score.falseGaps}</td>
                <td className="pr-3 tabular-nums">{Math.round(c.score.recall * 100)}%</td>
                <td>
                  {c.representative && (
                    <button
                      type="button"
                      aria-pressed={active}
                      className="text-sky-700 underline dark:text-sky-400"
                      onClick={() =>
                        onLook({ workload: c.workload, contractId: c.contractId, keyId: c.keyId, ...c.representative! })
                      }
                    >
                      {alwaysClean(c) ? "open a run" : "open a failing run"}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The numbers as a picture: one execution of one seeded run, on the timeline, under the cell's key. */
function RepresentativeRun({ look, contract, result }: { look: Look; contract?: Contract; result: LabResult }) {
  const o = result.options;
  // Re-simulating one run takes milliseconds: cheaper than shipping every run's log out of the worker.
  const sim = useMemo(() => {
    if (!contract) return undefined;
    const executions = look.workload === "all" ? o.executions : o.scenarioExecutions;
    return simulateContract(
      contract,
      { executions, faults: o.faults, shapes: o.shapes },
      workloadFor(look.workload, o),
      look.seed,
    );
  }, [contract, look, o]);
  if (!sim) return <p className="text-sm text-slate-500">This cell has no execution to show.</p>;
  return (
    <section
      aria-label="Representative execution"
      className="space-y-2 border-t border-slate-200 pt-3 dark:border-slate-800"
      data-testid="lab-representative"
    >
      <h2 className="text-sm font-semibold">
        {describeContract(sim.contract)} — key <span className="font-mono">{look.keyId}</span> —{" "}
        {scenarioLabel(look.workload)}, seed {look.seed}
      </h2>
      <StaticFeedProvider log={sim.log}>
        <ExecutionView
          key={`${look.workload}|${look.contractId}|${look.keyId}|${look.seed}`}
          context={{ kind: "execution", id: look.executionId }}
          initialKeyId={look.keyId}
        />
      </StaticFeedProvider>
    </section>
  );
}
