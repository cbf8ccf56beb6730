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

/**
 * Runs the lab in a Web Worker (the page stays responsive), with progress and partial results; or, `via`
 * "nats", on the dashboard server through a real nats-server (/api/lab/round-trip streams the same messages).
 * A new run cancels the old one.
 */
export function useLabRun(): {
  state: LabRunState;
  run(options: LabOptions, via?: "memory" | "nats"): void;
  cancel(): void;
} {
  const [state, setState] = useState<LabRunState>({ phase: "idle" });
  const stopCurrent = useRef<(() => void) | null>(null);

  const cancel = useCallback(() => {
    stopCurrent.current?.();
    stopCurrent.current = null;
    setState((s) => (s.phase === "running" ? { phase: "idle" } : s));
  }, []);

  const run = useCallback((options: LabOptions, via: "memory" | "nats" = "memory") => {
    stopCurrent.current?.();
    const started = performance.now();
    let over = false;
    setState({ phase: "running", done: 0, total: 0, ms: 0 });
    const apply = (m: LabResponse) => {
      if (over) return;
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
      else {
        over = true;
        setState(m.type === "result" ? { phase: "done", ...m, ms } : { phase: "error", message: m.message });
        stopCurrent.current?.();
      }
    };
    if (via === "nats") {
      const controller = new AbortController();
      stopCurrent.current = () => controller.abort();
      void roundTrip(options, controller.signal, apply).catch((e: unknown) => {
        if (!controller.signal.aborted) apply({ type: "error", message: e instanceof Error ? e.message : String(e) });
      });
      return;
    }
    const w = new Worker(new URL("../lib/lab/lab.worker.ts", import.meta.url), { type: "module" });
    stopCurrent.current = () => w.terminate();
    w.onmessage = (e: MessageEvent<LabResponse>) => apply(e.data);
    w.onerror = (e) => apply({ type: "error", message: e.message || "the lab worker failed" });
    w.postMessage({ type: "run", options } satisfies LabRequest);
  }, []);

  useEffect(() => () => stopCurrent.current?.(), []);
  return { state, run, cancel };
}

/** The dashboard server's round trip: its NDJSON answer, line by line, as the worker's messages. */
async function roundTrip(options: LabOptions, signal: AbortSignal, apply: (m: LabResponse) => void): Promise<void> {
  const res = await fetch("/api/lab/round-trip", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(options),
    signal,
  });
  if (!res.ok || !res.body) {
    const why = ((await res.json().catch(() => ({}))) as { error?: string }).error;
    throw new Error(`the dashboard's round trip answered ${res.status}${why ? `: ${why}` : ""}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += value;
    const lines = rest.split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) if (l.trim()) apply(JSON.parse(l) as LabResponse);
  }
}
