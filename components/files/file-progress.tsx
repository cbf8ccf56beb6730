"use client";

import { formatBytes, formatRate } from "@/lib/files/format";
import { useFileSource } from "./use-file-source";
import { formatCount } from "@/lib/format";

/** While a file is read (in a worker): how far, how fast, and a way to stop. */
export function FileProgress() {
  const { opening, cancel } = useFileSource();
  if (opening === undefined) return null;
  const p = opening.progress;
  const read = p?.bytesRead ?? 0;
  const pct = opening.size > 0 ? Math.min(100, Math.floor((read / opening.size) * 100)) : 0;
  const rate = p === undefined ? "" : formatRate(read, p.elapsedMs);
  return (
    <div className="flex min-w-72 flex-col gap-1 text-xs" data-testid="file-progress">
      <div className="flex items-center gap-2">
        <span className="truncate font-medium" title={opening.name}>
          Reading {opening.name}
        </span>
        <button
          type="button"
          className="ml-auto rounded border border-slate-300 px-1.5 py-0.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={cancel}
          data-testid="file-cancel"
        >
          Cancel
        </button>
      </div>
      <div
        role="progressbar"
        aria-label={`Reading ${opening.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-1.5 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800"
        data-testid="file-progressbar"
      >
        <div className="h-full bg-sky-500 transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-slate-500 tabular-nums">
        {pct} % · {formatBytes(read)} of {formatBytes(opening.size)} · {formatCount(p?.lines ?? 0)} lines
        {rate && ` · ${rate}`}
      </span>
    </div>
  );
}
