"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { AuditLog } from "@/lib/audit";
import { benchFixture } from "@/lib/timeline/bench-fixture";
import { ExecutionTimeline } from "./execution-timeline";

export interface BenchTimelineProps {
  events: number;
  producers: number;
  seed: number;
}

declare global {
  interface Window {
    /** Set once the first complete paint is on screen; read by scripts/bench-timeline.ts. */
    __timelineBench?: { events: number; producers: number; messages: number; painted: boolean };
  }
}

/**
 * The execution timeline over a generated run, with no NATS in the way: the
 * benchmark measures drawing, not the network. Marks `timeline:data-ready` when
 * the log is filled and `timeline:painted` one frame after the first canvas paint.
 */
export function BenchTimeline({ events, producers, seed }: BenchTimelineProps) {
  const [run, setRun] = useState<{ log: AuditLog; executionId: string; messages: number } | undefined>();
  const painted = useRef(false);

  useEffect(() => {
    const t = setTimeout(() => {
      const fx = benchFixture({ events, producers, seed });
      const log = new AuditLog();
      log.add(fx.messages);
      performance.mark("timeline:data-ready");
      setRun({ log, executionId: fx.executionId, messages: fx.messages.length });
    }, 0);
    return () => clearTimeout(t);
  }, [events, producers, seed]);

  const onPainted = useCallback(() => {
    if (painted.current || run === undefined) return;
    painted.current = true;
    // The next frame starts after this one is on screen.
    requestAnimationFrame(() => {
      performance.mark("timeline:painted");
      window.__timelineBench = { events, producers, messages: run.messages, painted: true };
    });
  }, [events, producers, run]);

  if (run === undefined) return <p data-testid="bench-loading">Generating {events.toLocaleString()} events…</p>;
  return (
    <ExecutionTimeline log={run.log} version={run.log.version} executionId={run.executionId} onPainted={onPainted} />
  );
}
