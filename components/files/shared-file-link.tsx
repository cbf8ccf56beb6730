"use client";

import { OpenFileButton } from "./open-file-button";
import { useFileSource } from "./use-file-source";

/**
 * A link made while a local file was open (`?source=file`), opened where that
 * file is not: the data never left the other browser, so say that plainly
 * instead of showing the live stream as if it were what was shared.
 */
export function SharedFileLink() {
  const { orphanLink, opening, close } = useFileSource();
  if (!orphanLink || opening !== undefined) return null;
  return (
    <div className="fixed inset-0 z-40 flex items-start justify-center bg-slate-900/40 p-6 pt-24">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="shared-file-link-title"
        aria-describedby="shared-file-link-text"
        className="w-full max-w-lg rounded-lg border border-amber-300 bg-white p-5 shadow-xl dark:border-amber-800 dark:bg-slate-900"
        data-testid="shared-file-link"
      >
        <h2 id="shared-file-link-title" className="text-base font-semibold">
          This link showed a local file
        </h2>
        <p id="shared-file-link-text" className="mt-2 text-sm text-slate-600 dark:text-slate-300">
          The page it points to showed data from a file opened in someone&apos;s browser. That data was never uploaded,
          so a link cannot share it. Ask for the NDJSON export of the view and open it here.
        </p>
        <div className="mt-4 flex flex-wrap gap-2">
          <OpenFileButton label="Open an NDJSON file…" />
          <button
            type="button"
            className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            onClick={close}
            data-testid="shared-file-link-live"
          >
            Show the live stream instead
          </button>
        </div>
      </div>
    </div>
  );
}
