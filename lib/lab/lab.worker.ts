// The lab in a Web Worker: hundreds of seeded runs take seconds, which must not
// freeze the page. Messages in, messages out (lib/lab/lab-session.ts), computed by
// the same code as the CLI's.
import { runLabSession, type LabResponse } from "./lab-session";
import { LabRunner, type LabOptions } from "./run-lab";

export type { LabResponse } from "./lab-session";
export type LabRequest = { type: "run"; options: LabOptions };

const post = (m: LabResponse) => (self as unknown as { postMessage(m: LabResponse): void }).postMessage(m);

self.addEventListener("message", (e: MessageEvent<LabRequest>) => {
  if (e.data?.type !== "run") return;
  let runner: LabRunner;
  try {
    runner = new LabRunner(e.data.options);
  } catch (err) {
    post({ type: "error", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  void runLabSession(runner, () => runner.step(), post);
});
