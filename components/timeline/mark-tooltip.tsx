"use client";

import { formatClock } from "@/lib/format";
import type { TimelineModel } from "@/lib/timeline/timeline-model";
import { visible } from "@/lib/text/visible";

export interface MarkTooltipProps {
  model: TimelineModel;
  mark: number;
  x: number;
  y: number;
  width: number;
}

/** Mounted only while the pointer is on a mark. */
export function MarkTooltip({ model, mark, x, y, width }: MarkTooltipProps) {
  const rec = model.marks.records[mark];
  if (!rec) return null;
  const left = x + 240 > width ? x - 240 : x + 12;
  return (
    <div
      className="pointer-events-none absolute z-20 w-56 rounded border border-slate-300 bg-white/95 px-2 py-1 text-xs shadow dark:border-slate-700 dark:bg-slate-900/95"
      style={{ left, top: y + 12 }}
      role="tooltip"
      data-testid="mark-tooltip"
    >
      {rec.kind === "malformed" ? (
        <>
          <div className="font-semibold text-red-700 dark:text-red-300">malformed message</div>
          <div>{visible(rec.reason)}</div>
          <div className="text-slate-500">stream seq {rec.streamSeq}</div>
        </>
      ) : (
        <>
          <div className="font-semibold">
            {visible(rec.event)}{" "}
            <span className="font-normal text-slate-500">{rec.seq !== undefined ? `seq ${rec.seq}` : "no seq"}</span>
          </div>
          <div className="truncate">{visible(rec.identity.label)}</div>
          <div className="text-slate-500 tabular-nums">
            {formatClock(rec.tsMs)} · stream seq {rec.streamSeq}
            {rec.duration_ms !== undefined ? ` · ${rec.duration_ms} ms` : ""}
          </div>
        </>
      )}
    </div>
  );
}
