"use client";

import { useEffect, useRef } from "react";
import { useTraceUrl } from "@/hooks/use-trace-url";
import { CONTRACT_FIELDS, type AuditEvent, type Malformed } from "@/lib/audit";
import { formatDateTime, showBytes } from "@/lib/format";
import { traceUrlFor, type TraceUrlTemplate } from "@/lib/links/trace-url";
import { partitionNeighbours, type TimelineModel } from "@/lib/timeline/timeline-model";
import { visible, visibleValue } from "@/lib/text/visible";

export interface EventDetailProps {
  model: TimelineModel;
  mark: number;
  onClose(): void;
  onGo(mark: number): void;
}

/** Everything about one message: every field, the raw JSON as received, delivery facts, its partition neighbours. */
export function EventDetail({ model, mark, onClose, onGo }: EventDetailProps) {
  const rec = model.marks.records[mark];
  const closeRef = useRef<HTMLButtonElement>(null);
  const traceUrl = useTraceUrl();
  useEffect(() => closeRef.current?.focus({ preventScroll: true }), [mark]);
  if (!rec) return null;
  const { prev, next } = partitionNeighbours(model, mark);
  const partition = model.partitions[model.marks.partition[mark] ?? -1];
  const describe = (mk: number | undefined) => {
    const r = mk === undefined ? undefined : model.marks.records[mk];
    return r?.kind === "event" ? visible(`${r.event}${r.seq !== undefined ? ` · seq ${r.seq}` : ""}`) : "";
  };
  return (
    <section
      className="flex h-full flex-col rounded border border-slate-200 text-sm dark:border-slate-800"
      data-testid="event-detail"
      data-stream-seq={rec.streamSeq}
      aria-label="Event detail"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header className="flex items-start justify-between gap-2 border-b border-slate-200 p-2 dark:border-slate-800">
        <h2 className="font-semibold break-all">
          {rec.kind === "event" ? (
            <>
              {visible(rec.event)}{" "}
              <span className="font-normal text-slate-500">{rec.seq !== undefined ? `seq ${rec.seq}` : "no seq"}</span>
            </>
          ) : (
            <span className="text-red-700 dark:text-red-300">malformed message</span>
          )}
        </h2>
        <button
          ref={closeRef}
          type="button"
          onClick={onClose}
          className="shrink-0 rounded px-2 py-0.5 text-slate-500 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:hover:bg-slate-800"
          aria-label="Close detail (Esc)"
        >
          Close
        </button>
      </header>
      <div className="min-h-0 flex-1 space-y-2 overflow-y-auto p-2">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 text-xs">
          {rec.kind === "event" && (
            <>
              <dt className="text-slate-500">producer</dt>
              <dd className="break-all">
                {visible(rec.identity.label)} <span className="text-slate-500">(by {visible(rec.identity.rule)})</span>
              </dd>
            </>
          )}
          <dt className="text-slate-500">stream seq</dt>
          <dd className="tabular-nums" data-testid="detail-stream-seq">
            {rec.streamSeq}
          </dd>
          <dt className="text-slate-500">delivery count</dt>
          <dd className="tabular-nums">{rec.deliveryCount}</dd>
          <dt className="text-slate-500">received</dt>
          <dd className="tabular-nums">{rec.receivedMs > 0 ? formatDateTime(rec.receivedMs) : "— (file)"}</dd>
          <dt className="text-slate-500">subject</dt>
          <dd className="break-all">{visible(rec.subject)}</dd>
          {rec.kind === "malformed" && (
            <>
              <dt className="text-slate-500">reason</dt>
              <dd className="text-red-700 dark:text-red-300">{visible(rec.reason)}</dd>
            </>
          )}
          {partition && (
            <>
              <dt className="text-slate-500">partition</dt>
              <dd className="font-mono break-all">
                {partition.noKey ? "(no key)" : visible(JSON.stringify(partition.values))}
              </dd>
            </>
          )}
        </dl>
        {rec.kind === "event" && (
          <nav className="flex gap-2 text-xs" aria-label="Same partition">
            <NavButton
              label="← previous in partition"
              mark={prev}
              hint={describe(prev)}
              onGo={onGo}
              testid="detail-prev"
            />
            <NavButton label="next in partition →" mark={next} hint={describe(next)} onGo={onGo} testid="detail-next" />
          </nav>
        )}
        {rec.kind === "event" && <Fields event={rec} traceUrl={traceUrl} />}
        <div>
          <h3 className="text-xs font-semibold text-slate-500">raw, as received</h3>
          <pre
            className="mt-1 max-h-80 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px] whitespace-pre-wrap break-all dark:bg-slate-900"
            data-testid="detail-raw"
          >
            {prettyRaw(rec)}
          </pre>
        </div>
      </div>
    </section>
  );
}

function NavButton(props: { label: string; mark?: number; hint: string; onGo(mark: number): void; testid: string }) {
  const { label, mark, hint, onGo, testid } = props;
  return (
    <button
      type="button"
      disabled={mark === undefined}
      onClick={() => mark !== undefined && onGo(mark)}
      className="flex-1 rounded border border-slate-300 px-2 py-1 text-left hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none disabled:opacity-40 dark:border-slate-700 dark:hover:bg-slate-800"
      data-testid={testid}
    >
      <div>{label}</div>
      <div className="truncate text-slate-500">{mark === undefined ? "none" : hint}</div>
    </button>
  );
}

/**
 * Every field the event carried: the contract's in contract order, then the unknown ones, kept verbatim.
 * With a trace URL configured, a trace id that is one (lib/links/trace-url.ts) links to its trace.
 */
function Fields({ event, traceUrl }: { event: AuditEvent; traceUrl: TraceUrlTemplate | undefined }) {
  const traceHref = traceUrl === undefined ? undefined : traceUrlFor(traceUrl, event);
  const rows: [string, unknown, boolean][] = [];
  const fields = event as unknown as Record<string, unknown>;
  for (const f of Object.keys(CONTRACT_FIELDS)) if (fields[f] !== undefined) rows.push([f, fields[f], false]);
  for (const [k, v] of Object.entries(event.unknown)) rows.push([k, v, true]);
  return (
    <table className="w-full text-xs" data-testid="detail-fields">
      <tbody>
        {rows.map(([k, v, unknown]) => (
          <tr key={k} className="border-t border-slate-100 align-top dark:border-slate-800">
            <th className="py-0.5 pr-2 text-left font-mono font-normal whitespace-nowrap text-slate-500">
              {visible(k)}
              {unknown && <span title="not in the contract"> *</span>}
            </th>
            <td className="py-0.5 font-mono break-all">
              {visibleValue(v)}
              {k === "trace_id" && !unknown && traceHref !== undefined && traceUrl !== undefined && (
                <a
                  href={traceHref}
                  target="_blank"
                  rel="noopener noreferrer"
                  title={traceHref}
                  className="block font-sans break-normal wrap-break-word text-sky-700 underline hover:text-sky-900 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:text-sky-400 dark:hover:text-sky-300"
                  data-testid="trace-link"
                >
                  Open trace in {visible(traceUrl.host)} <span aria-hidden>↗</span>
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The bytes exactly as they came off the stream, not re-serialised: field order and spacing are evidence. */
function prettyRaw(rec: AuditEvent | Malformed): string {
  return visible(showBytes(rec.raw, 20_000), { keepLineBreaks: true });
}
