"use client";

import { scaleUtc } from "d3";
import { useMemo } from "react";
import type { AuditEvent, Lane } from "@/lib/audit";
import { formatClock } from "@/lib/format";
import { eventCategory, CATEGORY_COLOURS } from "./event-category";

export interface SwimlanesProps {
  lanes: Lane[];
  width: number;
  selected?: number;
  /** Stream sequences involved in an anomaly under the current key: drawn with a red ring. */
  flagged: ReadonlySet<number>;
  onSelect(e: AuditEvent): void;
}

const LABEL_W = 260;
const LANE_H = 44;
const AXIS_H = 28;
const PAD_R = 24;

/** One row per producer, events as marks on a shared UTC time axis, the seq above each mark. */
export function Swimlanes({ lanes, width, selected, flagged, onSelect }: SwimlanesProps) {
  const [t0, t1] = useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const l of lanes) {
      lo = Math.min(lo, l.firstTsMs);
      hi = Math.max(hi, l.lastTsMs);
    }
    // A run of one instant still needs a visible axis.
    return lo === hi ? [lo - 500, hi + 500] : [lo, hi];
  }, [lanes]);
  const plotW = Math.max(200, width - LABEL_W - PAD_R);
  const x = useMemo(() => scaleUtc().domain([t0, t1]).range([0, plotW]), [t0, t1, plotW]);
  const ticks = x.ticks(Math.max(2, Math.floor(plotW / 120)));
  const height = AXIS_H + lanes.length * LANE_H;

  return (
    <svg
      width={width}
      height={height}
      role="img"
      aria-label="Swimlanes, one per producer"
      className="select-none font-sans"
    >
      <g transform={`translate(${LABEL_W},0)`}>
        {ticks.map((t) => (
          <g key={t.getTime()} transform={`translate(${x(t)},0)`}>
            <line y1={AXIS_H - 6} y2={height} className="stroke-slate-200 dark:stroke-slate-800" />
            <text y={AXIS_H - 10} textAnchor="middle" className="fill-slate-500 text-[10px] tabular-nums">
              {formatClock(t.getTime())}
            </text>
          </g>
        ))}
      </g>
      {lanes.map((lane, i) => (
        <g
          key={lane.producer.id}
          transform={`translate(0,${AXIS_H + i * LANE_H})`}
          data-testid="lane"
          data-producer-id={lane.producer.id}
          data-event-count={lane.events.length}
        >
          <rect
            width={width}
            height={LANE_H}
            className={i % 2 ? "fill-slate-50 dark:fill-slate-900/60" : "fill-transparent"}
          />
          <text x={8} y={18} className="fill-current text-[12px] font-medium">
            {truncate(lane.producer.label, 34)}
          </text>
          <text x={8} y={34} className="fill-slate-500 text-[10px]">
            <tspan data-testid="lane-count">{lane.events.length}</tspan> events · by {lane.producer.rule}
            {lane.anomalyCount > 0 ? ` · ${lane.anomalyCount} anomalies` : ""}
          </text>
          <g transform={`translate(${LABEL_W},0)`}>
            {lane.events.map((e) => (
              <EventMark
                key={e.streamSeq}
                event={e}
                cx={x(e.tsMs)}
                cy={LANE_H / 2 + 4}
                selected={selected === e.streamSeq}
                flagged={flagged.has(e.streamSeq)}
                onSelect={onSelect}
              />
            ))}
          </g>
        </g>
      ))}
    </svg>
  );
}

interface EventMarkProps {
  event: AuditEvent;
  cx: number;
  cy: number;
  selected: boolean;
  flagged: boolean;
  onSelect(e: AuditEvent): void;
}

function EventMark({ event, cx, cy, selected, flagged, onSelect }: EventMarkProps) {
  const colour = CATEGORY_COLOURS[eventCategory(event.event)];
  const hasSeq = event.seq !== undefined;
  return (
    <g
      transform={`translate(${cx},${cy})`}
      className="cursor-pointer"
      onClick={() => onSelect(event)}
      data-testid="event-mark"
      data-stream-seq={event.streamSeq}
    >
      <title>{`${event.event}${hasSeq ? ` · seq ${event.seq}` : " · no seq"}\n${event.ts}\nstream seq ${event.streamSeq}`}</title>
      {flagged && <circle r={8} className="fill-none stroke-red-600" strokeWidth={2} />}
      <circle
        r={5}
        fill={hasSeq ? colour : "transparent"}
        stroke={colour}
        strokeWidth={hasSeq ? 1 : 2}
        className={selected ? "stroke-slate-900 dark:stroke-white" : ""}
        style={selected ? { strokeWidth: 3 } : undefined}
      />
      {hasSeq && (
        <text y={-9} textAnchor="middle" className="fill-current text-[9px] tabular-nums">
          {event.seq}
        </text>
      )}
    </g>
  );
}

function truncate(s: string, n: number) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
