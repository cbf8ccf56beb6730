"use client";

import { DropZone } from "./drop-zone";
import { FileProgress } from "./file-progress";
import { LocalFileBanner } from "./local-file-banner";
import { OpenFileButton } from "./open-file-button";
import { SharedFileLink } from "./shared-file-link";
import { useFileSource } from "./use-file-source";

/**
 * Opening NDJSON files without a server, mounted once in the header: the
 * picker, a drop zone over the whole page, the progress of a file being read,
 * the banner while one is shown, and what a link to a local view says.
 */
export function FileSource() {
  const { error, dismissError } = useFileSource();
  return (
    <div className="flex min-w-0 flex-1 flex-col items-center gap-1">
      <div className="flex flex-wrap items-center justify-center gap-2">
        <OpenFileButton />
        <FileProgress />
        <LocalFileBanner />
      </div>
      {error && (
        <p
          className="flex items-center gap-2 text-xs text-red-700 dark:text-red-400"
          role="alert"
          data-testid="file-error"
        >
          {error}
          <button type="button" className="underline" onClick={dismissError}>
            dismiss
          </button>
        </p>
      )}
      <DropZone />
      <SharedFileLink />
    </div>
  );
}
