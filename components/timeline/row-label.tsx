"use client";

import { memo, useEffect, useRef, type RefObject } from "react";
import { clockLabel } from "@/lib/timeline/axis";
import type { Lane } from "@/lib/audit";
import { describeSharedTraces, type SharedTrace } from "@/lib/timeline/shared-traces";
import type { TimelineModel, TimelineRow } from "@/lib/timeline/timeline-model";
import { visible } from "@/lib/text/visible";

export interface RowLabelProps {
  model: TimelineModel;
  row: TimelineRow;
  width: number;
  /** Traces this lane's producer shares with other lanes; undefined or empty: none. */
  sharedTraces?: readonly SharedTrace[];
  /** Render the lane's screen-reader event list (deferred until the first paint is on screen, then built when idle). */
  withList: boolean;
  onToggle(laneKey: string, expanded: boolean): void;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Items of a screen-reader list of the lane's events, one `event-mark` item per
 * event, as HTML: thousands of list items would cost React a node each, the HTML
 * parser little.
 */
function eventItemsHtml(events: Lane["events"], from: number, to: number): string {
  let html = "";
  for (let i = from; i < to; i++) {
    const e = events[i] as Lane["events"][number];
    html += `<li data-testid="event-mark" data-stream-seq="${e.streamSeq}">${escapeHtml(visible(e.event))}, ${
      e.seq === undefined ? "no seq" : `seq ${e.seq}`
    }, ${clockLabel(e.tsMs, true)}</li>`;
  }
  return html;
}

function partitionLabel(row: TimelineRow): string {
  const p = row.partition;
  if (!p) return "(partition)";
  if (p.noKey) return "(no key: a key field is missing)";
  // Cut by code point (a cut pair would be a lone surrogate), marked after the cut (a cut mark would read as text).
  const vals = Object.values(p.values).map((v) => {
    const cps = Array.from(v);
    return visible(cps.length > 14 ? `${cps.slice(0, 6).join("")}…${cps.slice(-6).join("")}` : v);
  });
  return vals.join(" · ");
}

interface IdleDeadlineLike {
  timeRemaining(): number;
}

/** Runs `work` when the main thread is idle (soon after at the latest); returns a cancel. */
function whenIdle(work: (deadline: IdleDeadlineLike) => void): () => void {
  if (typeof requestIdleCallback === "function") {
    const id = requestIdleCallback(work, { timeout: 2_000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(() => {
    const end = performance.now() + 8;
    work({ timeRemaining: () => end - performance.now() });
  }, 50);
  return () => clearTimeout(id);
}

/** Items per insertion: a few milliseconds of HTML parsing, so a list never holds up a frame. */
const LIST_CHUNK = 200;

/** How much of a lane's list is in the DOM: its first `count` events, the last of them `last`. */
interface ListState {
  producer: string;
  count: number;
  last: Lane["events"][number] | undefined;
}

/**
 * Fills `ol` with the lane's screen-reader list in idle moments, a chunk at a
 * time, so that even 100 000 items never cost a frame. A lane whose events only
 * grew (live) gets the new ones appended; any other change starts it again.
 */
function useEventList(ref: RefObject<HTMLOListElement | null>, lane: Lane | undefined, wanted: boolean): void {
  const state = useRef<ListState | undefined>(undefined);
  useEffect(() => {
    const ol = ref.current;
    if (!ol) return;
    if (!wanted || lane === undefined) {
      if (state.current !== undefined) ol.replaceChildren();
      state.current = undefined;
      return;
    }
    const events = lane.events;
    const had = state.current;
    const continues =
      had !== undefined &&
      had.producer === lane.producer.id &&
      had.count <= events.length &&
      (had.count === 0 || events[had.count - 1] === had.last);
    if (!continues) {
      ol.replaceChildren();
      state.current = { producer: lane.producer.id, count: 0, last: undefined };
    }
    let cancel = () => {};
    const step = (deadline: IdleDeadlineLike) => {
      const s = state.current as ListState;
      do {
        const to = Math.min(events.length, s.count + LIST_CHUNK);
        ol.insertAdjacentHTML("beforeend", eventItemsHtml(events, s.count, to));
        s.count = to;
        s.last = events[to - 1];
      } while (s.count < events.length && deadline.timeRemaining() > 4);
      if (s.count < events.length) cancel = whenIdle(step);
    };
    if ((state.current as ListState).count < events.length) cancel = whenIdle(step);
    return () => cancel();
  }, [ref, lane, wanted]);
}

/** The label of one row: producer identity, how it was resolved, counts; sub-lanes show their partition. */
export const RowLabel = memo(function RowLabel({ model, row, width, sharedTraces, withList, onToggle }: RowLabelProps) {
  const style = { position: "absolute", top: row.top, left: 0, width, height: row.height } as const;
  const lane = row.laneIndex >= 0 ? model.lanes[row.laneIndex] : undefined;
  const listRef = useRef<HTMLOListElement>(null);
  useEventList(listRef, lane, withList && row.kind !== "partition");

  if (row.kind === "malformed") {
    return (
      <div
        style={style}
        className="flex flex-col justify-center border-r border-b border-slate-200 bg-red-50/60 px-2 text-xs dark:border-slate-800 dark:bg-red-950/30"
        data-testid="malformed-lane"
        data-count={row.eventCount}
      >
        <span className="font-medium text-red-800 dark:text-red-300">malformed messages</span>
        <span className="text-slate-500">{row.eventCount} · not usable events, reasons on hover</span>
      </div>
    );
  }

  if (row.kind === "partition") {
    const p = row.partition;
    const seqs = p?.minSeq !== undefined ? `seq ${p.minSeq}–${p.maxSeq}` : "no seq";
    return (
      <div
        style={style}
        className="flex flex-col justify-center border-r border-b border-slate-100 pr-2 pl-7 text-[11px] leading-tight dark:border-slate-800/60"
        data-testid="sub-lane"
        data-partition={p?.id}
        title={p ? visible(JSON.stringify(p.values)) : undefined}
      >
        <span className="truncate font-mono text-slate-700 dark:text-slate-300">{partitionLabel(row)}</span>
        <span className="truncate text-slate-500">
          {row.eventCount} ev · {seqs}
          {row.anomalyCount > 0 && (
            <span className="text-red-700 dark:text-red-400">
              {" "}
              · {row.anomalyCount} anomal{row.anomalyCount === 1 ? "y" : "ies"}
            </span>
          )}
        </span>
      </div>
    );
  }

  const producer = row.producer;
  const expandable = row.partitionCount > 1;
  const label = visible(producer?.label ?? "lane");
  return (
    <div
      style={style}
      className="flex items-start gap-1 border-r border-b border-slate-200 px-1.5 py-1 text-xs leading-tight dark:border-slate-800"
      data-testid="lane"
      data-producer-id={producer?.id}
      data-event-count={row.eventCount}
      data-anomaly-count={row.anomalyCount}
      data-expanded={expandable ? row.expanded : undefined}
    >
      {expandable ? (
        <LaneToggle
          laneKey={row.key}
          label={label}
          count={row.partitionCount}
          expanded={row.expanded}
          onToggle={onToggle}
        />
      ) : (
        <span className="w-4 shrink-0" aria-hidden />
      )}
      <div className="min-w-0 flex-1">
        <LaneName
          id={producer?.id}
          label={producer?.label}
          orchestrator={producer?.orchestrator === true}
          shared={
            sharedTraces !== undefined && sharedTraces.length > 0 ? describeSharedTraces(sharedTraces) : undefined
          }
          traceIds={sharedTraces?.map((t) => t.traceId).join(" ")}
        />
        <div className="truncate text-[11px] text-slate-500">
          by {producer && visible(producer.rule)} · <span data-testid="lane-count">{row.eventCount}</span> ev
          {row.anomalyCount > 0 && (
            <span className="text-red-700 dark:text-red-400" data-testid="lane-anomalies">
              {" "}
              · {row.anomalyCount} anomal{row.anomalyCount === 1 ? "y" : "ies"}
            </span>
          )}
          {expandable && ` · ${row.partitionCount} partitions`}
        </div>
      </div>
      <EventList listRef={listRef} label={label} />
    </div>
  );
});

// The parts of a lane's label a live batch does not change, memoised on what they show: a batch re-renders
// the counts alone.

const LaneToggle = memo(function LaneToggle(props: {
  laneKey: string;
  label: string;
  count: number;
  expanded: boolean;
  onToggle(laneKey: string, expanded: boolean): void;
}) {
  const { laneKey, label, count, expanded, onToggle } = props;
  return (
    <button
      type="button"
      className="mt-px h-4 w-4 shrink-0 rounded text-slate-500 hover:bg-slate-200 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:hover:bg-slate-800"
      aria-expanded={expanded}
      aria-label={`${expanded ? "Collapse" : "Expand"} ${count} partitions of ${label}`}
      onClick={() => onToggle(laneKey, !expanded)}
      data-testid="lane-toggle"
    >
      {expanded ? "▾" : "▸"}
    </button>
  );
});

const LaneName = memo(function LaneName(props: {
  id: string | undefined;
  label: string | undefined;
  orchestrator: boolean;
  /** The hover text of the shared-trace marker; undefined: no marker. */
  shared: string | undefined;
  traceIds: string | undefined;
}) {
  const { id, label, orchestrator, shared, traceIds } = props;
  return (
    <div className="flex items-baseline gap-1">
      <span className="truncate font-medium" title={id && visible(id)} data-testid="lane-label">
        {label && visible(label)}
      </span>
      {orchestrator && <span className="shrink-0 text-[10px] text-slate-500">orchestrator</span>}
      {shared !== undefined && <SharedTraceMarker text={shared} traceIds={traceIds ?? ""} />}
    </div>
  );
});

/** The lane's screen-reader list; useEventList fills it. */
const EventList = memo(function EventList({
  listRef,
  label,
}: {
  listRef: RefObject<HTMLOListElement | null>;
  label: string;
}) {
  return (
    // Off-screen rather than clipped, with content-visibility, so thousands of items cost no layout until read.
    <ol
      className="absolute top-0 -left-[100000px] h-px w-px overflow-hidden whitespace-nowrap [contain-intrinsic-size:1px_1px] [content-visibility:auto]"
      aria-label={`Events of ${label}`}
      ref={listRef}
    />
  );
});

/** A lane whose events share a trace with other lanes: the hover says which trace and with how many. */
function SharedTraceMarker({ text, traceIds }: { text: string; traceIds: string }) {
  return (
    <span
      role="img"
      aria-label={text}
      title={text}
      className="shrink-0 rounded bg-sky-100 px-1 text-[10px] text-sky-800 dark:bg-sky-950 dark:text-sky-300"
      data-testid="lane-shared-trace"
      data-trace-ids={traceIds}
    >
      ⇄ trace
    </span>
  );
}
