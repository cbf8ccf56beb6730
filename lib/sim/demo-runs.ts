// The minimal demo producer model: one orchestrator plus two agents per
// workflow execution, agents counting seq per invocation (Forge today), the
// orchestrator per execution. Pure and seeded. The full simulator (issue 4)
// replaces this with every scope, crashes, chains and ground truth.
import type { Rng } from "./random";

export interface DemoEvent {
  /** Offset from the execution's start, ms: when to publish it. */
  atMs: number;
  /** Who emitted it: `<entity_type>:<entity_id>`. */
  producer: string;
  /** The wire object, in the field order a producer writes. */
  wire: Record<string, unknown>;
}

export interface DemoRun {
  executionId: string;
  workflowId: string;
  events: DemoEvent[];
}

export interface DemoOptions {
  /** Execution start, ms since epoch (the ts of its first event). */
  startMs: number;
  /** Probability that an agent event is lost before reaching the stream. */
  dropRate?: number;
  /** Probability that an event is published twice. */
  duplicateRate?: number;
}

const WORKFLOWS = ["invoice-approval", "support-triage", "kyc-review", "release-notes"] as const;
const AGENTS = ["billing-agent", "risk-agent", "summarizer", "retriever", "notifier"] as const;
const MODELS = [
  ["gpt-4o", "openai"],
  ["claude-sonnet-4", "anthropic"],
] as const;

function hex(rng: Rng, len: number): string {
  let s = "";
  while (s.length < len)
    s += Math.floor(rng.next() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return s.slice(0, len);
}

/** One execution's events, sorted by publish time, with faults applied (drops removed, duplicates repeated). */
export function demoRun(rng: Rng, opts: DemoOptions): DemoRun {
  const workflowId = rng.pick(WORKFLOWS);
  const executionId = `wfx-${hex(rng, 12)}`;
  const org = "org-acme";
  const orchestrator = `workflow:${executionId}`;
  const first = rng.pick(AGENTS);
  const second = rng.pick(AGENTS.filter((a) => a !== first));
  const events: DemoEvent[] = [];
  let orchSeq = 0;
  let t = 0;

  const orch = (event: string, extra: Record<string, unknown> = {}) => {
    events.push({
      atMs: t,
      producer: orchestrator,
      wire: {
        ts: new Date(opts.startMs + t).toISOString(),
        event,
        schema_version: "1.0",
        seq: ++orchSeq,
        workflow_id: workflowId,
        workflow_execution_id: executionId,
        org_id: org,
        entity_type: "workflow",
        entity_id: executionId,
        ...extra,
      },
    });
  };

  orch("workflow_started");
  [first, second].forEach((agent, i) => {
    const stageId = `stage-${i + 1}`;
    const stepId = `step-${i + 1}`;
    t += rng.int(50, 300);
    orch("workflow_step_started", { stage_id: stageId, step_id: stepId });
    t = invokeAgent(rng, events, t, opts.startMs, {
      agent,
      org,
      workflowId,
      executionId,
      stageId,
      stepId,
    });
    t += rng.int(20, 120);
    orch("workflow_step_completed", { stage_id: stageId, step_id: stepId });
  });
  t += rng.int(20, 100);
  orch("workflow_complete");

  return { executionId, workflowId, events: applyFaults(rng, events, opts) };
}

interface Invocation {
  agent: string;
  org: string;
  workflowId: string;
  executionId: string;
  stageId: string;
  stepId: string;
}

function invokeAgent(rng: Rng, out: DemoEvent[], start: number, startMs: number, inv: Invocation): number {
  const correlationId = `corr-${hex(rng, 16)}`;
  const taskId = `task-${hex(rng, 8)}`;
  const traceId = hex(rng, 32);
  // Agents' clocks disagree with the orchestrator's by up to ±150 ms.
  const skew = rng.int(-150, 150);
  let seq = 0;
  let t = start + rng.int(5, 40);
  const emit = (event: string, extra: Record<string, unknown> = {}) => {
    out.push({
      atMs: t,
      producer: `agent:${inv.agent}`,
      wire: {
        ts: new Date(startMs + t + skew).toISOString(),
        event,
        schema_version: "1.0",
        seq: ++seq,
        correlation_id: correlationId,
        task_id: taskId,
        workflow_id: inv.workflowId,
        workflow_execution_id: inv.executionId,
        stage_id: inv.stageId,
        step_id: inv.stepId,
        invocation_caller: `workflow:${inv.executionId}`,
        org_id: inv.org,
        entity_type: "agent",
        entity_id: inv.agent,
        trace_id: traceId,
        span_id: hex(rng, 16),
        ...extra,
      },
    });
  };
  emit("auth_verify", { fields: { method: "bearer", ok: true } });
  t += rng.int(2, 10);
  emit("session_start");
  const llmCalls = rng.int(1, 3);
  for (let i = 0; i < llmCalls; i++) {
    const duration = rng.int(300, 1800);
    t += duration;
    const [model, provider] = rng.pick(MODELS);
    emit("llm_call", {
      model,
      provider,
      input_tokens: rng.int(200, 4000),
      output_tokens: rng.int(20, 800),
      duration_ms: duration,
      request_id: `req-${hex(rng, 10)}`,
    });
    if (rng.chance(0.6)) {
      const toolMs = rng.int(20, 400);
      t += toolMs;
      emit("tool_exec", { duration_ms: toolMs, fields: { tool: rng.pick(["http_get", "sql_query", "search"]) } });
      if (rng.chance(0.5)) emit("egress_allowed", { fields: { host: "api.example.com" } });
    }
  }
  t += rng.int(5, 30);
  emit("invocation_complete", { duration_ms: t - start });
  t += rng.int(1, 5);
  emit("session_end");
  return t;
}

function applyFaults(rng: Rng, events: DemoEvent[], opts: DemoOptions): DemoEvent[] {
  const out: DemoEvent[] = [];
  for (const e of events) {
    const isAgent = e.producer.startsWith("agent:");
    if (isAgent && rng.chance(opts.dropRate ?? 0)) continue;
    out.push(e);
    if (rng.chance(opts.duplicateRate ?? 0)) out.push({ ...e, atMs: e.atMs + rng.int(1, 50) });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** The bytes a producer puts on the wire for an event: one JSON object, no newline. */
export function encodeEvent(e: DemoEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(e.wire));
}
