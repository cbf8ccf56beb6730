// The lab's scenarios, as simulator options: each does what it says, keeps every
// counter whole (seqs 1..n per true counter, lost events included), and is off by
// default.
import { describe, expect, it } from "vitest";
import { resolveSimOptions, type SeqScope, type SimOptionsInput } from "./options";
import { runSimulation } from "./simulator";
import type { TruthRecord } from "./truth";

const run = (o: SimOptionsInput, agentScope: SeqScope = "per-execution") =>
  runSimulation({ seed: 21, executions: 12, agentScope, ...o }).truths;

/** Every true counter counts 1..n: no scenario may skip or reuse a seq inside one. */
function expectWholeCounters(truths: readonly TruthRecord[]) {
  const byCounter = new Map<string, number[]>();
  for (const e of truths.flatMap((t) => t.events)) {
    const c = e.partition[e.scope];
    byCounter.set(c, [...(byCounter.get(c) ?? []), e.wouldBe[e.scope]]);
  }
  // Per-process counters span executions; the rest must be whole within the run.
  for (const [c, seqs] of byCounter) {
    if (!c.includes("/")) continue;
    const sorted = [...seqs].sort((a, b) => a - b);
    expect(sorted, c).toEqual(sorted.map((_, i) => i + 1));
  }
}

describe("simulator scenarios", () => {
  it("are all off by default", () => {
    expect(resolveSimOptions().scenarios).toEqual({
      replicas: 1,
      repeatWhere: "any",
      retryRate: 0,
      retryAfterCrash: false,
      processPerExecution: false,
      orchestratorRestart: 0,
    });
  });

  it("replicas: several processes of one agent deployment serve one run", () => {
    const truths = run({ shapes: { repeatInvocationRate: 0.6 }, scenarios: { replicas: 3 } });
    const served = truths.some((t) => {
      const perAgent = new Map<string, Set<string>>();
      for (const i of t.invocations) perAgent.set(i.agent, (perAgent.get(i.agent) ?? new Set()).add(i.process!));
      return [...perAgent.values()].some((s) => s.size > 1);
    });
    expect(served).toBe(true);
    expectWholeCounters(truths);
  });

  it("retries: the same agent invoked twice for one step", () => {
    const truths = run({ scenarios: { retryRate: 0.5 } }, "per-invocation");
    const twice = truths.some((t) => {
      const steps = t.invocations.map((i) => `${i.stageId}/${i.stepId}`);
      return new Set(steps).size < steps.length;
    });
    expect(twice).toBe(true);
    expectWholeCounters(truths);
  });

  it("a crashed step is retried on the restarted process, and the run can still complete", () => {
    const truths = run({ faults: { crash: 1 }, scenarios: { retryAfterCrash: true } });
    expect(truths.every((t) => t.crashes.length > 0 || t.invocations.every((i) => i.outcome !== "crashed"))).toBe(true);
    const retried = truths.filter((t) => t.crashes.length > 0 && t.outcome === "completed");
    expect(retried.length).toBeGreaterThan(0);
    for (const t of retried) {
      const restarted = new Set(t.crashes.map((c) => c.restartedAs));
      expect(t.invocations.some((i) => restarted.has(i.process!))).toBe(true);
    }
    expectWholeCounters(truths);
  });

  it("one process per execution: no process serves two executions", () => {
    const truths = run({ scenarios: { processPerExecution: true } }, "per-process");
    const owner = new Map<string, string>();
    for (const t of truths)
      for (const p of t.producers) {
        expect(owner.get(p.process) ?? t.executionId, p.process).toBe(t.executionId);
        owner.set(p.process, t.executionId);
      }
  });

  it("orchestrator restarts: its counter for a run starts again, as a new process", () => {
    const truths = run({ scenarios: { orchestratorRestart: 1 } });
    const split = truths.filter((t) => {
      const counters = new Set(
        t.events.filter((e) => e.producer.startsWith("workflow:")).map((e) => e.partition["per-execution"]),
      );
      return counters.size > 1;
    });
    expect(split.length).toBeGreaterThan(0);
    expectWholeCounters(truths);
  });
});
