// One execution's schedule: the orchestrator's lifecycle events and, per step,
// an A2A invocation of an agent with realistic durations; or one standalone
// invocation, an agent called directly by a client. Times are simulated
// ms since the run's start. Which process incarnation emits an event, and so its
// seq and prev_hash, is decided later, when the simulator reaches that moment.
import type { Rng } from "../random";
import type { SimOptions } from "./options";
import { ORG_IDS, workspaceId, type AgentDef, type WorkflowDef } from "./workflow";
import { noFault, pickTargets, planLineFaults, type FaultSlot } from "./faults";
import { hexId } from "./ids";

export interface PlannedEvent {
  kind: "emit";
  /** The execution id, or a standalone invocation's correlation id: whose truth record it is in. */
  context: string;
  /** Simulated time (heap key) and insertion order. */
  key: number;
  n: number;
  /** Cancelled when a crash cut its invocation or its run short. */
  live: boolean;
  /** Ordinal within its context: the truth id is `<context>/<index>`. */
  index: number;
  event: string;
  /** Stage it belongs to (-1: before the first stage, or no run). Later stages are cancelled when a step fails. */
  stage: number;
  stageId?: string;
  stepId?: string;
  /** Event-specific wire fields, written after the envelope, in this order. */
  extra: Record<string, unknown> | undefined;
  /** Set for agent events. */
  inv: Invocation | undefined;
  /** The run's last orchestrator event (complete or cancelled). */
  final: boolean;
  slot: FaultSlot;
}

export interface Invocation {
  /** The execution that invoked it, or (standalone) its own correlation id. */
  context: string;
  /** Called directly by a client, outside any workflow run: no stage, no step, no orchestrator event. */
  standalone: boolean;
  agent: string;
  stage: number;
  /** Undefined only when standalone. */
  stageId: string | undefined;
  stepId: string | undefined;
  correlationId: string;
  taskId: string;
  /** Planned to end in error (a failed step, then a cancelled run). */
  error: boolean;
  events: PlannedEvent[];
  /** When the agent process dies mid-invocation, if it does. */
  crashAt: number | undefined;
  /** The orchestrator's step_completed / step_failed for this step (none when standalone). */
  finish: PlannedEvent;
  // Runtime, filled by the simulator:
  /** Incarnation that emitted its first event (0: not started). */
  incarnation: number;
  /** Per-invocation seq counter. */
  counter: number;
  /** How many of `events` were emitted. */
  emitted: number;
  dead: boolean;
  /** Which replica of the agent deployment serves it (0 unless `scenarios.replicas` > 1). */
  replica: number;
  /** The attempt at its step: 2 and up when the step was retried. */
  attempt: number;
  /** The process incarnation that served it (set with `incarnation`). */
  processId?: string;
}

export interface ExecutionPlan {
  executionId: string;
  workflow: WorkflowDef;
  traceId: string;
  /** Ordinal in the run. */
  index: number;
  t0: number;
  /** Every planned event, orchestrator and agents, in planning order. */
  events: PlannedEvent[];
  invocations: Invocation[];
  /** The step-finish events of each stage, to re-time a cancellation. */
  stageFinishes: PlannedEvent[][];
}

const GUARDRAILS = ["pii-redaction", "prompt-injection", "toxicity"] as const;
const HOSTS = [
  "api.stripe.com",
  "api.github.com",
  "graph.microsoft.com",
  "hooks.slack.com",
  "api.example.com",
] as const;

export function planExecution(
  rng: Rng,
  opts: SimOptions,
  workflow: WorkflowDef,
  agents: ReadonlyMap<string, AgentDef>,
  t0: number,
  index: number,
): ExecutionPlan {
  const executionId = `wfx-${hexId(rng, 12)}`;
  const events: PlannedEvent[] = [];
  const invocations: Invocation[] = [];
  const stageFinishes: PlannedEvent[][] = [];
  const ev = (
    t: number,
    event: string,
    stage: number,
    extra?: Record<string, unknown>,
    stageId?: string,
    stepId?: string,
  ): PlannedEvent => {
    const e: PlannedEvent = {
      kind: "emit",
      context: executionId,
      key: t,
      n: 0,
      live: true,
      index: events.length,
      event,
      stage,
      stageId,
      stepId,
      extra,
      inv: undefined,
      final: false,
      slot: noFault(),
    };
    events.push(e);
    return e;
  };

  ev(t0, "workflow_started", -1, { fields: { workflow_name: workflow.workflowId, stages: workflow.stages.length } });
  let t = t0 + rng.int(5, 30);
  let failed = false;
  let lastStage = -1;
  for (let s = 0; s < workflow.stages.length && !failed; s++) {
    const stage = workflow.stages[s]!;
    lastStage = s;
    const finishes: PlannedEvent[] = [];
    let stageEnd = t;
    let dispatch = t;
    for (const step of stage.steps) {
      dispatch += rng.int(1, 8);
      const started = ev(
        dispatch,
        "workflow_step_started",
        s,
        { fields: { agent: step.agent } },
        stage.stageId,
        step.stepId,
      );
      const agent = agents.get(step.agent)!;
      const inv = planInvocation(
        rng,
        opts,
        executionId,
        agent,
        started.key + rng.int(5, 40),
        s,
        stage.stageId,
        step.stepId,
        events,
      );
      let served = inv;
      if (opts.scenarios.retryRate > 0 && !inv.error && rng.chance(opts.scenarios.retryRate)) {
        // The first attempt ends in a retryable error; the orchestrator invokes the same agent for the same step.
        markFailedAttempt(inv);
        invocations.push(inv);
        const again = ev(
          inv.events[inv.events.length - 1]!.key + rng.int(20, 400),
          "workflow_step_started",
          s,
          { fields: { agent: step.agent, attempt: 2 } },
          stage.stageId,
          step.stepId,
        );
        served = planInvocation(
          rng,
          opts,
          executionId,
          agent,
          again.key + rng.int(5, 40),
          s,
          stage.stageId,
          step.stepId,
          events,
        );
        served.attempt = 2;
        inv.finish = again;
      }
      const end = served.events[served.events.length - 1]!.key + rng.int(5, 40);
      const fin = served.error
        ? ev(
            end,
            "workflow_step_failed",
            s,
            { fields: { agent: step.agent, error: "agent returned an error" } },
            stage.stageId,
            step.stepId,
          )
        : ev(end, "workflow_step_completed", s, { duration_ms: end - started.key }, stage.stageId, step.stepId);
      served.finish = fin;
      finishes.push(fin);
      invocations.push(served);
      stageEnd = Math.max(stageEnd, end);
      if (served.error) failed = true;
    }
    stageFinishes.push(finishes);
    t = stageEnd + rng.int(5, 50);
  }
  const final = failed
    ? ev(t, "workflow_cancelled", lastStage, { fields: { reason: "step failed" } })
    : ev(t, "workflow_complete", lastStage, { duration_ms: t - t0 });
  final.final = true;

  planLineFaults(
    rng,
    opts.faults,
    events.map((e) => e.slot),
  );
  const crashable = invocations.map((_, i) => i);
  for (const i of pickTargets(rng, opts.faults.crash, crashable)) {
    const inv = invocations[i]!;
    // Dies after its first event and before invocation_complete: an open tail.
    const k = rng.int(1, inv.events.length - 2);
    inv.crashAt = inv.events[k]!.key - 0.5;
  }
  return { executionId, workflow, traceId: hexId(rng, 32), index, t0, events, invocations, stageFinishes };
}

/** An attempt that ended in a retryable error: its invocation_complete says so. */
function markFailedAttempt(inv: Invocation): void {
  const complete = inv.events.find((e) => e.event === "invocation_complete");
  const fields = complete?.extra?.fields as Record<string, unknown> | undefined;
  if (fields) fields.status = "error";
}

/** `executionId` undefined: a standalone invocation (no stage or step), its own context. */
export function planInvocation(
  rng: Rng,
  opts: SimOptions,
  executionId: string | undefined,
  agent: AgentDef,
  start: number,
  stage: number,
  stageId: string | undefined,
  stepId: string | undefined,
  out: PlannedEvent[],
): Invocation {
  const correlationId = `corr-${hexId(rng, 16)}`;
  const inv: Invocation = {
    context: executionId ?? correlationId,
    standalone: executionId === undefined,
    agent: agent.name,
    stage,
    stageId,
    stepId,
    correlationId,
    taskId: `task-${hexId(rng, 8)}`,
    error: rng.chance(opts.shapes.failureRate),
    events: [],
    crashAt: undefined,
    finish: undefined as unknown as PlannedEvent,
    incarnation: 0,
    counter: 0,
    emitted: 0,
    dead: false,
    replica: 0,
    attempt: 1,
  };
  let t = start;
  const ev = (dt: number, event: string, extra?: Record<string, unknown>) => {
    t += Math.max(1, dt); // strictly increasing: a crash always falls between two events
    const e: PlannedEvent = {
      kind: "emit",
      context: inv.context,
      key: t,
      n: 0,
      live: true,
      index: out.length,
      event,
      stage,
      stageId,
      stepId,
      extra,
      inv,
      final: false,
      slot: noFault(),
    };
    out.push(e);
    inv.events.push(e);
  };

  ev(rng.int(1, 4), "auth_verify", { fields: { method: "bearer", result: "ok" } });
  ev(rng.int(1, 6), "session_start", { fields: { transport: "a2a" } });
  const calls = rng.int(opts.shapes.llmCalls[0], opts.shapes.llmCalls[1]);
  for (let c = 0; c < calls; c++) {
    const [model, provider] = rng.pick(agent.models);
    const duration = rng.int(
      250,
      model.includes("mini") || model.includes("haiku") || model.includes("flash") ? 1200 : 3500,
    );
    ev(
      duration,
      "llm_call",
      rng.chance(0.03)
        ? { model, provider, tokens_unavailable: true, duration_ms: duration, request_id: `req-${hexId(rng, 12)}` }
        : {
            model,
            provider,
            input_tokens: rng.int(150, 6000),
            output_tokens: rng.int(20, 900),
            duration_ms: duration,
            request_id: `req-${hexId(rng, 12)}`,
          },
    );
    if (rng.chance(0.6)) {
      const tool = rng.pick(agent.tools);
      const toolMs = rng.int(15, 900);
      const before = t;
      ev(rng.int(1, 5), "tool_exec", { fields: { tool, phase: "start" } });
      if (rng.chance(0.5)) ev(rng.int(2, 20), "egress_allowed", { fields: { host: rng.pick(HOSTS), port: 443 } });
      ev(before + toolMs - t, "tool_exec", { duration_ms: toolMs, fields: { tool, phase: "end", ok: true } });
    }
  }
  if (rng.chance(0.3))
    ev(rng.int(2, 15), "guardrail_check", { fields: { policy: rng.pick(GUARDRAILS), result: "pass" } });
  const last = rng.int(2, 20);
  ev(last, "invocation_complete", { duration_ms: t + last - start, fields: { status: inv.error ? "error" : "ok" } });
  ev(rng.int(1, 5), "session_end");
  return inv;
}

/** One invocation an agent serves directly: who called it, under which tenancy, in which trace. */
export interface StandalonePlan {
  inv: Invocation;
  /** Its `invocation_caller`: an upstream client, never the orchestrator. */
  caller: string;
  orgId: string;
  workspaceId: string;
  traceId: string;
  /** Ordinal among the run's standalone invocations. */
  index: number;
  t0: number;
  events: PlannedEvent[];
}

const CALLERS = ["client:support-portal", "client:ops-console", "client:slack-bot", "client:batch-import"] as const;

/**
 * A standalone invocation of `agent` arriving at `t0`, with its line faults and its crash. It is a context of
 * its own, so a whole fault count N means N of its events (a crash count: it crashes).
 */
export function planStandalone(rng: Rng, opts: SimOptions, agent: AgentDef, t0: number, index: number): StandalonePlan {
  const caller = rng.pick(CALLERS);
  const orgId = rng.pick(ORG_IDS);
  const workspace = workspaceId(rng.int(0, 2));
  const events: PlannedEvent[] = [];
  const inv = planInvocation(rng, opts, undefined, agent, t0, -1, undefined, undefined, events);
  if (opts.scenarios.replicas > 1) inv.replica = rng.int(0, opts.scenarios.replicas - 1);
  planLineFaults(
    rng,
    opts.faults,
    events.map((e) => e.slot),
  );
  if (pickTargets(rng, opts.faults.crash, [0]).length > 0) {
    // Dies after its first event and before invocation_complete: an open tail.
    const k = rng.int(1, inv.events.length - 2);
    inv.crashAt = inv.events[k]!.key - 0.5;
  }
  return { inv, caller, orgId, workspaceId: workspace, traceId: hexId(rng, 32), index, t0, events };
}
