"use client";

import { memo } from "react";
import { useTimelineViewport } from "@/hooks/use-timeline-viewport";
import { axisTicks, axisTitle } from "@/lib/timeline/axis";
import type { OrderMode } from "@/lib/timeline/timeline-model";
import type { ViewportStore } from "@/lib/timeline/viewport";

export interface TimeAxisProps {
  order: OrderMode;
  store: ViewportStore;
  width: number;
  labelWidth: number;
}

/** The shared x axis, d3 ticks for the current window: re-rendered when the window moves, not when the run grows. */
export const TimeAxis = memo(function TimeAxis({ order, store, width, labelWidth }: TimeAxisProps) {
  const vp = useTimelineViewport(store);
  const ticks = vp.width > 0 ? axisTicks(order, vp.x0, vp.x1, width) : [];
  return (
    <div
      className="flex h-6 items-end border-b border-slate-200 text-[10px] dark:border-slate-800"
      data-testid="time-axis"
    >
      <div className="shrink-0 truncate pr-2 pb-1 text-slate-500" style={{ width: labelWidth }}>
        {axisTitle(order)}
      </div>
      <svg width={width} height={24} className="overflow-visible" aria-hidden>
        {ticks.map((t) => (
          <g key={t.value} transform={`translate(${t.px},0)`}>
            <line y1={18} y2={24} className="stroke-slate-400" />
            <text y={14} textAnchor="middle" className="fill-slate-500 tabular-nums">
              {t.label}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
});
