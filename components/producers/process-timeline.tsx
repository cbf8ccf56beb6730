"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { lineNearX, xOfStreamSeq, type ProcessTimelineModel } from "@/lib/audit/process-ledger-timeline";
import { formatDateTime } from "@/lib/format";
import { executionPath } from "@/lib/links/url-text";
import { visible } from "@/lib/text/visible";
import { useElementWidth } from "@/hooks/use-element-width";

export interface ProcessTimelineProps {
  model: ProcessTimelineModel;
  /** The event type of the line at a stream sequence (read from the log on hover only). */
  eventAt(streamSeq: number): string | undefined;
}

const HEIGHT = 40;
/** Executions cycle through these; a line of no execution is grey. */
const PALETTE = ["#0284c7", "#7c3aed", "#059669", "#d97706", "#db2777", "#0d9488", "#4f46e5", "#65a30d"];

/** Every line the process wrote, by stream sequence, coloured by execution; red where its chain breaks. */
export function ProcessTimeline({ model, eventAt }: ProcessTimelineProps) {
  const [box, width] = useElementWidth<HTMLDivElement>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number>(-1);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx || width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = width * dpr;
    el.height = HEIGHT * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    ctx.fillStyle = "rgba(239,68,68,0.18)";
    for (const b of model.breaks) {
      const x0 = Number.isFinite(b.after) ? xOfStreamSeq(model, width, b.after) : 0;
      const x1 = xOfStreamSeq(model, width, b.at);
      ctx.fillRect(x0, 0, Math.max(2, x1 - x0), HEIGHT);
    }
    for (let i = 0; i < model.streamSeq.length; i++) {
      const e = model.execution[i] as number;
      ctx.fillStyle = e < 0 ? "#94a3b8" : (PALETTE[e % PALETTE.length] as string);
      // 2 px so a lone line shows; a dense stretch becomes a band.
      ctx.fillRect(
        Math.min(width - 2, Math.round(xOfStreamSeq(model, width, model.streamSeq[i] as number))),
        8,
        2,
        HEIGHT - 16,
      );
    }
    ctx.fillStyle = "#dc2626";
    for (const b of model.breaks) ctx.fillRect(Math.round(xOfStreamSeq(model, width, b.at)) - 1, 0, 3, HEIGHT);
  }, [model, width]);

  const line = hover >= 0 && hover < model.streamSeq.length ? hover : -1;
  const seq = line >= 0 ? (model.streamSeq[line] as number) : NaN;
  const exec = line >= 0 ? model.executions[model.execution[line] as number] : undefined;
  return (
    <div data-testid="process-timeline">
      <div ref={box} className="relative">
        <canvas
          ref={canvas}
          style={{ width: "100%", height: HEIGHT }}
          className="block rounded bg-slate-50 dark:bg-slate-900"
          aria-label={`${model.streamSeq.length} lines from stream seq ${model.from} to ${model.to}, ${model.breaks.length} breaks`}
          role="img"
          onMouseMove={(e) => setHover(lineNearX(model, width, e.nativeEvent.offsetX))}
        />
      </div>
      <div className="flex justify-between text-[11px] text-slate-500">
        <span>#{model.from}</span>
        <span>
          {model.executions.length} executions · {model.streamSeq.length} lines held
        </span>
        <span>#{model.to}</span>
      </div>
      <p className="min-h-4 text-xs" data-testid="process-timeline-line">
        {line >= 0 && (
          <>
            stream seq {seq} · {formatDateTime(model.tsMs[line] as number)} · {visible(eventAt(seq) ?? "?")}
            {exec === undefined ? (
              " · no execution"
            ) : (
              <>
                {" · "}
                <Link href={executionPath(exec)} className="font-mono text-sky-700 hover:underline dark:text-sky-400">
                  {visible(exec)}
                </Link>
              </>
            )}
          </>
        )}
      </p>
    </div>
  );
}
