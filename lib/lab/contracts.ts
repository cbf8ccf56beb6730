// A contract is what producers promise (seq scope per producer kind, and whether
// they stamp the explicit `producer` field); a consumer then checks seq under a
// partition key. The lab tries every contract under every key. Pure.
import { BUILTIN_KEYS, customKey, type PartitionKey } from "../audit";
import { SEQ_SCOPES, type SeqScope } from "../sim/options";

export interface Contract {
  id: string;
  agentScope: SeqScope;
  orchestratorScope: SeqScope;
  producerField: boolean;
}

export function contractId(c: Omit<Contract, "id">): string {
  return `agents=${c.agentScope},orchestrator=${c.orchestratorScope},producer-field=${c.producerField ? "on" : "off"}`;
}

export function describeContract(c: Contract): string {
  return `agents ${c.agentScope}, orchestrator ${c.orchestratorScope}, producer field ${c.producerField ? "on" : "off"}`;
}

export function allContracts(): Contract[] {
  const out: Contract[] = [];
  for (const agentScope of SEQ_SCOPES) {
    for (const orchestratorScope of SEQ_SCOPES) {
      for (const producerField of [false, true]) {
        const c = { agentScope, orchestratorScope, producerField };
        out.push({ ...c, id: contractId(c) });
      }
    }
  }
  return out;
}

/**
 * Keys the lab scores beyond the four of the contract: composite keys, and fallback keys (`a+b|c+d`: a and b
 * when present, else c and d) that let a consumer check today's producers without changing them.
 */
export const LAB_EXTRA_KEYS: readonly PartitionKey[] = Object.freeze(
  (
    [
      ["workflow_execution_id", "producer", "correlation_id"],
      ["producer"],
      ["correlation_id+task_id|workflow_execution_id+entity_type+entity_id"],
      ["correlation_id+task_id|workflow_execution_id+producer"],
    ] as const
  ).map((f) => customKey(f)),
);

/** How a key reads in a table: its fields, a fallback as "a + b, else c + d". */
export function keyLabel(k: Pick<PartitionKey, "fields">): string {
  return `(${k.fields
    .map((f) =>
      f
        .split("|")
        .map((a) => a.split("+").join(" + "))
        .join(", else "),
    )
    .join(", ")})`;
}

/** The built-in keys, the lab's composite and fallback keys, plus custom field lists the user asked for. */
export function labKeys(custom: readonly (readonly string[])[] = []): PartitionKey[] {
  const keys = [...BUILTIN_KEYS, ...LAB_EXTRA_KEYS];
  for (const f of custom) {
    if (f.length === 0) continue;
    const k = customKey(f);
    if (!keys.some((x) => x.id === k.id)) keys.push(k);
  }
  return keys;
}
