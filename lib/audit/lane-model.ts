// Rows of the execution timeline: one lane per resolved producer. Pure, so the
// view memoises it on (events, analysis) and tests pin it down.

import type { Analysis } from "./anomaly";
import { isWorkflowEvent } from "./event-kinds";
import type { AuditEvent, ProducerIdentity } from "./types";

export interface Lane {
  producer: ProducerIdentity;
  /** Stream-sequence order, as given. */
  events: AuditEvent[];
  /** Anomalies that involve at least one of this lane's events (each counted once per lane). */
  anomalyCount: number;
  firstTsMs: number;
  lastTsMs: number;
}

/** What the lane order reads about one producer's events in a run. */
export interface LaneOrderKey {
  /** The orchestrator: see leadsLane. */
  leads: boolean;
  /** Earliest ts of its events (the producer's clock). */
  firstTsMs: number;
  /** Lowest stream sequence of its events. */
  firstStreamSeq: number;
}

/**
 * Whether a producer's lane leads, from one of its events: its identity rule named it
 * the orchestrator, or it emits workflow_* events (so it is one whatever rule named it;
 * `workflowEvent` is isWorkflowEvent of the event, which the ingest has as a row flag).
 * A lane leads once any of its events does.
 */
export function leadsLane(identity: ProducerIdentity, workflowEvent: boolean): boolean {
  return identity.orchestrator || workflowEvent;
}

/** The lane order, for Array.prototype.sort: orchestrator lanes first, then by first event ts, then stream sequence. */
export function compareLanes(a: LaneOrderKey, b: LaneOrderKey): number {
  return Number(b.leads) - Number(a.leads) || a.firstTsMs - b.firstTsMs || a.firstStreamSeq - b.firstStreamSeq;
}

interface LaneDraft extends Lane, LaneOrderKey {}

/** One lane per producer, in compareLanes order. */
export function buildLanes(events: readonly AuditEvent[], analysis?: Analysis): Lane[] {
  const byId = new Map<string, LaneDraft>();
  // Only anomaly counting needs to find a lane by stream sequence.
  const laneOfStreamSeq = analysis === undefined ? undefined : new Map<number, LaneDraft>();
  // A producer's events come in runs: the previous event's lane is the likeliest, and needs no lookup.
  let last: LaneDraft | undefined;
  for (const ev of events) {
    let lane = last !== undefined && last.producer === ev.identity ? last : byId.get(ev.identity.id);
    if (lane === undefined) {
      lane = {
        producer: ev.identity,
        events: [],
        anomalyCount: 0,
        firstTsMs: ev.tsMs,
        lastTsMs: ev.tsMs,
        firstStreamSeq: ev.streamSeq,
        leads: false,
      };
      byId.set(ev.identity.id, lane);
    }
    last = lane;
    lane.events.push(ev);
    if (ev.tsMs < lane.firstTsMs) lane.firstTsMs = ev.tsMs;
    if (ev.tsMs > lane.lastTsMs) lane.lastTsMs = ev.tsMs;
    if (ev.streamSeq < lane.firstStreamSeq) lane.firstStreamSeq = ev.streamSeq;
    if (!lane.leads && leadsLane(ev.identity, isWorkflowEvent(ev.event))) lane.leads = true;
    laneOfStreamSeq?.set(ev.streamSeq, lane);
  }
  if (analysis !== undefined && laneOfStreamSeq !== undefined) {
    const touched = new Set<LaneDraft>();
    for (const a of analysis.anomalies) {
      touched.clear();
      for (const s of a.streamSeqs) {
        const lane = laneOfStreamSeq.get(s);
        if (lane !== undefined) touched.add(lane);
      }
      for (const lane of touched) lane.anomalyCount++;
    }
  }
  return [...byId.values()].sort(compareLanes).map(({ producer, events: evs, anomalyCount, firstTsMs, lastTsMs }) => ({
    producer,
    events: evs,
    anomalyCount,
    firstTsMs,
    lastTsMs,
  }));
}
