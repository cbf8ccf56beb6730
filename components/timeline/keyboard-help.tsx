"use client";

import { useEffect, useRef } from "react";

const KEYS: [string, string][] = [
  ["← →", "previous / next event in the lane"],
  ["↑ ↓", "nearest event in the lane above / below"],
  ["Home End", "first / last event in the lane"],
  ["Enter", "open the event's detail"],
  ["Esc", "close the detail or this help"],
  ["+ −", "zoom in / out around the focused event"],
  ["Shift ← →", "pan"],
  ["0 or f", "fit the whole run"],
  ["wheel / drag", "zoom / pan the time axis (over the lanes)"],
  ["?", "show or hide these keys"],
];

export function KeyboardHelp({ onClose }: { onClose(): void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      role="dialog"
      aria-modal="true"
      aria-label="Keyboard shortcuts"
      className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40"
      onKeyDown={(e) => {
        if (e.key === "Escape" || e.key === "?") {
          e.preventDefault();
          onClose();
        }
      }}
      onClick={onClose}
      data-testid="keyboard-help"
    >
      <div
        className="w-[28rem] max-w-[92vw] rounded-lg bg-white p-4 text-sm shadow-xl dark:bg-slate-900"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="mb-2 flex items-center justify-between">
          <h2 className="font-semibold">Keyboard</h2>
          <button
            ref={ref}
            type="button"
            onClick={onClose}
            className="rounded px-2 py-0.5 text-slate-500 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:hover:bg-slate-800"
          >
            Close
          </button>
        </div>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
          {KEYS.map(([k, v]) => (
            <div key={k} className="contents">
              <dt>
                <kbd className="rounded border border-slate-300 px-1 font-mono text-xs dark:border-slate-700">{k}</kbd>
              </dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
