"use client";

import type { FaultOptions } from "@/lib/sim/options";

export interface LabFormValues {
  seed: number;
  executions: number;
  stagesMax: number;
  parallelismMax: number;
  repeatInvocationRate: number;
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

/** The workload: shape of the workflows, fault rates, seed. */
export function LabForm({ value: v, onChange, running, onRun, onCancel }: LabFormProps) {
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
        <legend className="mb-1 text-xs font-semibold">Workflow shape</legend>
        <NumberField
          label="executions"
          value={v.executions}
          min={1}
          max={2000}
          onChange={(executions) => set({ executions })}
        />
        <NumberField
          label="max stages"
          value={v.stagesMax}
          min={1}
          max={10}
          onChange={(stagesMax) => set({ stagesMax })}
        />
        <NumberField
          label="max parallel steps"
          value={v.parallelismMax}
          min={1}
          max={10}
          onChange={(parallelismMax) => set({ parallelismMax })}
        />
        <NumberField
          label="same agent twice"
          value={v.repeatInvocationRate}
          step={0.05}
          max={1}
          onChange={(repeatInvocationRate) => set({ repeatInvocationRate })}
        />
      </fieldset>
      <fieldset className="flex gap-2">
        <legend className="mb-1 text-xs font-semibold">Faults (probability per event; crash per invocation)</legend>
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
      <NumberField label="seed" value={v.seed} onChange={(seed) => set({ seed })} />
      <label className="flex flex-col gap-0.5 text-xs text-slate-600 dark:text-slate-400">
        custom key (fields, comma-separated)
        <input
          className="w-72 rounded border border-slate-300 bg-transparent px-1.5 py-0.5 font-mono dark:border-slate-700"
          placeholder="workflow_execution_id, entity_id, correlation_id"
          value={v.customKey}
          onChange={(e) => set({ customKey: e.target.value })}
        />
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
