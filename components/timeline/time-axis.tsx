"use client";

import { useTimelineViewport } from "@/hooks/use-timeline-viewport";
import { axisTicks, axisTitle } from "@/lib/timeline/axis";
import type { TimelineModel } from "@/lib/timeline/timeline-model";
import type { ViewportStore } from "@/lib/timeline/viewport";

export interface TimeAxisProps {
  model: TimelineModel;
  store: ViewportStore;
  width: number;
  labelWidth: number;
}

/** The shared x axis, d3 ticks for the current window. */
export function TimeAxis({ model, store, width, labelWidth }: TimeAxisProps) {
  const vp = useTimelineViewport(store);
  const ticks = vp.width > 0 ? axisTicks(model.order, vp.x0, vp.x1, width) : [];
  return (
    <div
      className="flex h-6 items-end border-b border-slate-200 text-[10px] dark:border-slate-800"
      data-testid="time-axis"
    >
      <div className="shrink-0 truncate pr-2 pb-1 text-slate-500" style={{ width: labelWidth }}>
        {axisTitle(model.order)}
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
}
