// One big seeded execution for the timeline benchmark and tests: an
// orchestrator that starts a step per agent invocation, agents that count seq
// per invocation (Forge), invocations overlapping in time, each producer's
// clock a little off, and a sprinkle of loss and duplicate delivery. Pure: the
// bench page generates it in the browser, tests in Node.

import { messagesFrom, seededRandom } from "../audit/testing";
import type { RawMessage } from "../audit";

export interface FixtureOptions {
  events: number;
  producers: number;
  seed?: number;
  /** Probability per agent event of being lost before the stream. Default 0.0005. */
  dropRate?: number;
  /** Probability per event of a second, byte-identical copy. Default 0.0005. */
  duplicateRate?: number;
  startMs?: number;
}

export interface Fixture {
  executionId: string;
  messages: RawMessage[];
}

type Wire = Record<string, unknown>;

const TOOLS = ["http_request", "sql_query", "file_read", "vector_search", "send_email"];

export function benchFixture(opts: FixtureOptions): Fixture {
  const rand = seededRandom(opts.seed ?? 1);
  const start = opts.startMs ?? Date.UTC(2026, 0, 1, 9, 0, 0);
  const dropRate = opts.dropRate ?? 0.0005;
  const dupRate = opts.duplicateRate ?? 0.0005;
  const executionId = `wfx-bench-${opts.events}-${opts.producers}`;
  const base = {
    schema_version: "1.0",
    workflow_id: "wf-bench",
    workflow_execution_id: executionId,
    org_id: "org-acme",
  };
  const agents = Array.from(
    { length: Math.max(1, opts.producers - 1) },
    (_, i) => `agent-${String(i).padStart(2, "0")}`,
  );
  const skew = new Map(agents.map((a) => [a, Math.round((rand() - 0.5) * 120)]));
  const lines: { at: number; wire: Wire }[] = [];
  let orchSeq = 0;
  const orch = (at: number, event: string, extra: Wire = {}) =>
    lines.push({ at, wire: { ts: new Date(at).toISOString(), event, seq: ++orchSeq, ...base, ...extra } });

  orch(start, "workflow_started");
  let t = start + 20;
  let step = 0;
  // ~4 orchestrator events per invocation of ~16 agent events.
  const perInvocation = 16;
  while (lines.length < opts.events - 1) {
    step++;
    const stage = `stage-${Math.ceil(step / 4)}`;
    const stepId = `step-${step}`;
    orch(t, "workflow_step_started", { stage_id: stage, step_id: stepId });
    const agent = agents[Math.floor(rand() * agents.length)] as string;
    const off = skew.get(agent) ?? 0;
    const corr = `c${step.toString(16).padStart(8, "0")}${Math.floor(rand() * 0xffffff).toString(16)}`;
    const inv = {
      ...base,
      stage_id: stage,
      step_id: stepId,
      invocation_caller: `workflow:${executionId}`,
      correlation_id: corr,
      task_id: `task-${step}`,
      entity_type: "agent",
      entity_id: agent,
    };
    let seq = 0;
    let at = t + 5 + Math.floor(rand() * 30);
    const ag = (event: string, extra: Wire = {}) => {
      seq++;
      at += 5 + Math.floor(rand() * 60);
      if (rand() < dropRate) return;
      lines.push({ at, wire: { ts: new Date(at + off).toISOString(), event, seq, ...inv, ...extra } });
    };
    ag("session_start");
    const calls = Math.max(1, perInvocation - 4 + Math.floor((rand() - 0.5) * 8));
    for (let c = 0; c < calls; c++) {
      const d = Math.floor(rand() * 900);
      if (rand() < 0.45) ag("llm_call", { model: "gpt-4o-mini", provider: "openai", duration_ms: d });
      else if (rand() < 0.85) ag("tool_exec", { duration_ms: d, fields: { tool: TOOLS[c % TOOLS.length] } });
      else ag(rand() < 0.5 ? "egress_allowed" : "guardrail_check");
      at += d;
    }
    ag("invocation_complete", { duration_ms: at - t });
    ag("session_end");
    orch(at + 10, rand() < 0.01 ? "workflow_step_failed" : "workflow_step_completed", {
      stage_id: stage,
      step_id: stepId,
    });
    t += 30 + Math.floor(rand() * 80);
  }
  orch(Math.max(t, ...lines.slice(-50).map((l) => l.at)) + 50, "workflow_complete", {
    fields: { status: "succeeded" },
  });
  lines.sort((a, b) => a.at - b.at);
  const wire: Wire[] = [];
  for (const l of lines) {
    wire.push(l.wire);
    if (rand() < dupRate) wire.push(l.wire);
  }
  return { executionId, messages: messagesFrom(wire) };
}
