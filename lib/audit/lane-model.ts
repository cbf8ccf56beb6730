// Rows of the execution timeline: one lane per resolved producer. Pure, so the
// view memoises it on (events, analysis) and tests pin it down.

import type { Analysis } from "./anomaly";
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

interface LaneDraft extends Lane {
  firstStreamSeq: number;
  /** Emits workflow_* events, so it is the orchestrator whatever rule named it. */
  leads: boolean;
}

/** Orchestrator lanes first, then by first event ts (then stream sequence). */
export function buildLanes(events: readonly AuditEvent[], analysis?: Analysis): Lane[] {
  const byId = new Map<string, LaneDraft>();
  const laneOfStreamSeq = new Map<number, LaneDraft>();
  for (const ev of events) {
    let lane = byId.get(ev.identity.id);
    if (lane === undefined) {
      lane = {
        producer: ev.identity,
        events: [],
        anomalyCount: 0,
        firstTsMs: ev.tsMs,
        lastTsMs: ev.tsMs,
        firstStreamSeq: ev.streamSeq,
        leads: ev.identity.orchestrator,
      };
      byId.set(ev.identity.id, lane);
    }
    lane.events.push(ev);
    if (ev.tsMs < lane.firstTsMs) lane.firstTsMs = ev.tsMs;
    if (ev.tsMs > lane.lastTsMs) lane.lastTsMs = ev.tsMs;
    if (ev.streamSeq < lane.firstStreamSeq) lane.firstStreamSeq = ev.streamSeq;
    if (!lane.leads && ev.event.startsWith("workflow_")) lane.leads = true;
    laneOfStreamSeq.set(ev.streamSeq, lane);
  }
  if (analysis !== undefined) {
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
  return [...byId.values()]
    .sort(
      (a, b) => Number(b.leads) - Number(a.leads) || a.firstTsMs - b.firstTsMs || a.firstStreamSeq - b.firstStreamSeq,
    )
    .map(({ producer, events: evs, anomalyCount, firstTsMs, lastTsMs }) => ({
      producer,
      events: evs,
      anomalyCount,
      firstTsMs,
      lastTsMs,
    }));
}
