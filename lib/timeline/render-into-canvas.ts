// Dense marks onto a 2D canvas: a pure function of (model, viewport, theme),
// like jaeger's render-into-canvas. The cost of a frame is bounded by the
// pixels, not the events: only visible rows are walked, only the visible x
// range of each (binary search), and marks that land on a pixel already drawn
// for the same kind and shape are skipped, so 100 000 events draw like 20 000.

import { axisTicks, xToPx } from "./axis";
import { collisionPath, gapBox, geometry, visibleOverlays } from "./overlay-geometry";
import { CATEGORY_COLOURS, EVENT_CATEGORIES } from "./event-category";
import {
  DUPLICATED,
  IN_ANOMALY,
  lowerBound,
  MALFORMED_CATEGORY,
  NO_SEQ,
  visibleRowRange,
  type TimelineModel,
  type TimelineRow,
} from "./timeline-model";
import type { Viewport } from "./viewport";

/** The slice of CanvasRenderingContext2D this uses (a real context satisfies it; tests pass a recorder). */
export interface Canvas2D {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  globalAlpha: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  closePath(): void;
  fill(): void;
  stroke(): void;
  fillText(text: string, x: number, y: number): void;
  save(): void;
  restore(): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
  setLineDash(segments: number[]): void;
  bezierCurveTo(c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number): void;
}

export interface CanvasTheme {
  stripe: string;
  header: string;
  rule: string;
  grid: string;
  text: string;
  anomaly: string;
  malformed: string;
  shadow: string;
  order: string;
  skew: string;
}

export const LIGHT_THEME: CanvasTheme = Object.freeze({
  stripe: "rgba(241,245,249,0.8)",
  header: "rgba(226,232,240,0.6)",
  rule: "rgba(203,213,225,0.7)",
  grid: "rgba(203,213,225,0.55)",
  text: "#0f172a",
  anomaly: "#dc2626",
  malformed: "#b91c1c",
  shadow: "rgba(100,116,139,0.55)",
  order: "#d97706",
  skew: "rgba(124,58,237,0.6)",
});

export const DARK_THEME: CanvasTheme = Object.freeze({
  stripe: "rgba(30,41,59,0.45)",
  header: "rgba(51,65,85,0.45)",
  rule: "rgba(51,65,85,0.8)",
  grid: "rgba(51,65,85,0.6)",
  text: "#e2e8f0",
  anomaly: "#f87171",
  malformed: "#fca5a5",
  shadow: "rgba(148,163,184,0.55)",
  order: "#fbbf24",
  skew: "rgba(167,139,250,0.65)",
});

export const MARK_RADIUS = 4.5;
/** Past this many marks on screen, shapes are drawn as squares: cheaper to rasterise, same reading at that density. */
const DENSE_MARKS = 2_500;
/** Causality skews drawn as connectors when at most this many are in view. */
export const MAX_SKEW_LINES = 24;
/** Collision connectors drawn when at most this many collisions are in view. */
export const MAX_CONNECTORS = 200;
/** Out-of-order arrows drawn when at most this many are in view. */
export const MAX_ORDER_ARROWS = 300;
const BUCKETS = EVENT_CATEGORIES.length * 2 + 1; // (category × seq / no seq) + malformed
const MALFORMED_BUCKET = BUCKETS - 1;

export interface RenderStats {
  rows: number;
  /** Marks in the visible window. */
  visible: number;
  /** Marks actually drawn after pixel de-duplication. */
  drawn: number;
}

const maxBarCache = new WeakMap<TimelineModel, Float64Array>();

/** Longest duration bar per row, so a bar whose event is right of the window still draws. */
function maxBars(model: TimelineModel): Float64Array {
  let out = maxBarCache.get(model);
  if (out !== undefined) return out;
  out = new Float64Array(model.rows.length);
  const { marks } = model;
  for (let i = 0; i < marks.count; i++) {
    const b = marks.barStart[i] as number;
    if (b === b) {
      const r = marks.row[i] as number;
      const len = (marks.x[i] as number) - b;
      if (len > (out[r] as number)) out[r] = len;
    }
  }
  maxBarCache.set(model, out);
  return out;
}

// Scratch buffers reused across frames: no allocation per frame once warm.
let pts: Float64Array[] = [];
const counts = new Int32Array(BUCKETS);
let rings: Float64Array = new Float64Array(1024);
let shadows: Float64Array = new Float64Array(1024);

function ensure(buf: Float64Array, n: number): Float64Array {
  if (n <= buf.length) return buf;
  const next = new Float64Array(Math.max(n, buf.length * 2));
  next.set(buf);
  return next;
}

export function renderIntoCanvas(
  ctx: Canvas2D,
  model: TimelineModel,
  vp: Viewport,
  theme: CanvasTheme,
  dpr = 1,
): RenderStats {
  const { width, height, scrollTop, x0, x1 } = vp;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const stats: RenderStats = { rows: 0, visible: 0, drawn: 0 };
  if (width <= 0 || height <= 0) return stats;
  const toPx = xToPx(x0, x1, width);
  const unitsPerPx = (x1 - x0) / width;
  const { marks, rows } = model;
  const [r0, r1] = visibleRowRange(rows, scrollTop, height);
  stats.rows = r1 - r0;

  // Row backgrounds, then the grid on top of them.
  for (let r = r0; r < r1; r++) {
    const row = rows[r] as TimelineRow;
    const y = row.top - scrollTop;
    if (row.kind === "lane-header") {
      ctx.fillStyle = theme.header;
      ctx.fillRect(0, y, width, row.height);
    } else if (row.laneIndex % 2 === 1 || row.kind === "malformed") {
      ctx.fillStyle = theme.stripe;
      ctx.fillRect(0, y, width, row.height);
    }
    ctx.fillStyle = theme.rule;
    ctx.fillRect(0, y + row.height - 1, width, 1);
  }
  ctx.fillStyle = theme.grid;
  for (const t of axisTicks(model.order, x0, x1, width)) ctx.fillRect(Math.round(t.px), 0, 1, height);

  if (pts.length !== BUCKETS) pts = Array.from({ length: BUCKETS }, () => new Float64Array(2048));
  counts.fill(0);
  let nRings = 0;
  let nShadows = 0;
  const last = new Float64Array(BUCKETS);
  const bars = model.order === "ts" ? maxBars(model) : undefined;
  const margin = MARK_RADIUS * 2 * unitsPerPx;

  for (let r = r0; r < r1; r++) {
    const row = rows[r] as TimelineRow;
    if (row.markEnd <= row.markStart) continue;
    const cy = row.top - scrollTop + row.height / 2 + (row.kind === "lane" ? 4 : 0);
    const lookBack = bars !== undefined ? (bars[r] as number) : 0;
    const start = lowerBound(marks, row, x0 - margin);
    const end = Math.max(start, lowerBound(marks, row, x1 + margin + lookBack));
    const visibleEnd = lowerBound(marks, row, x1 + margin);
    stats.visible += visibleEnd - start;

    // duration_ms bars, ending at their event; overlapping bars of a row merge into one rect.
    if (bars !== undefined && lookBack > 0) {
      ctx.globalAlpha = 0.3;
      let runCat = -1;
      let runA = 0;
      let runB = -Infinity;
      const flush = () => {
        if (runCat < 0) return;
        ctx.fillStyle = CATEGORY_COLOURS[EVENT_CATEGORIES[runCat]!];
        ctx.fillRect(runA, cy - 3, Math.max(1, runB - runA), 6);
      };
      for (let i = lowerBound(marks, row, x0 - lookBack); i < end; i++) {
        const b = marks.barStart[i] as number;
        if (b !== b) continue;
        const a = toPx(b);
        const e = toPx(marks.x[i] as number);
        if (e < 0 || a > width) continue;
        const cat = marks.category[i] as number;
        if (cat === runCat && a <= runB + 1) {
          if (e > runB) runB = e;
          continue;
        }
        flush();
        runCat = cat;
        runA = a;
        runB = e;
      }
      flush();
      ctx.globalAlpha = 1;
    }

    last.fill(-Infinity);
    // A row's marks come in x order, so a ring or shadow on a pixel already ringed is the one before it.
    let lastRing = -Infinity;
    let lastShadow = -Infinity;
    for (let i = start; i < visibleEnd; i++) {
      const px = Math.round(toPx(marks.x[i] as number));
      const cat = marks.category[i] as number;
      const flags = marks.flags[i] as number;
      const bucket = cat === MALFORMED_CATEGORY ? MALFORMED_BUCKET : cat * 2 + ((flags & NO_SEQ) !== 0 ? 1 : 0);
      if (flags & IN_ANOMALY && px !== lastRing) {
        lastRing = px;
        rings = ensure(rings, nRings * 2 + 2);
        rings[nRings * 2] = px;
        rings[nRings * 2 + 1] = cy;
        nRings++;
      }
      if (flags & DUPLICATED && px !== lastShadow) {
        lastShadow = px;
        shadows = ensure(shadows, nShadows * 2 + 2);
        shadows[nShadows * 2] = px;
        shadows[nShadows * 2 + 1] = cy;
        nShadows++;
      }
      if (px - (last[bucket] as number) < 1) continue;
      last[bucket] = px;
      const n = counts[bucket] as number;
      pts[bucket] = ensure(pts[bucket] as Float64Array, n * 2 + 2);
      const buf = pts[bucket] as Float64Array;
      buf[n * 2] = px;
      buf[n * 2 + 1] = cy;
      counts[bucket] = n + 1;
      stats.drawn++;
    }

    // seq beside each mark when the zoom leaves room for it.
    const n = visibleEnd - start;
    if (n > 0 && n * 12 < width) {
      ctx.fillStyle = theme.text;
      ctx.font = "10px ui-sans-serif, system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      let freeFrom = -Infinity;
      for (let i = start; i < visibleEnd; i++) {
        const s = marks.seq[i] as number;
        if (s <= 0) continue;
        const px = toPx(marks.x[i] as number);
        const label = String(s);
        const half = label.length * 3 + 2;
        if (px - half < freeFrom) continue;
        ctx.fillText(label, px, cy - MARK_RADIUS - 3);
        freeFrom = px + half;
      }
    }
  }

  // Copies of a duplicated event: a second mark stacked behind the first.
  ctx.fillStyle = theme.shadow;
  ctx.beginPath();
  for (let i = 0; i < nShadows; i++) {
    const x = (shadows[i * 2] as number) + 3;
    const y = (shadows[i * 2 + 1] as number) - 3;
    ctx.moveTo(x + MARK_RADIUS, y);
    ctx.arc(x, y, MARK_RADIUS, 0, Math.PI * 2);
  }
  ctx.fill();

  const dense = stats.drawn > DENSE_MARKS;
  for (let c = 0; c < EVENT_CATEGORIES.length; c++) {
    const colour = CATEGORY_COLOURS[EVENT_CATEGORIES[c]!];
    // With seq: a filled disc (a square when marks are dense: a fraction of the raster cost).
    const filled = pts[c * 2] as Float64Array;
    const nf = counts[c * 2] as number;
    if (nf > 0 && dense) {
      ctx.fillStyle = colour;
      const d = MARK_RADIUS - 0.5;
      for (let i = 0; i < nf; i++)
        ctx.fillRect((filled[i * 2] as number) - d, (filled[i * 2 + 1] as number) - d, 2 * d, 2 * d);
    } else if (nf > 0) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      for (let i = 0; i < nf; i++) {
        const x = filled[i * 2] as number;
        const y = filled[i * 2 + 1] as number;
        ctx.moveTo(x + MARK_RADIUS, y);
        ctx.arc(x, y, MARK_RADIUS, 0, Math.PI * 2);
      }
      ctx.fill();
    }
    // Without seq: a hollow diamond, so "no seq" reads without colour.
    const hollow = pts[c * 2 + 1] as Float64Array;
    const nh = counts[c * 2 + 1] as number;
    if (nh > 0 && dense) {
      ctx.fillStyle = colour;
      const d = MARK_RADIUS - 0.5;
      for (let i = 0; i < nh; i++) {
        const x = (hollow[i * 2] as number) - d;
        const y = (hollow[i * 2 + 1] as number) - d;
        ctx.fillRect(x, y, 2 * d, 2);
        ctx.fillRect(x, y + 2 * d - 2, 2 * d, 2);
        ctx.fillRect(x, y, 2, 2 * d);
        ctx.fillRect(x + 2 * d - 2, y, 2, 2 * d);
      }
    } else if (nh > 0) {
      const d = MARK_RADIUS + 0.5;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i < nh; i++) {
        const x = hollow[i * 2] as number;
        const y = hollow[i * 2 + 1] as number;
        ctx.moveTo(x, y - d);
        ctx.lineTo(x + d, y);
        ctx.lineTo(x, y + d);
        ctx.lineTo(x - d, y);
        ctx.closePath();
      }
      ctx.stroke();
    }
  }

  const bad = pts[MALFORMED_BUCKET] as Float64Array;
  const nb = counts[MALFORMED_BUCKET] as number;
  if (nb > 0) {
    ctx.strokeStyle = theme.malformed;
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    for (let i = 0; i < nb; i++) {
      const x = bad[i * 2] as number;
      const y = bad[i * 2 + 1] as number;
      ctx.moveTo(x - 5, y - 5);
      ctx.lineTo(x + 5, y + 5);
      ctx.moveTo(x + 5, y - 5);
      ctx.lineTo(x - 5, y + 5);
    }
    ctx.stroke();
  }

  if (nRings > 0) {
    ctx.strokeStyle = theme.anomaly;
    ctx.lineWidth = 2;
    ctx.beginPath();
    const r = MARK_RADIUS + 3;
    // Dense: square rings, like the marks they surround (a fraction of the raster cost of arcs).
    const square = dense || nRings > DENSE_MARKS;
    for (let i = 0; i < nRings; i++) {
      const x = rings[i * 2] as number;
      const y = rings[i * 2 + 1] as number;
      if (square) ctx.rect(x - r + 1, y - r + 1, 2 * r - 2, 2 * r - 2);
      else {
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, Math.PI * 2);
      }
    }
    ctx.stroke();
  }
  renderOverlays(ctx, model, vp, theme);
  return stats;
}

/**
 * The anomaly drawings themselves: collision connectors, hatched placeholders
 * for missing seqs, out-of-order arrows, fading open tails, chain breaks and
 * causality skews. On the canvas, since there can be thousands; the SVG on top
 * only labels them and takes the clicks.
 */
function renderOverlays(ctx: Canvas2D, model: TimelineModel, vp: Viewport, theme: CanvasTheme): void {
  const g = geometry(model, vp);
  const visible = visibleOverlays(model, vp, g);
  if (visible.length === 0) return;
  const arrowHead = (x: number, y: number, fromX: number, fromY: number, colour: string) => {
    const ang = Math.atan2(y - fromY, x - fromX);
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x - 7 * Math.cos(ang - 0.45), y - 7 * Math.sin(ang - 0.45));
    ctx.lineTo(x - 7 * Math.cos(ang + 0.45), y - 7 * Math.sin(ang + 0.45));
    ctx.closePath();
    ctx.fill();
  };
  let skews = 0;
  let collisions = 0;
  let reordered = 0;
  for (const i of visible) {
    const kind = model.overlays[i]?.kind;
    if (kind === "skew") skews++;
    else if (kind === "collision") collisions++;
    else if (kind === "out-of-order") reordered++;
  }
  // Hundreds of skew connectors would hide the lanes: past a few, each skewed event gets a caret instead.
  const skewLines = skews <= MAX_SKEW_LINES;
  // Past a few hundred in view, connectors and arrows are a red haze that costs a frame to stroke: the
  // events' anomaly rings carry them until the user zooms in.
  const connectors = collisions <= MAX_CONNECTORS;
  const arrows = reordered <= MAX_ORDER_ARROWS;
  for (const i of visible) {
    const ov = model.overlays[i];
    if (ov === undefined) continue;
    switch (ov.kind) {
      case "collision": {
        if (!connectors) break;
        const pts = collisionPath(ov, model, g);
        ctx.strokeStyle = theme.anomaly;
        ctx.lineWidth = 2;
        ctx.setLineDash([5, 3]);
        ctx.beginPath();
        for (let k = 0; k < pts.length; k += 2) {
          if (k === 0) ctx.moveTo(pts[k] as number, pts[k + 1] as number);
          else ctx.lineTo(pts[k] as number, pts[k + 1] as number);
        }
        ctx.stroke();
        ctx.setLineDash([]);
        break;
      }
      case "gap":
      case "missing-head": {
        const box = gapBox(ov, model, g, vp.scrollTop);
        if (!box) break;
        const { a, b, y, h } = box;
        ctx.save();
        ctx.beginPath();
        ctx.rect(a, y, b - a, h);
        ctx.clip();
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = theme.anomaly;
        ctx.fillRect(a, y, b - a, h);
        ctx.globalAlpha = 0.7;
        ctx.strokeStyle = theme.anomaly;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        for (let x = a - h; x < b; x += 6) {
          ctx.moveTo(x, y + h);
          ctx.lineTo(x + h, y);
        }
        ctx.stroke();
        ctx.restore();
        ctx.globalAlpha = 1;
        ctx.strokeStyle = theme.anomaly;
        ctx.lineWidth = 1.25;
        ctx.setLineDash([3, 2]);
        ctx.beginPath();
        ctx.rect(a, y, b - a, h);
        ctx.stroke();
        ctx.setLineDash([]);
        break;
      }
      case "out-of-order": {
        if (!arrows) break;
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark);
        const tx = g.toPx(ov.toX);
        const trow = model.rows[ov.toRow];
        const ty = trow ? g.rowY(trow) : y;
        const lift = Math.min(28, 10 + Math.abs(tx - x) / 6);
        ctx.strokeStyle = theme.order;
        ctx.lineWidth = 1.75;
        ctx.beginPath();
        ctx.moveTo(x, y - MARK_RADIUS);
        ctx.bezierCurveTo(x, y - lift, tx, ty - lift, tx, ty - MARK_RADIUS - 2);
        ctx.stroke();
        arrowHead(tx, ty - MARK_RADIUS - 2, tx, ty - lift, theme.order);
        break;
      }
      case "open-tail": {
        const x = g.markX(ov.mark) + MARK_RADIUS + 2;
        const y = g.markY(ov.mark);
        ctx.fillStyle = theme.anomaly;
        for (let k = 0; k < 7; k++) {
          ctx.globalAlpha = 0.5 * (1 - k / 7);
          ctx.fillRect(x + k * 10, y - 4, 10, 8);
        }
        ctx.globalAlpha = 1;
        break;
      }
      case "chain-break": {
        const x = g.markX(ov.mark);
        const y = g.markY(ov.mark) - 13;
        ctx.strokeStyle = theme.anomaly;
        ctx.lineWidth = 1.75;
        ctx.beginPath();
        ctx.moveTo(x - 6, y - 3);
        ctx.lineTo(x - 3, y + 1);
        ctx.lineTo(x, y - 4);
        ctx.lineTo(x + 3, y + 1);
        ctx.lineTo(x + 6, y - 3);
        ctx.stroke();
        break;
      }
      case "bad-signature": {
        // A flagged mark: a ring in the anomaly colour (the overlay adds the "sig" badge).
        ctx.strokeStyle = theme.anomaly;
        ctx.lineWidth = 1.75;
        ctx.beginPath();
        ctx.arc(g.markX(ov.mark), g.markY(ov.mark), MARK_RADIUS + 3, 0, Math.PI * 2);
        ctx.stroke();
        break;
      }
      case "skew": {
        if (!skewLines) {
          const x = g.markX(ov.mark);
          const y = g.markY(ov.mark) - MARK_RADIUS - 2;
          ctx.fillStyle = theme.skew;
          ctx.beginPath();
          ctx.moveTo(x, y);
          ctx.lineTo(x - 3.5, y - 5);
          ctx.lineTo(x + 3.5, y - 5);
          ctx.closePath();
          ctx.fill();
          break;
        }
        const ax = g.markX(ov.cause);
        const ay = g.markY(ov.cause);
        const bx = g.markX(ov.mark);
        const by = g.markY(ov.mark) - MARK_RADIUS - 1;
        const my = (ay + by) / 2;
        ctx.strokeStyle = theme.skew;
        ctx.lineWidth = 1.25;
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.bezierCurveTo(ax, my, bx, my, bx, by);
        ctx.stroke();
        ctx.setLineDash([]);
        arrowHead(bx, by, bx, my, theme.skew);
        break;
      }
      case "duplicate":
      case "malformed":
        break;
    }
  }
}

/** Whole-run density for the minimap: one pixel column per bucket, one band per lane. */
export function renderMinimap(
  ctx: Canvas2D,
  model: TimelineModel,
  width: number,
  height: number,
  theme: CanvasTheme,
  dpr = 1,
): void {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const lanes = Math.max(1, model.lanes.length + (model.rows.at(-1)?.kind === "malformed" ? 1 : 0));
  const band = height / lanes;
  const [e0, e1] = model.extent;
  const { marks } = model;
  const cols = Math.max(1, Math.ceil(width));
  const laneOfRow = Int32Array.from(model.rows, (r) => (r.laneIndex < 0 ? lanes - 1 : r.laneIndex));
  // One cell per lane and pixel column, whatever the number of events: the first mark's colour (0: none), and
  // whether any anomaly is there. Then one fill style per colour, not per cell.
  const colourOf = new Uint8Array(cols * lanes);
  const anomalous = new Uint8Array(cols * lanes);
  const malformedCode = EVENT_CATEGORIES.length + 1;
  const k = e1 === e0 ? 0 : width / (e1 - e0);
  for (let i = 0; i < marks.count; i++) {
    const lane = laneOfRow[marks.row[i] as number] as number;
    const px = Math.min(cols - 1, Math.max(0, Math.floor(((marks.x[i] as number) - e0) * k)));
    const cell = lane * cols + px;
    if (((marks.flags[i] as number) & IN_ANOMALY) !== 0) anomalous[cell] = 1;
    if (colourOf[cell] !== 0) continue;
    const cat = marks.category[i] as number;
    colourOf[cell] = cat === MALFORMED_CATEGORY ? malformedCode : cat + 1;
  }
  const h = Math.max(1, band * 0.6);
  // Runs of one colour along a lane are one rect.
  const runs = (cells: Uint8Array, code: number, y: number, height: number) => {
    for (let lane = 0; lane < lanes; lane++) {
      const base = lane * cols;
      for (let px = 0; px < cols; px++) {
        if (cells[base + px] !== code) continue;
        let end = px + 1;
        while (end < cols && cells[base + end] === code) end++;
        ctx.fillRect(px, lane * band + y, end - px, height);
        px = end;
      }
    }
  };
  for (let code = 1; code <= malformedCode; code++) {
    ctx.fillStyle = code === malformedCode ? theme.malformed : CATEGORY_COLOURS[EVENT_CATEGORIES[code - 1] ?? "other"];
    runs(colourOf, code, band * 0.2, h);
  }
  ctx.fillStyle = theme.anomaly;
  runs(anomalous, 1, 0, Math.max(1, band));
}
