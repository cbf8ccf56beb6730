"use client";

import { usePathname } from "next/navigation";
import { useState } from "react";
import { download, fileSafe } from "@/lib/export/download";
import { messagesNdjson } from "@/lib/export/ndjson";
import { contextKey } from "@/lib/audit/context-ref";
import { contextOfPath } from "@/lib/links/url-text";
import { BadLines } from "./bad-lines";
import { useFileSource } from "./use-file-source";
import { formatCount } from "@/lib/format";

const BUTTON =
  "rounded border border-amber-300 px-2 py-0.5 hover:bg-amber-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-amber-800 dark:hover:bg-amber-900/40";

/**
 * While a local file is shown: says so, says a link to this view cannot carry
 * the data, and offers what can be shared instead (the NDJSON export).
 */
export function LocalFileBanner() {
  const { file, close } = useFileSource();
  const path = usePathname();
  const [listOpen, setListOpen] = useState(false);
  if (file === undefined) return null;
  const shown = contextOfPath(path);
  const executionId = shown === undefined ? undefined : contextKey(shown);
  const known = executionId !== undefined && file.log.execution(executionId) !== undefined;
  const bad = file.progress.malformed;
  return (
    <div
      className="flex max-w-2xl flex-wrap items-center gap-x-2 gap-y-1 rounded border border-amber-300 bg-amber-50 px-3 py-1.5 text-xs text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100"
      role="note"
      data-testid="local-file-banner"
    >
      <span>
        Local file <span className="font-mono font-medium">{file.name}</span> — this view cannot be shared; export
        NDJSON instead.
      </span>
      <button
        type="button"
        className={BUTTON}
        data-testid="banner-export-ndjson"
        onClick={() =>
          download(
            known ? `${fileSafe(shown?.id ?? "")}.ndjson` : `${fileSafe(file.name.replace(/\.[^.]*$/, ""))}.ndjson`,
            "application/x-ndjson",
            messagesNdjson(file.log, known ? executionId : undefined),
          )
        }
      >
        {known ? `Export this ${shown?.kind ?? "execution"} (NDJSON)` : "Export NDJSON"}
      </button>
      {bad > 0 && (
        <button
          type="button"
          className={BUTTON}
          aria-expanded={listOpen}
          onClick={() => setListOpen((o) => !o)}
          data-testid="bad-lines-toggle"
        >
          {formatCount(bad)} line{bad === 1 ? "" : "s"} not events
        </button>
      )}
      <button type="button" className={BUTTON} onClick={close} data-testid="back-to-live">
        Back to the live stream
      </button>
      {listOpen && <BadLines log={file.log} onClose={() => setListOpen(false)} />}
    </div>
  );
}
