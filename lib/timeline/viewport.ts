// What part of the run is on screen: the x window in data units plus the
// vertical scroll. Kept outside React state in a tiny store, so a pan repaints
// the canvas and the few overlays that read it, never the whole page.

export interface Viewport {
  /** Visible x window, in the order mode's units (ms, message index or seq). */
  x0: number;
  x1: number;
  /** Plot size in CSS pixels. */
  width: number;
  height: number;
  scrollTop: number;
  /** True while the window is "the whole run": live growth then widens it. */
  fit: boolean;
}

export const EMPTY_VIEWPORT: Viewport = Object.freeze({ x0: 0, x1: 1, width: 0, height: 0, scrollTop: 0, fit: true });

export class ViewportStore {
  private state: Viewport;
  private readonly listeners = new Set<() => void>();

  constructor(initial: Viewport = EMPTY_VIEWPORT) {
    this.state = initial;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Viewport => this.state;

  set(patch: Partial<Viewport>): void {
    const next = { ...this.state, ...patch };
    const s = this.state;
    if (
      next.x0 === s.x0 &&
      next.x1 === s.x1 &&
      next.width === s.width &&
      next.height === s.height &&
      next.scrollTop === s.scrollTop &&
      next.fit === s.fit
    )
      return;
    this.state = next;
    for (const l of this.listeners) l();
  }
}

/** A window around [a, b] with air on both sides, no narrower than `minSpan`, clamped to the extent. */
export function windowAround(
  a: number,
  b: number,
  extent: readonly [number, number],
  minSpan: number,
): [number, number] {
  const span = Math.max(b - a, minSpan);
  const mid = (a + b) / 2;
  let x0 = mid - span * 0.8;
  let x1 = mid + span * 0.8;
  const [e0, e1] = extent;
  if (x1 - x0 >= e1 - e0) return [e0, e1];
  if (x0 < e0) [x0, x1] = [e0, e0 + (x1 - x0)];
  if (x1 > e1) [x0, x1] = [e1 - (x1 - x0), e1];
  return [x0, x1];
}

/** Shifts [x0, x1] by the least amount that puts x inside it with a margin (a fraction of the span). */
export function panToInclude(x0: number, x1: number, x: number, margin = 0.1): [number, number] {
  const span = x1 - x0;
  const m = span * margin;
  if (x < x0 + m) return [x - m, x - m + span];
  if (x > x1 - m) return [x + m - span, x + m];
  return [x0, x1];
}

/** Smallest window the user can zoom into, per order mode's units. */
export function minSpanOf(order: "ts" | "arrival" | "seq"): number {
  return order === "ts" ? 2 : 3;
}

/**
 * The [a, b] to hand `zoomTo` (which adds air: windowAround widens by 1.6×) so
 * that exactly `window` ends up on screen: restores a window read from a link.
 */
export function zoomToArgsFor(window: readonly [number, number]): [number, number] {
  const [x0, x1] = window;
  const mid = (x0 + x1) / 2;
  const half = (x1 - x0) / 1.6 / 2;
  return [mid - half, mid + half];
}
