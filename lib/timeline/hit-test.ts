// Which mark is under the pointer: the row from y, then a binary search on x.

import { pxToX, xToPx } from "./axis";
import { lowerBound, rowAt, type TimelineModel } from "./timeline-model";
import type { Viewport } from "./viewport";

export function hitTest(model: TimelineModel, vp: Viewport, px: number, py: number, radius = 7): number | undefined {
  const r = rowAt(model.rows, py + vp.scrollTop);
  const row = model.rows[r];
  if (row === undefined || row.markEnd <= row.markStart) return undefined;
  const toX = pxToX(vp.x0, vp.x1, vp.width);
  const toPx = xToPx(vp.x0, vp.x1, vp.width);
  const { marks } = model;
  const hi = toX(px + radius);
  let best: number | undefined;
  let bestD = Infinity;
  for (let i = lowerBound(marks, row, toX(px - radius)); i < row.markEnd && (marks.x[i] as number) <= hi; i++) {
    const d = Math.abs(toPx(marks.x[i] as number) - px);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
