// The shared x axis: d3 scales and ticks for each order mode. d3 does the
// maths here; the views draw the result.

import { scaleLinear, scaleUtc } from "d3";
import type { OrderMode } from "./timeline-model";

export interface Tick {
  /** Pixel offset in the plot. */
  px: number;
  value: number;
  label: string;
}

/** Linear map from x units to pixels. (A UTC scale is linear in ms too, so one function serves all modes.) */
export function xToPx(x0: number, x1: number, width: number): (x: number) => number {
  const k = x1 === x0 ? 0 : width / (x1 - x0);
  return (x) => (x - x0) * k;
}

export function pxToX(x0: number, x1: number, width: number): (px: number) => number {
  const k = width === 0 ? 0 : (x1 - x0) / width;
  return (px) => x0 + px * k;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** `10:04:05`, or with ms when ticks are closer than a second: UTC, since producers are compared. */
export function clockLabel(ms: number, withMs: boolean): string {
  const d = new Date(ms);
  const s = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMs ? `${s}.${pad(d.getUTCMilliseconds(), 3)}` : s;
}

/** The last answer: the axis and the canvas's grid ask for the same window, often several times a frame. */
let last: { order: OrderMode; x0: number; x1: number; width: number; ticks: readonly Tick[] } | undefined;

/** The ticks for a window, in the plot's pixels. */
export function axisTicks(order: OrderMode, x0: number, x1: number, width: number): readonly Tick[] {
  if (last !== undefined && last.order === order && last.x0 === x0 && last.x1 === x1 && last.width === width)
    return last.ticks;
  const ticks = computeTicks(order, x0, x1, width);
  last = { order, x0, x1, width, ticks };
  return ticks;
}

function computeTicks(order: OrderMode, x0: number, x1: number, width: number): Tick[] {
  const count = Math.max(2, Math.floor(width / 110));
  const toPx = xToPx(x0, x1, width);
  if (order === "ts") {
    const scale = scaleUtc().domain([x0, x1]).range([0, width]);
    const ticks = scale.ticks(count).map((d) => d.getTime());
    const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : x1 - x0;
    return ticks.map((t) => ({ px: toPx(t), value: t, label: clockLabel(t, step < 1000) }));
  }
  const scale = scaleLinear().domain([x0, x1]).range([0, width]);
  return scale
    .ticks(count)
    .filter((t) => Number.isInteger(t))
    .map((t) => ({ px: toPx(t), value: t, label: order === "seq" ? `seq ${t}` : `#${t + 1}` }));
}

export function axisTitle(order: OrderMode): string {
  if (order === "ts") return "producer time (ts, UTC)";
  if (order === "arrival") return "arrival (stream order, nth message of this run)";
  return "seq";
}
