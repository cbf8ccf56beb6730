// The simulator: a discrete-event run over simulated time. Executions (and, with
// `standaloneShare`, invocations outside any run) arrive, their events are
// stamped by long-lived producer processes in global time order (so per-process
// seq and prev_hash chains span overlapping executions and invocations, as in
// production), then faults bend the publish order. Pure and seeded: the browser
// runs it too.
import { seededRng, type Rng } from "../random";
import { resolveSimOptions, type SeqScope, type SimOptions, type SimOptionsInput } from "./options";
import { defineAgents, defineWorkflows, type AgentDef, type WorkflowDef } from "./workflow";
import {
  planExecution,
  planInvocation,
  planStandalone,
  type ExecutionPlan,
  type Invocation,
  type PlannedEvent,
  type StandalonePlan,
} from "./model";
import { sha256Hex } from "../audit/sha256";
import { HashChain, signEvent, signingKey, toJwk, type HashHex, type Jwks, type SigningKey } from "./chain";
import { breakTypes, noFault, truncate } from "./faults";
import { hexId, randomBytes } from "./ids";
import {
  countFates,
  type Fate,
  type TruthCrash,
  type TruthEvent,
  type TruthInvocation,
  type TruthProducer,
  type TruthRecord,
  type StandaloneTruthRecord,
} from "./truth";
import { MinHeap } from "./heap";

/** One message as it goes on the wire. */
export interface SimLine {
  /** Position in the run's publish order, 0-based. */
  index: number;
  /** Simulated ms since the run's start when it is published. */
  atMs: number;
  /** The exact payload: one JSON object, no newline (or, for a malformed line, whatever the producer wrote). */
  bytes: Uint8Array;
  /**
   * Event id (`<executionId>/<n>` or, in a standalone invocation, `<correlationId>/<n>`: the truth id) or, for a
   * process line, `<process>/<event>`; a duplicate repeats it.
   */
  id: string;
  /** 0, or 1 for the second copy of a duplicated event. */
  copy: number;
  /** Position in the order producers wrote lines (dropped ones included); differs from `index` when reordered. */
  emitIndex: number;
  /** Lane: `agent:<name>` or `workflow:<executionId>`. */
  producer: string;
  /** Absent on process lines (agent_card_published, policy_loaded) and on standalone invocations' lines. */
  executionId?: string;
  /** Set only on a standalone invocation's lines (no workflow run): its correlation_id, the key of its truth record. */
  correlationId?: string;
}

/** How, not what: never changes the bytes of a run. */
export interface SimRuntime {
  /** sha256 hex for prev_hash chains; defaults to @noble (any runtime). */
  sha256Hex?: HashHex;
  /** Encode every line through an object and JSON.stringify (tests hold the fast path to it). */
  slowEncode?: boolean;
  /**
   * Called with a standalone invocation's truth once its last line (copies included) is published. They are
   * not items of `next()` (whose truths are per execution); nothing else keeps them, so a run that never asks
   * holds none.
   */
  onStandaloneTruth?(truth: StandaloneTruthRecord): void;
}

/**
 * A standalone invocation's lines are `line` items like any other (no `executionId`; `correlationId` set), so a
 * consumer that publishes every line publishes them; their truths are not items (see `onStandaloneTruth`).
 */
export type SimItem = { kind: "line"; line: SimLine } | { kind: "truth"; truth: TruthRecord };

export interface SimExecution {
  executionId: string;
  /** This execution's lines in publish order. */
  lines: SimLine[];
  truth: TruthRecord;
  /**
   * Lines of no execution published since the previous call: process startups, and the lines of standalone
   * invocations (those carry `correlationId`).
   */
  processLines: SimLine[];
  /** Standalone invocations finished since the previous call: their truth (their lines came in `processLines`). */
  standalone: StandaloneTruthRecord[];
}

interface Proc {
  lane: string;
  name: string;
  /** "" for the one process of a deployment; else which replica, or which execution's own process, it is. */
  instance: string;
  entityType: "agent" | "workflow";
  scope: SeqScope;
  incarnation: number;
  id: string;
  producerValue: string;
  skew: number;
  chain: HashChain | undefined;
  key: SigningKey | undefined;
  perProcess: number;
  /**
   * Per-execution counters, with the partition record shared by that execution's events. A standalone invocation
   * has no execution: a per-execution producer counts it as a context of its own (keyed by its correlation id).
   */
  perExecution: Map<string, ExecCounter>;
  /** Invocations started by this incarnation and not finished: a crash cuts them all. */
  inFlight: Set<Invocation>;
}

interface ExecCounter {
  n: number;
  /** Orchestrator events share one partition record per execution; agents one per invocation. */
  partitions: Record<SeqScope, string>;
}

/** What one truth record covers: a workflow run, or a standalone invocation. */
interface Context {
  /** The execution id, or the standalone invocation's correlation id. */
  id: string;
  /** Live planned events still in the queue. */
  open: number;
  /** Copies emitted but held back by reordering. */
  buffered: number;
  ended: boolean;
  finished: boolean;
  endMs: number;
  events: TruthEvent[];
  crashes: TruthCrash[];
  producers: Map<string, TruthProducer>;
}

interface Run extends Context {
  kind: "execution";
  plan: ExecutionPlan;
  final: PlannedEvent;
}

interface Solo extends Context {
  kind: "standalone";
  plan: StandalonePlan;
}

interface StartEntry {
  kind: "start";
  key: number;
  n: number;
}
interface CrashEntry {
  kind: "crash";
  key: number;
  n: number;
  inv: Invocation;
}
interface StartupEntry {
  kind: "startup";
  key: number;
  n: number;
  proc: Proc;
  incarnation: number;
  event: string;
  fields: Record<string, unknown>;
}
interface RestartEntry {
  kind: "orchestrator-restart";
  key: number;
  n: number;
  executionId: string;
}
interface StandaloneEntry {
  kind: "standalone";
  key: number;
  n: number;
}
type Entry = StartEntry | CrashEntry | StartupEntry | RestartEntry | StandaloneEntry | PlannedEvent;

interface OutItem {
  /** Lines held back: how many later-written lines must go out first. */
  wait: number;
  t: number;
  ord: number;
  bytes: Uint8Array;
  id: string;
  copy: number;
  producer: string;
  run: Run | Solo | undefined;
  truth: TruthEvent | undefined;
}

const utf8 = new TextEncoder();
const ORCHESTRATOR = "orchestrator";

export class Simulator implements Iterable<SimItem> {
  readonly options: SimOptions;
  readonly agents: readonly AgentDef[];
  readonly workflows: readonly WorkflowDef[];
  private readonly rng: Rng;
  private readonly agentMap: Map<string, AgentDef>;
  private readonly procs = new Map<string, Proc>();
  private readonly orchestrator: Proc;
  private readonly queue = new MinHeap<Entry>();
  /** Reordered lines and second copies, waiting for later lines to overtake them. */
  private held: OutItem[] = [];
  private readonly runs = new Map<string, Run>();
  /** Standalone invocations in progress, by correlation id. */
  private readonly solos = new Map<string, Solo>();
  private solosStarted = 0;
  /** Mean ms between standalone arrivals (Infinity: none). */
  private readonly soloGapMs: number;
  private readonly onStandaloneTruth: ((truth: StandaloneTruthRecord) => void) | undefined;
  private readonly fifo: SimItem[] = [];
  private fifoHead = 0;
  private n = 0;
  private emitted = 0;
  private published = 0;
  private lastAt = 0;
  private started = 0;
  private readonly keys: SigningKey[] = [];
  // nextExecution() buffers
  private readonly pendingLines = new Map<string, SimLine[]>();
  private processLines: SimLine[] = [];
  /** Kept only once nextExecution() is used, which hands them out. */
  private standaloneTruths: StandaloneTruthRecord[] | undefined;

  private readonly hash: HashHex;
  private readonly slowEncode: boolean;

  constructor(input: SimOptionsInput = {}, runtime: SimRuntime = {}) {
    this.hash = runtime.sha256Hex ?? sha256Hex;
    this.slowEncode = runtime.slowEncode ?? false;
    this.onStandaloneTruth = runtime.onStandaloneTruth;
    this.options = resolveSimOptions(input);
    const o = this.options;
    this.rng = seededRng(o.seed);
    this.agents = defineAgents(this.rng, o);
    this.agentMap = new Map(this.agents.map((a) => [a.name, a]));
    this.workflows = defineWorkflows(this.rng, o, this.agents);
    this.orchestrator = this.makeProc(ORCHESTRATOR, "workflow", o.orchestratorScope);
    for (const a of this.agents) {
      const p = this.makeProc(a.name, "agent", a.scope);
      if (o.sign) {
        p.key = signingKey(`${a.name}-sim-1`, randomBytes(this.rng, 32));
        this.keys.push(p.key);
      }
      this.procs.set(a.name, p);
      this.scheduleStartup(p, this.rng.int(0, 40));
    }
    this.soloGapMs = this.standaloneGapMs();
    if (o.executions === undefined || o.executions > 0) {
      this.push({ kind: "start", key: 100, n: 0 });
      if (this.soloGapMs < Infinity)
        this.push({ kind: "standalone", key: 100 + this.arrivalGap(this.soloGapMs), n: 0 });
    }
  }

  /**
   * Standalone invocations arrive at `share / (1 - share)` times the rate at which runs invoke agents (the mean
   * steps of a run, retries counted), so that they are about `share` of all invocations.
   */
  private standaloneGapMs(): number {
    const o = this.options;
    const share = o.standaloneShare;
    if (!(share > 0)) return Infinity;
    let steps = 0;
    for (const wf of this.workflows) for (const stage of wf.stages) steps += stage.steps.length;
    const perRun = (steps / this.workflows.length) * (1 + o.scenarios.retryRate);
    return 1000 / (o.executionsPerSecond * perRun * (share / (1 - share)));
  }

  /** Poisson arrivals: an exponential gap around the mean. */
  private arrivalGap(meanMs: number): number {
    return Math.max(1, Math.round(-Math.log(1 - this.rng.next()) * meanMs));
  }

  /** The public keys of the signing agents, as a JWKS (`keys` empty when not signing). */
  jwks(): Jwks {
    return { keys: this.keys.map(toJwk) };
  }

  /** The next line or finished execution, in publish order; undefined when a finite run is over. */
  next(): SimItem | undefined {
    while (this.fifoHead >= this.fifo.length) {
      this.fifo.length = 0;
      this.fifoHead = 0;
      const entry = this.queue.pop();
      if (entry !== undefined) this.process(entry);
      else if (this.held.length > 0) this.flushHeld();
      else return undefined;
    }
    return this.fifo[this.fifoHead++];
  }

  *[Symbol.iterator](): Iterator<SimItem> {
    for (let item = this.next(); item !== undefined; item = this.next()) yield item;
  }

  /** Runs until the next execution finishes; its lines arrive together with its truth. */
  nextExecution(): SimExecution | undefined {
    this.standaloneTruths ??= [];
    for (let item = this.next(); item !== undefined; item = this.next()) {
      if (item.kind === "line") {
        const id = item.line.executionId;
        if (id === undefined) this.processLines.push(item.line);
        else {
          let lines = this.pendingLines.get(id);
          if (lines === undefined) this.pendingLines.set(id, (lines = []));
          lines.push(item.line);
        }
        continue;
      }
      const id = item.truth.executionId;
      const lines = this.pendingLines.get(id) ?? [];
      this.pendingLines.delete(id);
      const processLines = this.processLines;
      this.processLines = [];
      const standalone = this.standaloneTruths;
      this.standaloneTruths = [];
      return { executionId: id, lines, truth: item.truth, processLines, standalone };
    }
    return undefined;
  }

  // --- scheduling ---

  private push(e: Entry): void {
    e.n = this.n++;
    this.queue.push(e);
  }

  private makeProc(name: string, entityType: "agent" | "workflow", scope: SeqScope, instance = ""): Proc {
    const skew = this.options.skewMs > 0 ? this.rng.int(-this.options.skewMs, this.options.skewMs) : 0;
    const p: Proc = {
      lane: entityType === "agent" ? `agent:${name}` : "workflow",
      name,
      instance,
      entityType,
      scope,
      incarnation: 0,
      id: "",
      producerValue: "",
      skew,
      chain: undefined,
      key: undefined,
      perProcess: 0,
      perExecution: new Map(),
      inFlight: new Set(),
    };
    this.boot(p);
    return p;
  }

  /** A fresh incarnation: new boot id, counters at zero, genesis chain (agents). */
  private boot(p: Proc): void {
    p.incarnation++;
    p.id = `${p.entityType === "agent" ? p.lane : p.name}${p.instance}#${p.incarnation}`;
    p.producerValue = `${p.name}@${hexId(this.rng, 8)}`;
    p.chain = p.entityType === "agent" ? new HashChain(this.hash) : undefined;
    p.perProcess = 0;
    p.perExecution = new Map();
    p.inFlight = new Set();
  }

  private scheduleStartup(p: Proc, t: number): void {
    const agent = this.agentMap.get(p.name);
    this.push({
      kind: "startup",
      key: t,
      n: 0,
      proc: p,
      incarnation: p.incarnation,
      event: "agent_card_published",
      fields: { url: `http://${p.name}.agents.svc:8080/.well-known/agent.json`, skills: agent?.tools ?? [] },
    });
    this.push({
      kind: "startup",
      key: t + 1,
      n: 0,
      proc: p,
      incarnation: p.incarnation,
      event: "policy_loaded",
      fields: { policy_hash: hexId(this.rng, 16), rules: this.rng.int(4, 40) },
    });
  }

  private process(e: Entry): void {
    switch (e.kind) {
      case "start":
        return this.startExecution(e.key);
      case "emit":
        if (e.live) this.emit(e);
        return;
      case "crash":
        return this.crash(e);
      case "startup":
        if (e.proc.incarnation === e.incarnation) this.emitStartup(e);
        return;
      case "orchestrator-restart":
        if (this.runs.has(e.executionId)) this.boot(this.orchestratorFor(e.executionId));
        return;
      case "standalone":
        return this.startStandalone(e.key);
    }
  }

  /** The run (or standalone invocation) a planned event or invocation belongs to. */
  private contextOf(id: string): Run | Solo {
    return this.runs.get(id) ?? this.solos.get(id)!;
  }

  /**
   * The process that serves an invocation: the deployment's one process, one of its replicas, or (one process
   * per execution) the execution's own. Only the first exists from the start; the others are made when needed.
   */
  private procFor(inv: Invocation): Proc {
    const sc = this.options.scenarios;
    // A standalone invocation is served by the deployment's long-lived processes, even when each run has its own.
    const own = sc.processPerExecution && !inv.standalone;
    if (!own && inv.replica === 0) return this.procs.get(inv.agent)!;
    const instance = `${own ? `~${inv.context}` : ""}${inv.replica > 0 ? `~r${inv.replica}` : ""}`;
    const key = `${inv.agent}${instance}`;
    let p = this.procs.get(key);
    if (p === undefined) {
      p = this.makeProc(inv.agent, "agent", this.agentMap.get(inv.agent)!.scope, instance);
      this.procs.set(key, p);
    }
    return p;
  }

  /** The orchestrator, or with one process per execution, the execution's own. */
  private orchestratorFor(executionId: string): Proc {
    if (!this.options.scenarios.processPerExecution) return this.orchestrator;
    const key = `${ORCHESTRATOR}~${executionId}`;
    let p = this.procs.get(key);
    if (p === undefined) {
      p = this.makeProc(ORCHESTRATOR, "workflow", this.options.orchestratorScope, `~${executionId}`);
      this.procs.set(key, p);
    }
    return p;
  }

  private startExecution(t: number): void {
    const o = this.options;
    const index = this.started++;
    const plan = planExecution(this.rng, o, this.rng.pick(this.workflows), this.agentMap, t, index);
    const final = plan.events.find((e) => e.final)!;
    const run: Run = {
      kind: "execution",
      id: plan.executionId,
      plan,
      open: plan.events.length,
      buffered: 0,
      ended: false,
      finished: false,
      endMs: t,
      events: [],
      crashes: [],
      producers: new Map(),
      final,
    };
    this.runs.set(plan.executionId, run);
    for (const ev of plan.events) this.push(ev);
    for (const inv of plan.invocations)
      if (inv.crashAt !== undefined) this.push({ kind: "crash", key: inv.crashAt, n: 0, inv });
    this.planScenarios(plan, final);
    if (o.executions === undefined || this.started < o.executions) {
      // Poisson arrivals: exponential gaps around the mean.
      const gap = (-Math.log(1 - this.rng.next()) * 1000) / o.executionsPerSecond;
      this.push({ kind: "start", key: t + Math.max(1, Math.round(gap)), n: 0 });
    }
  }

  /** An invocation an agent serves directly; the next one is scheduled while executions still start. */
  private startStandalone(t: number): void {
    const o = this.options;
    // A finite run winds down once its last execution has started.
    if (o.executions !== undefined && this.started >= o.executions) return;
    const plan = planStandalone(this.rng, o, this.rng.pick(this.agents), t, this.solosStarted++);
    const solo: Solo = {
      kind: "standalone",
      id: plan.inv.correlationId,
      plan,
      open: plan.events.length,
      buffered: 0,
      ended: false,
      finished: false,
      endMs: t,
      events: [],
      crashes: [],
      producers: new Map(),
    };
    this.solos.set(solo.id, solo);
    for (const ev of plan.events) this.push(ev);
    if (plan.inv.crashAt !== undefined) this.push({ kind: "crash", key: plan.inv.crashAt, n: 0, inv: plan.inv });
    this.push({ kind: "standalone", key: t + this.arrivalGap(this.soloGapMs), n: 0 });
  }

  /** Replicas and orchestrator restarts: drawn only when switched on, so the default run stays as it was. */
  private planScenarios(plan: ExecutionPlan, final: PlannedEvent): void {
    const sc = this.options.scenarios;
    if (sc.replicas > 1) for (const inv of plan.invocations) inv.replica = this.rng.int(0, sc.replicas - 1);
    const restarts =
      sc.orchestratorRestart < 1
        ? sc.orchestratorRestart > 0 && this.rng.chance(sc.orchestratorRestart)
          ? 1
          : 0
        : sc.orchestratorRestart;
    for (let i = 0; i < restarts; i++) {
      // Between two of its events, so the run has a before and an after.
      const at = plan.t0 + 1 + this.rng.next() * Math.max(1, final.key - plan.t0 - 2);
      this.push({ kind: "orchestrator-restart", key: at, n: 0, executionId: plan.executionId });
    }
  }

  // --- emission ---

  private isoMinute = NaN;
  private isoPrefix = "";

  /** RFC 3339 UTC with ms, as toISOString() writes it, without a Date per line. */
  private stamp(p: Proc, t: number): string {
    const ms = this.options.startMs + Math.round(t) + p.skew;
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.isoMinute) {
      this.isoMinute = minute;
      this.isoPrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
    }
    const r = ms - minute * 60_000;
    const sec = Math.floor(r / 1000);
    const milli = r - sec * 1000;
    return `${this.isoPrefix}${sec < 10 ? "0" : ""}${sec}.${milli < 100 ? (milli < 10 ? "00" : "0") : ""}${milli}Z`;
  }

  private emit(e: PlannedEvent): void {
    e.live = false;
    const ctx = this.contextOf(e.context);
    ctx.open--;
    const run = ctx.kind === "execution" ? ctx : undefined;
    const solo = ctx.kind === "standalone" ? ctx.plan : undefined;
    const inv = e.inv;
    const p = inv ? this.procFor(inv) : this.orchestratorFor(e.context);
    if (inv !== undefined && inv.incarnation === 0) {
      inv.incarnation = p.incarnation;
      inv.processId = p.id;
      p.inFlight.add(inv);
    }
    const execId = ctx.id;
    let counter = p.perExecution.get(execId);
    if (counter === undefined) {
      const key = `${p.id}/${execId}`;
      counter = { n: 0, partitions: { "per-invocation": key, "per-execution": key, "per-process": p.id } };
      p.perExecution.set(execId, counter);
    }
    const perExecution = ++counter.n;
    const perProcess = ++p.perProcess;
    // The orchestrator's invocation is the run itself.
    const perInvocation = inv ? ++inv.counter : perExecution;
    const wouldBe: Record<SeqScope, number> = {
      "per-invocation": perInvocation,
      "per-execution": perExecution,
      "per-process": perProcess,
    };
    const seq = wouldBe[p.scope];
    const lane = inv ? p.lane : `workflow:${execId}`;
    const wf = run?.plan.workflow;
    const caller = solo ? solo.caller : inv ? `workflow:${execId}` : undefined;
    const orgId = solo ? solo.orgId : wf!.orgId;
    const workspaceId = solo ? solo.workspaceId : wf!.workspaceId;
    const traceId = solo ? solo.traceId : run!.plan.traceId;

    const ts = this.stamp(p, e.key);
    const spanId = hexId(this.rng, 16);
    const slot = e.slot;
    const prevHash = p.chain?.prevHash;
    const wrongType = slot.fault === "malformed" && slot.malformed === "wrong-type";
    let json: string;
    if (p.key === undefined && !wrongType && !this.slowEncode) {
      // Hot path: every interpolated value is an id or name we minted (no characters JSON must escape),
      // so concatenation writes exactly what JSON.stringify would (a test holds the two paths equal).
      json = `{"ts":"${ts}","event":"${e.event}","schema_version":"1.0","seq":${seq}`;
      if (inv) json += `,"correlation_id":"${inv.correlationId}","task_id":"${inv.taskId}"`;
      if (wf) json += `,"workflow_id":"${wf.workflowId}","workflow_execution_id":"${execId}"`;
      if (e.stageId !== undefined) json += `,"stage_id":"${e.stageId}","step_id":"${e.stepId}"`;
      if (caller !== undefined) json += `,"invocation_caller":"${caller}"`;
      json += `,"org_id":"${orgId}","workspace_id":"${workspaceId}","entity_type":"${p.entityType}","entity_id":"${inv ? p.name : execId}"`;
      if (this.options.producerField) json += `,"producer":"${p.producerValue}"`;
      json += `,"trace_id":"${traceId}","span_id":"${spanId}"`;
      if (e.extra !== undefined) {
        const extra = JSON.stringify(e.extra);
        if (extra.length > 2) json += `,${extra.slice(1, -1)}`;
      }
      json += prevHash !== undefined ? `,"prev_hash":"${prevHash}"}` : "}";
    } else {
      const w: Record<string, unknown> = { ts, event: e.event, schema_version: "1.0", seq };
      if (inv) {
        w.correlation_id = inv.correlationId;
        w.task_id = inv.taskId;
      }
      if (wf) {
        w.workflow_id = wf.workflowId;
        w.workflow_execution_id = execId;
      }
      if (e.stageId !== undefined) {
        w.stage_id = e.stageId;
        w.step_id = e.stepId;
      }
      if (caller !== undefined) w.invocation_caller = caller;
      w.org_id = orgId;
      w.workspace_id = workspaceId;
      w.entity_type = p.entityType;
      w.entity_id = inv ? p.name : execId;
      if (this.options.producerField) w.producer = p.producerValue;
      w.trace_id = traceId;
      w.span_id = spanId;
      if (e.extra !== undefined) Object.assign(w, e.extra);
      if (wrongType) breakTypes(w);
      if (prevHash !== undefined) w.prev_hash = prevHash;
      if (p.key !== undefined) signEvent(w, p.key);
      json = JSON.stringify(w);
    }
    let bytes: Uint8Array = utf8.encode(json);
    if (slot.fault === "malformed" && slot.malformed === "truncated") bytes = truncate(bytes, slot.cut);
    const hash = p.chain?.advance(bytes);

    if (inv) {
      inv.emitted++;
      if (inv.emitted === inv.events.length) {
        p.inFlight.delete(inv);
        if (solo) {
          ctx.ended = true;
          ctx.endMs = e.key;
        }
      }
    }
    if (e.final) {
      ctx.ended = true;
      ctx.endMs = e.key;
    }
    this.noteProducer(ctx, p, lane);

    const fate: Fate =
      slot.fault === "drop"
        ? "dropped"
        : slot.fault === "duplicate"
          ? "duplicated"
          : slot.fault === "reorder"
            ? "reordered"
            : slot.fault === "malformed"
              ? "malformed"
              : "published";
    const truth: TruthEvent = {
      id: `${execId}/${e.index}`,
      event: e.event,
      producer: lane,
      process: p.id,
      scope: p.scope,
      seq,
      wouldBe,
      partition: inv ? this.invocationPartitions(inv, counter) : counter.partitions,
      fate,
      atMs: e.key,
      emitIndex: this.emitted,
      published: [],
    };
    if (inv) {
      truth.correlationId = inv.correlationId;
      truth.taskId = inv.taskId;
    }
    if (e.stageId !== undefined) {
      truth.stageId = e.stageId;
      truth.stepId = e.stepId;
    }
    if (slot.malformed !== undefined && slot.fault === "malformed") truth.malformed = slot.malformed;
    if (hash !== undefined) {
      truth.hash = hash;
      truth.prevHash = prevHash;
    }
    ctx.events.push(truth);

    const ord = this.emitted++;
    if (slot.fault !== "drop") {
      const wait = slot.fault === "reorder" ? slot.shift : 0;
      const duplicate = slot.fault === "duplicate";
      // Hold the run open until the copy is queued too: otherwise a run whose last event is duplicated
      // finishes (and hands out its truth) when the original goes out, one line short.
      if (duplicate) ctx.buffered++;
      this.enqueue(wait, ord, e.key, bytes, truth.id, 0, lane, ctx, truth);
      if (duplicate) {
        ctx.buffered--;
        this.enqueue(slot.shift, ord, e.key, bytes, truth.id, 1, lane, ctx, truth);
      }
    }
    this.maybeFinish(ctx);
  }

  private emitStartup(e: StartupEntry): void {
    const p = e.proc;
    const w: Record<string, unknown> = {
      ts: this.stamp(p, e.key),
      event: e.event,
      schema_version: "1.0",
      entity_type: p.entityType,
      entity_id: p.name,
    };
    if (this.options.producerField) w.producer = p.producerValue;
    w.fields = e.fields;
    if (p.chain) w.prev_hash = p.chain.prevHash;
    if (p.key) signEvent(w, p.key);
    const bytes = utf8.encode(JSON.stringify(w));
    p.chain?.advance(bytes);
    const ord = this.emitted++;
    this.enqueue(0, ord, e.key, bytes, `${p.id}/${e.event}`, 0, p.lane, undefined, undefined);
  }

  private noteProducer(run: Context, p: Proc, lane: string): void {
    if (run.producers.has(p.id)) return;
    const tp: TruthProducer = {
      producer: lane,
      process: p.id,
      entityType: p.entityType,
      entityId: p.entityType === "agent" ? p.name : run.id,
      scope: p.scope,
    };
    if (this.options.producerField) tp.producerField = p.producerValue;
    run.producers.set(p.id, tp);
  }

  private readonly invPartitions = new WeakMap<Invocation, Record<SeqScope, string>>();

  /** An invocation runs on one incarnation, so its events share one partition record. */
  private invocationPartitions(inv: Invocation, counter: ExecCounter): Record<SeqScope, string> {
    let rec = this.invPartitions.get(inv);
    if (rec === undefined) {
      rec = { ...counter.partitions, "per-invocation": `${inv.correlationId}/${inv.taskId}` };
      this.invPartitions.set(inv, rec);
    }
    return rec;
  }

  // --- crashes ---

  private crash(c: CrashEntry): void {
    const inv = c.inv;
    // Its invocation was already cut short, cancelled, or is over: nothing left to crash.
    if (inv.dead || inv.incarnation === 0 || inv.emitted >= inv.events.length) return;
    const p = this.procFor(inv);
    if (inv.incarnation !== p.incarnation) return;
    const oldId = p.id;
    const oldPerProcess = p.perProcess;
    const oldPerExecution = p.perExecution;
    const killed = [...p.inFlight];
    this.boot(p);
    this.scheduleStartup(p, c.key + 0.1);

    const byRun = new Map<Run | Solo, Invocation[]>();
    for (const k of killed) {
      const run = this.contextOf(k.context);
      let list = byRun.get(run);
      if (list === undefined) byRun.set(run, (list = []));
      list.push(k);
    }
    for (const [run, invs] of byRun) {
      const execId = run.id;
      run.crashes.push({
        process: oldId,
        restartedAs: p.id,
        atMs: c.key,
        correlationIds: invs.map((i) => i.correlationId),
      });
      for (const k of invs) {
        k.dead = true;
        let lost = 0;
        for (let j = k.emitted; j < k.events.length; j++) {
          const e = k.events[j]!;
          if (!e.live) continue;
          e.live = false;
          run.open--;
          lost++;
          const wouldBe: Record<SeqScope, number> = {
            "per-invocation": k.counter + lost,
            "per-execution": (oldPerExecution.get(execId)?.n ?? 0) + lost,
            "per-process": oldPerProcess + lost,
          };
          run.events.push({
            id: `${execId}/${e.index}`,
            event: e.event,
            producer: `agent:${k.agent}`,
            process: oldId,
            scope: p.scope,
            seq: wouldBe[p.scope],
            wouldBe,
            partition: {
              "per-invocation": `${k.correlationId}/${k.taskId}`,
              "per-execution": `${oldId}/${execId}`,
              "per-process": oldId,
            },
            correlationId: k.correlationId,
            taskId: k.taskId,
            ...(e.stageId !== undefined && { stageId: e.stageId, stepId: e.stepId }),
            fate: "crash-lost",
            atMs: e.key,
            published: [],
          });
        }
        if (run.kind === "standalone") {
          // Its client sees the connection drop; no orchestrator fails a step or cancels a run.
          run.ended = true;
          run.endMs = c.key;
          continue;
        }
        // The orchestrator sees the A2A call fail a little later.
        const old = k.finish;
        if (old.live) {
          old.live = false;
          run.open--;
        }
        const failAt = c.key + this.rng.int(200, 1500);
        if (this.options.scenarios.retryAfterCrash) {
          this.retryStep(run, k, old, failAt);
          continue;
        }
        const fin = this.addEvent(run, failAt, "workflow_step_failed", k.stage, {
          fields: { agent: k.agent, error: "agent connection reset" },
        });
        fin.stageId = k.stageId;
        fin.stepId = k.stepId;
        k.finish = fin;
        const finishes = run.plan.stageFinishes[k.stage]!;
        if (finishes.includes(old)) finishes[finishes.indexOf(old)] = fin;
      }
      if (run.kind === "standalone") this.maybeFinish(run);
      else if (!this.options.scenarios.retryAfterCrash) this.cancelAfter(run, invs[0]!.stage);
    }
  }

  /** The orchestrator invokes the agent again for a step whose process died: a second attempt, on whichever process serves it now. */
  private retryStep(run: Run, k: Invocation, old: PlannedEvent, failAt: number): void {
    const again = this.addEvent(run, failAt, "workflow_step_started", k.stage, {
      fields: { agent: k.agent, attempt: k.attempt + 1, reason: "agent connection reset" },
    });
    again.stageId = k.stageId;
    again.stepId = k.stepId;
    const plan = run.plan;
    const before = plan.events.length;
    const inv = planInvocation(
      this.rng,
      this.options,
      plan.executionId,
      this.agentMap.get(k.agent)!,
      failAt + this.rng.int(5, 40),
      k.stage,
      k.stageId,
      k.stepId,
      plan.events,
    );
    inv.attempt = k.attempt + 1;
    inv.replica = this.options.scenarios.replicas > 1 ? this.rng.int(0, this.options.scenarios.replicas - 1) : 0;
    for (const e of plan.events.slice(before)) {
      run.open++;
      this.push(e);
    }
    plan.invocations.push(inv);
    const end = inv.events[inv.events.length - 1]!.key + this.rng.int(5, 40);
    const fin = this.addEvent(run, end, "workflow_step_completed", k.stage, { duration_ms: end - failAt });
    fin.stageId = k.stageId;
    fin.stepId = k.stepId;
    inv.finish = fin;
    const finishes = plan.stageFinishes[k.stage]!;
    if (finishes.includes(old)) finishes[finishes.indexOf(old)] = fin;
    // The run ends after its last step: move its final event past the retry if need be.
    const final = run.final;
    if (final.live && final.key <= end) {
      final.live = false;
      run.open--;
      const moved = this.addEvent(run, end + this.rng.int(5, 50), final.event, final.stage, final.extra);
      moved.final = true;
      run.final = moved;
    }
  }

  private addEvent(run: Run, t: number, event: string, stage: number, extra?: Record<string, unknown>): PlannedEvent {
    const e: PlannedEvent = {
      kind: "emit",
      context: run.plan.executionId,
      key: t,
      n: 0,
      live: true,
      index: run.plan.events.length,
      event,
      stage,
      extra,
      inv: undefined,
      final: false,
      slot: noFault(),
    };
    run.plan.events.push(e);
    run.open++;
    this.push(e);
    return e;
  }

  /** A failed step cancels the run: later stages never start; the run ends once this stage has. */
  private cancelAfter(run: Run, stage: number): void {
    for (const e of run.plan.events) {
      if (e.live && (e.stage > stage || e.final)) {
        e.live = false;
        run.open--;
        if (e.inv) e.inv.dead = true;
      }
    }
    let end = 0;
    for (const f of run.plan.stageFinishes[stage] ?? []) end = Math.max(end, f.key);
    const t = end + this.rng.int(5, 30);
    const final = this.addEvent(run, t, "workflow_cancelled", stage, { fields: { reason: "step failed" } });
    final.final = true;
    run.final = final;
  }

  // --- publish order ---

  private enqueue(
    wait: number,
    ord: number,
    t: number,
    bytes: Uint8Array,
    id: string,
    copy: number,
    producer: string,
    run: Run | Solo | undefined,
    truth: TruthEvent | undefined,
  ): void {
    const item: OutItem = { wait, t, ord, bytes, id, copy, producer, run, truth };
    if (run) run.buffered++;
    if (wait > 0) {
      this.held.push(item);
      return;
    }
    this.publish(item);
    if (this.held.length === 0) return;
    // Only lines going out on time count down, so each held line is overtaken by a later-written one.
    let due = false;
    for (const h of this.held) due = --h.wait <= 0 || due;
    if (!due) return;
    const still: OutItem[] = [];
    for (const h of this.held) {
      if (h.wait <= 0) this.publish(h);
      else still.push(h);
    }
    this.held = still;
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.publish(h);
  }

  private publish(item: OutItem): void {
    const index = this.published++;
    this.lastAt = Math.max(this.lastAt, item.t);
    const line: SimLine = {
      index,
      atMs: this.lastAt,
      bytes: item.bytes,
      id: item.id,
      copy: item.copy,
      emitIndex: item.ord,
      producer: item.producer,
    };
    if (item.run?.kind === "execution") line.executionId = item.run.id;
    else if (item.run) line.correlationId = item.run.id;
    item.truth?.published.push(index);
    this.fifo.push({ kind: "line", line });
    if (item.run) {
      item.run.buffered--;
      this.maybeFinish(item.run);
    }
  }

  private maybeFinish(ctx: Run | Solo): void {
    if (ctx.finished || !ctx.ended || ctx.open > 0 || ctx.buffered > 0) return;
    ctx.finished = true;
    if (ctx.kind === "standalone") return this.finishStandalone(ctx);
    const run = ctx;
    const plan = run.plan;
    const execId = plan.executionId;
    this.runs.delete(execId);
    for (const p of this.procs.values()) p.perExecution.delete(execId);
    this.orchestrator.perExecution.delete(execId);
    if (this.options.scenarios.processPerExecution) {
      // The execution's own processes end with it.
      for (const key of [...this.procs.keys()]) if (key.includes(`~${execId}`)) this.procs.delete(key);
    }
    const invocations: TruthInvocation[] = plan.invocations.map((inv) => {
      const ti: TruthInvocation = {
        correlationId: inv.correlationId,
        taskId: inv.taskId,
        agent: inv.agent,
        stageId: inv.stageId!,
        stepId: inv.stepId!,
        outcome: inv.dead && inv.incarnation > 0 ? "crashed" : inv.error ? "error" : "ok",
      };
      if (inv.incarnation > 0 && inv.processId !== undefined) ti.process = inv.processId;
      return ti;
    });
    const truth: TruthRecord = {
      executionId: execId,
      workflowId: plan.workflow.workflowId,
      index: plan.index,
      seed: this.options.seed,
      startMs: plan.t0,
      endMs: run.endMs,
      outcome: run.final.event === "workflow_complete" ? "completed" : "cancelled",
      producers: [...run.producers.values()],
      // Invocations of later stages that a failure cancelled never started.
      invocations: invocations.filter((_, i) => plan.invocations[i]!.incarnation > 0),
      crashes: run.crashes,
      events: run.events,
      counts: countFates(run.events),
    };
    this.fifo.push({ kind: "truth", truth });
  }

  private finishStandalone(solo: Solo): void {
    this.solos.delete(solo.id);
    for (const p of this.procs.values()) p.perExecution.delete(solo.id);
    const { inv, caller, index, t0 } = solo.plan;
    const truth: StandaloneTruthRecord = {
      correlationId: inv.correlationId,
      taskId: inv.taskId,
      agent: inv.agent,
      caller,
      index,
      seed: this.options.seed,
      startMs: t0,
      endMs: solo.endMs,
      process: inv.processId!,
      outcome: inv.dead ? "crashed" : inv.error ? "error" : "ok",
      producers: [...solo.producers.values()],
      crashes: solo.crashes,
      events: solo.events,
      counts: countFates(solo.events),
    };
    this.standaloneTruths?.push(truth);
    this.onStandaloneTruth?.(truth);
  }
}

/**
 * Every line and truth of a finite run (executions must be set): `truths` per execution, `standalone` per
 * standalone invocation (in the order they finished; empty unless `standaloneShare` > 0).
 */
export function runSimulation(
  input: SimOptionsInput,
  runtime: SimRuntime = {},
): { lines: SimLine[]; truths: TruthRecord[]; standalone: StandaloneTruthRecord[]; jwks: Jwks } {
  const standalone: StandaloneTruthRecord[] = [];
  const sim = new Simulator(input, {
    ...runtime,
    onStandaloneTruth: (t) => {
      standalone.push(t);
      runtime.onStandaloneTruth?.(t);
    },
  });
  if (sim.options.executions === undefined) throw new Error("runSimulation needs a finite number of executions");
  const lines: SimLine[] = [];
  const truths: TruthRecord[] = [];
  for (const item of sim) {
    if (item.kind === "line") lines.push(item.line);
    else truths.push(item.truth);
  }
  return { lines, truths, standalone, jwks: sim.jwks() };
}

/**
 * Mean lines per execution for these options (a quick fault-free sample), the lines of the standalone invocations
 * that arrive beside them included, to turn events/s into executions/s.
 */
export function meanLinesPerExecution(input: SimOptionsInput, sample = 100): number {
  const { lines } = runSimulation({
    ...input,
    executions: sample,
    faults: { drop: 0, duplicate: 0, reorder: { rate: 0 }, crash: 0, malformed: 0 },
  });
  return lines.filter((l) => l.executionId !== undefined || l.correlationId !== undefined).length / sample;
}
