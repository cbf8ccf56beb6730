// The event types whose meaning the engine depends on: what ends a run, what ends an
// invocation, what marks the orchestrator. The one place these names live; the
// analysis, the log's summaries, the lanes and the live tracker all ask here.
// Producers that emit them (the simulator, test builders) may spell them out.

/** Every orchestrator lifecycle event starts with this. */
export const WORKFLOW_EVENT_PREFIX = "workflow_";
/** A step of the run begins (the timeline draws causality from it). */
export const WORKFLOW_STEP_STARTED = "workflow_step_started";
/** Assumed name (CONTRACT.md): one step of the run failed; the run may still complete. */
export const STEP_FAILED_EVENT = "workflow_step_failed";
export const WORKFLOW_COMPLETE = "workflow_complete";
export const WORKFLOW_CANCELLED = "workflow_cancelled";
export const INVOCATION_COMPLETE = "invocation_complete";
export const SESSION_END = "session_end";

/** A run (workflow_execution_id) is over once one of these arrives. */
export const RUN_CLOSING_EVENTS = [WORKFLOW_COMPLETE, WORKFLOW_CANCELLED] as const;
/** An invocation (correlation_id) is over once one of these arrives. */
export const INVOCATION_CLOSING_EVENTS = [INVOCATION_COMPLETE, SESSION_END] as const;

/** `fields.status` values by which a completed run says it ended badly (assumed). */
export const FAILED_STATUSES = ["failed", "error"] as const;

/** An orchestrator lifecycle event (`workflow_*`): its producer is the run's orchestrator. */
export function isWorkflowEvent(event: string): boolean {
  // 119 is "w": most events are not the orchestrator's, and this runs once per event.
  return event.charCodeAt(0) === 119 && event.startsWith(WORKFLOW_EVENT_PREFIX);
}

/** The event ends its run: workflow_complete or workflow_cancelled. */
export function closesRun(event: string): boolean {
  return event === WORKFLOW_COMPLETE || event === WORKFLOW_CANCELLED;
}

/** The event ends its invocation: invocation_complete or session_end. */
export function closesInvocation(event: string): boolean {
  return event === INVOCATION_COMPLETE || event === SESSION_END;
}

/** The event says one step of its run failed. */
export function isStepFailure(event: string): boolean {
  return event === STEP_FAILED_EVENT;
}

/** A workflow_complete whose `fields.status` is this ended badly (see FAILED_STATUSES). */
export function statusSaysFailed(status: unknown): boolean {
  return (FAILED_STATUSES as readonly unknown[]).includes(status);
}
