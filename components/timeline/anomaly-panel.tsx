"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { Analysis, AnomalyKind } from "@/lib/audit";
import type { CausalitySkew } from "@/lib/timeline/causality";
import type { TimelineModel } from "@/lib/timeline/timeline-model";
import { visible } from "@/lib/text/visible";

export interface AnomalyPanelProps {
  analysis: Analysis;
  model: TimelineModel;
  active?: number;
  onActivate(anomaly: number): void;
  onSkew(skew: CausalitySkew): void;
}

const TONE: Record<AnomalyKind, string> = {
  collision: "bg-red-600 text-white",
  gap: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  "missing-head": "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  duplicate: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
  "out-of-order": "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300",
  "open-tail": "bg-orange-100 text-orange-900 dark:bg-orange-950 dark:text-orange-300",
  "chain-break": "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  "bad-signature": "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  malformed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

/** Every anomaly under the current key, then clock skews; a click zooms the timeline to it. Windowed. */
export function AnomalyPanel({ analysis, model, active, onActivate, onSkew }: AnomalyPanelProps) {
  const ref = useRef<HTMLDivElement>(null);
  const n = analysis.anomalies.length;
  const total = n + model.skews.length;
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read in render only
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => ref.current,
    estimateSize: () => 44,
    overscan: 8,
  });
  const producerOf = (streamSeq: number | undefined) => {
    const mk = streamSeq === undefined ? undefined : model.markOfStreamSeq.get(streamSeq);
    const rec = mk === undefined ? undefined : model.marks.records[mk];
    return rec?.kind === "event" ? visible(rec.identity.label) : rec ? "malformed" : "";
  };
  return (
    <section
      className="flex h-full min-h-0 flex-col rounded border border-slate-200 dark:border-slate-800"
      aria-label="Anomalies"
    >
      <h2 className="border-b border-slate-200 px-2 py-1.5 text-sm font-semibold dark:border-slate-800">
        Anomalies{" "}
        <span className="font-normal text-slate-500">
          ({n}
          {model.skews.length > 0 ? ` + ${model.skews.length} clock skews` : ""})
        </span>
      </h2>
      {total === 0 ? (
        <p className="p-2 text-sm text-slate-500">None under this key.</p>
      ) : (
        <div ref={ref} className="min-h-0 flex-1 overflow-y-auto" data-testid="anomaly-list">
          <ul style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((it) => {
              const i = it.index;
              const style = { position: "absolute" as const, top: it.start, left: 0, right: 0, height: it.size };
              if (i >= n) {
                const s = model.skews[i - n];
                if (!s) return null;
                return (
                  <li key={`skew-${s.effect}`} style={style}>
                    <button
                      type="button"
                      className="flex h-full w-full flex-col items-start justify-center border-b border-slate-100 px-2 text-left text-xs hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none focus-visible:ring-inset dark:border-slate-800 dark:hover:bg-slate-900"
                      onClick={() => onSkew(s)}
                      data-testid="anomaly-item"
                      data-kind="skew"
                    >
                      <span>
                        <span className="rounded bg-violet-100 px-1 text-violet-900 dark:bg-violet-950 dark:text-violet-300">
                          clock skew
                        </span>{" "}
                        {producerOf(s.effect)}
                      </span>
                      <span className="w-full truncate text-slate-500">
                        starts {s.deltaMs} ms before the step ({visible(s.stepId)}) that called it
                      </span>
                    </button>
                  </li>
                );
              }
              const a = analysis.anomalies[i];
              if (!a) return null;
              return (
                <li key={`${a.kind}-${a.streamSeqs.join(",")}-${i}`} style={style}>
                  <button
                    type="button"
                    aria-current={active === i || undefined}
                    className={`flex h-full w-full flex-col items-start justify-center border-b border-slate-100 px-2 text-left text-xs hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none focus-visible:ring-inset dark:border-slate-800 dark:hover:bg-slate-900 ${active === i ? "bg-sky-50 dark:bg-sky-950/50" : ""}`}
                    onClick={() => onActivate(i)}
                    data-testid="anomaly-item"
                    data-kind={a.kind}
                  >
                    <span className="flex w-full items-baseline gap-1">
                      <span className={`shrink-0 rounded px-1 ${TONE[a.kind]}`}>{a.kind}</span>
                      <span className="truncate text-slate-600 dark:text-slate-400">{producerOf(a.streamSeqs[0])}</span>
                    </span>
                    <span className="w-full truncate">{visible(a.message)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}
