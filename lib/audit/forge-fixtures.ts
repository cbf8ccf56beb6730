// A small stream in the shapes CONTRACT.md gives Forge's events, for the tests of
// contexts (context-ref.ts) and for the e2e test that opens it as an .ndjson file.
// Most of it lies outside any workflow run, as in Forge's own examples:
//
//   billing-agent  startup ─ A a1b2c3d4/task-42 (7, closed) ─ run's step ─ C 0badc0de/task-44 (seq 3 lost) ─ export
//   support-agent  startup ─ auth_fail e5f6a7b8 (no task, never closed) ─ B c9d0e1f2/task-43 (auth_verify first)
//   orchestrator   wfx-7f3a9c21: started ─ step-1 (billing-agent, d4c3b2a1/task-77) ─ completed ─ complete
//
// plus one line of A whose ts was lost (malformed, still naming a1b2c3d4). Deterministic: no
// clock, no randomness. Lines are built as objects and written compactly, one per string.

type Line = Record<string, unknown>;

const ORG = { org_id: "org-acme", workspace_id: "ws-prod" } as const;
const BILLING = { entity_type: "agent", entity_id: "billing-agent" } as const;
const SUPPORT = { entity_type: "agent", entity_id: "support-agent" } as const;
const WORKFLOW = {
  workflow_id: "wf-refund",
  workflow_execution_id: "wfx-7f3a9c21",
} as const;
const ORCHESTRATOR = { entity_type: "workflow", entity_id: "wf-refund" } as const;

const at = (hms: string) => `2026-03-02T${hms}Z`;

/** A process-level event: no seq, no invocation, no run. */
const processEvent = (hms: string, event: string, who: Line, fields: Line): Line => ({
  ts: at(hms),
  event,
  schema_version: "1.0",
  ...ORG,
  ...who,
  fields,
});

/** An event of one invocation: its ids, its trace, its own span. */
const invocationEvent =
  (ids: Line, traceId: string) =>
  (hms: string, event: string, seq: number, spanId: string, extra: Line = {}): Line => ({
    ts: at(hms),
    event,
    schema_version: "1.0",
    seq,
    ...ids,
    ...ORG,
    trace_id: traceId,
    span_id: spanId,
    ...extra,
  });

const llm = (tokensIn: number, tokensOut: number, requestId: string): Line => ({
  model: "gpt-4o-mini",
  provider: "openai",
  input_tokens: tokensIn,
  output_tokens: tokensOut,
  duration_ms: 1840,
  request_id: requestId,
});

const a = invocationEvent(
  { correlation_id: "a1b2c3d4", task_id: "task-42", ...BILLING },
  "4bf92f3577b34da6a3ce929d0e0e4736",
);
const b = invocationEvent(
  { correlation_id: "c9d0e1f2", task_id: "task-43", ...SUPPORT },
  "0af7651916cd43dd8448eb211c80319c",
);
const c = invocationEvent(
  { correlation_id: "0badc0de", task_id: "task-44", ...BILLING },
  "5b8efff798038103d269b633813fc60c",
);
const inRun = invocationEvent(
  {
    ...WORKFLOW,
    stage_id: "stage-1",
    step_id: "step-1",
    invocation_caller: "workflow:wfx-7f3a9c21",
    correlation_id: "d4c3b2a1",
    task_id: "task-77",
    ...BILLING,
  },
  "e2a6c4f1b3d5e7f9a1c3e5f7b9d1f3a5",
);
/** The orchestrator's lifecycle events: seq per run (its docstring's scope). */
const orchestrator = (hms: string, event: string, seq: number, extra: Line = {}): Line => ({
  ts: at(hms),
  event,
  schema_version: "1.0",
  seq,
  ...WORKFLOW,
  ...ORG,
  ...ORCHESTRATOR,
  trace_id: "e2a6c4f1b3d5e7f9a1c3e5f7b9d1f3a5",
  ...extra,
});

const LINES: Line[] = [
  processEvent("09:00:00", "policy_loaded", BILLING, { policy: "egress-default", rules: 12 }),
  processEvent("09:00:01", "agent_card_published", BILLING, {
    url: "https://billing.agents.example/.well-known/agent.json",
  }),
  processEvent("09:00:02", "policy_loaded", SUPPORT, { policy: "egress-default", rules: 12 }),
  a("09:01:00", "session_start", 1, "00f067aa0ba902b7"),
  a("09:01:01", "llm_call", 2, "1a2b3c4d5e6f7081", llm(1200, 310, "req-7c1e9a")),
  {
    // Rejected at ingress: an invocation with no task, never closed.
    ts: at("09:01:02"),
    event: "auth_fail",
    schema_version: "1.0",
    seq: 1,
    correlation_id: "e5f6a7b8",
    ...SUPPORT,
    ...ORG,
    trace_id: "9c4d2e8f1a3b5c7d9e0f1a2b3c4d5e6f",
    span_id: "7d8e9fa0b1c2d3e4",
    fields: { reason: "invalid_token" },
  },
  a("09:01:03", "tool_exec", 3, "2b3c4d5e6f708192", {
    duration_ms: 420,
    fields: { tool: "http_request", status: "ok" },
  }),
  b("09:01:04", "auth_verify", 1, "3c4d5e6f708192a3", { fields: { method: "jwt", subject: "user-17" } }),
  a("09:01:05", "egress_allowed", 4, "4d5e6f708192a3b4", { fields: { host: "api.stripe.com", port: 443 } }),
  {
    ...b("09:01:05", "session_start", 2, "5e6f708192a3b4c5"),
    ts: "2026-03-02T09:01:05.250Z", // sub-second precision appears too
  },
  a("09:01:06", "guardrail_check", 5, "6f708192a3b4c5d6", { fields: { guardrail: "pii", result: "pass" } }),
  b("09:01:07", "llm_call", 3, "708192a3b4c5d6e7", llm(860, 122, "req-2f44b0")),
  a("09:01:08", "invocation_complete", 6, "8192a3b4c5d6e7f8", { duration_ms: 8000, fields: { status: "ok" } }),
  a("09:01:08", "session_end", 7, "92a3b4c5d6e7f809"),
  {
    // Malformed: the producer lost its ts. Its ids still say which invocation it belongs to.
    event: "tool_exec",
    schema_version: "1.0",
    correlation_id: "a1b2c3d4",
    task_id: "task-42",
    ...BILLING,
    ...ORG,
    fields: { tool: "http_request", status: "retry" },
  },
  b("09:01:09", "tool_exec", 4, "a3b4c5d6e7f8091a", { duration_ms: 95, fields: { tool: "kb_search", status: "ok" } }),
  b("09:01:10", "guardrail_check", 5, "b4c5d6e7f8091a2b", { fields: { guardrail: "toxicity", result: "pass" } }),
  b("09:01:11", "invocation_complete", 6, "c5d6e7f8091a2b3c", { duration_ms: 7000, fields: { status: "ok" } }),
  orchestrator("09:02:00", "workflow_started", 1),
  orchestrator("09:02:01", "workflow_step_started", 2, { stage_id: "stage-1", step_id: "step-1" }),
  inRun("09:02:02", "session_start", 1, "d6e7f8091a2b3c4d"),
  inRun("09:02:03", "llm_call", 2, "e7f8091a2b3c4d5e", llm(2048, 512, "req-90ab3d")),
  inRun("09:02:04", "tool_exec", 3, "f8091a2b3c4d5e6f", { duration_ms: 610, fields: { tool: "refund", status: "ok" } }),
  inRun("09:02:05", "invocation_complete", 4, "091a2b3c4d5e6f70", { duration_ms: 3000, fields: { status: "ok" } }),
  inRun("09:02:05", "session_end", 5, "1a2b3c4d5e6f7082"),
  orchestrator("09:02:06", "workflow_step_completed", 3, { stage_id: "stage-1", step_id: "step-1" }),
  orchestrator("09:02:07", "workflow_complete", 4, { fields: { status: "succeeded" } }),
  c("09:08:00", "session_start", 1, "2b3c4d5e6f708193"),
  c("09:08:01", "llm_call", 2, "3c4d5e6f708192a4", llm(640, 90, "req-c0ffee")),
  // seq 3 never reached the stream.
  c("09:08:03", "tool_exec", 4, "4d5e6f708192a3b5", { duration_ms: 150, fields: { tool: "sql_query", status: "ok" } }),
  c("09:08:04", "invocation_complete", 5, "5e6f708192a3b4c6", { duration_ms: 4000, fields: { status: "ok" } }),
  c("09:08:04", "session_end", 6, "6f708192a3b4c5d7"),
  processEvent("09:10:00", "audit_export_status", BILLING, { exporter: "nats", status: "ok", pending: 0 }),
];

/** The stream, one compact JSON object per line, in stream order (line n is stream sequence n). */
export const FORGE_MIXED_LINES: readonly string[] = Object.freeze(LINES.map((l) => JSON.stringify(l)));

/** What a reader must find in FORGE_MIXED_LINES. */
export const FORGE_MIXED_EXPECT = Object.freeze({
  lines: 33,
  /** Workflow executions: the one run. */
  executions: 1,
  executionId: "wfx-7f3a9c21",
  /** Invocations outside any run. */
  invocations: 4,
  /** Distinct events filed per kind of context, and outside any (the four process-level events). */
  executionEvents: 9,
  invocationEvents: 19,
  outside: 4,
  malformed: 1,
  /** Standalone invocations by correlation id, in order of first appearance, with their task ids. */
  standalone: Object.freeze(["a1b2c3d4", "e5f6a7b8", "c9d0e1f2", "0badc0de"] as const),
  taskIds: Object.freeze({
    a1b2c3d4: ["task-42"],
    e5f6a7b8: [],
    c9d0e1f2: ["task-43"],
    "0badc0de": ["task-44"],
  } as Readonly<Record<string, readonly string[]>>),
  /** Status at the end of the stream (default quiet period, 5 min): the auth_fail invocation never closed. */
  status: Object.freeze({
    a1b2c3d4: "complete",
    e5f6a7b8: "stalled",
    c9d0e1f2: "complete",
    "0badc0de": "complete",
  } as Readonly<Record<string, string>>),
  /** The agent invocation inside the run: filed under the run, not a context of its own. */
  inRunCorrelationId: "d4c3b2a1",
  /** The invocation whose seq 3 is missing, and the one whose malformed line names only its correlation id. */
  gap: Object.freeze({ correlationId: "0badc0de", taskId: "task-44", missingSeq: 3 }),
  malformedOf: "a1b2c3d4",
});

/** FORGE_MIXED_LINES as an .ndjson file's text. */
export function forgeMixedNdjson(): string {
  return FORGE_MIXED_LINES.join("\n");
}
