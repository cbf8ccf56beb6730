"use client";

import { useSyncExternalStore } from "react";
import { DARK_THEME, LIGHT_THEME, type CanvasTheme } from "@/lib/timeline/render-into-canvas";

const QUERY = "(prefers-color-scheme: dark)";

function subscribe(onChange: () => void): () => void {
  const mq = window.matchMedia(QUERY);
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}

/** Canvas colours that follow the system's light/dark setting, as the CSS does. */
export function useTimelineTheme(): CanvasTheme {
  const dark = useSyncExternalStore(
    subscribe,
    () => window.matchMedia(QUERY).matches,
    () => false,
  );
  return dark ? DARK_THEME : LIGHT_THEME;
}
