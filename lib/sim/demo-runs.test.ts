import { describe, expect, it } from "vitest";
import { demoRun, encodeEvent } from "./demo-runs";
import { seededRng } from "./random";

const START = Date.UTC(2026, 10, 24, 12, 0, 0);

describe("demo runs", () => {
  it("is reproducible from its seed", () => {
    const a = demoRun(seededRng(1), { startMs: START, dropRate: 0.1, duplicateRate: 0.1 });
    const b = demoRun(seededRng(1), { startMs: START, dropRate: 0.1, duplicateRate: 0.1 });
    expect(a.events.map(encodeEvent)).toEqual(b.events.map(encodeEvent));
    expect(demoRun(seededRng(2), { startMs: START }).executionId).not.toBe(a.executionId);
  });

  it("emits one orchestrator with seq per execution and two agents with seq per invocation", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const run = demoRun(seededRng(seed), { startMs: START });
      const producers = new Set(run.events.map((e) => e.producer));
      expect(producers.size).toBe(3);
      expect(producers).toContain(`workflow:${run.executionId}`);

      const orch = run.events.filter((e) => e.producer.startsWith("workflow:")).map((e) => e.wire);
      expect(orch.map((w) => w.seq)).toEqual(orch.map((_, i) => i + 1));
      expect(orch[0]?.event).toBe("workflow_started");
      expect(orch.at(-1)?.event).toBe("workflow_complete");

      const byInvocation = new Map<unknown, Record<string, unknown>[]>();
      for (const e of run.events.filter((x) => x.producer.startsWith("agent:"))) {
        byInvocation.set(e.wire.correlation_id, [...(byInvocation.get(e.wire.correlation_id) ?? []), e.wire]);
      }
      expect(byInvocation.size).toBe(2);
      for (const evs of byInvocation.values()) {
        expect(evs.map((w) => w.seq)).toEqual(evs.map((_, i) => i + 1));
        expect(evs.at(-2)?.event).toBe("invocation_complete");
        expect(evs.at(-1)?.event).toBe("session_end");
        expect(new Set(evs.map((w) => w.workflow_execution_id))).toEqual(new Set([run.executionId]));
      }
    }
  });

  it("drops only agent events and repeats duplicates byte for byte", () => {
    const clean = demoRun(seededRng(3), { startMs: START });
    const faulty = demoRun(seededRng(3), { startMs: START, dropRate: 0.3, duplicateRate: 0.3 });
    const lines = faulty.events.map((e) => JSON.stringify(e.wire));
    const distinct = new Set(lines);
    expect(lines.length).toBeGreaterThan(distinct.size); // some duplicates
    const orchClean = clean.events.filter((e) => e.producer.startsWith("workflow:")).length;
    const orchFaulty = new Set(
      faulty.events.filter((e) => e.producer.startsWith("workflow:")).map((e) => JSON.stringify(e.wire)),
    );
    expect(orchFaulty.size).toBe(orchClean);
    expect(faulty.events.map((e) => e.atMs)).toEqual([...faulty.events.map((e) => e.atMs)].sort((a, b) => a - b));
  });

  it("stamps RFC 3339 UTC times with sub-second precision", () => {
    const run = demoRun(seededRng(4), { startMs: START });
    for (const e of run.events) expect(String(e.wire.ts)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
