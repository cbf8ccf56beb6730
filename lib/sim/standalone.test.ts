// Standalone invocations: an agent called directly by a client, outside any workflow run. The same long-lived
// processes write them between the invocations the orchestrator makes, so their lines interleave with runs'
// lines on one per-process seq counter and one prev_hash chain:
//
//   agent:kyc-checker#1  card, policy │ run A inv │ standalone X │ run B inv │ standalone Y …
//   prev_hash            genesis → …  → …         → …            → …         → …
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuditLog, keyById } from "../audit";
import { GENESIS_HASH } from "../audit/chain";
import { sha256Hex } from "../audit/sha256";
import { KeyRing, signatureProblem } from "../audit/signature";
import { toMessages } from "../lab/run-lab";
import { demoSimOptions, resolveSimOptions, SimOptionsError, type SeqScope, type SimOptionsInput } from "./options";
import { meanLinesPerExecution, runSimulation, Simulator, type SimLine } from "./simulator";
import type { StandaloneTruthRecord, TruthEvent, TruthRecord } from "./truth";

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

const WORKFLOW_FIELDS = ["workflow_id", "workflow_execution_id", "stage_id", "step_id"] as const;

/** Every truth record of a run, execution or standalone, as the events it covers. */
const allEvents = (truths: readonly TruthRecord[], standalone: readonly StandaloneTruthRecord[]): TruthEvent[] => [
  ...truths.flatMap((t) => t.events),
  ...standalone.flatMap((t) => t.events),
];

/** sha256 of a run's bytes, its lines' metadata and its truths. */
function runHash(o: SimOptionsInput): string {
  const r = runSimulation(o);
  const h = createHash("sha256");
  for (const l of r.lines) {
    h.update(l.bytes);
    h.update(JSON.stringify({ ...l, bytes: undefined }));
  }
  h.update(JSON.stringify(r.truths));
  return h.digest("hex");
}

describe("standalone invocations", () => {
  it("are off by default, and a run without them is byte for byte the run from before they existed", () => {
    expect(resolveSimOptions().standaloneShare).toBe(0);
    // Hashes taken with the simulator as it was before standaloneShare existed.
    expect(
      runHash({ seed: 11, executions: 30, agentScope: "mixed", sign: true, faults: ALL_FAULTS, standaloneShare: 0 }),
    ).toBe("cc75aac17b2204dea34a015d21b9c6c462122278ff649bf4d9d9b66363695b1b");
    expect(
      runHash({
        seed: 3,
        executions: 50,
        agentScope: "mixed",
        producerField: true,
        faults: { drop: 2, duplicate: 1, malformed: 1, crash: 1 },
        scenarios: { replicas: 3, retryRate: 0.3, retryAfterCrash: true, orchestratorRestart: 1 },
      }),
    ).toBe("b40c4df2fd519f8022afa0e58324dac90e11a4f2bbe28acf97aebb42388d7dc2");
    expect(
      runHash({ seed: 5, executions: 40, scenarios: { processPerExecution: true }, faults: { crash: 0.05 } }),
    ).toBe("53cb5835bdcd2373a4ef5326f1ace3840637ec3e3832a04e67c8789a1ddfd44e");
    expect(runSimulation({ seed: 5, executions: 10 }).standalone).toEqual([]);
  });

  it("rejects a share outside [0, 1)", () => {
    for (const v of [-0.1, 1, 1.5, NaN]) {
      expect(() => resolveSimOptions({ standaloneShare: v })).toThrow(SimOptionsError);
    }
    expect(() => resolveSimOptions({ standaloneShare: 1 })).toThrow(/standaloneShare/);
    expect(resolveSimOptions({ standaloneShare: 0.99 }).standaloneShare).toBe(0.99);
  });

  it("carry correlation_id and task_id, an agent entity and a trace, and no workflow field", () => {
    const { lines, standalone } = runSimulation({ seed: 7, executions: 40, agentScope: "mixed", standaloneShare: 0.3 });
    const solo = lines.filter((l) => l.correlationId !== undefined);
    expect(solo.length).toBeGreaterThan(100);
    const agents = new Set<unknown>();
    for (const l of solo) {
      expect(l.executionId).toBeUndefined();
      expect(l.producer).toMatch(/^agent:/);
      const w = parse(l)!;
      for (const f of WORKFLOW_FIELDS) expect(w).not.toHaveProperty(f);
      expect(w.correlation_id).toBe(l.correlationId);
      expect(w.task_id).toMatch(/^task-[0-9a-f]{8}$/);
      expect(w.entity_type).toBe("agent");
      expect(l.producer).toBe(`agent:${String(w.entity_id)}`);
      expect(w.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(w.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(w.invocation_caller).toMatch(/^client:/);
      expect(typeof w.seq).toBe("number");
      expect(typeof w.prev_hash).toBe("string");
      expect(l.id.startsWith(`${l.correlationId}/`)).toBe(true);
      agents.add(w.entity_id);
    }
    expect(agents.size).toBeGreaterThan(3);
    // One trace per invocation; one record per invocation, keyed by its correlation id.
    const byCorr = groupBy(solo, (l) => l.correlationId!);
    for (const group of byCorr.values()) expect(new Set(group.map((l) => parse(l)!.trace_id)).size).toBe(1);
    expect(standalone.map((t) => t.correlationId).sort()).toEqual([...byCorr.keys()].sort());
    // In-run lines are as they always were: a workflow_execution_id on every one.
    for (const l of lines) if (l.executionId !== undefined) expect(parse(l)!.workflow_execution_id).toBe(l.executionId);
  });

  it("are about the share of all invocations the option asks for (exactly so for a seed)", () => {
    const count = (standaloneShare: number) => {
      const { truths, standalone } = runSimulation({ seed: 3, executions: 200, agentScope: "mixed", standaloneShare });
      const inRun = truths.reduce((n, t) => n + t.invocations.length, 0);
      return { standalone: standalone.length, share: standalone.length / (standalone.length + inRun) };
    };
    const quarter = count(0.25);
    expect(quarter.standalone).toBe(489);
    expect(Math.abs(quarter.share - 0.25)).toBeLessThan(0.04);
    for (const share of [0.1, 0.5]) expect(Math.abs(count(share).share - share)).toBeLessThan(0.04);
  });

  it("run the per-process chains and counters through them: the engine finds no chain break and lists each", () => {
    const opts: SimOptionsInput = { seed: 12, executions: 60, agentScope: "mixed", standaloneShare: 0.3 };
    const { lines, truths, standalone } = runSimulation(opts);
    const log = new AuditLog();
    log.add(toMessages(lines, resolveSimOptions(opts).startMs));
    expect(log.chainBreaks()).toEqual([]);
    expect(
      log
        .invocations()
        .map((s) => s.name)
        .sort(),
    ).toEqual(standalone.map((t) => t.correlationId).sort());
    expect(log.executions().map((s) => s.name).length).toBe(truths.length);

    // The chain really crosses between the two kinds of lines, both ways.
    const kindOfHash = new Map<string, "run" | "solo" | "process">();
    for (const l of lines)
      kindOfHash.set(sha256Hex(l.bytes), l.executionId ? "run" : l.correlationId ? "solo" : "process");
    const crossings = new Set<string>();
    for (const l of lines) {
      const w = parse(l)!;
      if (typeof w.prev_hash !== "string" || w.prev_hash === GENESIS_HASH) continue;
      const before = kindOfHash.get(w.prev_hash);
      expect(before).toBeDefined(); // fault-free: every predecessor was published
      crossings.add(`${before}→${l.executionId ? "run" : l.correlationId ? "solo" : "process"}`);
    }
    expect(crossings).toContain("run→solo");
    expect(crossings).toContain("solo→run");

    // Fault-free, so publish order is emission order: per-process counters count 1, 2, 3… across both kinds,
    // and every standalone invocation restarts its own count (a per-execution agent counts it as its own context).
    const scopeOf = new Map(
      [...truths.flatMap((t) => t.producers), ...standalone.flatMap((t) => t.producers)].map((p) => [
        p.entityId,
        p.scope,
      ]),
    );
    const agentEvents = lines.map(parse).filter((w): w is Wire => w?.entity_type === "agent" && w.seq !== undefined);
    const scopes = new Set<SeqScope>();
    const key = (w: Wire): string => {
      const scope = scopeOf.get(String(w.entity_id))!;
      scopes.add(scope);
      if (scope === "per-process") return String(w.entity_id);
      if (scope === "per-execution")
        return `${String(w.entity_id)}|${String(w.workflow_execution_id ?? w.correlation_id)}`;
      return `${String(w.correlation_id)}/${String(w.task_id)}`;
    };
    for (const group of groupBy(agentEvents, key).values()) {
      expect(group.map((w) => w.seq)).toEqual(group.map((_, i) => i + 1));
    }
    expect(scopes.size).toBe(3);
    const perProcessMixed = [...groupBy(agentEvents, key).values()].filter(
      (g) => g.some((w) => w.workflow_execution_id) && g.some((w) => !w.workflow_execution_id),
    );
    expect(perProcessMixed.length).toBeGreaterThan(0);
  });

  it("shows the engine under Forge's key exactly the seqs their truth says were lost", () => {
    const opts: SimOptionsInput = {
      seed: 4,
      executions: 40,
      agentScope: "per-invocation",
      standaloneShare: 0.4,
      faults: { drop: 0.06 },
    };
    const { lines, standalone } = runSimulation(opts);
    const log = new AuditLog();
    log.add(toMessages(lines, resolveSimOptions(opts).startMs));
    expect(log.chainBreaks().length).toBeGreaterThan(0);
    const byName = new Map(log.invocations().map((s) => [s.name, s]));
    const key = keyById("invocation")!;
    let dropped = 0;
    for (const t of standalone) {
      const published = t.events.filter((e) => e.fate !== "dropped").map((e) => e.seq);
      const last = Math.max(...published);
      const lost = t.events.filter((e) => e.fate === "dropped" && e.seq < last).map((e) => e.seq);
      dropped += lost.length;
      const a = log.analyze(key, { executionId: byName.get(t.correlationId)!.id, nowMs: Number.MAX_SAFE_INTEGER / 2 });
      const missing: number[] = [];
      for (const x of a.anomalies) {
        if ((x.kind === "gap" || x.kind === "missing-head") && x.seqRange) {
          for (let s = x.seqRange[0]; s <= x.seqRange[1]; s++) missing.push(s);
        }
      }
      expect(
        missing.sort((p, q) => p - q),
        t.correlationId,
      ).toEqual(lost);
      expect(a.counts.collision).toBe(0);
    }
    expect(dropped).toBeGreaterThan(5);
  });

  it("take every fault, and their truth accounts for every line they put on the wire", () => {
    const opts: SimOptionsInput = {
      seed: 33,
      executions: 80,
      agentScope: "mixed",
      standaloneShare: 0.35,
      faults: { ...ALL_FAULTS, crash: 0.05 },
    };
    const { lines, truths, standalone } = runSimulation(opts);
    const byIndex = new Map(lines.map((l) => [l.index, l]));
    const linesOf = groupBy(
      lines.filter((l) => l.correlationId !== undefined),
      (l) => l.correlationId!,
    );
    const fates = new Set<string>();
    for (const t of standalone) {
      for (const e of t.events) {
        fates.add(e.fate);
        const expectedCopies = e.fate === "duplicated" ? 2 : e.fate === "dropped" || e.fate === "crash-lost" ? 0 : 1;
        expect(e.published).toHaveLength(expectedCopies);
        for (const i of e.published) {
          const l = byIndex.get(i)!;
          expect(l.id).toBe(e.id);
          expect(l.correlationId).toBe(t.correlationId);
        }
        expect(e.correlationId).toBe(t.correlationId);
        expect(e).not.toHaveProperty("stageId");
      }
      expect(t.counts.lines).toBe(linesOf.get(t.correlationId)?.length ?? 0);
      if (t.outcome === "crashed") {
        expect(t.crashes).toHaveLength(1);
        expect(t.events.at(-1)?.fate).toBe("crash-lost");
      } else expect(t.events.map((e) => e.event).slice(-2)).toEqual(["invocation_complete", "session_end"]);
    }
    expect([...fates].sort()).toEqual(["crash-lost", "dropped", "duplicated", "malformed", "published", "reordered"]);
    // Every line is a process line or belongs to exactly one truth record.
    const ids = new Set(allEvents(truths, standalone).map((e) => e.id));
    for (const l of lines) if (l.executionId ?? l.correlationId) expect(ids).toContain(l.id);
    // One crash cuts whatever the process had in flight, runs' invocations and standalone ones alike.
    const soloCrashes = new Set(standalone.flatMap((t) => t.crashes.map((c) => c.process)));
    expect(truths.some((t) => t.crashes.some((c) => soloCrashes.has(c.process)))).toBe(true);
  });

  it("keep every true counter whole, across runs and standalone invocations, under every scenario", () => {
    for (const scenarios of [
      {},
      { replicas: 3, retryRate: 0.3, retryAfterCrash: true },
      { processPerExecution: true, orchestratorRestart: 1 },
    ]) {
      const { truths, standalone } = runSimulation({
        seed: 21,
        executions: 40,
        agentScope: "mixed",
        standaloneShare: 0.3,
        faults: { ...ALL_FAULTS, crash: 0.06 },
        scenarios,
      });
      expect(standalone.length).toBeGreaterThan(10);
      const emitted = allEvents(truths, standalone)
        .filter((e) => e.fate !== "crash-lost")
        .sort((a, b) => a.emitIndex! - b.emitIndex!);
      for (const scope of ["per-invocation", "per-execution", "per-process"] as const) {
        for (const [, group] of groupBy(emitted, (e) => e.partition[scope])) {
          expect(group.map((e) => e.wouldBe[scope])).toEqual(group.map((_, i) => i + 1));
        }
      }
      for (const e of allEvents(truths, standalone)) expect(e.seq).toBe(e.wouldBe[e.scope]);
      // Served by the deployment's long-lived processes, even when each run has processes of its own.
      for (const t of standalone) expect(t.process).toMatch(/^agent:[a-z-]+(~r\d)?#\d+$/);
    }
  });

  it("write the same bytes on the fast path as JSON.stringify, and sign like any agent line", () => {
    const opts: SimOptionsInput = {
      seed: 14,
      executions: 20,
      agentScope: "mixed",
      producerField: true,
      standaloneShare: 0.3,
      faults: ALL_FAULTS,
    };
    const text = (sim: Simulator) => [...sim].flatMap((i) => (i.kind === "line" ? [dec.decode(i.line.bytes)] : []));
    const fast = text(new Simulator(opts));
    expect(fast).toEqual(text(new Simulator(opts, { slowEncode: true })));
    const signed = runSimulation({ seed: 3, executions: 5, sign: true, standaloneShare: 0.3 });
    const ring = new KeyRing(signed.jwks);
    const solo = signed.lines.filter((l) => l.correlationId).map((l) => parse(l)!);
    expect(solo.length).toBeGreaterThan(0);
    expect(solo.every((w) => typeof w.sig === "string" && signatureProblem(w, ring) === undefined)).toBe(true);
  });

  it("come through nextExecution among processLines, with their truths, and no line is lost", () => {
    const opts: SimOptionsInput = { seed: 2, standaloneShare: 0.25, faults: ALL_FAULTS };
    const sim = new Simulator(opts);
    const indexes: number[] = [];
    const finished = new Set<string>();
    const solo: SimLine[] = [];
    const truths: StandaloneTruthRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const x = sim.nextExecution()!;
      finished.add(x.executionId);
      for (const l of [...x.lines, ...x.processLines]) indexes.push(l.index);
      solo.push(...x.processLines.filter((l) => l.correlationId !== undefined));
      truths.push(...x.standalone);
    }
    // The same run line by line: everything up to the last line handed out, but the lines of runs still going.
    const reference: number[] = [];
    const last = Math.max(...indexes);
    const again = new Simulator(opts);
    for (let item = again.next(); item; item = again.next()) {
      if (item.kind !== "line") continue;
      if (item.line.index > last) break;
      if (item.line.executionId === undefined || finished.has(item.line.executionId)) reference.push(item.line.index);
    }
    expect(indexes.sort((a, b) => a - b)).toEqual(reference);
    expect(truths.length).toBeGreaterThan(20);
    const soloIndexes = new Set(solo.map((l) => l.index));
    for (const t of truths) for (const e of t.events) for (const i of e.published) expect(soloIndexes).toContain(i);
  });

  it("reach the demo's Invocations view within seconds, and count in the events/s rate", () => {
    const sim = new Simulator(demoSimOptions(1));
    expect(sim.options.standaloneShare).toBeGreaterThan(0);
    const corrs = new Set<string>();
    for (let item = sim.next(); item; item = sim.next()) {
      if (item.kind !== "line") continue;
      if (item.line.atMs > 10_000) break;
      if (item.line.correlationId) corrs.add(item.line.correlationId);
    }
    expect(corrs.size).toBeGreaterThan(10);
    expect(meanLinesPerExecution({ seed: 1, standaloneShare: 0.25 })).toBeGreaterThan(
      meanLinesPerExecution({ seed: 1 }) * 1.2,
    );
  });
});
