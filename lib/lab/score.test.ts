// Hand-built runs whose right answer is obvious, scored through the real engine.
import { describe, expect, it } from "vitest";
import { AuditLog, BUILTIN_KEYS, type PartitionKey } from "../audit";
import type { SimLine } from "../sim/simulator";
import type { Fate, TruthEvent, TruthRecord } from "../sim/truth";
import { toMessages } from "./run-lab";
import { scoreAnalysis } from "./score";

const key = (id: string): PartitionKey => BUILTIN_KEYS.find((k) => k.id === id)!;

interface Spec {
  exec: string;
  agent: string;
  /** The true counter this event was stamped from. */
  counter: string;
  corr: string;
  seq: number;
  event?: string;
  fate?: Fate;
}

/** Lines (published in the given order, a duplicate twice) and one truth record per execution. */
function fixture(specs: Spec[]): { lines: SimLine[]; truths: TruthRecord[] } {
  const lines: SimLine[] = [];
  const byExec = new Map<string, TruthEvent[]>();
  specs.forEach((s, n) => {
    const id = `${s.exec}/${n}`;
    const wire = {
      ts: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      event: s.event ?? "tool_exec",
      seq: s.seq,
      correlation_id: s.corr,
      task_id: `t-${s.corr}`,
      workflow_execution_id: s.exec,
      entity_type: "agent",
      entity_id: s.agent,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(wire));
    const fate = s.fate ?? "published";
    const copies = fate === "dropped" ? 0 : fate === "duplicated" ? 2 : 1;
    const published: number[] = [];
    for (let c = 0; c < copies; c++) {
      published.push(lines.length);
      lines.push({
        index: lines.length,
        atMs: n * 1000,
        bytes,
        id,
        copy: c,
        emitIndex: n,
        producer: `agent:${s.agent}`,
        executionId: s.exec,
      });
    }
    const ev: TruthEvent = {
      id,
      event: wire.event,
      producer: `agent:${s.agent}`,
      process: `agent:${s.agent}#1`,
      scope: "per-invocation",
      seq: s.seq,
      wouldBe: { "per-invocation": s.seq, "per-execution": s.seq, "per-process": s.seq },
      partition: { "per-invocation": s.counter, "per-execution": s.counter, "per-process": s.counter },
      correlationId: s.corr,
      fate,
      atMs: n * 1000,
      published,
    };
    byExec.set(s.exec, [...(byExec.get(s.exec) ?? []), ev]);
  });
  const truths = [...byExec].map(
    ([executionId, events], index) => ({ executionId, index, events }) as unknown as TruthRecord,
  );
  return { lines, truths };
}

function score(f: ReturnType<typeof fixture>, keyId: string) {
  const log = new AuditLog();
  log.add(toMessages(f.lines, 0));
  return scoreAnalysis({ analysis: log.analyze(key(keyId)), ...f });
}

// Two agents in one run, each invoked once, seq per invocation: a1 = 1, 2, 3 with
// 2 dropped; a2 = 1, 2, 3.
const dropped = fixture([
  { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 1 },
  { exec: "x1", agent: "a2", counter: "c2", corr: "c2", seq: 1 },
  { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 2, fate: "dropped" },
  { exec: "x1", agent: "a2", counter: "c2", corr: "c2", seq: 2 },
  { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 3 },
  { exec: "x1", agent: "a2", counter: "c2", corr: "c2", seq: 3 },
]);

describe("scoreAnalysis", () => {
  it("counts a drop as detected under the key that matches the scope", () => {
    const s = score(dropped, "invocation");
    expect(s).toMatchObject({ losses: 1, lossesDetected: 1, lossesMissed: 0, gaps: 1, falseGaps: 0, collisions: 0 });
    expect(s.recall).toBe(1);
    expect(s.precision).toBe(1);
  });

  it("counts the same drop as missed under the naive key, which merges it into collisions", () => {
    const s = score(dropped, "execution");
    // a2's seq 2 fills a1's hole; seqs 1 and 3 collide across the two counters.
    expect(s).toMatchObject({
      losses: 1,
      lossesDetected: 0,
      lossesMissed: 1,
      lossesUndetectable: 0, // seq 3 arrived after it: a matching key would have seen it
      gaps: 0,
      collisions: 2,
      falseCollisions: 2,
    });
    expect(s.recall).toBe(0);
  });

  it("counts a counter's dropped last event as missed and undetectable", () => {
    const f = fixture([
      { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 1 },
      { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 2 },
      { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 3, fate: "dropped" },
    ]);
    expect(score(f, "invocation")).toMatchObject({
      losses: 1,
      lossesDetected: 0,
      lossesMissed: 1,
      lossesUndetectable: 1,
    });
  });

  it("tells a false gap from a real one", () => {
    // One agent counting per process across two runs: x2 starts at seq 3. Under a
    // per-execution key that reads as seqs 1–2 missing in x2, but nothing was lost.
    const f = fixture([
      { exec: "x1", agent: "a1", counter: "p", corr: "i1", seq: 1 },
      { exec: "x1", agent: "a1", counter: "p", corr: "i1", seq: 2 },
      { exec: "x2", agent: "a1", counter: "p", corr: "i2", seq: 3 },
      { exec: "x2", agent: "a1", counter: "p", corr: "i2", seq: 4 },
    ]);
    const s = score(f, "execution-entity");
    expect(s).toMatchObject({ gaps: 1, falseGaps: 1, missingReported: 2, missingReal: 0, losses: 0 });
    expect(s.precision).toBe(0);
  });

  it("recognises a duplicate as a duplicate, not a collision", () => {
    const f = fixture([
      { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 1 },
      { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 2, fate: "duplicated" },
      { exec: "x1", agent: "a1", counter: "c1", corr: "c1", seq: 3 },
    ]);
    for (const k of ["execution", "invocation"]) {
      const s = score(f, k);
      expect(s).toMatchObject({ duplicates: 1, duplicatesRecognised: 1, duplicatesAsCollisions: 0, collisions: 0 });
    }
  });

  it("counts events whose key field is missing as never checked", () => {
    const s = score(dropped, "execution-producer"); // no `producer` field on these events
    expect(s.noKey).toBe(5);
    expect(s.lossesDetected).toBe(0);
  });
});
