import { memo } from "react";
import { CATEGORY_COLOURS, CATEGORY_LABELS, EVENT_CATEGORIES } from "@/lib/timeline/event-category";

/** Colour by event kind, shape by seq, and what each anomaly drawing means (static: rendered once). */
export const Legend = memo(function Legend() {
  return (
    <ul
      className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600 dark:text-slate-400"
      aria-label="Legend"
      data-testid="legend"
    >
      {EVENT_CATEGORIES.map((c) => (
        <li key={c} className="flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: CATEGORY_COLOURS[c] }} />
          {CATEGORY_LABELS[c]}
        </li>
      ))}
      <li className="flex items-center gap-1">
        <svg width={12} height={12} aria-hidden>
          <path d="M6,1 L11,6 L6,11 L1,6 Z" fill="none" stroke="currentColor" strokeWidth={2} />
        </svg>
        no seq
      </li>
      <li className="flex items-center gap-1">
        <span className="inline-block h-3 w-3 rounded-full border-2 border-red-600" /> in an anomaly
      </li>
      <li className="flex items-center gap-1">
        <svg width={18} height={12} aria-hidden>
          <line x1={9} y1={0} x2={9} y2={12} className="stroke-red-600" strokeWidth={2} strokeDasharray="3 2" />
        </svg>
        collision
      </li>
      <li className="flex items-center gap-1">
        <svg width={18} height={12} aria-hidden>
          <rect x={1} y={1} width={16} height={10} fill="none" className="stroke-red-600" strokeDasharray="2 2" />
          <path d="M3,11 L9,1 M9,11 L15,1" className="stroke-red-400" />
        </svg>
        missing seq
      </li>
      <li className="flex items-center gap-1">
        <span className="inline-block h-1.5 w-4 rounded bg-slate-400/60" /> duration_ms
      </li>
      <li className="flex items-center gap-1">
        <span className="text-amber-600">↷</span> out of order
      </li>
      <li className="flex items-center gap-1">
        <span className="text-violet-600">⤳</span> clock skew
      </li>
    </ul>
  );
});
