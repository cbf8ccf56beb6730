// The lab in a Web Worker: simulation and analysis of every contract take a
// second or more, which must not freeze the page. Messages in, messages out.
import { runLab, type LabOptions, type LabResult } from "./run-lab";
import { conclude } from "./conclusion";

export type LabRequest = { type: "run"; options: LabOptions };
export type LabResponse =
  | { type: "progress"; done: number; total: number }
  | { type: "result"; result: LabResult; conclusion: string[]; bestContractId?: string; bestKeyId?: string }
  | { type: "error"; message: string };

const post = (m: LabResponse) => (self as unknown as { postMessage(m: LabResponse): void }).postMessage(m);

self.addEventListener("message", (e: MessageEvent<LabRequest>) => {
  if (e.data?.type !== "run") return;
  try {
    const result = runLab(e.data.options, (done, total) => post({ type: "progress", done, total }));
    const answer = conclude(result);
    post({
      type: "result",
      result,
      conclusion: answer.lines,
      bestContractId: answer.best?.contractId,
      bestKeyId: answer.best?.keyId,
    });
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
});
