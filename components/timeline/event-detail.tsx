"use client";

import type { AuditEvent } from "@/lib/audit";
import { formatDateTime, showBytes } from "@/lib/format";

export interface EventDetailProps {
  event: AuditEvent;
  onClose(): void;
}

/** Everything about one event: delivery facts, resolved producer, and the raw JSON as received. */
export function EventDetail({ event, onClose }: EventDetailProps) {
  return (
    <section
      className="rounded border border-slate-200 p-3 text-sm dark:border-slate-800"
      data-testid="event-detail"
      aria-label="Event detail"
    >
      <div className="flex items-center justify-between">
        <h2 className="font-semibold">
          {event.event} {event.seq !== undefined ? `· seq ${event.seq}` : "· no seq"}
        </h2>
        <button
          type="button"
          onClick={onClose}
          className="rounded px-2 py-0.5 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          Close
        </button>
      </div>
      <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5">
        <dt className="text-slate-500">producer</dt>
        <dd>
          {event.identity.label} <span className="text-slate-500">(resolved by {event.identity.rule})</span>
        </dd>
        <dt className="text-slate-500">stream seq</dt>
        <dd className="tabular-nums">{event.streamSeq}</dd>
        <dt className="text-slate-500">delivery count</dt>
        <dd className="tabular-nums">{event.deliveryCount}</dd>
        <dt className="text-slate-500">received</dt>
        <dd className="tabular-nums">{formatDateTime(event.receivedMs)}</dd>
      </dl>
      <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 font-mono text-xs dark:bg-slate-900">
        {prettyRaw(event.raw)}
      </pre>
    </section>
  );
}

function prettyRaw(raw: Uint8Array): string {
  const text = showBytes(raw, 20_000);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
