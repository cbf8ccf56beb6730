"use client";

import { useEffect, useState } from "react";
import { useFileSource } from "./use-file-source";

function hasFiles(e: DragEvent): boolean {
  return e.dataTransfer?.types.includes("Files") ?? false;
}

/** Drop a file anywhere on the page to open it; a veil says so while a file is dragged over the tab. */
export function DropZone() {
  const { open } = useFileSource();
  const [over, setOver] = useState(false);
  useEffect(() => {
    // dragenter/dragleave fire for every child crossed: count them to know when the pointer left the page.
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setOver(true);
    };
    const overPage = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // allows the drop
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // the browser would otherwise navigate to the file
      depth = 0;
      setOver(false);
      const f = e.dataTransfer?.files[0];
      if (f) open(f);
    };
    window.addEventListener("dragenter", enter);
    window.addEventListener("dragover", overPage);
    window.addEventListener("dragleave", leave);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragenter", enter);
      window.removeEventListener("dragover", overPage);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("drop", drop);
    };
  }, [open]);
  if (!over) return null;
  return (
    <div
      className="pointer-events-none fixed inset-0 z-50 flex items-center justify-center bg-sky-500/10 p-8 backdrop-blur-[1px]"
      data-testid="drop-zone"
    >
      <div className="rounded-lg border-2 border-dashed border-sky-500 bg-white/90 px-8 py-6 text-center shadow-lg dark:bg-slate-900/90">
        <p className="text-base font-semibold">Drop an NDJSON file or a stderr log to open it</p>
        <p className="mt-1 text-sm text-slate-500">It is read in this browser tab only, never uploaded.</p>
      </div>
    </div>
  );
}
