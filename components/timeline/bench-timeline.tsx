"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { AuditLog, type RawMessage } from "@/lib/audit";
import { benchFixture } from "@/lib/timeline/bench-fixture";
import { ExecutionTimeline } from "./execution-timeline";
import { formatCount } from "@/lib/format";

export interface BenchTimelineProps {
  events: number;
  producers: number;
  seed: number;
}

/** What scripts/bench-timeline.ts reads and drives. Times are performance.now() ms. */
export interface TimelineBenchProbe {
  events: number;
  producers: number;
  messages: number;
  /** Set once the first complete paint is on screen. */
  painted: boolean;
  /** Canvas paints so far. */
  paints: number;
  /** Resolves with the time of the frame after the next canvas paint (that paint is then on screen). */
  nextPaint(): Promise<number>;
  /** Each of BARE_PASSES bare parses (TextDecoder + JSON.parse of every payload), taken just before ingest, ms. */
  bareParseMs: number[];
  /** Time spent so far inside the log's queries the view makes (events, analyze, malformed, execution), ms. */
  engineMs: number;
}

/** The log's queries a view makes: timed, so the bench can tell the engine's share from the view's. */
const TIMED: ReadonlySet<PropertyKey> = new Set(["events", "analyze", "malformed", "execution"]);

function timedLog(log: AuditLog, spent: { ms: number }): AuditLog {
  return new Proxy(log, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      const f = v as (...args: unknown[]) => unknown;
      if (!TIMED.has(prop)) return f.bind(target);
      return (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return f.apply(target, args);
        } finally {
          spent.ms += performance.now() - t0;
        }
      };
    },
  });
}

declare global {
  interface Window {
    __timelineBench?: TimelineBenchProbe;
  }
}

const BARE_PASSES = 3;

/** The floor any ingest of these messages pays: decode and parse each payload, nothing kept. */
function bareParse(messages: readonly RawMessage[], passes: number): number[] {
  const decoder = new TextDecoder();
  const out: number[] = [];
  let sink = 0;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    for (const m of messages) {
      const v: unknown = JSON.parse(decoder.decode(m.data));
      if (v !== null && typeof v === "object") sink++;
    }
    out.push(performance.now() - t0);
  }
  if (sink < 0) console.log(sink);
  return out;
}

/**
 * The execution timeline over a generated run, with no NATS in the way: the
 * benchmark measures ingest and drawing, not the network. Marks
 * `timeline:messages-ready` when the messages exist as bytes, `timeline:data-ready`
 * once the log holds them, and `timeline:painted` one frame after the first
 * canvas paint. Just before ingest it times a bare parse of the same messages
 * (the baseline), and the log's queries are timed, so the engine's share of a
 * paint is known.
 */
export function BenchTimeline({ events, producers, seed }: BenchTimelineProps) {
  const [run, setRun] = useState<
    { log: AuditLog; executionId: string; messages: RawMessage[]; bareParseMs: number[] } | undefined
  >();
  const [spent] = useState(() => ({ ms: 0 }));
  const painted = useRef(false);
  const paints = useRef(0);
  const waiters = useRef<((t: number) => void)[]>([]);

  useEffect(() => {
    const t = setTimeout(() => {
      const fx = benchFixture({ events, producers, seed });
      // The baseline on the same heap as the ingest after it: the messages and nothing else (the bench's
      // Chromium exposes gc(), so neither pays for the other's garbage, nor for the fixture's).
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const bareParseMs = bareParse(fx.messages, BARE_PASSES);
      gc?.();
      performance.mark("timeline:messages-ready");
      const log = new AuditLog();
      log.add(fx.messages);
      performance.mark("timeline:data-ready");
      setRun({ log: timedLog(log, spent), executionId: fx.executionId, messages: fx.messages, bareParseMs });
    }, 0);
    return () => clearTimeout(t);
  }, [events, producers, seed, spent]);

  useEffect(() => {
    if (run === undefined) return;
    const probe: TimelineBenchProbe = {
      events,
      producers,
      messages: run.messages.length,
      painted: painted.current,
      paints: paints.current,
      nextPaint: () => new Promise((ok) => waiters.current.push(ok)),
      bareParseMs: run.bareParseMs,
      engineMs: 0,
    };
    Object.defineProperty(probe, "engineMs", { get: () => spent.ms });
    window.__timelineBench = probe;
  }, [events, producers, run, spent]);

  const onPainted = useCallback(() => {
    if (run === undefined) return;
    paints.current++;
    const first = !painted.current;
    painted.current = true;
    const probe = window.__timelineBench;
    if (probe) probe.paints = paints.current;
    const ready = waiters.current;
    waiters.current = [];
    if (!first && ready.length === 0) return;
    // The next frame starts after this one is on screen.
    requestAnimationFrame(() => {
      const now = performance.now();
      if (first) {
        performance.mark("timeline:painted");
        if (window.__timelineBench) window.__timelineBench.painted = true;
      }
      for (const ok of ready) ok(now);
    });
  }, [run]);

  if (run === undefined) return <p data-testid="bench-loading">Generating {formatCount(events)} events…</p>;
  return (
    <ExecutionTimeline log={run.log} version={run.log.version} executionId={run.executionId} onPainted={onPainted} />
  );
}
