"use client";

import type { AuditLog } from "@/lib/audit";
import { executionNdjson } from "@/lib/export/ndjson";

export interface ExecutionExportsProps {
  log: AuditLog;
  executionId: string;
}

function download(name: string, type: string, bytes: Uint8Array | string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads of what is on screen: the raw messages as NDJSON (re-importable). */
export function ExecutionExports({ log, executionId }: ExecutionExportsProps) {
  return (
    <button
      type="button"
      className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
      data-testid="export-ndjson"
      onClick={() =>
        download(
          `${executionId}.ndjson`,
          "application/x-ndjson",
          executionNdjson([...log.events(executionId), ...log.malformed(executionId)]),
        )
      }
    >
      NDJSON
    </button>
  );
}
