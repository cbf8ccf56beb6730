// The boundary: bytes + delivery metadata in, AuditEvent or Malformed out.
// Never throws. Hot path: it runs once per message, so the common case (a JSON
// object with only contract fields) reuses the object JSON.parse built instead
// of copying ~20 fields into a fresh one.

import { findJsonSyntaxError } from "./json-error";
import { DEFAULT_PRODUCER_RULES, resolveProducer } from "./producer";
import { parseRfc3339 } from "./rfc3339";
import type { AuditEvent, AuditFields, Malformed, ParsedMessage, ProducerRule, RawMessage } from "./types";

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Shared by every event without unknown fields; frozen so nobody writes into it. */
const NO_UNKNOWN: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

type FieldType = "string" | "seq" | "number" | "boolean" | "object" | "ts" | "event";

/** Every contract field and the type the contract gives it. */
export const CONTRACT_FIELDS: Readonly<Record<keyof AuditFields, FieldType>> = Object.freeze({
  ts: "ts",
  event: "event",
  schema_version: "string",
  seq: "seq",
  correlation_id: "string",
  task_id: "string",
  workflow_id: "string",
  workflow_execution_id: "string",
  stage_id: "string",
  step_id: "string",
  invocation_caller: "string",
  org_id: "string",
  workspace_id: "string",
  entity_type: "string",
  entity_id: "string",
  producer: "string",
  source: "string",
  model: "string",
  provider: "string",
  input_tokens: "number",
  output_tokens: "number",
  tokens_unavailable: "boolean",
  duration_ms: "number",
  request_id: "string",
  trace_id: "string",
  span_id: "string",
  prev_hash: "string",
  kid: "string",
  sigp: "string",
  sig: "string",
  fields: "object",
});

// A Map rather than `key in CONTRACT_FIELDS`: a wire key like "toString" or
// "__proto__" must not be mistaken for a contract field through the prototype.
const FIELD_TYPES = new Map<string, FieldType>(Object.entries(CONTRACT_FIELDS) as [string, FieldType][]);

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** The seq literal as written, so `1e300` is not reported as `1e+300`. */
function seqLiteral(text: string, v: unknown): string {
  const m = /"seq"\s*:\s*(-?[0-9][0-9.eE+-]*)/.exec(text);
  return m?.[1] ?? show(v);
}

/** Why `v` is not acceptable for `field`, or undefined when it is. */
function checkField(field: string, type: FieldType, v: unknown, text: string): string | undefined {
  switch (type) {
    case "string":
      return typeof v === "string" ? undefined : `${field} must be a string, got ${show(v)}`;
    case "number":
      return typeof v === "number" && Number.isFinite(v) ? undefined : `${field} must be a number, got ${show(v)}`;
    case "boolean":
      return typeof v === "boolean" ? undefined : `${field} must be true or false, got ${show(v)}`;
    case "object":
      return jsonType(v) === "object" ? undefined : `${field} must be an object, got ${jsonType(v)}`;
    case "seq":
      if (typeof v === "number" && Number.isInteger(v) && v >= 1) {
        return v <= Number.MAX_SAFE_INTEGER ? undefined : `seq ${seqLiteral(text, v)} is beyond 2^53`;
      }
      if (typeof v === "number" && v > Number.MAX_SAFE_INTEGER) return `seq ${seqLiteral(text, v)} is beyond 2^53`;
      return `seq must be a positive integer, got ${typeof v === "number" ? seqLiteral(text, v) : show(v)}`;
    case "ts":
      return typeof v === "string" ? undefined : `ts must be a string, got ${show(v)}`;
    case "event":
      return typeof v === "string" && v.length > 0 ? undefined : `event must be a non-empty string, got ${show(v)}`;
  }
}

// Consecutive events very often carry the same second-precision ts.
let lastTs = "";
let lastTsMs = 0;

/** `ts` as ms since epoch, or undefined when it is not RFC 3339. */
export function tsToMs(ts: string): number | undefined {
  if (ts === lastTs) return lastTsMs;
  const ms = parseRfc3339(ts);
  if (ms !== undefined) {
    lastTs = ts;
    lastTsMs = ms;
  }
  return ms;
}

function notJsonReason(text: string): string {
  return `not JSON: ${findJsonSyntaxError(text).message}`;
}

function malformed(msg: RawMessage, reason: string, obj?: Record<string, unknown>): Malformed {
  const m: Malformed = {
    kind: "malformed",
    streamSeq: msg.streamSeq,
    receivedMs: msg.receivedMs,
    deliveryCount: msg.deliveryCount,
    subject: msg.subject,
    raw: msg.data,
    reason,
  };
  const x = obj?.workflow_execution_id;
  if (typeof x === "string" && x.length > 0) m.workflow_execution_id = x;
  const c = obj?.correlation_id;
  if (typeof c === "string" && c.length > 0) m.correlation_id = c;
  return m;
}

/**
 * Parses one message. Contract fields are type-checked (a wrong type makes the
 * message Malformed, as the contract asks); `null` on an optional field counts
 * as absent, because Go producers without `omitempty` write it. Fields outside
 * the contract land in `unknown` (a null-prototype object, so `__proto__` and
 * `constructor` keys are plain data).
 */
export function parseMessage(
  msg: RawMessage,
  rules: readonly ProducerRule[] = DEFAULT_PRODUCER_RULES,
  /** The caller found the bytes are no JSON text (json-scan's notJson): JSON.parse need not throw to say so. */
  notJson = false,
): ParsedMessage {
  let text: string;
  try {
    text = decoder.decode(msg.data);
  } catch {
    return malformed(msg, "not UTF-8");
  }
  if (text.length === 0) return malformed(msg, "empty message");
  if (notJson) return malformed(msg, notJsonReason(text));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return malformed(msg, notJsonReason(text));
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return malformed(msg, `JSON ${jsonType(parsed)}, expected object`);
  }
  const o = parsed as Record<string, unknown>;

  let hasUnknown = false;
  let hasTs = false;
  let hasEvent = false;
  for (const k in o) {
    const type = FIELD_TYPES.get(k);
    if (type === undefined) {
      hasUnknown = true;
      continue;
    }
    const v = o[k];
    if (type === "ts") hasTs = true;
    else if (type === "event") hasEvent = true;
    else if (v === null) {
      o[k] = undefined;
      continue;
    }
    const err = checkField(k, type, v, text);
    if (err !== undefined) return malformed(msg, err, o);
  }
  if (!hasTs) return malformed(msg, "ts is missing", o);
  if (!hasEvent) return malformed(msg, "event is missing", o);
  const tsMs = tsToMs(o.ts as string);
  if (tsMs === undefined) return malformed(msg, `ts is not RFC 3339: ${show(o.ts)}`, o);

  const fields = o as unknown as AuditFields;
  const identity = resolveProducer(fields, rules);
  let ev: AuditEvent;
  if (!hasUnknown) {
    ev = o as unknown as AuditEvent;
    ev.unknown = NO_UNKNOWN;
  } else {
    // Unknown wire keys may be named like our own fields (`kind`, `raw`), so
    // they cannot stay on the event object; copy the contract fields instead.
    const unknown = Object.create(null) as Record<string, unknown>;
    const fresh: Record<string, unknown> = {};
    for (const k in o) {
      if (FIELD_TYPES.has(k)) fresh[k] = o[k];
      else unknown[k] = o[k];
    }
    // A wire key "__proto__" is an own data property of `o`; for-in sees it and
    // the null-prototype `unknown` stores it as data. Keys that for-in skips
    // cannot exist on a JSON.parse result.
    ev = fresh as unknown as AuditEvent;
    ev.unknown = unknown;
  }
  ev.kind = "event";
  ev.streamSeq = msg.streamSeq;
  ev.receivedMs = msg.receivedMs;
  ev.deliveryCount = msg.deliveryCount;
  ev.subject = msg.subject;
  ev.raw = msg.data;
  ev.tsMs = tsMs;
  ev.identity = identity;
  return ev;
}
