"use client";

import { useRef } from "react";
import { useFileSource } from "./use-file-source";

const BUTTON =
  "rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:hover:bg-slate-800";

/** A file picker for NDJSON exports and producers' stderr logs; nothing is uploaded. */
export function OpenFileButton({ label = "Open file…" }: { label?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const { open } = useFileSource();
  return (
    <>
      <button type="button" className={BUTTON} onClick={() => input.current?.click()} data-testid="open-file">
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept=".ndjson,.jsonl,.json,.log,.txt,application/x-ndjson,text/plain"
        className="sr-only"
        tabIndex={-1}
        aria-label="NDJSON file or stderr log to open"
        data-testid="open-file-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          // Reset, so choosing the same file again opens it again.
          e.target.value = "";
          if (f) open(f);
        }}
      />
    </>
  );
}
