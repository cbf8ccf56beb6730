"use client";

import { ORDER_MODES, type OrderMode } from "@/lib/timeline/timeline-model";

/** x axis by producer time, by arrival on the stream, or by seq. */
export function OrderSwitcher({ order, onChange }: { order: OrderMode; onChange(order: OrderMode): void }) {
  return (
    <div
      role="radiogroup"
      aria-label="Order"
      className="flex overflow-hidden rounded border border-slate-300 text-sm dark:border-slate-700"
      data-testid="order-mode"
    >
      {ORDER_MODES.map((m) => (
        <button
          key={m.id}
          type="button"
          role="radio"
          aria-checked={order === m.id}
          onClick={() => onChange(m.id)}
          className={`px-2 py-1 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none focus-visible:ring-inset ${
            order === m.id
              ? "bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900"
              : "hover:bg-slate-100 dark:hover:bg-slate-800"
          }`}
          data-order={m.id}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}
