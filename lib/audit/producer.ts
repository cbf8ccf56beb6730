// Which lane an event belongs to. The contract has no reliable producer field
// (issue #198 only proposes one), so identity is a ladder of rules the user can
// reorder; the rule that fired is kept so the UI can say why a lane exists.

import { isWorkflowEvent } from "./event-kinds";
import type { AuditFields, ProducerIdentity, ProducerRule } from "./types";

export const DEFAULT_PRODUCER_RULES: readonly ProducerRule[] = Object.freeze([
  "producer",
  "source",
  "entity",
  "workflow-event",
] as const);

export const UNKNOWN_PRODUCER: ProducerIdentity = Object.freeze({
  id: "unknown",
  label: "unknown producer",
  rule: "unknown",
  orchestrator: false,
});

// Identities are shared objects: a million events from a few hundred producers
// should not carry a million identity objects. Caches are per rule so a hit
// allocates nothing (no `${prefix}:${value}` string to build first).
const MAX_CACHED = 200_000;
const byProducer = new Map<string, ProducerIdentity>();
const bySource = new Map<string, ProducerIdentity>();
const byEntity = new Map<string, Map<string, ProducerIdentity>>();
const byWorkflow = new Map<string, ProducerIdentity>();

/** Caches `made`, a new identity for `key` (the caller looked first: a hit allocates nothing, not even a closure). */
function remember(cache: Map<string, ProducerIdentity>, key: string, made: ProducerIdentity): ProducerIdentity {
  if (cache.size >= MAX_CACHED) cache.clear();
  const hit = Object.freeze(made);
  cache.set(key, hit);
  return hit;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

function entityIdentity(type: string, id: string): ProducerIdentity {
  let inner = byEntity.get(type);
  if (inner === undefined) {
    if (byEntity.size >= MAX_CACHED) byEntity.clear();
    inner = new Map();
    byEntity.set(type, inner);
  }
  return (
    inner.get(id) ??
    remember(inner, id, {
      id: `${type}:${id}`,
      label: type === "agent" ? id : `${type} ${id}`,
      rule: "entity",
      orchestrator: type === "workflow",
    })
  );
}

/** Applies `rules` in order; the first that can name a producer wins, else `unknown`. */
export function resolveProducer(
  fields: Pick<AuditFields, "producer" | "source" | "entity_type" | "entity_id" | "event" | "workflow_execution_id">,
  rules: readonly ProducerRule[] = DEFAULT_PRODUCER_RULES,
): ProducerIdentity {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as ProducerRule;
    switch (rule) {
      case "producer": {
        const v = fields.producer;
        if (nonEmpty(v))
          return (
            byProducer.get(v) ?? remember(byProducer, v, { id: `producer:${v}`, label: v, rule, orchestrator: false })
          );
        break;
      }
      case "source": {
        const v = fields.source;
        if (nonEmpty(v))
          return bySource.get(v) ?? remember(bySource, v, { id: `source:${v}`, label: v, rule, orchestrator: false });
        break;
      }
      case "entity": {
        const t = fields.entity_type;
        const id = fields.entity_id;
        if (nonEmpty(t) && nonEmpty(id)) return entityIdentity(t, id);
        break;
      }
      case "workflow-event": {
        const x = fields.workflow_execution_id;
        if (nonEmpty(x) && typeof fields.event === "string" && isWorkflowEvent(fields.event)) {
          return (
            byWorkflow.get(x) ??
            remember(byWorkflow, x, { id: `workflow:${x}`, label: `orchestrator ${x}`, rule, orchestrator: true })
          );
        }
        break;
      }
      case "unknown":
        return UNKNOWN_PRODUCER;
    }
  }
  return UNKNOWN_PRODUCER;
}
