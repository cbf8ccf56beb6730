"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { LabOptions, LabResult } from "@/lib/lab/run-lab";
import type { LabRequest, LabResponse } from "@/lib/lab/lab.worker";

export type LabRunState =
  | { phase: "idle" }
  | { phase: "running"; done: number; total: number; partial?: LabResult; conclusion?: string[]; ms: number }
  | {
      phase: "done";
      result: LabResult;
      conclusion: string[];
      bestContractId?: string;
      bestKeyId?: string;
      report: string;
      ms: number;
    }
  | { phase: "error"; message: string };

/** Runs the lab in a Web Worker (the page stays responsive), with progress and partial results; a new run cancels the old one. */
export function useLabRun(): { state: LabRunState; run(options: LabOptions): void; cancel(): void } {
  const [state, setState] = useState<LabRunState>({ phase: "idle" });
  const worker = useRef<Worker | null>(null);

  const cancel = useCallback(() => {
    worker.current?.terminate();
    worker.current = null;
    setState((s) => (s.phase === "running" ? { phase: "idle" } : s));
  }, []);

  const run = useCallback((options: LabOptions) => {
    worker.current?.terminate();
    const w = new Worker(new URL("../lib/lab/lab.worker.ts", import.meta.url), { type: "module" });
    worker.current = w;
    const started = performance.now();
    setState({ phase: "running", done: 0, total: 0, ms: 0 });
    w.onmessage = (e: MessageEvent<LabResponse>) => {
      const m = e.data;
      const ms = performance.now() - started;
      if (m.type === "progress")
        // Keep the last partial result between the plain progress ticks.
        setState((s) => ({
          phase: "running",
          done: m.done,
          total: m.total,
          partial: m.partial ?? (s.phase === "running" ? s.partial : undefined),
          conclusion: m.conclusion ?? (s.phase === "running" ? s.conclusion : undefined),
          ms,
        }));
      else if (m.type === "result") {
        setState({ phase: "done", ...m, ms });
        w.terminate();
      } else {
        setState({ phase: "error", message: m.message });
        w.terminate();
      }
    };
    w.onerror = (e) => setState({ phase: "error", message: e.message || "the lab worker failed" });
    w.postMessage({ type: "run", options } satisfies LabRequest);
  }, []);

  useEffect(() => () => worker.current?.terminate(), []);
  return { state, run, cancel };
}
