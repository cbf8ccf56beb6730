// The ingest fast path. parseMessage() builds an AuditEvent per message; the
// AuditLog keeps no per-event object, so it checks the JSON.parse result here
// and takes out only what its columns need. It accepts exactly the messages
// parseMessage() turns into events (same checks; only the verdict matters, not
// which check failed first); anything else goes through parseMessage() for the
// exact Malformed reason.

import { tsToMs } from "./parse";
import type { AuditEvent, AuditFields } from "./types";

/** The fields the log's columns and execution summaries read. Reused between calls. */
export interface Scanned {
  tsMs: number;
  event: string;
  /** 0: none. */
  seq: number;
  workflow_execution_id: string | undefined;
  workflow_id: string | undefined;
  correlation_id: string | undefined;
  task_id: string | undefined;
  entity_type: string | undefined;
  entity_id: string | undefined;
  producer: string | undefined;
  source: string | undefined;
  prev_hash: string | undefined;
  /** fields.status (a run that ends badly says so there). */
  status: unknown;
}

export function newScanned(): Scanned {
  return {
    tsMs: 0,
    event: "",
    seq: 0,
    workflow_execution_id: undefined,
    workflow_id: undefined,
    correlation_id: undefined,
    task_id: undefined,
    entity_type: undefined,
    entity_id: undefined,
    producer: undefined,
    source: undefined,
    prev_hash: undefined,
    status: undefined,
  };
}

/** A JSON.parse result, seen through the contract's field names (a misspelt name does not compile). */
type Wire = { readonly [K in keyof AuditFields]?: unknown };

function optString(v: unknown): boolean {
  return v === undefined || v === null || typeof v === "string";
}

function optNumber(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "number" && Number.isFinite(v));
}

/** A string field's value; null (Go without omitempty) and absent are both undefined. */
function value(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Fills `out` from a JSON.parse result and says whether parseMessage() would
 * accept it as an event. Not on the ingest path any more (what scanBytes
 * refuses goes to parseMessage + scanEvent): the reference scanBytes is
 * differential-tested against (json-scan.test.ts). Every contract field is read by name (31 named loads
 * are several times cheaper than a for-in over the keys with a lookup each);
 * fields outside the contract are never checked, so they need no visit.
 */
export function scanParsed(obj: object, out: Scanned): boolean {
  const o = obj as Wire;
  const ts = o.ts;
  const event = o.event;
  if (typeof ts !== "string" || typeof event !== "string" || event.length === 0) return false;
  const seq = o.seq;
  if (seq !== undefined && seq !== null) {
    if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 1 || seq > Number.MAX_SAFE_INTEGER) return false;
  }
  const x = o.workflow_execution_id;
  const workflow = o.workflow_id;
  const corr = o.correlation_id;
  const task = o.task_id;
  const entityType = o.entity_type;
  const entityId = o.entity_id;
  const producer = o.producer;
  const source = o.source;
  const prev = o.prev_hash;
  if (
    !optString(x) ||
    !optString(workflow) ||
    !optString(corr) ||
    !optString(task) ||
    !optString(entityType) ||
    !optString(entityId) ||
    !optString(producer) ||
    !optString(source) ||
    !optString(prev) ||
    !optString(o.schema_version) ||
    !optString(o.stage_id) ||
    !optString(o.step_id) ||
    !optString(o.invocation_caller) ||
    !optString(o.org_id) ||
    !optString(o.workspace_id) ||
    !optString(o.model) ||
    !optString(o.provider) ||
    !optString(o.request_id) ||
    !optString(o.trace_id) ||
    !optString(o.span_id) ||
    !optString(o.kid) ||
    !optString(o.sigp) ||
    !optString(o.sig) ||
    !optNumber(o.input_tokens) ||
    !optNumber(o.output_tokens) ||
    !optNumber(o.duration_ms)
  ) {
    return false;
  }
  const tu = o.tokens_unavailable;
  if (tu !== undefined && tu !== null && typeof tu !== "boolean") return false;
  const fields = o.fields;
  if (fields !== undefined && fields !== null && (typeof fields !== "object" || Array.isArray(fields))) return false;
  const tsMs = tsToMs(ts);
  if (tsMs === undefined) return false;
  out.tsMs = tsMs;
  out.event = event;
  out.seq = typeof seq === "number" ? seq : 0;
  out.workflow_execution_id = value(x);
  out.workflow_id = value(workflow);
  out.correlation_id = value(corr);
  out.task_id = value(task);
  out.entity_type = value(entityType);
  out.entity_id = value(entityId);
  out.producer = value(producer);
  out.source = value(source);
  out.prev_hash = value(prev);
  out.status = typeof fields === "object" && fields !== null ? (fields as Record<string, unknown>).status : undefined;
  return true;
}

/** The same fields from an event parseMessage() built. */
export function scanEvent(e: AuditEvent, out: Scanned): void {
  out.tsMs = e.tsMs;
  out.event = e.event;
  out.seq = e.seq ?? 0;
  out.workflow_execution_id = e.workflow_execution_id;
  out.workflow_id = e.workflow_id;
  out.correlation_id = e.correlation_id;
  out.task_id = e.task_id;
  out.entity_type = e.entity_type;
  out.entity_id = e.entity_id;
  out.producer = e.producer;
  out.source = e.source;
  out.prev_hash = e.prev_hash;
  out.status = e.fields?.status;
}
