"use client";

import type { ReactNode } from "react";
import { useTimelineViewport } from "@/hooks/use-timeline-viewport";
import { layoutLabels, type LabelItem } from "@/lib/timeline/label-layout";
import { collisionPath, gapBox, geometry, visibleOverlays, type Geometry } from "@/lib/timeline/overlay-geometry";
import { MARK_RADIUS, MAX_SKEW_LINES } from "@/lib/timeline/render-into-canvas";
import type { Overlay, TimelineModel } from "@/lib/timeline/timeline-model";
import type { Viewport, ViewportStore } from "@/lib/timeline/viewport";
import { visible } from "@/lib/text/visible";

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
/** Labels closer than this side by side are merged into one ("seq 4 missing +2"). */
export const LABEL_GAP_PX = 4;
/** Lines of a merged label's hover list before "… and N more". */
const MAX_LIST = 30;

type Tone = "red" | "slate" | "violet";

/** The text an overlay shows on screen, where, and how; its hover text. */
interface OverlayLabel {
  overlay: number;
  text: string;
  title: string;
  /** A filled badge, or plain text ("text": gaps, missing heads; "start": left-anchored, malformed reasons). */
  style: Tone | "text" | "start";
  item: LabelItem;
}

const CHAR_PX = 5.6;
const badgeWidth = (text: string) => text.length * CHAR_PX + 8;

/** A badge's centre kept inside the plot, so a badge at the edge is not cut in half. */
const clampCentre = (x: number, w: number, maxX: number) => Math.max(w / 2, Math.min(maxX - w / 2, x));

/** An overlay's hover text, as it may be shown (producer ids and reasons come from the stream). */
function titleOf(ov: Overlay): string {
  return visible(rawTitleOf(ov));
}

function rawTitleOf(ov: Overlay): string {
  switch (ov.kind) {
    case "collision":
      return `seq ${ov.seq} ×${ov.marks.length}: collision, seq ${ov.seq} used by ${ov.marks.length} events (${ov.producers.join(", ")})`;
    case "gap":
    case "missing-head":
      return ov.label;
    case "duplicate":
      return `×${ov.count}: delivered ${ov.count} times`;
    case "out-of-order":
      return "arrived out of order: the arrow points to where its seq belongs";
    case "open-tail":
      return "never closed: nothing closing came after this event";
    case "chain-break":
      return "hash chain break: prev_hash does not match the line before";
    case "bad-signature":
      return `bad signature: ${ov.reason}`;
    case "malformed":
      return ov.reason;
    case "skew":
      return `starts ${ov.deltaMs} ms (by ts) before the workflow_step_started that called it: clock skew`;
  }
}

/** The label an overlay puts on screen, if any. */
function labelOf(ov: Overlay, i: number, model: TimelineModel, g: Geometry, vp: Viewport): OverlayLabel | undefined {
  const title = titleOf(ov);
  const badge = (text: string, tone: Tone, x: number, y: number): OverlayLabel => {
    const width = badgeWidth(text);
    return { overlay: i, text, title, style: tone, item: { x: clampCentre(x, width, vp.width), y, width, height: 14 } };
  };
  switch (ov.kind) {
    case "collision": {
      const first = ov.marks[0];
      const last = ov.marks[ov.marks.length - 1];
      if (first === undefined || last === undefined) return undefined;
      const x = (g.markX(first) + g.markX(last)) / 2;
      const y = (g.markY(first) + g.markY(last)) / 2;
      return badge(`seq ${ov.seq} ×${ov.marks.length}`, "red", x, y);
    }
    case "gap":
    case "missing-head": {
      const box = gapBox(ov, model, g, vp.scrollTop);
      if (!box) return undefined;
      const width = ov.label.length * CHAR_PX;
      return {
        overlay: i,
        text: ov.label,
        title,
        style: "text",
        item: { x: (box.a + box.b) / 2, y: box.y - 5, width, height: 12 },
      };
    }
    case "duplicate":
      return badge(`×${ov.count}`, "slate", g.markX(ov.mark) + 14, g.markY(ov.mark) - 9);
    case "bad-signature":
      return badge("sig", "red", g.markX(ov.mark) + 12, g.markY(ov.mark) - 11);
    case "skew":
      return badge(`−${ov.deltaMs} ms`, "violet", g.markX(ov.mark) - 22, g.markY(ov.mark) - 13);
    case "malformed": {
      const reason = visible(ov.reason);
      const text = reason.length > 48 ? `${Array.from(reason).slice(0, 47).join("")}…` : reason;
      const width = text.length * CHAR_PX;
      return {
        overlay: i,
        text,
        title,
        style: "start",
        item: { x: g.markX(ov.mark) + 9 + width / 2, y: g.markY(ov.mark) - 0.5, width, height: 12 },
      };
    }
    default:
      return undefined;
  }
}

/**
 * What a user points at, over the canvas: each anomaly's hit target (it opens
 * the anomaly in the side panel, its hover text says what it is), the labels
 * and badges (`seq 4–6 missing`, `seq 3 ×2`, `×2`) laid out so that none
 * overlaps another (layoutLabels: a label that would touch its neighbour is
 * counted in it, "seq 4 missing +2", with every one listed on hover), and the
 * selection and keyboard-focus rings. The shapes themselves are on the canvas
 * (renderIntoCanvas), which scales to thousands.
 */
export function AnomalyOverlay(props: AnomalyOverlayProps) {
  const { model, store, selected, focused, showFocus, activeOverlay, onActivate } = props;
  const vp = useTimelineViewport(store);
  if (vp.width <= 0 || vp.height <= 0) return null;
  const g = geometry(model, vp);
  const { marks } = model;
  const [r0, r1] = g.rows;
  const visible = visibleOverlays(model, vp, g);
  const skews = visible.reduce((n, i) => n + (model.overlays[i]?.kind === "skew" ? 1 : 0), 0);

  const shown: number[] = [];
  let hidden = 0;
  const seenDup = new Set<number>();
  for (const i of visible) {
    const ov = model.overlays[i];
    if (ov === undefined || (ov.kind === "skew" && skews > MAX_SKEW_LINES)) continue;
    // One badge per duplicated event, however many copies of it the engine listed.
    if (ov.kind === "duplicate") {
      if (seenDup.has(ov.mark)) continue;
      seenDup.add(ov.mark);
    }
    if (shown.length >= MAX_LABELLED) hidden++;
    else shown.push(i);
  }
  const labels: OverlayLabel[] = [];
  for (const i of shown) {
    const l = labelOf(model.overlays[i] as Overlay, i, model, g, vp);
    if (l !== undefined) labels.push(l);
  }
  const placed = layoutLabels(
    labels.map((l) => l.item),
    1,
    LABEL_GAP_PX,
  );

  const activator = (ov: Overlay) => (ov.anomaly >= 0 ? () => onActivate(ov.anomaly) : undefined);

  function target(ov: Overlay, i: number, active: boolean): ReactNode {
    const activate = activator(ov);
    const common = {
      key: i,
      onClick: activate,
      className: activate ? "cursor-pointer pointer-events-auto" : "pointer-events-none",
      "data-active": active || undefined,
    };
    const title = <title>{titleOf(ov)}</title>;
    switch (ov.kind) {
      case "collision": {
        const pts = collisionPath(ov, model, g);
        const points = pts.map((v, k) => (k % 2 === 0 ? `${v},` : `${v} `)).join("");
        return (
          <g {...common} data-testid="collision" data-seq={ov.seq} data-producers={ov.producers.join(",")}>
            {title}
            <polyline points={points} fill="none" stroke="transparent" strokeWidth={10} />
            {active && (
              <polyline points={points} fill="none" className="stroke-sky-600 dark:stroke-sky-400" strokeWidth={2} />
            )}
          </g>
        );
      }
      case "gap":
      case "missing-head": {
        const box = gapBox(ov, model, g, vp.scrollTop);
        const row = model.rows[ov.row];
        if (!box || !row) return null;
        return (
          <g {...common} data-testid="gap" data-kind={ov.kind} data-producer={row.producer?.id} data-label={ov.label}>
            {title}
            <rect
              x={box.a}
              y={box.y}
              width={box.b - box.a}
              height={box.h}
              fill="transparent"
              className={active ? "stroke-sky-600 dark:stroke-sky-400" : ""}
              strokeWidth={active ? 2.5 : 0}
            />
          </g>
        );
      }
      case "duplicate":
        return (
          <g {...common} data-testid="duplicate" data-count={ov.count}>
            {title}
            <circle cx={g.markX(ov.mark)} cy={g.markY(ov.mark)} r={9} fill="transparent" />
          </g>
        );
      case "out-of-order":
      case "open-tail":
      case "chain-break": {
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark);
        const dx = ov.kind === "open-tail" ? 40 : 0;
        return (
          <g {...common} data-testid={ov.kind}>
            {title}
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
            {title}
            <rect
              x={x - 10}
              y={y - 10}
              width={20}
              height={20}
              fill="transparent"
              className={active ? "stroke-sky-600 dark:stroke-sky-400" : ""}
              strokeWidth={active ? 2 : 0}
            />
          </g>
        );
      }
      case "malformed": {
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark);
        return (
          <g {...common} data-testid="malformed-mark">
            {title}
            <rect x={x - 7} y={y - 7} width={14} height={14} fill="transparent" />
          </g>
        );
      }
      case "skew":
        return (
          <g key={i} className="pointer-events-none" data-testid="skew" data-delta-ms={ov.deltaMs}>
            {title}
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
      {shown.map((i) => target(model.overlays[i] as Overlay, i, i === activeOverlay))}
      <g data-testid="anomaly-labels">
        {placed.map((p) => {
          const host = labels[p.first] as OverlayLabel;
          const members = p.members.map((m) => labels[m] as OverlayLabel);
          const more = members.length - 1;
          const text = more > 0 ? `${host.text} +${more}` : host.text;
          const list = members.slice(0, MAX_LIST).map((m) => m.title);
          if (members.length > MAX_LIST) list.push(`… and ${members.length - MAX_LIST} more`);
          const activate = activator(model.overlays[host.overlay] as Overlay);
          return (
            <g
              key={host.overlay}
              onClick={activate}
              className={activate ? "cursor-pointer pointer-events-auto" : "pointer-events-none"}
              data-testid="anomaly-label"
              data-count={members.length}
            >
              <title>{list.join("\n")}</title>
              <Label x={p.left} y={p.top} width={p.width} height={p.height} text={text} style={host.style} />
            </g>
          );
        })}
      </g>
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

const TONES: Record<Tone, string> = {
  red: "fill-red-600 dark:fill-red-500",
  slate: "fill-slate-600 dark:fill-slate-500",
  violet: "fill-violet-600 dark:fill-violet-500",
};

/** A laid-out label: a badge (rounded, filled) or plain text, in the box layoutLabels gave it. */
function Label(props: {
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
  style: OverlayLabel["style"];
}) {
  const { x, y, width, height, text, style } = props;
  if (style === "text" || style === "start") {
    return (
      <text
        x={style === "text" ? x + width / 2 : x}
        y={y + height - 2}
        textAnchor={style === "text" ? "middle" : "start"}
        className={`fill-red-700 text-[10px] dark:fill-red-300 ${style === "text" ? "font-semibold" : ""}`}
      >
        {text}
      </text>
    );
  }
  return (
    <g transform={`translate(${x},${y})`}>
      <rect width={width} height={height} rx={height / 2} className={TONES[style]} />
      <text x={width / 2} y={10.5} textAnchor="middle" className="fill-white text-[10px] font-semibold tabular-nums">
        {text}
      </text>
    </g>
  );
}
