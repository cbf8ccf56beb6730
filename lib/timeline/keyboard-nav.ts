// Where the arrow keys go: ←/→ the previous/next event in the same row (the
// current order), ↑/↓ the nearest event in the next row that has any.

import { lowerBound, type TimelineModel } from "./timeline-model";

export function stepInRow(model: TimelineModel, mark: number, dir: -1 | 1): number | undefined {
  const row = model.rows[model.marks.row[mark] as number];
  if (row === undefined) return undefined;
  const next = mark + dir;
  return next >= row.markStart && next < row.markEnd ? next : undefined;
}

/** The mark of `rowIndex` nearest to x, or undefined for a row without marks. */
export function nearestInRow(model: TimelineModel, rowIndex: number, x: number): number | undefined {
  const row = model.rows[rowIndex];
  if (row === undefined || row.markEnd <= row.markStart) return undefined;
  const i = lowerBound(model.marks, row, x);
  if (i >= row.markEnd) return row.markEnd - 1;
  if (i === row.markStart) return i;
  const a = model.marks.x[i - 1] as number;
  const b = model.marks.x[i] as number;
  return x - a <= b - x ? i - 1 : i;
}

export function stepRow(model: TimelineModel, mark: number, dir: -1 | 1): number | undefined {
  const x = model.marks.x[mark] as number;
  for (let r = (model.marks.row[mark] as number) + dir; r >= 0 && r < model.rows.length; r += dir) {
    const found = nearestInRow(model, r, x);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Where focus starts: the first event of the first row that has one. */
export function firstMark(model: TimelineModel): number | undefined {
  for (let r = 0; r < model.rows.length; r++) {
    const row = model.rows[r]!;
    if (row.markEnd > row.markStart) return row.markStart;
  }
  return undefined;
}
