// A partition key names the fields whose values make events share one seq
// counter. Which key is right depends on the producers' seq scope (CONTRACT.md,
// "The seq question"), so the user picks it and the engine re-partitions.

import type { AuditEvent } from "./types";

export interface PartitionKey {
  id: string;
  label: string;
  fields: readonly string[];
}

/** Pseudo-field for custom keys: the resolved lane identity (`identity.id`), not the wire `producer`. */
export const IDENTITY_FIELD = "@identity";

export const BUILTIN_KEYS: readonly PartitionKey[] = Object.freeze([
  { id: "execution", label: "Execution (naive)", fields: ["workflow_execution_id"] },
  {
    id: "execution-entity",
    label: "Execution + entity",
    fields: ["workflow_execution_id", "entity_type", "entity_id"],
  },
  { id: "invocation", label: "Invocation (Forge: correlation + task)", fields: ["correlation_id", "task_id"] },
  // The wire `producer` field (proposed in issue #198), deliberately not the
  // resolved identity: without the field every event lands in "no key", which
  // is the point this key makes. customKey([..., "@identity"]) uses the lane.
  { id: "execution-producer", label: "Execution + producer", fields: ["workflow_execution_id", "producer"] },
] satisfies PartitionKey[]);

export function customKey(fields: readonly string[]): PartitionKey {
  return { id: `custom:${fields.join(",")}`, label: fields.join(" + "), fields: [...fields] };
}

export function keyById(id: string): PartitionKey | undefined {
  const builtin = BUILTIN_KEYS.find((k) => k.id === id);
  if (builtin !== undefined) return builtin;
  if (!id.startsWith("custom:")) return undefined;
  const fields = id
    .slice("custom:".length)
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
  return fields.length > 0 ? customKey(fields) : undefined;
}

export type FieldReader = (ev: AuditEvent) => string | undefined;

function scalar(v: unknown): string | undefined {
  if (typeof v === "string") return v.length > 0 ? v : undefined;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

// One closure per field so each property load stays monomorphic; a shared
// `ev[field]` would go megamorphic across keys and cost the key switch.
const READERS: Record<string, FieldReader> = {
  ts: (e) => scalar(e.ts),
  event: (e) => scalar(e.event),
  schema_version: (e) => scalar(e.schema_version),
  seq: (e) => scalar(e.seq),
  correlation_id: (e) => scalar(e.correlation_id),
  task_id: (e) => scalar(e.task_id),
  workflow_id: (e) => scalar(e.workflow_id),
  workflow_execution_id: (e) => scalar(e.workflow_execution_id),
  stage_id: (e) => scalar(e.stage_id),
  step_id: (e) => scalar(e.step_id),
  invocation_caller: (e) => scalar(e.invocation_caller),
  org_id: (e) => scalar(e.org_id),
  workspace_id: (e) => scalar(e.workspace_id),
  entity_type: (e) => scalar(e.entity_type),
  entity_id: (e) => scalar(e.entity_id),
  producer: (e) => scalar(e.producer),
  source: (e) => scalar(e.source),
  model: (e) => scalar(e.model),
  provider: (e) => scalar(e.provider),
  request_id: (e) => scalar(e.request_id),
  trace_id: (e) => scalar(e.trace_id),
  span_id: (e) => scalar(e.span_id),
  kid: (e) => scalar(e.kid),
  [IDENTITY_FIELD]: (e) => e.identity.id,
};

/**
 * A fallback field: `a+b|c+d` reads "a and b when both are present, else c and d" as one value, so one key
 * can check agents per invocation and the orchestrator (which has no invocation) per execution.
 */
export const FALLBACK_SEPARATOR = "|";
export const FALLBACK_JOINER = "+";

/** The alternatives of a fallback field, each a list of fields; undefined for a plain field. */
export function fallbackAlternatives(field: string): string[][] | undefined {
  if (!field.includes(FALLBACK_SEPARATOR)) return undefined;
  const alts = field.split(FALLBACK_SEPARATOR).map((a) =>
    a
      .split(FALLBACK_JOINER)
      .map((f) => f.trim())
      .filter((f) => f.length > 0),
  );
  return alts.every((a) => a.length > 0) ? alts : undefined;
}

function plainReader(field: string): FieldReader {
  if (Object.prototype.hasOwnProperty.call(READERS, field)) return READERS[field] as FieldReader;
  return (e) => scalar(e.unknown[field]);
}

/** Reads one key field: a contract field, `@identity`, a fallback field (`a+b|c`), or else a field kept in `unknown`. */
export function fieldReader(field: string): FieldReader {
  const alts = fallbackAlternatives(field);
  if (alts === undefined) return plainReader(field);
  const readers = alts.map((a) => a.map(plainReader));
  return (e) => {
    for (let i = 0; i < readers.length; i++) {
      const values: string[] = [];
      for (const read of readers[i] as FieldReader[]) {
        const v = read(e);
        if (v === undefined) break;
        values.push(v);
      }
      // Which alternative matched is part of the value: the two never share a counter.
      if (values.length === (readers[i] as FieldReader[]).length) return `${i}\u0001${values.join("\u0001")}`;
    }
    return undefined;
  };
}
