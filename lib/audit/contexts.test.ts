// Contexts (context-ref.ts): every event is filed under its workflow run, else
// its invocation outside any run, else nothing (process-level). On Forge's own
// shapes (forge-fixtures.ts), on hand-built events, and on generated mixes
// whose expected numbers come from the generator's own bookkeeping.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SORT, selectExecutions, toRow } from "../executions/execution-rows";
import { AuditLog, type ExecutionSummary } from "./audit-log";
import { invocationKey } from "./context-ref";
import { FORGE_MIXED_EXPECT as X, FORGE_MIXED_LINES, forgeMixedNdjson } from "./forge-fixtures";
import { BUILTIN_KEYS, type PartitionKey } from "./partition-key";
import { BASE_TS_MS, makeMessage, makeWire, messagesFrom, seededRandom } from "./testing";
import type { RawMessage } from "./types";

const encoder = new TextEncoder();

/** Forge's documented seq group: (correlation_id, task_id). */
const INVOCATION_KEY = BUILTIN_KEYS.find(
  (k) => k.fields.length === 2 && k.fields[0] === "correlation_id" && k.fields[1] === "task_id",
) as PartitionKey;

function forgeLog(): AuditLog {
  const log = new AuditLog();
  log.add(messagesFrom(FORGE_MIXED_LINES));
  return log;
}

const names = (xs: readonly ExecutionSummary[]) => xs.map((x) => x.name);
const sumEvents = (xs: readonly ExecutionSummary[]) => xs.reduce((n, x) => n + x.eventCount, 0);

describe("the Forge fixture", () => {
  it("is the contract's shapes: one compact object per line, 2026 RFC 3339 ts, OTel ids", () => {
    expect(FORGE_MIXED_LINES).toHaveLength(X.lines);
    expect(forgeMixedNdjson().split("\n")).toEqual(FORGE_MIXED_LINES);
    for (const line of FORGE_MIXED_LINES) {
      const o = JSON.parse(line) as Record<string, unknown>;
      expect(JSON.stringify(o)).toBe(line);
      if (o.ts !== undefined) expect(o.ts).toMatch(/^2026-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      if (o.trace_id !== undefined) expect(o.trace_id).toMatch(/^[0-9a-f]{32}$/);
      if (o.span_id !== undefined) expect(o.span_id).toMatch(/^[0-9a-f]{16}$/);
      // Without seq: a process-level event (or the line that lost its ts, malformed).
      if (o.seq === undefined && o.ts !== undefined) {
        expect(o.correlation_id ?? o.workflow_execution_id).toBeUndefined();
      }
    }
  });

  it("holds one execution and the standalone invocations, with their task ids", () => {
    const log = forgeLog();
    expect(log.executions().map((x) => [x.id, x.kind, x.name, x.eventCount])).toEqual([
      [X.executionId, "execution", X.executionId, X.executionEvents],
    ]);
    const invocations = log.invocations();
    expect(invocations).toHaveLength(X.invocations);
    // Newest first; the fixture's invocations begin in the order they are listed.
    expect(names(invocations)).toEqual([...X.standalone].reverse());
    for (const s of invocations) {
      expect(s.kind).toBe("invocation");
      expect(s.id).toBe(invocationKey(s.name));
      expect(s.taskIds ?? []).toEqual(X.taskIds[s.name]);
      expect(log.execution(s.id)).toEqual(s);
    }
    expect(log.executions({ kind: "invocation" })).toEqual(invocations);
    expect(names(log.executions({ kind: "all" })).sort()).toEqual([X.executionId, ...X.standalone].sort());
    // The invocation inside the run is filed under the run, not as a context of its own.
    expect(log.execution(invocationKey(X.inRunCorrelationId))).toBeUndefined();
  });

  it("divides every line into executions, invocations, outside and malformed", () => {
    const log = forgeLog();
    const c = log.eventCounts();
    expect(c).toEqual({
      executions: X.executionEvents,
      invocations: X.invocationEvents,
      outside: X.outside,
      malformed: X.malformed,
    });
    expect(c.executions + c.invocations + c.outside + c.malformed).toBe(X.lines);
    expect(sumEvents(log.executions({ kind: "all" }))).toBe(c.executions + c.invocations);
    expect(sumEvents(log.invocations())).toBe(c.invocations);
  });

  it("finds each invocation and the run by searching their names", () => {
    const rows = forgeLog()
      .executions({ kind: "all" })
      .map((s) => toRow(s));
    for (const name of [...X.standalone, X.executionId]) {
      const found = selectExecutions(rows, { search: name }, DEFAULT_SORT);
      expect(found.map((r) => r.name)).toEqual([name]);
    }
    expect(selectExecutions(rows, { search: X.standalone[0].toUpperCase() }, DEFAULT_SORT)).toHaveLength(1);
  });

  it("matches a search against names, not against the key's encoding", () => {
    // No name holds "invocation": an invocation's key does, after a NUL no one types.
    const rows = forgeLog()
      .executions({ kind: "all" })
      .map((s) => toRow(s));
    expect(selectExecutions(rows, { search: "invocation" }, DEFAULT_SORT).map((r) => r.name)).toEqual([]);
  });

  it("relates the run and the invocation inside it, both ways", () => {
    const log = forgeLog();
    expect(log.related(X.executionId)).toEqual([X.inRunCorrelationId]);
    expect(log.related(invocationKey(X.inRunCorrelationId))).toEqual([X.executionId]);
    for (const c of X.standalone) expect(log.related(invocationKey(c))).toEqual([]);
    expect(log.related(invocationKey("no-such-corr"))).toEqual([]);
    expect(log.related("wfx-no-such-run")).toEqual([]);
  });

  it("reports the lost seq of the gap invocation under (correlation_id, task_id), and no other", () => {
    const log = forgeLog();
    const gapKey = invocationKey(X.gap.correlationId);
    const a = log.analyze(INVOCATION_KEY, { executionId: gapKey });
    expect(a.counts.gap).toBe(1);
    expect(a.anomalies.filter((x) => x.kind === "gap").map((x) => x.seqRange)).toEqual([
      [X.gap.missingSeq, X.gap.missingSeq],
    ]);
    expect(a.partitions).toMatchObject([
      { values: { correlation_id: X.gap.correlationId, task_id: X.gap.taskId }, minSeq: 1, maxSeq: 6 },
    ]);
    for (const s of [...log.invocations(), ...log.executions()]) {
      if (s.id === gapKey) continue;
      const other = log.analyze(INVOCATION_KEY, { executionId: s.id });
      expect({ id: s.name, gap: other.counts.gap, collision: other.counts.collision }).toEqual({
        id: s.name,
        gap: 0,
        collision: 0,
      });
    }
    // auth_fail has no task_id: outside every partition of this key.
    expect(log.analyze(INVOCATION_KEY, { executionId: invocationKey("e5f6a7b8") }).noKey).toBe(1);
  });

  it("gives each invocation its status: complete once closed, stalled when it never closed", () => {
    const log = forgeLog();
    for (const s of log.invocations()) expect([s.name, s.status]).toEqual([s.name, X.status[s.name]]);
    expect(log.execution(X.executionId)?.status).toBe("complete");
  });

  it("counts the malformed line that names only a correlation id in that invocation", () => {
    const log = forgeLog();
    const key = invocationKey(X.malformedOf);
    expect(log.execution(key)).toMatchObject({ malformedCount: 1, eventCount: 7 });
    expect(log.malformed(key)).toMatchObject([{ correlation_id: X.malformedOf, reason: "ts is missing" }]);
    expect(log.analyze(INVOCATION_KEY, { executionId: key }).counts.malformed).toBe(1);
    const elsewhere = log.executions({ kind: "all" }).filter((s) => s.id !== key);
    expect(elsewhere.map((s) => s.malformedCount)).toEqual(elsewhere.map(() => 0));
  });

  it("lists the process-level events on their producer processes", () => {
    const byIdentity = new Map(
      forgeLog()
        .processLedger()
        .processes.map((p) => [p.identity.id, p]),
    );
    expect(byIdentity.get("agent:billing-agent")).toMatchObject({
      processLevel: 3,
      executions: [X.executionId],
      invocations: ["a1b2c3d4", X.inRunCorrelationId, "0badc0de"],
    });
    expect(byIdentity.get("agent:support-agent")).toMatchObject({
      processLevel: 1,
      executions: [],
      invocations: ["e5f6a7b8", "c9d0e1f2"],
    });
  });

  it("answers the same after a snapshot round trip, and carries on from there", () => {
    const log = forgeLog();
    const keys = log.executions({ kind: "all" }).map((s) => s.id);
    const keysToAsk = [...keys, invocationKey(X.inRunCorrelationId)];
    const before = {
      invocations: log.invocations(),
      executions: log.executions({ kind: "all" }),
      counts: log.eventCounts(),
      related: keysToAsk.map((k) => log.related(k)),
    };
    const back = AuditLog.fromSnapshot(structuredClone(log.snapshot()));
    expect({
      invocations: back.invocations(),
      executions: back.executions({ kind: "all" }),
      counts: back.eventCounts(),
      related: keysToAsk.map((k) => back.related(k)),
    }).toEqual(before);
    // The auth_fail invocation closes late: the restored log files it as before.
    const close = makeWire(
      { event: "session_end", seq: 2, correlation_id: "e5f6a7b8", entity_type: "agent", entity_id: "support-agent" },
      Date.parse("2026-03-02T09:10:01Z"),
    );
    back.add([makeMessage(close, { streamSeq: X.lines + 1 })]);
    expect(back.execution(invocationKey("e5f6a7b8"))).toMatchObject({ status: "complete", eventCount: 2 });
    expect(back.eventCounts()).toEqual({ ...before.counts, invocations: before.counts.invocations + 1 });
  });
});

/** Hand-built: an event of invocation `corr`, `sec` seconds after BASE_TS_MS. */
const inv = (corr: string, event: string, seq: number, sec: number, extra: Record<string, unknown> = {}) =>
  makeWire({ event, seq, correlation_id: corr, task_id: `task-${corr}`, ...extra }, BASE_TS_MS + sec * 1000);

const at = (payload: object | string, streamSeq: number, sec = streamSeq): RawMessage =>
  makeMessage(payload, { streamSeq, receivedMs: BASE_TS_MS + sec * 1000 });

describe("an invocation outside any run", () => {
  it("is running, then stalled after the quiet period, and complete once invocation_complete comes", () => {
    const log = new AuditLog({ quietPeriodMs: 60_000 });
    log.add([at(inv("c1", "session_start", 1, 1), 1), at(inv("c1", "llm_call", 2, 2), 2)]);
    const key = invocationKey("c1");
    expect(log.execution(key)?.status).toBe("running");
    expect(log.execution(key, { nowMs: BASE_TS_MS + 2_000 + 59_999 })?.status).toBe("running");
    expect(log.execution(key, { nowMs: BASE_TS_MS + 2_000 + 60_000 })?.status).toBe("stalled");
    log.add([at(inv("c1", "invocation_complete", 3, 3), 3)]);
    expect(log.execution(key)?.status).toBe("complete");
    expect(log.execution(key, { nowMs: BASE_TS_MS + 3_600_000 })?.status).toBe("complete");
  });

  it("is complete on session_end alone, and failed when its closing event says so", () => {
    const log = new AuditLog();
    log.add([
      at(inv("c1", "session_start", 1, 1), 1),
      at(inv("c1", "session_end", 2, 2), 2),
      at(inv("c2", "session_start", 1, 3), 3),
      at(inv("c2", "invocation_complete", 2, 4, { fields: { status: "error" } }), 4),
      at(inv("c3", "session_start", 1, 5), 5),
      at(inv("c3", "invocation_complete", 2, 6, { fields: { status: "failed" } }), 6),
      at(inv("c4", "session_start", 1, 7), 7),
      at(inv("c4", "invocation_complete", 2, 8, { fields: { status: "ok" } }), 8),
    ]);
    expect(log.invocations().map((s) => [s.name, s.status])).toEqual([
      ["c4", "complete"],
      ["c3", "failed"],
      ["c2", "failed"],
      ["c1", "complete"],
    ]);
  });

  it("collects a malformed line that names only its correlation id, and one that names a run goes to the run", () => {
    const log = new AuditLog();
    log.add([
      at(inv("c1", "session_start", 1, 1), 1),
      at(JSON.stringify({ event: "tool_exec", seq: 2, correlation_id: "c1", task_id: "task-c1" }), 2), // no ts
      at(JSON.stringify({ ts: 42, event: "tool_exec", correlation_id: "c1", workflow_execution_id: "x1" }), 3),
      at(makeWire({ event: "workflow_started", workflow_execution_id: "x1", seq: 1 }, BASE_TS_MS + 4_000), 4),
      at('{"correlation_id":"c1","ts":"2026-', 5), // truncated: names nothing
    ]);
    expect(log.execution(invocationKey("c1"))).toMatchObject({ eventCount: 1, malformedCount: 1 });
    expect(log.execution("x1")).toMatchObject({ eventCount: 1, malformedCount: 1 });
    expect(log.eventCounts()).toEqual({ executions: 1, invocations: 1, outside: 0, malformed: 3 });
    expect(log.malformed(invocationKey("c1")).map((m) => m.streamSeq)).toEqual([2]);
  });

  it("lists its task ids in stream order, whatever order they arrive in", () => {
    // One invocation, two tasks: task-b's event is stored first (stream sequence 1), task-a's second.
    const first = at(inv("c1", "session_start", 1, 1, { task_id: "task-b" }), 1);
    const second = at(inv("c1", "tool_exec", 2, 2, { task_id: "task-a" }), 2);
    const inOrder = new AuditLog();
    inOrder.add([first, second]);
    const late = new AuditLog();
    late.add([second]);
    late.add([first]);
    expect(inOrder.execution(invocationKey("c1"))?.taskIds).toEqual(["task-b", "task-a"]);
    expect(late.execution(invocationKey("c1"))?.taskIds).toEqual(["task-b", "task-a"]);
  });

  it("is an invocation only without a workflow_execution_id; process-level events file nowhere", () => {
    const log = new AuditLog();
    log.add([
      at(makeWire({ event: "policy_loaded", entity_type: "agent", entity_id: "a" }, BASE_TS_MS + 1_000), 1),
      at(inv("c1", "session_start", 1, 2, { workflow_execution_id: "x1" }), 2),
      at(inv("c1", "tool_exec", 2, 3), 3), // the same correlation id, no run: a standalone invocation
      at(makeWire({ event: "auth_fail", correlation_id: "c2" }, BASE_TS_MS + 4_000), 4),
      at(makeWire({ event: "tool_exec", workflow_execution_id: "", correlation_id: "" }, BASE_TS_MS + 5_000), 5),
    ]);
    expect(names(log.executions())).toEqual(["x1"]);
    expect(names(log.invocations())).toEqual(["c2", "c1"]);
    expect(log.eventCounts()).toEqual({ executions: 1, invocations: 2, outside: 2, malformed: 0 });
    expect(log.related("x1")).toEqual(["c1"]);
    expect(log.related(invocationKey("c1"))).toEqual(["x1"]);
    expect(log.execution(invocationKey("c2"))?.taskIds).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Generated mixes. The generator keeps its own books (which line is what, which
// delivery repeats which), and the log must agree with them.

/** What one mix is made of; each event and each named malformed line is unique. */
const mixArb = fc.record({
  seed: fc.integer(),
  /** Per run: its events, and how many agent invocations inside it (their correlation ids). */
  runs: fc.array(fc.record({ events: fc.integer({ min: 1, max: 6 }), corrs: fc.integer({ min: 0, max: 2 }) }), {
    maxLength: 4,
  }),
  /** Per standalone invocation: its events and how many task ids they use (0: none, as auth_fail). */
  invocations: fc.array(fc.record({ events: fc.integer({ min: 1, max: 6 }), tasks: fc.integer({ min: 0, max: 3 }) }), {
    maxLength: 5,
  }),
  outside: fc.integer({ min: 0, max: 4 }),
  /** Malformed lines naming nothing: random bytes, or an event's JSON cut short. */
  garbage: fc.array(
    fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.integer({ min: 0, max: 400 }).map((cut) => ({ cut })),
    ),
    { maxLength: 4 },
  ),
  /** Malformed lines (ts missing) naming a generated context, by index into runs ++ invocations. */
  named: fc.array(fc.nat(), { maxLength: 3 }),
  /** Extra deliveries: which line (by index), how. */
  dups: fc.array(fc.tuple(fc.nat(), fc.constantFrom("redeliver", "twice", "retry")), { maxLength: 8 }),
  sizesA: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
  sizesB: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
});

type Mix = typeof mixArb extends fc.Arbitrary<infer T> ? T : never;

interface GenLine {
  data: Uint8Array;
  /** The context key it is filed under (undefined: none). */
  home: string | undefined;
  kind: "execution" | "invocation" | "outside" | "malformed";
}

interface Generated {
  deliveries: RawMessage[];
  runIds: string[];
  corrIds: string[];
  /** Correlation ids of the invocations inside each run. */
  runCorrs: Map<string, string[]>;
  /** Expected per kind: distinct events / malformed lines. */
  expected: { executions: number; invocations: number; outside: number; malformed: number };
  /** Expected per context key. */
  perContext: Map<string, { eventCount: number; malformedCount: number; duplicateCount: number }>;
}

function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function chunks<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  for (let i = 0, k = 0; i < xs.length; k++) {
    const n = sizes[k % sizes.length] as number;
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

function generate(mix: Mix): Generated {
  const rand = seededRandom(mix.seed);
  const lines: GenLine[] = [];
  let clock = 0;
  const tick = () => BASE_TS_MS + ++clock * 1000;
  const json = (o: object) => encoder.encode(JSON.stringify(o));
  const perContext = new Map<string, { eventCount: number; malformedCount: number; duplicateCount: number }>();
  const ctx = (key: string) => {
    let c = perContext.get(key);
    if (c === undefined) perContext.set(key, (c = { eventCount: 0, malformedCount: 0, duplicateCount: 0 }));
    return c;
  };

  const runIds = mix.runs.map((_, i) => `wfx-gen-${i}`);
  const runCorrs = new Map<string, string[]>();
  mix.runs.forEach((r, i) => {
    const x = runIds[i] as string;
    const corrs = Array.from({ length: r.corrs }, (_, k) => `run${i}-corr-${k}`);
    const carried = new Set<string>();
    runCorrs.set(x, []);
    ctx(x);
    for (let e = 0; e < r.events; e++) {
      const w: Record<string, unknown> = { workflow_id: "wf-gen", workflow_execution_id: x, seq: e + 1 };
      // Orchestrator lifecycle first, then the agents it called (each event of one of them).
      if (corrs.length === 0 || e === 0) w.event = e === 0 ? "workflow_started" : "workflow_step_completed";
      else {
        const corr = corrs[e % corrs.length] as string;
        if (!carried.has(corr)) runCorrs.get(x)?.push(corr);
        carried.add(corr);
        Object.assign(w, { event: "tool_exec", correlation_id: corr, task_id: `t-${x}-${e}` });
        Object.assign(w, { entity_type: "agent", entity_id: `agent-${e % 2}` });
      }
      lines.push({ data: json(makeWire(w, tick())), home: x, kind: "execution" });
      ctx(x).eventCount++;
    }
  });
  const corrIds = mix.invocations.map((_, i) => `corr-gen-${i}`);
  mix.invocations.forEach((v, i) => {
    const c = corrIds[i] as string;
    const key = invocationKey(c);
    ctx(key);
    for (let e = 0; e < v.events; e++) {
      const w: Record<string, unknown> = {
        event: e === v.events - 1 && rand() < 0.5 ? "invocation_complete" : "llm_call",
        seq: e + 1,
        correlation_id: c,
        entity_type: "agent",
        entity_id: `agent-${i % 3}`,
      };
      if (v.tasks > 0) w.task_id = `task-${i}-${Math.floor(rand() * v.tasks)}`;
      lines.push({ data: json(makeWire(w, tick())), home: key, kind: "invocation" });
      ctx(key).eventCount++;
    }
  });
  for (let i = 0; i < mix.outside; i++) {
    const event = ["policy_loaded", "agent_card_published", "audit_export_status"][i % 3] as string;
    const w = makeWire({ event, entity_type: "agent", entity_id: `agent-${i}`, fields: { n: i } }, tick());
    lines.push({ data: json(w), home: undefined, kind: "outside" });
  }
  mix.garbage.forEach((g, i) => {
    let data: Uint8Array;
    if (g instanceof Uint8Array) data = g;
    else {
      const full = json(makeWire({ correlation_id: `garbage-${i}`, seq: 1 }, tick()));
      data = full.slice(0, g.cut % full.length); // always short of the closing brace
    }
    lines.push({ data, home: undefined, kind: "malformed" });
  });
  const contexts = [...runIds, ...corrIds.map(invocationKey)];
  mix.named.forEach((n, i) => {
    if (contexts.length === 0) return;
    const ix = n % contexts.length;
    const key = contexts[ix] as string;
    const ids = ix < runIds.length ? { workflow_execution_id: key } : { correlation_id: corrIds[ix - runIds.length] };
    lines.push({ data: json({ event: "tool_exec", note: `named-${i}`, ...ids }), home: key, kind: "malformed" });
    ctx(key).malformedCount++;
  });

  // Stream order: the lines interleaved, with holes (deleted messages).
  const order = shuffled(lines, rand);
  let streamSeq = 0;
  const first: RawMessage[] = [];
  const lineOf = new Map<RawMessage, GenLine>();
  for (const l of order) {
    streamSeq += rand() < 0.1 ? 2 : 1;
    const m = makeMessage(l.data, { streamSeq, receivedMs: BASE_TS_MS + streamSeq * 10 });
    first.push(m);
    lineOf.set(m, l);
  }
  const deliveries = first.slice();
  const retries: RawMessage[] = [];
  if (first.length > 0) {
    for (const [pick, how] of mix.dups) {
      const m = first[pick % first.length] as RawMessage;
      const l = lineOf.get(m) as GenLine;
      if (l.home !== undefined) ctx(l.home).duplicateCount++;
      if (how === "retry") {
        // The producer published the same bytes again: a new stream sequence, later.
        retries.push({ ...m, streamSeq: ++streamSeq, receivedMs: m.receivedMs + 5_000 });
        continue;
      }
      const copy = how === "redeliver" ? { ...m, deliveryCount: 2, receivedMs: m.receivedMs + 30_000 } : { ...m };
      const after = deliveries.indexOf(m) + 1;
      deliveries.splice(after + Math.floor(rand() * (deliveries.length - after + 1)), 0, copy);
    }
  }
  deliveries.push(...retries);

  const expected = { executions: 0, invocations: 0, outside: 0, malformed: 0 };
  const malformedContents = new Set<string>();
  for (const l of lines) {
    if (l.kind === "malformed") malformedContents.add(hexOf(l.data));
    else if (l.kind === "outside") expected.outside++;
    else expected[l.kind === "execution" ? "executions" : "invocations"]++;
  }
  expected.malformed = malformedContents.size;
  return { deliveries, runIds, corrIds, runCorrs, expected, perContext };
}

/** Distinct stream sequences fed, less those whose bytes repeat another's: from the deliveries alone. */
function distinctMessages(deliveries: readonly RawMessage[]): number {
  const bytesAt = new Map<number, string>();
  for (const m of deliveries) bytesAt.set(m.streamSeq, hexOf(m.data));
  return new Set(bytesAt.values()).size;
}

/** Everything the log says about its contexts, as plain data. */
function contextView(log: AuditLog) {
  const all = log.executions({ kind: "all" });
  return {
    all,
    counts: log.eventCounts(),
    related: all.map((s) => [s.id, log.related(s.id)]),
    duplicates: log.duplicates().map((d) => [d.streamSeq, d.of, d.deliveryCount]),
    malformed: log.malformed().map((m) => m.streamSeq),
  };
}

function feed(deliveries: readonly RawMessage[], sizes: readonly number[]): AuditLog {
  const log = new AuditLog();
  for (const batch of chunks(deliveries, sizes)) log.add(batch);
  return log;
}

describe("contexts of generated mixes", () => {
  it("add up to what was fed, list each run and invocation once, whatever the batches", () => {
    fc.assert(
      fc.property(mixArb, (mix) => {
        const g = generate(mix);
        const log = feed(g.deliveries, mix.sizesA);
        const c = log.eventCounts();
        const all = log.executions({ kind: "all" });

        expect(c).toEqual(g.expected);
        expect(sumEvents(all)).toBe(c.executions + c.invocations);
        expect(c.executions + c.invocations + c.outside + c.malformed).toBe(distinctMessages(g.deliveries));
        expect(log.duplicates()).toHaveLength(g.deliveries.length - distinctMessages(g.deliveries));

        expect(names(log.executions()).sort()).toEqual(g.runIds.slice().sort());
        expect(names(log.invocations()).sort()).toEqual(g.corrIds.slice().sort());
        expect(all).toHaveLength(g.runIds.length + g.corrIds.length);
        for (const s of all) {
          const want = g.perContext.get(s.id);
          expect({
            name: s.name,
            eventCount: s.eventCount,
            malformedCount: s.malformedCount,
            duplicateCount: s.duplicateCount,
          }).toEqual({ name: s.name, ...want });
        }
        for (const [x, corrs] of g.runCorrs) {
          expect(log.related(x).slice().sort()).toEqual(corrs.slice().sort());
          for (const corr of corrs) expect(log.related(invocationKey(corr))).toEqual([x]);
        }

        expect(contextView(feed(g.deliveries, mix.sizesB))).toEqual(contextView(log));
      }),
      { numRuns: 80 },
    );
  });

  it("do not depend on the order messages arrive in", () => {
    fc.assert(
      fc.property(mixArb, fc.integer(), (mix, shuffleSeed) => {
        const g = generate(mix);
        const inOrder = feed(g.deliveries, mix.sizesA);
        const anyOrder = feed(shuffled(g.deliveries, seededRandom(shuffleSeed)), mix.sizesB);
        expect(contextView(anyOrder)).toEqual(contextView(inOrder));
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------
// The memory budget lets finished invocations go like finished runs.

/**
 * `n` invocations one after the other, each closed but the last (still running);
 * the second has a gap (seq 3 lost) and a malformed line, so its counts are not all zero.
 */
function finishedInvocations(n: number): { messages: RawMessage[]; events: Map<string, number> } {
  const messages: RawMessage[] = [];
  const events = new Map<string, number>();
  let s = 0;
  for (let i = 0; i < n; i++) {
    const corr = `inv-${i}`;
    const seqs = i === 1 ? [1, 2, 4, 5] : [1, 2, 3];
    seqs.forEach((seq, k) => {
      const last = k === seqs.length - 1;
      const event = k === 0 ? "session_start" : last && i < n - 1 ? "invocation_complete" : "llm_call";
      messages.push(at(inv(corr, event, seq, s + 1, { entity_type: "agent", entity_id: "a" }), ++s));
    });
    events.set(corr, seqs.length);
    if (i === 1) messages.push(at(JSON.stringify({ event: "tool_exec", correlation_id: corr }), ++s));
  }
  return { messages, events };
}

describe("an invocation under a memory budget", () => {
  it("is evicted once finished, its counts kept in its summary, and comes back when its stretch is read again", () => {
    const { messages, events } = finishedInvocations(12);
    const fedEvents = [...events.values()].reduce((a, b) => a + b, 0);
    const log = new AuditLog({ budgetBytes: 1 });
    for (const batch of chunks(messages, [5, 3, 7])) log.add(batch);

    const summaries = log.invocations();
    const evicted = summaries.filter((s) => s.evicted !== undefined);
    expect(evicted.length).toBeGreaterThan(0);
    // Only what ended may go: the running one stays.
    expect(log.execution(invocationKey("inv-11"))?.evicted).toBeUndefined();
    expect(log.memory().evictedExecutions).toBeGreaterThanOrEqual(evicted.length);
    for (const s of summaries) expect([s.name, s.eventCount]).toEqual([s.name, events.get(s.name)]);
    // Held and let go, the counts are what was fed; eventCounts() says so too.
    const gone = (what: "events" | "malformed") => evicted.reduce((n, s) => n + (s.evicted?.[what] ?? 0), 0);
    const held = summaries.reduce((n, s) => n + log.events(s.id).length, 0);
    expect(held).toBeLessThan(fedEvents);
    expect(held + gone("events")).toBe(fedEvents);
    expect(log.malformed().length + gone("malformed")).toBe(1);
    expect(sumEvents(summaries)).toBe(fedEvents);
    expect(log.eventCounts()).toEqual({ executions: 0, invocations: fedEvents, outside: 0, malformed: 1 });

    const key = invocationKey("inv-1");
    const before = log.execution(key);
    expect(before?.evicted).toMatchObject({ events: 4, malformed: 1 });
    const keptCounts = before?.evicted?.counts[INVOCATION_KEY.id];
    expect(keptCounts).toMatchObject({ gap: 1, malformed: 1 });

    const unpin = log.pin(key);
    const { firstStreamSeq: from, lastStreamSeq: to } = before as ExecutionSummary;
    log.add(messages.filter((m) => m.streamSeq >= from && m.streamSeq <= to).map((m) => ({ ...m, reread: true })));
    const after = log.execution(key);
    expect(after?.evicted).toBeUndefined();
    expect(after).toMatchObject({ eventCount: 4, malformedCount: 1, duplicateCount: 0 });
    expect(log.events(key).map((e) => e.seq)).toEqual([1, 2, 4, 5]);
    expect(log.analyze(INVOCATION_KEY, { executionId: key }).counts).toEqual(keptCounts);
    const again = log.invocations();
    const heldAgain = again.reduce((n, s) => n + log.events(s.id).length, 0);
    expect(heldAgain + again.reduce((n, s) => n + (s.evicted?.events ?? 0), 0)).toBe(fedEvents);
    expect(log.eventCounts()).toEqual({ executions: 0, invocations: fedEvents, outside: 0, malformed: 1 });
    unpin();
  });
});
