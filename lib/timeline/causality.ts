// Clock skew must not hide causality: an agent's invocation is caused by the
// orchestrator's workflow_step_started for its (stage, step), so when the
// agent's first event carries an earlier ts than that cause, the two clocks
// disagree. Not an anomaly of the seq analysis, a fact the view points out.

import { isWorkflowEvent, leadsLane, type AuditEvent } from "../audit";

export interface CausalitySkew {
  /** Stream sequence of the orchestrator's workflow_step_started. */
  cause: number;
  /** Stream sequence of the agent invocation's first event (by ts). */
  effect: number;
  /** How much earlier the effect's ts is than the cause's, ms (> 0). */
  deltaMs: number;
  producer: string;
  stepId: string;
}

const STEP_STARTED = "workflow_step_started";

/** Same producer, stage and step (the correlation is already the same). */
function sameInvocation(a: AuditEvent, b: AuditEvent): boolean {
  return a.step_id === b.step_id && a.identity.id === b.identity.id && (a.stage_id ?? "") === (b.stage_id ?? "");
}

/** Every invocation whose first event precedes, by ts, the step start that caused it. */
export function findCausalitySkews(events: readonly AuditEvent[]): CausalitySkew[] {
  const causes = new Map<string, AuditEvent>();
  // First event by ts of each (producer, correlation, stage, step). An invocation's events share one
  // correlation id, so a map by correlation and a short list per id: one lookup per event (none while
  // the correlation repeats), no string built. Events without one (rare) are keyed by the rest, spelled
  // out. One pass over the events, since reading a field of 100 000 parsed objects is most of the cost.
  const byCorrelation = new Map<string, AuditEvent[]>();
  const uncorrelated = new Map<string, AuditEvent[]>();
  let lastCorr: string | undefined;
  let lastList: AuditEvent[] = [];
  for (const e of events) {
    const step = e.step_id;
    if (step === undefined) continue;
    const name = e.event;
    if (name === STEP_STARTED) {
      const k = `${e.workflow_execution_id ?? ""}\u0000${e.stage_id ?? ""}\u0000${step}`;
      // Earliest on the stream wins: a retried step keeps its first start.
      const had = causes.get(k);
      if (had === undefined || e.streamSeq < had.streamSeq) causes.set(k, e);
    }
    if (leadsLane(e.identity, isWorkflowEvent(name))) continue; // the orchestrator causes, never is caused
    const corr = e.correlation_id;
    let list: AuditEvent[] | undefined;
    if (corr !== undefined && corr !== "") {
      if (corr === lastCorr) list = lastList;
      else {
        list = byCorrelation.get(corr);
        if (list === undefined) byCorrelation.set(corr, (list = []));
        lastCorr = corr;
        lastList = list;
      }
    } else {
      const k = `${e.identity.id}\u0000${e.stage_id ?? ""}\u0000${step}`;
      list = uncorrelated.get(k);
      if (list === undefined) uncorrelated.set(k, (list = []));
    }
    let k = 0;
    while (k < list.length && !sameInvocation(list[k] as AuditEvent, e)) k++;
    const had = list[k];
    if (had === undefined) list.push(e);
    else if (e.tsMs < had.tsMs || (e.tsMs === had.tsMs && e.streamSeq < had.streamSeq)) list[k] = e;
  }
  if (causes.size === 0) return [];
  const out: CausalitySkew[] = [];
  for (const m of [byCorrelation, uncorrelated])
    for (const list of m.values())
      for (const e of list) {
        const cause = causes.get(`${e.workflow_execution_id ?? ""}\u0000${e.stage_id ?? ""}\u0000${e.step_id ?? ""}`);
        if (cause === undefined || e.tsMs >= cause.tsMs) continue;
        out.push({
          cause: cause.streamSeq,
          effect: e.streamSeq,
          deltaMs: cause.tsMs - e.tsMs,
          producer: e.identity.id,
          stepId: e.step_id ?? "",
        });
      }
  return out.sort((a, b) => a.effect - b.effect);
}
