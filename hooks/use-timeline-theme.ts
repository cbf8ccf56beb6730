"use client";

import { useSyncExternalStore } from "react";
import { DARK_THEME, LIGHT_THEME, type CanvasTheme } from "@/lib/timeline/render-into-canvas";

const QUERY = "(prefers-color-scheme: dark)";

// One query list for the page: React reads the snapshot on every render (a live timeline renders each
// frame), and window.matchMedia parses the query and makes a new list on every call.
let list: MediaQueryList | undefined;
const query = (): MediaQueryList => (list ??= window.matchMedia(QUERY));

function subscribe(onChange: () => void): () => void {
  const mq = query();
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}

/** Canvas colours that follow the system's light/dark setting, as the CSS does. */
export function useTimelineTheme(): CanvasTheme {
  const dark = useSyncExternalStore(
    subscribe,
    () => query().matches,
    () => false,
  );
  return dark ? DARK_THEME : LIGHT_THEME;
}
