// Clock skew must not hide causality: an agent's invocation is caused by the
// orchestrator's workflow_step_started for its (stage, step), so when the
// agent's first event carries an earlier ts than that cause, the two clocks
// disagree. Not an anomaly of the seq analysis, a fact the view points out.

import type { AuditEvent } from "../audit";

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

/** Every invocation whose first event precedes, by ts, the step start that caused it. */
export function findCausalitySkews(events: readonly AuditEvent[]): CausalitySkew[] {
  const causes = new Map<string, AuditEvent>();
  for (const e of events) {
    if (e.event !== STEP_STARTED || e.step_id === undefined) continue;
    const k = `${e.workflow_execution_id ?? ""}\u0000${e.stage_id ?? ""}\u0000${e.step_id}`;
    // Earliest on the stream wins: a retried step keeps its first start.
    const had = causes.get(k);
    if (had === undefined || e.streamSeq < had.streamSeq) causes.set(k, e);
  }
  if (causes.size === 0) return [];
  const firstOfInvocation = new Map<string, AuditEvent>();
  for (const e of events) {
    if (e.step_id === undefined || e.event.startsWith("workflow_") || e.identity.orchestrator) continue;
    const inv = `${e.identity.id}\u0000${e.correlation_id ?? ""}\u0000${e.stage_id ?? ""}\u0000${e.step_id}`;
    const had = firstOfInvocation.get(inv);
    if (had === undefined || e.tsMs < had.tsMs || (e.tsMs === had.tsMs && e.streamSeq < had.streamSeq))
      firstOfInvocation.set(inv, e);
  }
  const out: CausalitySkew[] = [];
  for (const e of firstOfInvocation.values()) {
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
