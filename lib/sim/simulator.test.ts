import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runSimulation, Simulator, type SimLine } from "./simulator";
import { demoSimOptions, resolveSimOptions, SimOptionsError, type SeqScope, type SimOptionsInput } from "./options";
import { GENESIS_HASH } from "../audit/chain";
import { sha256Hex } from "../audit/sha256";
import { KeyRing, signatureProblem } from "../audit/signature";
import type { TruthEvent, TruthRecord } from "./truth";

const dec = new TextDecoder();
type Wire = Record<string, unknown>;

function parse(line: SimLine): Wire | undefined {
  try {
    return JSON.parse(dec.decode(line.bytes)) as Wire;
  } catch {
    return undefined;
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

const ALL_FAULTS: SimOptionsInput["faults"] = {
  drop: 0.02,
  duplicate: 0.02,
  reorder: { rate: 0.02, window: 5 },
  crash: 0.03,
  malformed: 0.02,
};

describe("Simulator", () => {
  it("hands out an execution's truth only after all of its lines, copies included", () => {
    // Duplicates are frequent enough here that some runs end on a duplicated event.
    const sim = new Simulator(
      resolveSimOptions({ ...demoSimOptions(5, 0), executions: 400, faults: { ...ALL_FAULTS, duplicate: 0.2 } }),
    );
    const linesSoFar = new Map<string, number>();
    const finished = new Set<string>();
    const late: string[] = [];
    let endedOnCopy = 0;
    for (let item = sim.next(); item !== undefined; item = sim.next()) {
      if (item.kind === "line") {
        const id = item.line.executionId;
        if (id && finished.has(id)) late.push(item.line.id);
        if (id) linesSoFar.set(id, (linesSoFar.get(id) ?? 0) + 1);
        continue;
      }
      finished.add(item.truth.executionId);
      const t = item.truth;
      expect(linesSoFar.get(t.executionId) ?? 0).toBe(t.counts.lines);
      const published = t.events.reduce((n, e) => n + e.published.length, 0);
      expect(published).toBe(t.counts.lines);
      if (t.events.at(-1)?.fate === "duplicated") endedOnCopy++;
    }
    expect(endedOnCopy).toBeGreaterThan(0);
    expect(late).toEqual([]);
  });

  it("reproduces a run byte for byte from its seed", () => {
    const opts: SimOptionsInput = { seed: 11, executions: 30, agentScope: "mixed", sign: true, faults: ALL_FAULTS };
    const a = runSimulation(opts);
    const b = runSimulation(opts);
    expect(a.lines.map((l) => dec.decode(l.bytes))).toEqual(b.lines.map((l) => dec.decode(l.bytes)));
    expect(JSON.stringify(a.truths)).toBe(JSON.stringify(b.truths));
    expect(a.jwks).toEqual(b.jwks);
    const c = runSimulation({ ...opts, seed: 12 });
    expect(c.lines.map((l) => dec.decode(l.bytes))).not.toEqual(a.lines.map((l) => dec.decode(l.bytes)));
  });

  it("writes the same bytes on its fast path as JSON.stringify of the event", () => {
    const opts: SimOptionsInput = {
      seed: 14,
      executions: 25,
      agentScope: "mixed",
      producerField: true,
      faults: ALL_FAULTS,
    };
    const text = (sim: Simulator) => [...sim].flatMap((i) => (i.kind === "line" ? [dec.decode(i.line.bytes)] : []));
    const fast = text(new Simulator(opts));
    expect(fast).toEqual(text(new Simulator(opts, { slowEncode: true })));
    // And it is JSON as JSON.stringify writes it (key order kept, nothing escaped differently).
    for (const line of fast) {
      let w: unknown;
      try {
        w = JSON.parse(line);
      } catch {
        continue; // a truncated line
      }
      expect(JSON.stringify(w)).toBe(line);
    }
  });

  it("gives every invocation a complete lifecycle unless its process crashed", () => {
    const { truths } = runSimulation({ seed: 5, executions: 80, faults: { crash: 0.05 } });
    let crashed = 0;
    for (const t of truths) {
      const byInv = groupBy(
        t.events.filter((e) => e.correlationId),
        (e) => e.correlationId!,
      );
      expect(byInv.size).toBe(t.invocations.length);
      for (const inv of t.invocations) {
        const evs = byInv.get(inv.correlationId)!;
        const kinds = evs.map((e) => e.event);
        expect(kinds[0]).toBe("auth_verify");
        expect(kinds[1]).toBe("session_start");
        expect(kinds).toContain("llm_call");
        expect(kinds.at(-2)).toBe("invocation_complete");
        expect(kinds.at(-1)).toBe("session_end");
        const lost = evs.filter((e) => e.fate === "crash-lost");
        if (inv.outcome === "crashed") {
          crashed++;
          // The tail is lost: at least session_end, never the head.
          expect(lost.at(-1)?.event).toBe("session_end");
          expect(evs[0]?.fate).not.toBe("crash-lost");
          expect(evs.slice(evs.length - lost.length).every((e) => e.fate === "crash-lost")).toBe(true);
        } else {
          expect(lost).toHaveLength(0);
        }
      }
      // The orchestrator always opens and closes the run, cancelling it when a step failed.
      const orch = t.events.filter((e) => e.producer.startsWith("workflow:")).map((e) => e.event);
      expect(orch[0]).toBe("workflow_started");
      expect(orch.at(-1)).toBe(t.outcome === "completed" ? "workflow_complete" : "workflow_cancelled");
      if (t.invocations.some((i) => i.outcome !== "ok")) expect(t.outcome).toBe("cancelled");
      expect(orch.filter((e) => e === "workflow_step_started").length).toBe(t.invocations.length);
      expect(orch.filter((e) => e === "workflow_step_failed").length).toBe(
        t.invocations.filter((i) => i.outcome !== "ok").length,
      );
    }
    expect(crashed).toBeGreaterThan(0);
  });

  it("stamps seq exactly as each producer's scope says, across overlapping executions", () => {
    const scopes = fc.constantFrom<SeqScope>("per-invocation", "per-execution", "per-process");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), scopes, scopes, (seed, agentScope, orchestratorScope) => {
        const { lines } = runSimulation({
          seed,
          executions: 15,
          executionsPerSecond: 8,
          agentScope,
          orchestratorScope,
        });
        const events = lines.map(parse).filter((w): w is Wire => w !== undefined && w.seq !== undefined);
        const key = (w: Wire, scope: SeqScope) => {
          const orch = w.entity_type === "workflow";
          if (scope === "per-process") return orch ? "orchestrator" : String(w.entity_id);
          if (scope === "per-execution" || orch) return `${w.entity_type}:${w.entity_id}|${w.workflow_execution_id}`;
          return `${w.correlation_id}/${w.task_id}`;
        };
        // Fault-free, so publish order is emission order: every partition counts 1, 2, 3…
        for (const [, group] of groupBy(events, (w) =>
          key(w, w.entity_type === "workflow" ? orchestratorScope : agentScope),
        )) {
          expect(group.map((w) => w.seq)).toEqual(group.map((_, i) => i + 1));
        }
      }),
      { numRuns: 12 },
    );
  });

  it("records the would-be seq and partition under every scope", () => {
    const { truths } = runSimulation({ seed: 21, executions: 40, agentScope: "mixed", faults: ALL_FAULTS });
    const events = truths.flatMap((t) => t.events);
    const emitted = events.filter((e) => e.fate !== "crash-lost").sort((a, b) => a.emitIndex! - b.emitIndex!);
    for (const scope of ["per-invocation", "per-execution", "per-process"] as const) {
      // In emission order, each true partition counts 1, 2, 3… whatever the faults did to publishing.
      for (const [, group] of groupBy(emitted, (e) => e.partition[scope])) {
        expect(group.map((e) => e.wouldBe[scope])).toEqual(group.map((_, i) => i + 1));
      }
    }
    // A crash-lost event continues its invocation's count.
    for (const e of events.filter((x) => x.fate === "crash-lost")) {
      const before = emitted.filter((x) => x.correlationId === e.correlationId).length;
      expect(e.wouldBe["per-invocation"]).toBeGreaterThan(before);
    }
    for (const e of events) expect(e.seq).toBe(e.wouldBe[e.scope]);
  });

  it("chains every agent line over the exact bytes its process wrote, restarting at genesis after a crash", () => {
    const { lines, truths } = runSimulation({ seed: 8, executions: 60, agentScope: "mixed", faults: ALL_FAULTS });
    const truthById = new Map(truths.flatMap((t) => t.events).map((e) => [e.id, e]));
    const agentLines = lines.filter((l) => l.producer.startsWith("agent:") && l.copy === 0);
    // Every hash a producer wrote, published or not (dropped lines advance the chain too).
    const written = new Set<string>([GENESIS_HASH]);
    for (const l of agentLines) written.add(sha256Hex(l.bytes));
    for (const e of truthById.values()) if (e.hash) written.add(e.hash);

    let breaks = 0;
    const published = new Set(agentLines.map((l) => sha256Hex(l.bytes)));
    for (const l of agentLines) {
      const t = truthById.get(l.id);
      if (t) expect(sha256Hex(l.bytes)).toBe(t.hash);
      const w = parse(l);
      if (w === undefined) continue; // truncated: its prev_hash is not readable
      expect(written).toContain(w.prev_hash);
      if (w.prev_hash === GENESIS_HASH) expect(w.event).toBe("agent_card_published");
      if (w.prev_hash !== GENESIS_HASH && !published.has(String(w.prev_hash))) breaks++;
    }
    const dropped = [...truthById.values()].filter((e) => e.fate === "dropped" && e.producer.startsWith("agent:"));
    expect(dropped.length).toBeGreaterThan(0);
    // A dropped line leaves its successor pointing at a hash nobody received.
    expect(breaks).toBeGreaterThan(0);
    const crashes = truths.flatMap((t) => t.crashes);
    const geneses = agentLines.filter((l) => parse(l)?.prev_hash === GENESIS_HASH).length;
    expect(geneses).toBe(8 + new Set(crashes.map((c) => c.restartedAs)).size);
  });

  it("matches the truth record to what was published, fate by fate", () => {
    const { lines, truths } = runSimulation({ seed: 33, executions: 60, agentScope: "mixed", faults: ALL_FAULTS });
    const byIndex = new Map(lines.map((l) => [l.index, l]));
    expect(lines.map((l) => l.index)).toEqual(lines.map((_, i) => i));
    const fates = new Set<string>();
    const all: TruthEvent[] = truths.flatMap((t) => t.events);
    for (const t of truths) {
      for (const e of t.events) {
        fates.add(e.fate);
        const expectedCopies = e.fate === "duplicated" ? 2 : e.fate === "dropped" || e.fate === "crash-lost" ? 0 : 1;
        expect(e.published).toHaveLength(expectedCopies);
        const copies = e.published.map((i) => byIndex.get(i)!);
        for (const l of copies) {
          expect(l.id).toBe(e.id);
          expect(l.executionId).toBe(t.executionId);
        }
        if (e.fate === "duplicated") expect(copies[0]!.bytes).toEqual(copies[1]!.bytes);
        const w = copies[0] && parse(copies[0]);
        if (e.fate === "malformed") {
          if (e.malformed === "truncated") expect(w).toBeUndefined();
          else expect(typeof w?.seq === "string" || typeof w?.ts === "number").toBe(true);
        } else if (w) {
          expect(w.seq).toBe(e.seq);
          expect(w.event).toBe(e.event);
          expect(w.workflow_execution_id).toBe(t.executionId);
          expect(w.correlation_id).toBe(e.correlationId);
        }
        if (e.fate === "reordered") {
          // Some line written after it was published before it.
          const mine = copies[0]!;
          expect(lines.slice(0, mine.index).some((o) => o.emitIndex > mine.emitIndex)).toBe(true);
        }
      }
      expect(t.counts.lines).toBe(lines.filter((l) => l.executionId === t.executionId).length);
    }
    expect([...fates].sort()).toEqual(["crash-lost", "dropped", "duplicated", "malformed", "published", "reordered"]);
    // Every published line of an execution is accounted for in its truth.
    const ids = new Set(all.map((e) => e.id));
    for (const l of lines) if (l.executionId) expect(ids).toContain(l.id);
  });

  it("applies a whole count per execution exactly", () => {
    const { truths } = runSimulation({ seed: 4, executions: 25, faults: { drop: 2, duplicate: 1, malformed: 1 } });
    for (const t of truths) {
      expect(t.counts.dropped).toBe(2);
      expect(t.counts.duplicated).toBe(1);
      expect(t.counts.malformed).toBe(1);
      expect(t.counts.lines).toBe(t.counts.intended - 2 + 1);
    }
  });

  it("invokes the same agent twice in one execution, in parallel too", () => {
    const { truths } = runSimulation({ seed: 2, executions: 60 });
    const twice = truths.filter((t) => groupBy(t.invocations, (i) => i.agent).size < t.invocations.length);
    const parallel = truths.filter(
      (t) => groupBy(t.invocations, (i) => `${i.agent}|${i.stageId}`).size < t.invocations.length,
    );
    expect(twice.length).toBeGreaterThan(0);
    expect(parallel.length).toBeGreaterThan(0);
  });

  it("stamps sub-second UTC times off by each producer's fixed skew", () => {
    const opts = resolveSimOptions({ seed: 9, executions: 20, skewMs: 80 });
    const { lines, truths } = runSimulation(opts);
    const truthById = new Map(truths.flatMap((t) => t.events).map((e) => [e.id, e]));
    const skews = new Map<string, Set<number>>();
    for (const l of lines) {
      const w = parse(l)!;
      expect(String(w.ts)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const t = truthById.get(l.id);
      if (!t) continue;
      const skew = Date.parse(String(w.ts)) - (opts.startMs + t.atMs);
      expect(Math.abs(skew)).toBeLessThanOrEqual(80);
      const s = skews.get(t.process) ?? new Set();
      s.add(skew);
      skews.set(t.process, s);
    }
    for (const s of skews.values()) expect(s.size).toBe(1);
    expect(new Set([...skews.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);
  });

  it("signs agent lines with keys from the exported JWKS", () => {
    const { lines, jwks } = runSimulation({ seed: 3, executions: 5, sign: true });
    expect(jwks.keys).toHaveLength(8);
    const agentEvents = lines.filter((l) => l.producer.startsWith("agent:")).map((l) => parse(l)!);
    expect(agentEvents.every((w) => w.sigp === "jcs-1" && typeof w.sig === "string")).toBe(true);
    // Checked by the engine's own verifier: what the simulator signs, seqscope accepts.
    const ring = new KeyRing(jwks);
    const verifies = (w: Wire) => typeof w.sig === "string" && signatureProblem(w, ring) === undefined;
    expect(agentEvents.every(verifies)).toBe(true);
    expect(verifies({ ...agentEvents[3]!, seq: 99 })).toBe(false);
    expect(lines.filter((l) => l.producer.startsWith("workflow:")).every((l) => parse(l)!.sig === undefined)).toBe(
      true,
    );
  });

  it("adds the proposed producer field, new per process incarnation", () => {
    const { lines, truths } = runSimulation({ seed: 6, executions: 40, producerField: true, faults: { crash: 0.05 } });
    const crash = truths.flatMap((t) => t.crashes)[0]!;
    const agent = crash.process.slice("agent:".length, crash.process.indexOf("#"));
    const values = new Set(
      lines
        .map(parse)
        .filter((w) => w?.entity_id === agent)
        .map((w) => w!.producer),
    );
    expect(values.size).toBeGreaterThan(1);
    for (const v of values) expect(String(v)).toMatch(new RegExp(`^${agent}@[0-9a-f]{8}$`));
    expect(lines.map(parse).every((w) => w === undefined || typeof w.producer === "string")).toBe(true);
  });

  it("runs continuously, and nextExecution hands each execution with its lines", () => {
    const sim = new Simulator({ seed: 1 });
    const seen: TruthRecord[] = [];
    for (let i = 0; i < 50; i++) {
      const x = sim.nextExecution()!;
      expect(x.lines.length).toBe(x.truth.counts.lines);
      expect(x.lines.every((l) => l.executionId === x.executionId)).toBe(true);
      seen.push(x.truth);
    }
    expect(new Set(seen.map((t) => t.executionId)).size).toBe(50);
  });

  it("rejects nonsense options with a readable message", () => {
    expect(() => resolveSimOptions({ faults: { drop: 1.5 } })).toThrow(SimOptionsError);
    expect(() => resolveSimOptions({ agentScope: "per-moon" as SeqScope })).toThrow(/agent scope must be one of/);
    expect(() => resolveSimOptions({ shapes: { stages: [3, 1] } })).toThrow(/stages/);
    expect(() => resolveSimOptions({ faults: { reorder: { window: 0 } } })).toThrow(/window/);
  });
});

describe("demoSimOptions", () => {
  it.each([1, 2, 3, 42, 1234])("shows every anomaly kind within a minute at ~2 executions/s (seed %i)", (seed) => {
    const sim = new Simulator(demoSimOptions(seed));
    const lines: SimLine[] = [];
    const truths: TruthRecord[] = [];
    for (let item = sim.next(); item; item = sim.next()) {
      if (item.kind === "line") {
        if (item.line.atMs > 60_000) break;
        lines.push(item.line);
      } else truths.push(item.truth);
    }
    const events = truths.flatMap((t) => t.events);
    const parsed = lines.map(parse);
    // Collision under the naive key: two different events of one execution with one seq.
    const naive = groupBy(
      parsed.filter((w) => w?.workflow_execution_id !== undefined && w.seq !== undefined),
      (w) => `${w!.workflow_execution_id}|${w!.seq}`,
    );
    expect([...naive.values()].some((g) => new Set(g.map((w) => JSON.stringify(w))).size > 1)).toBe(true);
    expect(events.some((e) => e.fate === "dropped")).toBe(true); // gap
    expect(events.some((e) => e.fate === "dropped" && e.producer.startsWith("agent:"))).toBe(true); // chain break
    expect(events.some((e) => e.fate === "duplicated")).toBe(true);
    expect(events.some((e) => e.fate === "reordered")).toBe(true);
    expect(events.some((e) => e.fate === "crash-lost")).toBe(true); // open tail
    expect(events.some((e) => e.fate === "malformed")).toBe(true);
    const scopes = new Set(
      truths.flatMap((t) => t.producers.filter((p) => p.entityType === "agent").map((p) => p.scope)),
    );
    expect(scopes.size).toBe(3);
    // Most runs still complete: faults stay the exception.
    expect(truths.filter((t) => t.outcome === "completed").length / truths.length).toBeGreaterThan(0.6);
  });
});
