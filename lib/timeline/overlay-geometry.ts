// Where the anomaly drawings go on screen, shared by the canvas (which strokes
// them) and the SVG overlay (which labels them and takes the clicks), so the
// two always agree.

import { xToPx } from "./axis";
import { visibleRowRange, type Overlay, type TimelineModel, type TimelineRow } from "./timeline-model";
import type { Viewport } from "./viewport";

/** A missing-seq placeholder never gets narrower than this, so it stays visible and clickable. */
export const MIN_GAP_PX = 30;

export interface Geometry {
  toPx(x: number): number;
  rowY(row: TimelineRow): number;
  markX(mark: number): number;
  markY(mark: number): number;
  rows: [number, number];
}

export function geometry(model: TimelineModel, vp: Viewport): Geometry {
  const toPx = xToPx(vp.x0, vp.x1, vp.width);
  const { rows, marks } = model;
  const rowY = (row: TimelineRow) => row.top - vp.scrollTop + row.height / 2 + (row.kind === "lane" ? 4 : 0);
  return {
    toPx,
    rowY,
    markX: (mk) => toPx(marks.x[mk] as number),
    markY: (mk) => rowY(rows[marks.row[mk] as number] as TimelineRow),
    rows: visibleRowRange(rows, vp.scrollTop, vp.height),
  };
}

/** Overlays that touch the visible rows and x window, in model order. */
export function visibleOverlays(model: TimelineModel, vp: Viewport, g: Geometry = geometry(model, vp)): number[] {
  const [r0, r1] = g.rows;
  const out: number[] = [];
  model.overlays.forEach((ov, i) => {
    if (ov.row1 < r0 || ov.row0 >= r1) return;
    const pad = ov.kind === "gap" || ov.kind === "missing-head" ? MIN_GAP_PX : 80;
    if (g.toPx(ov.x1) < -pad || g.toPx(ov.x0) > vp.width + pad) return;
    out.push(i);
  });
  return out;
}

/** The placeholder of a gap or missing head, in pixels. */
export function gapBox(
  ov: Extract<Overlay, { kind: "gap" | "missing-head" }>,
  model: TimelineModel,
  g: Geometry,
  scrollTop: number,
): { a: number; b: number; y: number; h: number } | undefined {
  const row = model.rows[ov.row];
  if (!row) return undefined;
  let a = g.toPx(ov.from);
  let b = g.toPx(ov.to);
  if (b - a < MIN_GAP_PX) {
    if (ov.align === "end") a = b - MIN_GAP_PX;
    else {
      const m = (a + b) / 2;
      a = m - MIN_GAP_PX / 2;
      b = m + MIN_GAP_PX / 2;
    }
  }
  return { a, b, y: row.top - scrollTop + 5, h: row.height - 10 };
}

/**
 * The connector of a collision, as px points [x0, y0, x1, y1, …]: per row its
 * first and last mark (the others lie on the line between them), for the rows
 * in view and their neighbours only. Bounded by the rows, not the events.
 */
export function collisionPath(
  ov: Extract<Overlay, { kind: "collision" }>,
  model: TimelineModel,
  g: Geometry,
): number[] {
  const [r0, r1] = g.rows;
  const row = model.marks.row;
  const groups: [number, number, number][] = [];
  const ms = ov.marks;
  for (let k = 0; k < ms.length;) {
    const r = row[ms[k] as number] as number;
    let j = k;
    while (j + 1 < ms.length && row[ms[j + 1] as number] === r) j++;
    groups.push([r, ms[k] as number, ms[j] as number]);
    k = j + 1;
  }
  const inView = (gi: number) => {
    const grp = groups[gi];
    return grp !== undefined && grp[0] >= r0 && grp[0] < r1;
  };
  const out: number[] = [];
  groups.forEach(([, a, b], gi) => {
    if (!inView(gi) && !inView(gi - 1) && !inView(gi + 1)) return;
    out.push(g.markX(a), g.markY(a));
    if (b !== a) out.push(g.markX(b), g.markY(b));
  });
  return out;
}
