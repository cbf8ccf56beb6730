import { describe, expect, it } from "vitest";
import { AuditLog, buildLanes, keyById } from "../audit";
import { axisTicks } from "./axis";
import { benchFixture } from "./bench-fixture";
import { hitTest } from "./hit-test";
import { EVENT_CATEGORIES } from "./event-category";
import { renderIntoCanvas, renderMinimap, LIGHT_THEME, type Canvas2D } from "./render-into-canvas";
import { buildTimelineModel } from "./timeline-model";
import { panToInclude, windowAround, type Viewport } from "./viewport";

/** A context that counts what is drawn instead of drawing it. */
function recorder(): Canvas2D & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (name: string) => () => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  return {
    calls,
    fillStyle: "",
    strokeStyle: "",
    lineWidth: 1,
    globalAlpha: 1,
    font: "",
    textAlign: "start",
    textBaseline: "alphabetic",
    setTransform: count("setTransform"),
    clearRect: count("clearRect"),
    fillRect: count("fillRect"),
    beginPath: count("beginPath"),
    moveTo: count("moveTo"),
    lineTo: count("lineTo"),
    arc: count("arc"),
    closePath: count("closePath"),
    fill: count("fill"),
    stroke: count("stroke"),
    fillText: count("fillText"),
    save: count("save"),
    restore: count("restore"),
    rect: count("rect"),
    clip: count("clip"),
    setLineDash: count("setLineDash"),
    bezierCurveTo: count("bezierCurveTo"),
  };
}

function big() {
  const fx = benchFixture({ events: 20_000, producers: 20, seed: 5 });
  const log = new AuditLog();
  log.add(fx.messages);
  const analysis = log.analyze(keyById("invocation")!, { executionId: fx.executionId });
  const events = log.events(fx.executionId);
  return buildTimelineModel({ lanes: buildLanes(events, analysis), events, analysis, order: "ts" });
}

describe("renderIntoCanvas", () => {
  const model = big();
  const vp: Viewport = { x0: model.extent[0], x1: model.extent[1], width: 800, height: 400, scrollTop: 0, fit: true };

  it("draws a bounded number of marks however many events there are", () => {
    const ctx = recorder();
    const stats = renderIntoCanvas(ctx, model, vp, LIGHT_THEME);
    expect(stats.visible).toBeGreaterThan(5_000);
    // At most a mark per pixel column, per shape and kind, per visible row.
    expect(stats.drawn).toBeLessThanOrEqual(stats.rows * 800 * 14);
    expect(stats.drawn).toBeLessThan(stats.visible);
    // Dense: squares, not arcs.
    expect(ctx.calls.arc ?? 0).toBeLessThan(50);
  });

  it("draws only the rows in the vertical window", () => {
    const stats = renderIntoCanvas(recorder(), model, { ...vp, scrollTop: 200, height: 100 }, LIGHT_THEME);
    expect(stats.rows).toBeLessThanOrEqual(4);
  });

  it("prints seq labels once zoomed in enough", () => {
    const ctx = recorder();
    const mid = (model.extent[0] + model.extent[1]) / 2;
    renderIntoCanvas(ctx, model, { ...vp, x0: mid, x1: mid + 2_000 }, LIGHT_THEME);
    expect(ctx.calls.fillText ?? 0).toBeGreaterThan(0);
  });

  it("hit-tests the mark under the pointer", () => {
    const row = model.rows[0]!;
    const mk = row.markStart + 3;
    const px = ((model.marks.x[mk]! - vp.x0) / (vp.x1 - vp.x0)) * vp.width;
    const hit = hitTest(model, vp, px, row.top + row.height / 2)!;
    expect(Math.abs(model.marks.x[hit]! - model.marks.x[mk]!)).toBeLessThan(((vp.x1 - vp.x0) / vp.width) * 1.01);
    expect(hitTest(model, vp, px, model.totalHeight + 50)).toBeUndefined();
  });
});

describe("viewport maths", () => {
  it("windows an anomaly with air, clamped to the run", () => {
    expect(windowAround(10, 20, [0, 1000], 5)).toEqual([7, 23]);
    expect(windowAround(0, 2, [0, 1000], 100)).toEqual([0, 160]);
    expect(windowAround(0, 2000, [0, 1000], 5)).toEqual([0, 1000]);
  });

  it("pans the least to include a point", () => {
    expect(panToInclude(0, 100, 50)).toEqual([0, 100]);
    expect(panToInclude(0, 100, 150)).toEqual([60, 160]);
    expect(panToInclude(100, 200, 50)).toEqual([40, 140]);
  });

  it("ticks every order mode", () => {
    expect(axisTicks("seq", 0.5, 10.5, 500).map((t) => t.label)).toContain("seq 4");
    expect(axisTicks("arrival", 0, 99, 500)[0]?.label).toBe("#1");
    const t0 = Date.UTC(2026, 0, 1, 9, 0, 0);
    expect(axisTicks("ts", t0, t0 + 10_000, 500).some((t) => t.label === "09:00:05")).toBe(true);
  });

  it("answers a repeated window from its last answer, and a new one anew", () => {
    const a = axisTicks("seq", 0, 100, 500);
    expect(axisTicks("seq", 0, 100, 500)).toBe(a);
    const b = axisTicks("seq", 0, 200, 500);
    expect(b).not.toBe(a);
    expect(b.map((t) => t.value)).toContain(200);
    expect(axisTicks("arrival", 0, 200, 500)[0]?.label).toBe("#1");
  });
});

describe("renderMinimap", () => {
  it("draws at most one cell per lane and pixel column, one fill style per colour", () => {
    const model = big();
    const ctx = recorder();
    const styles: string[] = [];
    const traced = new Proxy(ctx, {
      set(target, prop, value) {
        if (prop === "fillStyle") styles.push(String(value));
        return Reflect.set(target, prop, value);
      },
    });
    renderMinimap(traced, model, 300, 34, LIGHT_THEME);
    expect(ctx.calls.fillRect ?? 0).toBeGreaterThan(0);
    expect(ctx.calls.fillRect ?? 0).toBeLessThanOrEqual(300 * model.lanes.length * 2);
    expect(styles.length).toBeLessThanOrEqual(EVENT_CATEGORIES.length + 2);
  });
});
