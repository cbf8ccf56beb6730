"use client";

import type { LedgerRange } from "@/lib/audit/process-ledger";
import { formatCount, formatDateTime } from "@/lib/format";
import type { LedgerEntry } from "@/lib/index/process-entry";
import type { LedgerSource } from "./ledger-source";

export interface LedgerSourceSwitchProps {
  source: LedgerSource;
  onChange(source: LedgerSource): void;
  /** What the tab holds (undefined: nothing yet). */
  tab: LedgerRange | undefined;
  /** What the index's ledger covers. */
  head: LedgerEntry;
}

const lines = (n: number) => `${formatCount(n)} ${n === 1 ? "line" : "lines"}`;

/** The tab's own ledger or the index's, each with the stretch of the stream it covers. */
export function LedgerSourceSwitch({ source, onChange, tab, head }: LedgerSourceSwitchProps) {
  const option = (value: LedgerSource, label: string) => (
    <label className="inline-flex cursor-pointer items-center gap-1.5">
      <input
        type="radio"
        name="ledger-source"
        value={value}
        checked={source === value}
        onChange={() => onChange(value)}
        className="accent-sky-700"
      />
      {label}
    </label>
  );
  const r = head.range;
  return (
    <fieldset
      data-testid="ledger-source"
      data-source={source}
      className="flex flex-wrap items-center gap-x-4 gap-y-1 rounded border border-slate-200 px-3 py-2 text-sm dark:border-slate-800"
    >
      <legend className="sr-only">Ledger to show</legend>
      {option(
        "tab",
        tab === undefined
          ? "This tab (nothing read yet)"
          : `This tab (stream seq ${tab.first.streamSeq}–${tab.last.streamSeq}, ${lines(tab.lines)})`,
      )}
      {option(
        "index",
        `Whole stream, from the index (stream seq ${r.first.streamSeq}–${r.last.streamSeq} as of ${formatDateTime(r.last.tsMs)})`,
      )}
    </fieldset>
  );
}
