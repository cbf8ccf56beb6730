// The lab in a Web Worker: hundreds of seeded runs take seconds, which must not
// freeze the page. Messages in, messages out: progress after every run, the cells
// so far every few hundred milliseconds, and at the end the verdict and the
// written answer, computed by the same code as the CLI's.
import { conclude } from "./conclusion";
import { labReport } from "./report";
import { LabRunner, type LabOptions, type LabResult } from "./run-lab";

export type LabRequest = { type: "run"; options: LabOptions };
export type LabResponse =
  | { type: "progress"; done: number; total: number; partial?: LabResult; conclusion?: string[] }
  | {
      type: "result";
      result: LabResult;
      conclusion: string[];
      bestContractId?: string;
      bestKeyId?: string;
      report: string;
    }
  | { type: "error"; message: string };

const post = (m: LabResponse) => (self as unknown as { postMessage(m: LabResponse): void }).postMessage(m);

const PARTIAL_EVERY_MS = 400;

self.addEventListener("message", (e: MessageEvent<LabRequest>) => {
  if (e.data?.type !== "run") return;
  try {
    const runner = new LabRunner(e.data.options);
    let last = performance.now();
    while (runner.step()) {
      const now = performance.now();
      if (now - last >= PARTIAL_EVERY_MS) {
        last = now;
        const partial = runner.result();
        post({
          type: "progress",
          done: runner.done,
          total: runner.total,
          partial,
          conclusion: conclude(partial).lines,
        });
      } else post({ type: "progress", done: runner.done, total: runner.total });
    }
    const result = runner.result();
    const answer = conclude(result);
    post({
      type: "result",
      result,
      conclusion: answer.lines,
      bestContractId: answer.best?.contractId,
      bestKeyId: answer.best?.keyId,
      report: labReport(result),
    });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
});
