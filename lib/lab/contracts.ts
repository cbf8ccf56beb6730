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

/** The built-in keys, plus custom field lists the user asked for. */
export function labKeys(custom: readonly (readonly string[])[] = []): PartitionKey[] {
  return [...BUILTIN_KEYS, ...custom.filter((f) => f.length > 0).map((f) => customKey(f))];
}
