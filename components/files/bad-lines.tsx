"use client";

import { useMemo, useRef } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { AuditLog } from "@/lib/audit";
import { formatCount, showBytes } from "@/lib/format";

const ROW_H = 44;

export interface BadLinesProps {
  log: AuditLog;
  onClose(): void;
}

/** Every line of the file that is not an event, by line number, with the reason and its text. Windowed: a log can have millions. */
export function BadLines({ log, onClose }: BadLinesProps) {
  const items = useMemo(() => log.malformed(), [log]);
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 10,
  });
  return (
    <section
      className="fixed top-36 right-4 z-40 flex max-h-[70vh] w-[min(48rem,calc(100vw-2rem))] flex-col rounded border border-red-200 bg-white shadow-xl dark:border-red-900 dark:bg-slate-950"
      aria-label="Lines that are not events"
      data-testid="bad-lines"
    >
      <header className="flex items-center gap-2 border-b border-red-100 px-3 py-2 text-sm dark:border-red-950">
        <h2 className="font-medium text-red-800 dark:text-red-300">
          {formatCount(items.length)} line{items.length === 1 ? " is" : "s are"} not events
        </h2>
        <span className="text-xs text-slate-500">kept and listed, never dropped</span>
        <button
          type="button"
          className="ml-auto rounded px-2 py-0.5 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800"
          onClick={onClose}
          aria-label="Close the list"
        >
          ✕
        </button>
      </header>
      <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto">
        <ol style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((v) => {
            const m = items[v.index];
            if (!m) return null;
            return (
              <li
                key={v.key}
                className="absolute inset-x-0 overflow-hidden border-b border-slate-100 px-3 py-1 text-xs dark:border-slate-900"
                style={{ top: v.start, height: ROW_H }}
                data-testid="bad-line"
                data-line={m.streamSeq}
              >
                <div className="truncate">
                  <span className="font-mono text-slate-500">line {formatCount(m.streamSeq)}</span> —{" "}
                  <span data-testid="bad-line-reason">{m.reason}</span>
                </div>
                <div className="truncate font-mono text-slate-600 dark:text-slate-400">
                  {showBytes(m.raw, 300) || "(empty line)"}
                </div>
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}
