"use client";

import { SCENARIOS, type ScenarioId } from "@/lib/lab/scenarios";
import type { FaultOptions } from "@/lib/sim/options";

/** The same knobs as `npm run lab`, with its defaults: the page and the CLI give the same verdict. */
export interface LabFormValues {
  seed: number;
  runs: number;
  executions: number;
  scenarioRuns: number;
  scenarios: ScenarioId[];
  faults: FaultOptions;
  /** Comma-separated field list for an extra partition key. */
  customKey: string;
}

export interface LabFormProps {
  value: LabFormValues;
  onChange(v: LabFormValues): void;
  running: boolean;
  onRun(): void;
  onCancel(): void;
  /** Through a real nats-server (the dashboard server's round trip), or in memory. */
  via: "memory" | "nats";
  onVia(via: "memory" | "nats"): void;
  /** Why the round trip is not available here (no SEQSCOPE_LAB_NATS_URL, not an admin); undefined: it is. */
  natsUnavailable?: string;
}

const input = "w-20 rounded border border-slate-300 bg-transparent px-1.5 py-0.5 tabular-nums dark:border-slate-700";

function NumberField(props: {
  label: string;
  value: number;
  step?: number;
  min?: number;
  max?: number;
  onChange(n: number): void;
}) {
  return (
    <label className="flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400">
      {props.label}
      <input
        type="number"
        className={input}
        value={props.value}
        step={props.step ?? 1}
        min={props.min ?? 0}
        max={props.max}
        onChange={(e) => {
          const n = Number(e.target.value);
          if (Number.isFinite(n)) props.onChange(n);
        }}
      />
    </label>
  );
}

/** The evidence: base seed, runs, the scenarios switched on, fault rates. */
export function LabForm({ value: v, onChange, running, onRun, onCancel, via, onVia, natsUnavailable }: LabFormProps) {
  const set = (patch: Partial<LabFormValues>) => onChange({ ...v, ...patch });
  const fault = (patch: Partial<FaultOptions>) => set({ faults: { ...v.faults, ...patch } });
  return (
    <form
      className="flex flex-wrap items-end gap-3 rounded border border-slate-200 p-3 dark:border-slate-800"
      onSubmit={(e) => {
        e.preventDefault();
        onRun();
      }}
    >
      <fieldset className="flex gap-2">
        <legend className="mb-1 text-xs font-semibold">Evidence</legend>
        <NumberField label="base seed" value={v.seed} onChange={(seed) => set({ seed })} />
        <NumberField label="runs" value={v.runs} min={1} max={200} onChange={(runs) => set({ runs })} />
        <NumberField
          label="executions per run"
          value={v.executions}
          min={1}
          max={500}
          onChange={(executions) => set({ executions })}
        />
        <NumberField
          label="runs per scenario"
          value={v.scenarioRuns}
          min={0}
          max={50}
          onChange={(scenarioRuns) => set({ scenarioRuns })}
        />
      </fieldset>
      <fieldset className="flex flex-wrap gap-x-3 gap-y-1" data-testid="lab-scenarios">
        <legend className="mb-1 text-xs font-semibold">Scenarios</legend>
        {SCENARIOS.map((s) => (
          <label key={s.id} className="flex items-center gap-1 text-xs" title={s.description}>
            <input
              type="checkbox"
              checked={v.scenarios.includes(s.id)}
              onChange={(e) =>
                set({
                  scenarios: e.target.checked
                    ? SCENARIOS.map((x) => x.id).filter((id) => id === s.id || v.scenarios.includes(id))
                    : v.scenarios.filter((id) => id !== s.id),
                })
              }
            />
            {s.label}
          </label>
        ))}
      </fieldset>
      <fieldset className="flex gap-2">
        <legend className="mb-1 text-xs font-semibold">
          Faults (probability per event, or a count per execution; crash with its scenario)
        </legend>
        <NumberField label="drop" value={v.faults.drop} step={0.01} onChange={(drop) => fault({ drop })} />
        <NumberField
          label="duplicate"
          value={v.faults.duplicate}
          step={0.01}
          onChange={(duplicate) => fault({ duplicate })}
        />
        <NumberField
          label="reorder"
          value={v.faults.reorder.rate}
          step={0.01}
          onChange={(rate) => fault({ reorder: { ...v.faults.reorder, rate } })}
        />
        <NumberField label="crash" value={v.faults.crash} step={0.01} onChange={(crash) => fault({ crash })} />
        <NumberField
          label="malformed"
          value={v.faults.malformed}
          step={0.005}
          onChange={(malformed) => fault({ malformed })}
        />
      </fieldset>
      <label className="flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400">
        custom key (fields, comma-separated)
        <input
          className="w-72 rounded border border-slate-300 bg-transparent px-1.5 py-0.5 font-mono dark:border-slate-700"
          placeholder="workflow_execution_id, step_id (a+b|c: a and b, else c)"
          value={v.customKey}
          onChange={(e) => set({ customKey: e.target.value })}
        />
      </label>
      <label
        className="flex items-center gap-1 text-xs"
        title={
          natsUnavailable ??
          "The dashboard server publishes every run to a scratch stream on a real nats-server and scores what the stream reader brings back."
        }
      >
        <input
          type="checkbox"
          data-testid="lab-via-nats"
          checked={via === "nats"}
          disabled={natsUnavailable !== undefined}
          onChange={(e) => onVia(e.target.checked ? "nats" : "memory")}
        />
        through NATS (round trip){natsUnavailable !== undefined ? " — off here" : ""}
      </label>
      {running ? (
        <button type="button" onClick={onCancel} className="rounded bg-slate-200 px-3 py-1 text-sm dark:bg-slate-800">
          Cancel
        </button>
      ) : (
        <button type="submit" className="rounded bg-sky-700 px-3 py-1 text-sm font-medium text-white hover:bg-sky-800">
          Run the lab
        </button>
      )}
    </form>
  );
}
