// Domain types of the audit stream. Pure: no React, DOM or NATS imports.
// See ../shared/CONTRACT.md for what every field means.

/** One message as it came off the transport (NATS, a file, a test), before parsing. */
export interface RawMessage {
  /** The payload exactly as published. */
  data: Uint8Array;
  /** JetStream stream sequence (or the 1-based line number for a file). */
  streamSeq: number;
  /** When the server stored it, ms since epoch (file: 0). */
  receivedMs: number;
  /** 1 on first delivery; > 1 on redelivery. */
  deliveryCount: number;
  subject: string;
  /**
   * The payload's SHA-256 as the chain ledger keeps it (8 big-endian words, sha256Words), when the reader
   * hashed it off the main thread; otherwise the ledger hashes the line itself when it first verifies it.
   */
  sha256?: Int32Array;
  /** Read again to bring back evicted messages (memory budget), not a delivery: one already held is not a duplicate. */
  reread?: boolean;
  /**
   * Read by itself, without the stream around it (an execution opened through the index): a hash chain
   * runs through other executions' lines, so a missing predecessor here says nothing.
   */
  alone?: boolean;
}

/** Fields every event may carry, typed as the contract says. */
export interface AuditFields {
  ts: string;
  event: string;
  schema_version?: string;
  seq?: number;
  correlation_id?: string;
  task_id?: string;
  workflow_id?: string;
  workflow_execution_id?: string;
  stage_id?: string;
  step_id?: string;
  invocation_caller?: string;
  org_id?: string;
  workspace_id?: string;
  entity_type?: string;
  entity_id?: string;
  producer?: string;
  source?: string;
  model?: string;
  provider?: string;
  input_tokens?: number;
  output_tokens?: number;
  tokens_unavailable?: boolean;
  duration_ms?: number;
  request_id?: string;
  trace_id?: string;
  span_id?: string;
  prev_hash?: string;
  kid?: string;
  sigp?: string;
  sig?: string;
  fields?: Record<string, unknown>;
}

/** Which rule decided an event's producer; shown in the UI next to the lane label. */
export type ProducerRule = "producer" | "source" | "entity" | "workflow-event" | "unknown";

export interface ProducerIdentity {
  /** Stable lane id, e.g. `agent:billing-agent`, `workflow:wf-exec-42`, `unknown`. */
  id: string;
  /** Human label for the lane. */
  label: string;
  rule: ProducerRule;
  /** True for the orchestrator of a workflow run (lane goes first). */
  orchestrator: boolean;
}

export interface AuditEvent extends AuditFields {
  kind: "event";
  streamSeq: number;
  receivedMs: number;
  deliveryCount: number;
  subject: string;
  /** The bytes as received; needed for hash chains and to show the original. */
  raw: Uint8Array;
  /** `ts` parsed, ms since epoch (sub-second kept). */
  tsMs: number;
  /** Fields not in the contract, kept verbatim (null-prototype object). */
  unknown: Record<string, unknown>;
  /** The resolved producer (lane); `producer` above is the optional wire field. */
  identity: ProducerIdentity;
}

export interface Malformed {
  kind: "malformed";
  streamSeq: number;
  receivedMs: number;
  deliveryCount: number;
  subject: string;
  raw: Uint8Array;
  /** What is wrong, in words a person understands: `not JSON: Unexpected token at 14`. */
  reason: string;
  /** Best-effort join keys, when the payload was JSON enough to read them. */
  workflow_execution_id?: string;
  correlation_id?: string;
}

export type ParsedMessage = AuditEvent | Malformed;
