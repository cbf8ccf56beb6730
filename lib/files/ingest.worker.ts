// Opens a file off the main thread: a 200 MB stderr log takes seconds to parse,
// which must not freeze the page. The file is streamed (never read whole), the
// log built here, and handed to the page as a snapshot whose buffers are
// transferred, not copied. To cancel, the page terminates the worker.
import { snapshotTransferables, type AuditLogSnapshot } from "../audit/snapshot";
import { ingestStream, type IngestProgress } from "./ingest";

export type IngestRequest = { type: "open"; file: Blob };
export type IngestResponse =
  | { type: "progress"; progress: IngestProgress }
  | { type: "done"; snapshot: AuditLogSnapshot; progress: IngestProgress }
  | { type: "error"; message: string };

const scope = self as unknown as { postMessage(m: IngestResponse, transfer?: Transferable[]): void };

self.addEventListener("message", (e: MessageEvent<IngestRequest>) => {
  if (e.data?.type !== "open") return;
  const file = e.data.file;
  void (async () => {
    try {
      const { log, progress } = await ingestStream(file.stream(), {
        totalBytes: file.size,
        onProgress: (p) => scope.postMessage({ type: "progress", progress: p }),
      });
      const snapshot = log.snapshot();
      scope.postMessage({ type: "done", snapshot, progress }, snapshotTransferables(snapshot));
    } catch (err) {
      scope.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
