"use client";

import { useQueryStates } from "nuqs";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { keyById } from "@/lib/audit";
import {
  executionParams,
  expansionFromParams,
  expansionToParams,
  roundWindow,
  type ExecutionViewState,
} from "@/lib/links/execution-params";
import type { OrderMode } from "@/lib/timeline/timeline-model";
import type { ViewportStore } from "@/lib/timeline/viewport";

export interface TimelineViewState extends Omit<ExecutionViewState, "keyId"> {
  keyId: string;
}

export type ViewPatch = Partial<TimelineViewState>;
/** `push` for discrete choices (key, order, selection), `replace` for continuous ones (the window). */
export type SetView = (patch: ViewPatch, history?: "push" | "replace") => void;

const VIEW_PARAMS = {
  key: executionParams.key,
  order: executionParams.order,
  win: executionParams.win,
  sel: executionParams.sel,
  anomaly: executionParams.anomaly,
  open: executionParams.open,
  shut: executionParams.shut,
};

function validKey(id: string | null | undefined): id is string {
  return id !== null && id !== undefined && keyById(id) !== undefined;
}

/**
 * The execution timeline's view state: in the URL (nuqs) when `linkable`, so a
 * link, a reload and back/forward restore it; in component state otherwise (the
 * lab and files show finished logs that no link can reach).
 */
export function useTimelineViewState(opts: { linkable: boolean; initialKeyId?: string }): [TimelineViewState, SetView] {
  const { linkable } = opts;
  const defaultKey = validKey(opts.initialKeyId) ? opts.initialKeyId : "invocation";
  const [url, setUrl] = useQueryStates(VIEW_PARAMS, { history: "push", scroll: false });
  const [local, setLocal] = useState<TimelineViewState>(() => ({
    keyId: defaultKey,
    order: "ts",
    window: null,
    selected: null,
    anomaly: null,
    expansion: new Map(),
  }));

  const fromUrl = useMemo<TimelineViewState>(
    () => ({
      keyId: validKey(url.key) ? url.key : defaultKey,
      order: url.order,
      window: url.win,
      selected: url.sel,
      anomaly: url.anomaly,
      expansion: expansionFromParams(url.open, url.shut),
    }),
    [url, defaultKey],
  );

  const set = useCallback<SetView>(
    (patch, history = "push") => {
      if (!linkable) {
        setLocal((prev) => ({ ...prev, ...patch }));
        return;
      }
      const next: Partial<Record<keyof typeof VIEW_PARAMS, unknown>> = {};
      if (patch.keyId !== undefined) next.key = patch.keyId === defaultKey ? null : patch.keyId;
      if (patch.order !== undefined) next.order = patch.order;
      if (patch.window !== undefined) next.win = patch.window;
      if (patch.selected !== undefined) next.sel = patch.selected;
      if (patch.anomaly !== undefined) next.anomaly = patch.anomaly;
      if (patch.expansion !== undefined) Object.assign(next, expansionToParams(patch.expansion));
      void setUrl(next as Parameters<typeof setUrl>[0], { history });
    },
    [linkable, setUrl, defaultKey],
  );

  return [linkable ? fromUrl : local, set];
}

const WRITE_DELAY_MS = 300;

function windowKey(w: readonly [number, number] | null): string {
  return w === null ? "fit" : `${w[0]}_${w[1]}`;
}

/**
 * Keeps the zoom window and the URL in step: pan and zoom replace the URL's
 * window once the gesture pauses (no history entry per wheel tick, no re-render
 * per frame); a window arriving from the URL (back/forward) is applied to the plot.
 */
export function useWindowInUrl(opts: {
  enabled: boolean;
  store: ViewportStore;
  order: OrderMode;
  window: readonly [number, number] | null;
  setView: SetView;
  apply(window: readonly [number, number] | null): void;
}): void {
  const { enabled, store, order, window, setView, apply } = opts;
  const written = useRef(windowKey(window));

  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = store.subscribe(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const vp = store.getSnapshot();
        const w = vp.fit || !(vp.x1 > vp.x0) ? null : roundWindow(order, [vp.x0, vp.x1]);
        const k = windowKey(w);
        if (k === written.current) return;
        written.current = k;
        setView({ window: w }, "replace");
      }, WRITE_DELAY_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [enabled, store, order, setView]);

  // Before the plot's own effects run, so it starts from the restored window.
  useLayoutEffect(() => {
    if (!enabled) return;
    const k = windowKey(window);
    if (k === written.current) return;
    written.current = k;
    apply(window);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new URL window is applied
  }, [enabled, window]);
}
