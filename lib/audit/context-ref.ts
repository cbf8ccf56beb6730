// What an event is filed under — its *context*: the workflow run it names
// (workflow_execution_id), else the A2A invocation it names (correlation_id),
// else nothing (a process-level event: policy_loaded, agent_card_published…,
// which the Producers page shows on its process). The log answers per context
// under one string key, so every per-execution answer (summary, analysis,
// events, exports, eviction) serves invocations too. An execution's key is its
// id, so execution links and the index are unchanged; an invocation's key
// starts with a NUL no id is expected to start with, and an execution id that
// does start with one is escaped, so two contexts never share a key. Pure.

export type ContextKind = "execution" | "invocation";

export interface ContextRef {
  kind: ContextKind;
  /** The workflow_execution_id, or the correlation_id. */
  id: string;
}

const NUL = "\u0000";
const INVOCATION = `${NUL}invocation${NUL}`;

/** The log's key for a context. */
export function contextKey(ref: ContextRef): string {
  if (ref.kind === "invocation") return INVOCATION + ref.id;
  return ref.id.startsWith(NUL) ? NUL + ref.id : ref.id;
}

export function invocationKey(correlationId: string): string {
  return INVOCATION + correlationId;
}

/** The context a key names (the inverse of contextKey). */
export function contextOfKey(key: string): ContextRef {
  if (!key.startsWith(NUL)) return { kind: "execution", id: key };
  if (key.startsWith(INVOCATION)) return { kind: "invocation", id: key.slice(INVOCATION.length) };
  return { kind: "execution", id: key.slice(1) };
}

/** The context an event's ids file it under; undefined: a process-level event. */
export function contextOfIds(workflowExecutionId: unknown, correlationId: unknown): ContextRef | undefined {
  if (typeof workflowExecutionId === "string" && workflowExecutionId !== "") {
    return { kind: "execution", id: workflowExecutionId };
  }
  if (typeof correlationId === "string" && correlationId !== "") return { kind: "invocation", id: correlationId };
  return undefined;
}
