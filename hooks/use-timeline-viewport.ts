"use client";

import { useCallback, useSyncExternalStore } from "react";
import { frameScheduler } from "@/lib/live/frame-scheduler";
import type { Viewport, ViewportStore } from "@/lib/timeline/viewport";

/**
 * The visible window of a timeline; only the components that call this
 * re-render on pan and zoom, and at most once a frame: a burst of wheel
 * events within one frame renders once, in the frame the canvas paints.
 */
export function useTimelineViewport(store: ViewportStore): Viewport {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const off = store.subscribe(() => frameScheduler.schedule(onChange));
      return () => {
        off();
        frameScheduler.cancel(onChange);
      };
    },
    [store],
  );
  return useSyncExternalStore(subscribe, store.getSnapshot, store.getSnapshot);
}
