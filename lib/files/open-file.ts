// The page's side of opening a file: a worker per file (ingest.worker.ts),
// progress while it reads, the finished AuditLog rebuilt from the transferred
// snapshot. Cancelling terminates the worker, which frees everything it read.
import { AuditLog } from "../audit/audit-log";
import type { Jwks } from "../audit/signature";
import type { IngestProgress } from "./ingest";
import type { IngestRequest, IngestResponse } from "./ingest.worker";

export interface OpenedFile {
  name: string;
  size: number;
  log: AuditLog;
  progress: IngestProgress;
}

export interface OpeningFile {
  done: Promise<OpenedFile>;
  cancel(): void;
}

export class OpenFileCancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** `jwks`: the keys that check signed lines, as for the live stream (SEQSCOPE_JWKS). */
export function openFile(file: File, onProgress: (p: IngestProgress) => void, jwks?: Jwks): OpeningFile {
  const worker = new Worker(new URL("./ingest.worker.ts", import.meta.url), { type: "module" });
  let settle: ((e: Error) => void) | undefined;
  const done = new Promise<OpenedFile>((resolve, reject) => {
    settle = reject;
    worker.onmessage = (e: MessageEvent<IngestResponse>) => {
      const m = e.data;
      if (m.type === "progress") {
        onProgress(m.progress);
        return;
      }
      worker.terminate();
      if (m.type === "error") {
        reject(new Error(m.message));
        return;
      }
      // Rebuilding can throw (a snapshot of another format, a corrupt transfer): an exception
      // here would escape the handler and leave the promise, and the progress bar, pending.
      let log: AuditLog;
      try {
        log = AuditLog.fromSnapshot(m.snapshot, { jwks });
      } catch (err) {
        reject(new Error(`the file was read but its log could not be rebuilt: ${errorMessage(err)}`));
        return;
      }
      resolve({ name: file.name, size: file.size, log, progress: m.progress });
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "the file reader failed"));
    };
  });
  worker.postMessage({ type: "open", file } satisfies IngestRequest);
  return {
    done,
    cancel() {
      worker.terminate();
      settle?.(new OpenFileCancelled());
    },
  };
}
