"use client";

import type { ReactNode } from "react";
import { useTimelineViewport } from "@/hooks/use-timeline-viewport";
import { gapBox, geometry, visibleOverlays } from "@/lib/timeline/overlay-geometry";
import { MARK_RADIUS, MAX_SKEW_LINES } from "@/lib/timeline/render-into-canvas";
import type { Overlay, TimelineModel } from "@/lib/timeline/timeline-model";
import type { ViewportStore } from "@/lib/timeline/viewport";

export interface AnomalyOverlayProps {
  model: TimelineModel;
  store: ViewportStore;
  selected?: number;
  focused?: number;
  showFocus: boolean;
  activeOverlay?: number;
  onActivate(anomaly: number): void;
}

/** Past this many in view, the canvas drawings carry them alone until the user zooms in. */
const MAX_LABELLED = 120;

/**
 * What a user points at, over the canvas: each anomaly's label or badge
 * (`seq 4–6 missing`, `seq 3 ×2`, `×2`), a hit target that opens it in the
 * side panel, and the selection and keyboard-focus rings. The shapes
 * themselves are on the canvas (renderIntoCanvas), which scales to thousands.
 */
export function AnomalyOverlay(props: AnomalyOverlayProps) {
  const { model, store, selected, focused, showFocus, activeOverlay, onActivate } = props;
  const vp = useTimelineViewport(store);
  if (vp.width <= 0 || vp.height <= 0) return null;
  const g = geometry(model, vp);
  const { rows, marks } = model;
  const [r0, r1] = g.rows;
  const producerOf = (mk: number) => rows[marks.row[mk] as number]?.producer?.id ?? "@malformed";
  const visible = visibleOverlays(model, vp, g);
  const skews = visible.reduce((n, i) => n + (model.overlays[i]?.kind === "skew" ? 1 : 0), 0);

  const shapes: ReactNode[] = [];
  let hidden = 0;
  const seenDup = new Set<number>();
  for (const i of visible) {
    const ov = model.overlays[i];
    if (ov === undefined || (ov.kind === "skew" && skews > MAX_SKEW_LINES)) continue;
    if (shapes.length >= MAX_LABELLED) {
      hidden++;
      continue;
    }
    const el = draw(ov, i, i === activeOverlay);
    if (el !== null) shapes.push(el);
  }

  function draw(ov: Overlay, i: number, active: boolean): ReactNode {
    const activate = ov.anomaly >= 0 ? () => onActivate(ov.anomaly) : undefined;
    const common = {
      key: i,
      onClick: activate,
      className: activate ? "cursor-pointer pointer-events-auto" : "pointer-events-none",
      "data-active": active || undefined,
    };
    switch (ov.kind) {
      case "collision": {
        const pts = ov.marks.map((mk) => ({ x: g.markX(mk), y: g.markY(mk) })).sort((a, b) => a.y - b.y || a.x - b.x);
        const first = pts[0];
        const last = pts.at(-1);
        if (!first || !last) return null;
        const producers = [...new Set(ov.marks.map(producerOf))].sort();
        return (
          <g {...common} data-testid="collision" data-seq={ov.seq} data-producers={producers.join(",")}>
            <title>{`collision: seq ${ov.seq} used by ${ov.marks.length} events (${producers.join(", ")})`}</title>
            <polyline
              points={pts.map((p) => `${p.x},${p.y}`).join(" ")}
              fill="none"
              stroke="transparent"
              strokeWidth={10}
            />
            {active && (
              <polyline
                points={pts.map((p) => `${p.x},${p.y}`).join(" ")}
                fill="none"
                className="stroke-sky-600 dark:stroke-sky-400"
                strokeWidth={2}
              />
            )}
            <Badge
              maxX={vp.width}
              x={(first.x + last.x) / 2}
              y={(first.y + last.y) / 2}
              text={`seq ${ov.seq} ×${ov.marks.length}`}
              tone="red"
            />
          </g>
        );
      }
      case "gap":
      case "missing-head": {
        const box = gapBox(ov, model, g, vp.scrollTop);
        const row = rows[ov.row];
        if (!box || !row) return null;
        return (
          <g {...common} data-testid="gap" data-kind={ov.kind} data-producer={row.producer?.id} data-label={ov.label}>
            <title>{ov.label}</title>
            <rect
              x={box.a}
              y={box.y}
              width={box.b - box.a}
              height={box.h}
              fill="transparent"
              className={active ? "stroke-sky-600 dark:stroke-sky-400" : ""}
              strokeWidth={active ? 2.5 : 0}
            />
            <text
              x={(box.a + box.b) / 2}
              y={box.y - 1}
              textAnchor="middle"
              className="fill-red-700 text-[10px] font-semibold dark:fill-red-300"
            >
              {ov.label}
            </text>
          </g>
        );
      }
      case "duplicate": {
        if (seenDup.has(ov.mark)) return null;
        seenDup.add(ov.mark);
        return (
          <g {...common} data-testid="duplicate" data-count={ov.count}>
            <title>{`delivered ${ov.count} times`}</title>
            <Badge
              maxX={vp.width}
              x={g.markX(ov.mark) + 14}
              y={g.markY(ov.mark) - 9}
              text={`×${ov.count}`}
              tone="slate"
            />
          </g>
        );
      }
      case "out-of-order":
      case "open-tail":
      case "chain-break": {
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark);
        const what = {
          "out-of-order": "arrived out of order: the arrow points to where its seq belongs",
          "open-tail": "never closed: nothing closing came after this event",
          "chain-break": "hash chain break: prev_hash does not match the line before",
        }[ov.kind];
        const dx = ov.kind === "open-tail" ? 40 : 0;
        return (
          <g {...common} data-testid={ov.kind}>
            <title>{what}</title>
            <rect
              x={x - 10 + dx}
              y={y - 20}
              width={ov.kind === "open-tail" ? 60 : 20}
              height={28}
              fill="transparent"
              className={active ? "stroke-sky-600 dark:stroke-sky-400" : ""}
              strokeWidth={active ? 2 : 0}
            />
          </g>
        );
      }
      case "bad-signature": {
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark);
        return (
          <g {...common} data-testid="bad-signature">
            <title>{`bad signature: ${ov.reason}`}</title>
            <rect
              x={x - 10}
              y={y - 10}
              width={20}
              height={20}
              fill="transparent"
              className={active ? "stroke-sky-600 dark:stroke-sky-400" : ""}
              strokeWidth={active ? 2 : 0}
            />
            <Badge maxX={vp.width} x={x + 12} y={y - 11} text="sig" tone="red" />
          </g>
        );
      }
      case "malformed": {
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark);
        return (
          <g {...common} data-testid="malformed-mark">
            <title>{ov.reason}</title>
            <rect x={x - 7} y={y - 7} width={14} height={14} fill="transparent" />
            <text x={x + 9} y={y + 3} className="fill-red-700 text-[10px] dark:fill-red-300">
              {ov.reason.length > 48 ? `${ov.reason.slice(0, 47)}…` : ov.reason}
            </text>
          </g>
        );
      }
      case "skew":
        return (
          <g key={i} className="pointer-events-none" data-testid="skew" data-delta-ms={ov.deltaMs}>
            <title>{`starts ${ov.deltaMs} ms (by ts) before the workflow_step_started that called it: clock skew`}</title>
            <Badge
              maxX={vp.width}
              x={g.markX(ov.mark) - 22}
              y={g.markY(ov.mark) - 13}
              text={`−${ov.deltaMs} ms`}
              tone="violet"
            />
          </g>
        );
    }
  }

  const ring = (mk: number | undefined, kind: "selected" | "focus") => {
    if (mk === undefined || mk < 0 || mk >= marks.count) return null;
    const r = marks.row[mk] as number;
    if (r < r0 || r >= r1) return null;
    const x = g.markX(mk);
    const y = g.markY(mk);
    if (x < -10 || x > vp.width + 10) return null;
    return kind === "selected" ? (
      <circle
        cx={x}
        cy={y}
        r={MARK_RADIUS + 5}
        fill="none"
        className="stroke-slate-900 dark:stroke-white"
        strokeWidth={2.5}
        data-testid="selected-ring"
      />
    ) : (
      <rect
        x={x - MARK_RADIUS - 7}
        y={y - MARK_RADIUS - 7}
        width={(MARK_RADIUS + 7) * 2}
        height={(MARK_RADIUS + 7) * 2}
        rx={4}
        fill="none"
        className="stroke-sky-600 dark:stroke-sky-400"
        strokeWidth={2.5}
        data-testid="focus-ring"
      />
    );
  };

  return (
    <svg
      className="pointer-events-none absolute inset-0 overflow-visible"
      width={vp.width}
      height={vp.height}
      data-testid="anomaly-overlay"
      data-hidden={hidden}
    >
      {shapes}
      {ring(selected, "selected")}
      {showFocus && ring(focused, "focus")}
      {hidden > 0 && (
        <text x={vp.width - 6} y={12} textAnchor="end" className="fill-slate-500 text-[10px]">
          {hidden} more in view: zoom in to label each
        </text>
      )}
    </svg>
  );
}

const TONES = {
  red: "fill-red-600 dark:fill-red-500",
  slate: "fill-slate-600 dark:fill-slate-500",
  violet: "fill-violet-600 dark:fill-violet-500",
};

function Badge(props: { x: number; y: number; text: string; tone: keyof typeof TONES; maxX?: number }) {
  const { y, text, tone } = props;
  const w = text.length * 5.6 + 8;
  // Kept inside the plot, so a badge at the edge is not cut in half.
  const x = Math.max(w / 2, Math.min(props.maxX ?? Infinity, props.x + w / 2) - w / 2);
  return (
    <g transform={`translate(${x - w / 2},${y - 7})`}>
      <rect width={w} height={14} rx={7} className={TONES[tone]} />
      <text x={w / 2} y={10.5} textAnchor="middle" className="fill-white text-[10px] font-semibold tabular-nums">
        {text}
      </text>
    </g>
  );
}
