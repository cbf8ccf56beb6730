"use client";

import { useEffect, useRef, type PointerEvent } from "react";
import { useTimelineViewport } from "@/hooks/use-timeline-viewport";
import { pxToX, xToPx } from "@/lib/timeline/axis";
import { renderMinimap, type CanvasTheme } from "@/lib/timeline/render-into-canvas";
import type { TimelineModel } from "@/lib/timeline/timeline-model";
import type { ViewportStore } from "@/lib/timeline/viewport";

export interface MinimapProps {
  model: TimelineModel;
  store: ViewportStore;
  theme: CanvasTheme;
  width: number;
  onWindow(window: [number, number]): void;
}

const HEIGHT = 34;

/** The whole run, one band per lane, with the visible window; click or drag to move it. */
export function Minimap({ model, store, theme, width, onWindow }: MinimapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drag = useRef<number | undefined>(undefined);
  const vp = useTimelineViewport(store);

  // The whole run in miniature walks every event: drawn when the main thread is idle, after the lanes.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width <= 0) return;
    const draw = () => {
      const dpr = window.devicePixelRatio || 1;
      const w = Math.round(width * dpr);
      const h = Math.round(HEIGHT * dpr);
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      const ctx = canvas.getContext("2d");
      if (ctx) renderMinimap(ctx, model, width, HEIGHT, theme, dpr);
    };
    if (typeof requestIdleCallback !== "function") {
      draw();
      return;
    }
    const id = requestIdleCallback(draw, { timeout: 500 });
    return () => cancelIdleCallback(id);
  }, [model, theme, width]);

  const [e0, e1] = model.extent;
  const toPx = xToPx(e0, e1, width);
  const a = Math.max(0, toPx(vp.x0));
  const b = Math.min(width, toPx(vp.x1));

  const moveTo = (e: PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = pxToX(e0, e1, width)(e.clientX - r.left);
    const half = (vp.x1 - vp.x0) / 2;
    let lo = x - half;
    let hi = x + half;
    if (lo < e0) [lo, hi] = [e0, e0 + 2 * half];
    if (hi > e1) [lo, hi] = [e1 - 2 * half, e1];
    onWindow([lo, hi]);
  };

  return (
    <div
      className="relative cursor-pointer rounded-t border border-b-0 border-slate-200 dark:border-slate-800"
      style={{ width, height: HEIGHT }}
      data-testid="minimap"
      aria-label="Minimap of the whole run; click to move the visible window"
      role="img"
      onPointerDown={(e) => {
        drag.current = e.pointerId;
        e.currentTarget.setPointerCapture(e.pointerId);
        moveTo(e);
      }}
      onPointerMove={(e) => {
        if (drag.current === e.pointerId) moveTo(e);
      }}
      onPointerUp={() => (drag.current = undefined)}
    >
      <canvas ref={canvasRef} style={{ width, height: HEIGHT }} className="block" />
      <div
        className="pointer-events-none absolute top-0 bottom-0 border-2 border-sky-600 bg-sky-500/10 dark:border-sky-400"
        style={{ left: a, width: Math.max(3, b - a) }}
        data-testid="minimap-window"
        data-x0={vp.x0}
        data-x1={vp.x1}
        data-fit={vp.fit}
      />
    </div>
  );
}
