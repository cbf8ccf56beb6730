"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { scaleLinear, select, zoom, zoomIdentity, type ScaleLinear, type ZoomBehavior } from "d3";
import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type Ref,
} from "react";
import { useElementWidth } from "@/hooks/use-element-width";
import { frameScheduler } from "@/lib/live/frame-scheduler";
import { firstMark, stepInRow, stepRow } from "@/lib/timeline/keyboard-nav";
import { renderIntoCanvas, type CanvasTheme } from "@/lib/timeline/render-into-canvas";
import { hitTest } from "@/lib/timeline/hit-test";
import type { SharedTrace } from "@/lib/timeline/shared-traces";
import type { TimelineModel } from "@/lib/timeline/timeline-model";
import { minSpanOf, panToInclude, windowAround, type ViewportStore } from "@/lib/timeline/viewport";
import { AnomalyOverlay } from "./anomaly-overlay";
import { MarkTooltip } from "./mark-tooltip";
import { RowLabel } from "./row-label";
import { TimeAxis } from "./time-axis";
import { Minimap } from "./minimap";

export const LABEL_W = 232;

export interface TimelinePlotHandle {
  /** Shows [x0, x1] (data units), with air around it. */
  zoomTo(x0: number, x1: number, minSpan?: number): void;
  fit(): void;
  /** Pans and scrolls so the mark is in view; `center` puts its row mid-view. */
  reveal(mark: number, center?: boolean): void;
  focus(): void;
}

export interface TimelinePlotProps {
  model: TimelineModel;
  /** Per producer, the traces its lane shares with other lanes (marked in its label). */
  sharedTraces?: ReadonlyMap<string, readonly SharedTrace[]>;
  store: ViewportStore;
  theme: CanvasTheme;
  selected?: number;
  focused?: number;
  activeOverlay?: number;
  onSelect(mark: number | undefined): void;
  onFocusMark(mark: number): void;
  onToggleLane(laneKey: string, expanded: boolean): void;
  onActivateAnomaly(anomaly: number): void;
  onEscape(): void;
  onHelp(): void;
  /** Called after each canvas paint (the bench marks the first). */
  onPainted?(): void;
  ref?: Ref<TimelinePlotHandle>;
}

interface ZoomState {
  behavior: ZoomBehavior<HTMLDivElement, unknown>;
  base: ScaleLinear<number, number>;
  extent: [number, number];
}

/**
 * The swimlanes: a sticky canvas for the marks, an SVG overlay for anomalies and
 * focus, DOM labels for the rows in view (windowed), d3-zoom for wheel and drag.
 */
export function TimelinePlot(props: TimelinePlotProps) {
  const { model, store, theme, selected, focused, activeOverlay, onSelect, onFocusMark, onPainted } = props;
  const [outerRef, width] = useElementWidth<HTMLDivElement>();
  const plotW = Math.max(120, width - LABEL_W);
  const scrollRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const zoomRef = useRef<ZoomState | null>(null);
  const [viewH, setViewH] = useState(0);
  const [hover, setHover] = useState<{ mark: number; x: number; y: number } | undefined>();
  const [hasFocus, setHasFocus] = useState(false);
  // The lanes' screen-reader lists are not drawn: build them after the first paint, not before it.
  const [listsReady, setListsReady] = useState(false);
  const listsAsked = useRef(false);

  const maxH = Math.max(0, model.totalHeight);

  // Visible height of the lanes, for the canvas and the row window.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewH(el.clientHeight));
    ro.observe(el);
    setViewH(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    store.set({ width: plotW, height: viewH });
  }, [store, plotW, viewH]);

  // d3-zoom owns no DOM here: it turns wheel and drag on the plot into an x window in the store. The
  // behaviour lives as long as the plot's size and order; a live run's growing extent only rescales it.
  const [e0, e1] = model.extent;
  const order = model.order;
  useEffect(() => {
    const el = plotRef.current;
    if (!el || width === 0) return;
    const behavior = zoom<HTMLDivElement, unknown>()
      .extent([
        [0, 0],
        [plotW, Math.max(1, viewH)],
      ])
      .translateExtent([
        [0, -Infinity],
        [plotW, Infinity],
      ])
      .on("zoom", (ev: { transform: { k: number; x: number; rescaleX: typeof zoomIdentity.rescaleX } }) => {
        const z = zoomRef.current;
        if (!z) return;
        const t = ev.transform;
        const [x0, x1] = t.rescaleX(z.base).domain() as [number, number];
        store.set({ x0, x1, fit: t.k <= 1.0001 });
      });
    const sel = select(el);
    sel.call(behavior).on("dblclick.zoom", null);
    zoomRef.current = { behavior, base: scaleLinear(), extent: [0, 0] };
    return () => {
      sel.on(".zoom", null);
      zoomRef.current = null;
    };
  }, [plotW, viewH, order, width, store]);

  useEffect(() => {
    const z = zoomRef.current;
    if (!z || width === 0) return;
    z.base = scaleLinear().domain([e0, e1]).range([0, plotW]);
    z.extent = [e0, e1];
    z.behavior.scaleExtent([1, Math.max(1, (e1 - e0) / minSpanOf(order))]);
    // Keep the user's window across live growth; "fit" follows the run as it grows.
    const vp = store.getSnapshot();
    const keep = !vp.fit && vp.x1 > vp.x0 && vp.x0 >= e0 - (e1 - e0) && vp.x1 <= e1 + (e1 - e0);
    applyWindow(keep ? [Math.max(e0, vp.x0), Math.min(e1, vp.x1)] : [e0, e1]);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- applyWindow reads zoomRef
  }, [e0, e1, plotW, viewH, order, width, store]);

  const applyWindow = useCallback(([a, b]: [number, number]) => {
    const z = zoomRef.current;
    const el = plotRef.current;
    if (!z || !el || !(b > a)) return;
    const [x0, x1] = z.extent;
    const k = (x1 - x0) / (b - a);
    const t = zoomIdentity.translate(-k * z.base(a), 0).scale(k);
    select(el).call(z.behavior.transform, t);
  }, []);

  // Canvas: repaint in the page's next frame whenever the window, the model or the theme changes.
  const paint = useCallback(() => {
    const canvas = canvasRef.current;
    const vp = store.getSnapshot();
    if (!canvas || vp.width <= 0 || vp.height <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(vp.width * dpr);
    const h = Math.round(vp.height * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    renderIntoCanvas(ctx, model, vp, theme, dpr);
    onPainted?.();
    if (!listsAsked.current) {
      listsAsked.current = true;
      setTimeout(() => setListsReady(true), 0);
    }
  }, [model, theme, store, onPainted]);
  useEffect(() => {
    const schedule = () => frameScheduler.schedule(paint);
    schedule();
    const off = store.subscribe(schedule);
    return () => {
      off();
      frameScheduler.cancel(paint);
    };
  }, [paint, store]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read in render only
  const virtualizer = useVirtualizer({
    count: model.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => model.rows[i]?.height ?? 28,
    // Small runs render every row (cheap, and every lane stays in the DOM); big ones only what is near the view.
    overscan: model.rows.length <= 60 ? 60 : 3,
  });
  // Re-measured only when the rows' heights changed: a live batch that only adds events keeps them, and a
  // measure re-renders the plot.
  const measured = useRef<readonly number[]>([]);
  useEffect(() => {
    const heights = model.rows.map((r) => r.height);
    if (sameNumbers(heights, measured.current)) return;
    measured.current = heights;
    virtualizer.measure();
  }, [model, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (el) store.set({ scrollTop: el.scrollTop });
  };

  const markAt = (e: MouseEvent<HTMLElement>): number | undefined => {
    const el = plotRef.current;
    if (!el) return undefined;
    const r = el.getBoundingClientRect();
    return hitTest(model, store.getSnapshot(), e.clientX - r.left, e.clientY - r.top);
  };

  const reveal = useCallback(
    (mark: number, center = false) => {
      const vp = store.getSnapshot();
      const x = model.marks.x[mark];
      const row = model.rows[model.marks.row[mark] ?? -1];
      if (x === undefined || row === undefined) return;
      const [a, b] = panToInclude(vp.x0, vp.x1, x);
      if (a !== vp.x0) applyWindow([a, b]);
      const el = scrollRef.current;
      if (el) {
        if (center) el.scrollTop = Math.max(0, row.top + row.height / 2 - el.clientHeight / 2);
        else if (row.top < el.scrollTop) el.scrollTop = row.top - 4;
        else if (row.top + row.height > el.scrollTop + el.clientHeight)
          el.scrollTop = row.top + row.height - el.clientHeight + 4;
      }
    },
    [model, store, applyWindow],
  );

  useImperativeHandle(
    props.ref,
    () => ({
      zoomTo(a, b, minSpan) {
        applyWindow(windowAround(a, b, model.extent, minSpan ?? minSpanOf(model.order) * 4));
      },
      fit() {
        applyWindow(model.extent);
      },
      reveal,
      focus() {
        plotRef.current?.focus();
      },
    }),
    [applyWindow, model, reveal],
  );

  const zoomBy = (factor: number) => {
    const vp = store.getSnapshot();
    const cx = focused !== undefined ? (model.marks.x[focused] ?? (vp.x0 + vp.x1) / 2) : (vp.x0 + vp.x1) / 2;
    const half = ((vp.x1 - vp.x0) / 2) * factor;
    const [a, b] = [Math.max(model.extent[0], cx - half), Math.min(model.extent[1], cx + half)];
    if (b - a >= minSpanOf(model.order)) applyWindow([a, b]);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const move = (mark: number | undefined) => {
      if (mark === undefined) return;
      onFocusMark(mark);
      reveal(mark);
    };
    const current = focused ?? firstMark(model);
    switch (e.key) {
      case "ArrowLeft":
      case "ArrowRight": {
        const dir = e.key === "ArrowLeft" ? -1 : 1;
        if (e.shiftKey) {
          const vp = store.getSnapshot();
          const d = (vp.x1 - vp.x0) * 0.2 * dir;
          applyWindow([vp.x0 + d, vp.x1 + d]);
        } else if (current !== undefined) move(focused === undefined ? current : stepInRow(model, current, dir));
        break;
      }
      case "ArrowUp":
      case "ArrowDown":
        if (current !== undefined)
          move(focused === undefined ? current : stepRow(model, current, e.key === "ArrowUp" ? -1 : 1));
        break;
      case "Home":
      case "End": {
        const row = current === undefined ? undefined : model.rows[model.marks.row[current] ?? -1];
        if (row && row.markEnd > row.markStart) move(e.key === "Home" ? row.markStart : row.markEnd - 1);
        break;
      }
      case "Enter":
        if (current !== undefined) {
          onFocusMark(current);
          onSelect(current);
        }
        break;
      case "Escape":
        props.onEscape();
        break;
      case "?":
        props.onHelp();
        break;
      case "+":
      case "=":
        zoomBy(0.5);
        break;
      case "-":
      case "_":
        zoomBy(2);
        break;
      case "0":
      case "f":
        applyWindow(model.extent);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const items = virtualizer.getVirtualItems();
  const viewportH = Math.min(maxH, viewH || maxH);

  return (
    <div ref={outerRef} className="min-w-0 select-none">
      <div className="flex items-end" style={{ paddingLeft: LABEL_W }}>
        <Minimap model={model} store={store} theme={theme} width={plotW} onWindow={applyWindow} />
      </div>
      <TimeAxis order={model.order} store={store} width={plotW} labelWidth={LABEL_W} />
      <div
        ref={scrollRef}
        onScroll={onScroll}
        className="relative overflow-y-auto overscroll-contain rounded-b border border-slate-200 dark:border-slate-800"
        style={{ height: `min(${maxH + 2}px, max(240px, calc(100vh - 300px)))` }}
        data-testid="timeline-scroll"
      >
        <div style={{ height: maxH, position: "relative" }}>
          <div className="sticky top-0 z-10 h-0">
            <div
              ref={plotRef}
              tabIndex={0}
              role="application"
              aria-roledescription="timeline"
              aria-label="Events by producer. Arrow keys move between events and lanes, Enter opens the event, ? lists every key."
              className="absolute top-0 cursor-crosshair outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-0"
              style={{ left: LABEL_W, width: plotW, height: viewportH, touchAction: "none" }}
              data-testid="timeline-plot"
              onKeyDown={onKeyDown}
              onFocus={() => setHasFocus(true)}
              onBlur={() => setHasFocus(false)}
              onClick={(e) => {
                const mk = markAt(e);
                if (mk !== undefined) {
                  onFocusMark(mk);
                  onSelect(mk);
                }
              }}
              onMouseMove={(e) => {
                // No tooltip while dragging: a pan must not re-render the lanes on every pointer move.
                const mk = e.buttons === 0 ? markAt(e) : undefined;
                const r = plotRef.current?.getBoundingClientRect();
                if (mk === undefined || !r) {
                  if (hover !== undefined) setHover(undefined);
                } else if (mk !== hover?.mark) setHover({ mark: mk, x: e.clientX - r.left, y: e.clientY - r.top });
              }}
              onMouseLeave={() => setHover(undefined)}
            >
              <canvas
                ref={canvasRef}
                className="absolute inset-0"
                style={{ width: plotW, height: viewportH }}
                data-testid="timeline-canvas"
              />
              <AnomalyOverlay
                model={model}
                store={store}
                selected={selected}
                focused={focused}
                showFocus={hasFocus}
                activeOverlay={activeOverlay}
                onActivate={props.onActivateAnomaly}
              />
              {hover && <MarkTooltip model={model} mark={hover.mark} x={hover.x} y={hover.y} width={plotW} />}
            </div>
          </div>
          {items.map((it) => {
            const row = model.rows[it.index];
            if (!row) return null;
            return (
              <RowLabel
                key={row.key}
                model={model}
                row={row}
                width={LABEL_W}
                sharedTraces={row.producer && props.sharedTraces?.get(row.producer.id)}
                withList={listsReady}
                onToggle={props.onToggleLane}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
