"use client";

import { useEffect, useRef, useState } from "react";

/** `value`, but changing at most once per `ms`: for work too heavy to redo every animation frame. */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - Date.now();
    const t = setTimeout(
      () => {
        last.current = Date.now();
        setShown(value);
      },
      Math.max(0, wait),
    );
    return () => clearTimeout(t);
  }, [value, ms]);
  return shown;
}
