// Builders and seeded generators for tests, property tests and the benchmark:
// the one place a test makes a wire event, a message or a stream of them
// (makeWire, makeMessage, makeEvent, messagesFrom, generateWorkload). The
// simulator (lib/sim) is the lab's, not a test builder. Not imported by the
// engine itself. Pure (no node: imports) so browser-side tests can use it too.

import { seededRandom } from "../random";
import { GENESIS_HASH } from "./chain";
import { parseMessage } from "./parse";
import type { AuditEvent, ProducerRule, RawMessage } from "./types";

export { seededRandom };

const encoder = new TextEncoder();

export interface MessageMeta {
  streamSeq?: number;
  receivedMs?: number;
  deliveryCount?: number;
  subject?: string;
}

/** A RawMessage from a wire object (JSON-encoded), a string (UTF-8) or raw bytes. */
export function makeMessage(payload: object | string | Uint8Array, meta: MessageMeta = {}): RawMessage {
  const data =
    payload instanceof Uint8Array
      ? payload
      : encoder.encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  return {
    data,
    streamSeq: meta.streamSeq ?? 1,
    receivedMs: meta.receivedMs ?? 0,
    deliveryCount: meta.deliveryCount ?? 1,
    subject: meta.subject ?? "auditEvent",
  };
}

export const BASE_TS_MS = Date.UTC(2025, 0, 15, 10, 0, 0);

type Wire = Record<string, unknown>;

/**
 * A wire event as a producer writes it: `ts` at `atMs` (RFC 3339), `event`
 * "tool_exec", then `fields` in order (they may set `ts` or `event` too).
 */
export function makeWire(fields: Wire = {}, atMs = BASE_TS_MS): Wire {
  return { ts: new Date(atMs).toISOString(), event: "tool_exec", ...fields };
}

/**
 * A parsed event. `overrides` are wire fields (plus the delivery fields
 * streamSeq / receivedMs / deliveryCount / subject); `ts` defaults to
 * BASE_TS_MS + streamSeq seconds so events are ordered in time like on the stream.
 */
export function makeEvent(overrides: Wire & MessageMeta = {}, rules?: readonly ProducerRule[]): AuditEvent {
  const { streamSeq = 1, receivedMs = 0, deliveryCount = 1, subject = "auditEvent", ...wire } = overrides;
  const payload = makeWire(wire, BASE_TS_MS + streamSeq * 1000);
  const parsed = parseMessage(makeMessage(payload, { streamSeq, receivedMs, deliveryCount, subject }), rules);
  if (parsed.kind !== "event") throw new Error(`makeEvent built a malformed message: ${parsed.reason}`);
  return parsed;
}

/**
 * Stream-ordered messages from payloads: streamSeq firstStreamSeq, +1, …; a wire
 * object's receivedMs is its ts (0 without one), a line's (text or bytes) is 0.
 */
export function messagesFrom(
  payloads: readonly (Wire | string | Uint8Array)[],
  { firstStreamSeq = 1, subject }: { firstStreamSeq?: number; subject?: string } = {},
): RawMessage[] {
  return payloads.map((p, i) => {
    const ts = typeof p === "object" && !(p instanceof Uint8Array) && typeof p.ts === "string" ? Date.parse(p.ts) : NaN;
    return makeMessage(p, { streamSeq: firstStreamSeq + i, receivedMs: Number.isFinite(ts) ? ts : 0, subject });
  });
}

export type Fault = "drop" | "redeliver" | "retry" | "malformed" | "reorder" | "open-tail";

export interface WorkloadOptions {
  seed: number;
  executions: number;
  /** Runs in flight at once (their events interleave on the stream). Default 8. */
  concurrency?: number;
  /** Probability per message of a fault; 0 for a clean stream. Default 0.03. */
  faultRate?: number;
  faults?: readonly Fault[];
  /** Steps per run, inclusive range. Default [3, 6]. */
  steps?: [number, number];
  /** Agent deployments to pick from. Default 12. */
  agents?: number;
  startMs?: number;
  /** When given, producers stamp prev_hash chains with it (e.g. node:crypto sha256 in the bench). */
  hash?: (line: Uint8Array) => string;
}

export interface WorkloadStats {
  messages: number;
  events: number;
  payloadBytes: number;
  faults: Record<Fault, number>;
}

const ALL_FAULTS: readonly Fault[] = ["drop", "redeliver", "retry", "malformed", "reorder", "open-tail"];
const TOOLS = ["http_request", "sql_query", "file_read", "vector_search", "send_email"];

function hex(rand: () => number, n: number): string {
  let s = "";
  while (s.length < n)
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return s.slice(0, n);
}

interface Run {
  events: Wire[];
  next: number;
}

/**
 * A stream of realistic messages: workflow runs where an orchestrator (per-run
 * seq, no entity fields, so the "workflow-event" rule names it) calls agents
 * over A2A (per-invocation seq, Forge's documented scope), the same agent
 * sometimes twice in one run. Faults are injected at the stream, as a broker
 * or a crashing producer would cause them.
 */
export function generateWorkload(opts: WorkloadOptions): { messages: RawMessage[]; stats: WorkloadStats } {
  const rand = seededRandom(opts.seed);
  const concurrency = opts.concurrency ?? 8;
  const faultRate = opts.faultRate ?? 0.03;
  const faults = opts.faults ?? ALL_FAULTS;
  const [minSteps, maxSteps] = opts.steps ?? [3, 6];
  const agentCount = opts.agents ?? 12;
  const agents = Array.from(
    { length: agentCount },
    (_, i) => `agent-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? i : ""}`,
  );
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const faultCounts: Record<Fault, number> = {
    drop: 0,
    redeliver: 0,
    retry: 0,
    malformed: 0,
    reorder: 0,
    "open-tail": 0,
  };
  const fault = (f: Fault): boolean => faults.includes(f) && rand() < faultRate / faults.length;

  let clock = opts.startMs ?? BASE_TS_MS;
  let runCounter = 0;

  const makeRun = (): Run => {
    const n = runCounter++;
    const wf = `wf-${["billing", "onboarding", "triage", "report"][n % 4]}`;
    const x = `wfx-${hex(rand, 8)}-${n.toString(16).padStart(6, "0")}`;
    const base = { workflow_id: wf, workflow_execution_id: x, org_id: "org-acme", workspace_id: "ws-prod" };
    const events: Wire[] = [];
    let orchSeq = 0;
    const orch = (event: string, extra: Wire = {}) =>
      events.push({ event, schema_version: "1.0", seq: ++orchSeq, ...base, trace_id: hex(rand, 32), ...extra });
    orch("workflow_started");
    const steps = minSteps + Math.floor(rand() * (maxSteps - minSteps + 1));
    let failed = false;
    for (let st = 1; st <= steps; st++) {
      const stage = `stage-${Math.ceil(st / 2)}`;
      const step = `step-${st}`;
      orch("workflow_step_started", { stage_id: stage, step_id: step });
      const agent = pick(agents);
      const corr = hex(rand, 32);
      const task = `task-${hex(rand, 12)}`;
      const trace = hex(rand, 32);
      const inv = {
        ...base,
        stage_id: stage,
        step_id: step,
        invocation_caller: `workflow:${x}`,
        correlation_id: corr,
        task_id: task,
        entity_type: "agent",
        entity_id: agent,
      };
      let seq = 0;
      const ag = (event: string, extra: Wire = {}) =>
        events.push({
          event,
          schema_version: "1.0",
          seq: ++seq,
          ...inv,
          trace_id: trace,
          span_id: hex(rand, 16),
          ...extra,
        });
      ag("session_start");
      const calls = 2 + Math.floor(rand() * 6);
      for (let c = 0; c < calls; c++) {
        if (rand() < 0.5) {
          ag("llm_call", {
            model: "gpt-4o-mini",
            provider: "openai",
            input_tokens: Math.floor(rand() * 4000),
            output_tokens: Math.floor(rand() * 800),
            duration_ms: Math.floor(rand() * 3000),
            request_id: `req-${hex(rand, 20)}`,
          });
        } else {
          ag("tool_exec", { duration_ms: Math.floor(rand() * 900), fields: { tool: pick(TOOLS), status: "ok" } });
        }
      }
      if (fault("open-tail")) {
        faultCounts["open-tail"]++;
      } else {
        ag("invocation_complete", { duration_ms: Math.floor(rand() * 20000) });
        ag("session_end");
      }
      const stepFailed = rand() < 0.03;
      orch(stepFailed ? "workflow_step_failed" : "workflow_step_completed", { stage_id: stage, step_id: step });
      if (stepFailed) {
        failed = true;
        break;
      }
    }
    if (rand() < 0.02) orch("workflow_cancelled");
    else orch("workflow_complete", { fields: { status: failed ? "failed" : "succeeded" } });
    return { events, next: 0 };
  };

  const prevHash = new Map<string, string>();
  const messages: RawMessage[] = [];
  // Messages the broker stores or redelivers a little later than their turn.
  const pending: { at: number; make: () => RawMessage }[] = [];
  let streamSeq = 0;
  let events = 0;
  let payloadBytes = 0;
  const push = (m: RawMessage) => {
    messages.push(m);
    payloadBytes += m.data.length;
  };
  const flush = (all: boolean) => {
    for (let i = 0; i < pending.length;) {
      const p = pending[i] as { at: number; make: () => RawMessage };
      if (all || p.at <= messages.length) {
        pending.splice(i, 1);
        push(p.make());
      } else i++;
    }
  };

  const active: Run[] = [];
  let started = 0;
  while (started < opts.executions || active.length > 0) {
    while (active.length < concurrency && started < opts.executions) {
      active.push(makeRun());
      started++;
    }
    const ri = Math.floor(rand() * active.length);
    const run = active[ri] as Run;
    const wire = run.events[run.next++] as Wire;
    if (run.next >= run.events.length) active.splice(ri, 1);

    clock += 1 + Math.floor(rand() * 40);
    const process = typeof wire.entity_id === "string" ? wire.entity_id : "orchestrator";
    const line: Wire = { ts: new Date(clock).toISOString(), ...wire };
    if (opts.hash !== undefined) line.prev_hash = prevHash.get(process) ?? GENESIS_HASH;
    let bytes = encoder.encode(JSON.stringify(line));
    if (fault("malformed")) {
      faultCounts.malformed++;
      bytes = bytes.slice(0, Math.floor(bytes.length / 2));
    }
    if (opts.hash !== undefined) prevHash.set(process, opts.hash(bytes));
    events++;
    flush(false);
    if (fault("drop")) {
      faultCounts.drop++;
      continue;
    }
    const receivedMs = clock + 2;
    const data = bytes;
    if (fault("reorder")) {
      // Stored after the next two messages: its stream sequence comes later than theirs.
      faultCounts.reorder++;
      pending.push({
        at: messages.length + 2,
        make: () => makeMessage(data, { streamSeq: ++streamSeq, receivedMs: receivedMs + 80 }),
      });
      continue;
    }
    const msg = makeMessage(data, { streamSeq: ++streamSeq, receivedMs });
    push(msg);
    if (fault("retry")) {
      faultCounts.retry++;
      push({ ...msg, streamSeq: ++streamSeq, receivedMs: receivedMs + 5 });
    }
    if (fault("redeliver")) {
      faultCounts.redeliver++;
      pending.push({ at: messages.length + 3, make: () => ({ ...msg, deliveryCount: 2 }) });
    }
  }
  flush(true);
  return { messages, stats: { messages: messages.length, events, payloadBytes, faults: faultCounts } };
}
