// Workflow definitions: stages run one after another, the steps of a stage in
// parallel, each step invoking one agent. Drawn once per simulator from its seed.
import type { Rng } from "../random";
import type { SeqScope, SimOptions } from "./options";
import { SEQ_SCOPES } from "./options";

export interface StepDef {
  stepId: string;
  agent: string;
}

export interface StageDef {
  stageId: string;
  steps: StepDef[];
}

export interface WorkflowDef {
  workflowId: string;
  orgId: string;
  workspaceId: string;
  stages: StageDef[];
}

export interface AgentDef {
  name: string;
  scope: SeqScope;
  /** What the agent mostly does: picks its tools and models. */
  tools: readonly string[];
  models: readonly (readonly [model: string, provider: string])[];
}

const AGENT_NAMES = [
  "billing-agent",
  "risk-agent",
  "summarizer",
  "retriever",
  "notifier",
  "kyc-checker",
  "translator",
  "router",
] as const;
const WORKFLOW_NAMES = [
  "invoice-approval",
  "support-triage",
  "kyc-review",
  "release-notes",
  "refund-request",
  "incident-postmortem",
  "contract-review",
  "lead-scoring",
] as const;
const TOOLS = ["http_get", "sql_query", "search", "send_email", "read_file", "vector_lookup", "create_ticket"] as const;
const MODELS = [
  ["gpt-4o", "openai"],
  ["gpt-4o-mini", "openai"],
  ["claude-sonnet-4", "anthropic"],
  ["claude-haiku-4", "anthropic"],
  ["gemini-2.5-flash", "google"],
] as const;

/** Tenants a workflow, or a standalone invocation, runs under. */
export const ORG_IDS = ["org-acme", "org-globex"] as const;

/** The n-th of the three workspaces (0-based). */
export function workspaceId(n: number): string {
  return `ws-${n + 1}`;
}

export function agentName(i: number): string {
  return AGENT_NAMES[i] ?? `agent-${i + 1}`;
}

export function defineAgents(rng: Rng, opts: SimOptions): AgentDef[] {
  const agents: AgentDef[] = [];
  for (let i = 0; i < opts.shapes.agents; i++) {
    const name = agentName(i);
    const scope =
      opts.agentScopes[name] ??
      (opts.agentScope === "mixed" ? (SEQ_SCOPES[i % SEQ_SCOPES.length] as SeqScope) : opts.agentScope);
    const tools = [rng.pick(TOOLS), rng.pick(TOOLS)];
    const models = [rng.pick(MODELS), rng.pick(MODELS)];
    agents.push({ name, scope, tools, models });
  }
  return agents;
}

export function defineWorkflows(rng: Rng, opts: SimOptions, agents: readonly AgentDef[]): WorkflowDef[] {
  const { shapes } = opts;
  const defs: WorkflowDef[] = [];
  for (let w = 0; w < shapes.workflows; w++) {
    const base = WORKFLOW_NAMES[w % WORKFLOW_NAMES.length] as string;
    const workflowId = w < WORKFLOW_NAMES.length ? base : `${base}-${Math.floor(w / WORKFLOW_NAMES.length) + 1}`;
    const used: string[] = [];
    const stages: StageDef[] = [];
    const nStages = rng.int(shapes.stages[0], shapes.stages[1]);
    let stepNo = 0;
    for (let s = 0; s < nStages; s++) {
      const steps: StepDef[] = [];
      const width = rng.int(shapes.parallelism[0], shapes.parallelism[1]);
      for (let k = 0; k < width; k++) {
        // Reuse is what makes the same agent run twice in one execution, possibly in parallel.
        const where = opts.scenarios.repeatWhere;
        const inStage = steps.map((x) => x.agent);
        const pool =
          where === "any" ? used : where === "same-stage" ? inStage : used.filter((a) => !inStage.includes(a));
        const reuse = pool.length > 0 && rng.chance(shapes.repeatInvocationRate);
        const fresh = agents.filter((a) => !used.includes(a.name));
        const agent = reuse ? rng.pick(pool) : fresh.length === 0 ? rng.pick(used) : rng.pick(fresh).name;
        if (!used.includes(agent)) used.push(agent);
        steps.push({ stepId: `step-${++stepNo}`, agent });
      }
      stages.push({ stageId: `stage-${s + 1}`, steps });
    }
    defs.push({ workflowId, orgId: rng.pick(ORG_IDS), workspaceId: workspaceId(w % 3), stages });
  }
  return defs;
}
