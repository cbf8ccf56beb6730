"use client";

import { useSyncExternalStore } from "react";
import type { Viewport, ViewportStore } from "@/lib/timeline/viewport";

/** The visible window of a timeline; only the components that call this re-render on pan and zoom. */
export function useTimelineViewport(store: ViewportStore): Viewport {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
