import { describe, expect, it } from "vitest";
import type { ProducerProcess } from "@/lib/audit/process-ledger";
import { sortProcesses } from "./process-sort";

/** A process with just what sorting reads. */
function proc(id: string, first: number, over: Partial<ProducerProcess> = {}): ProducerProcess {
  return {
    id,
    identity: { id: `agent:${id}`, label: id, rule: "entity", orchestrator: false },
    rule: "entity",
    first: { streamSeq: first, tsMs: 0 },
    last: { streamSeq: first + 10, tsMs: 0 },
    events: 1,
    chained: 1,
    verified: 1,
    start: "genesis",
    status: "continuous",
    breaks: [],
    executions: [],
    invocations: [],
    processLevel: 0,
    ...over,
  };
}

describe("sortProcesses", () => {
  const list = [
    proc("b", 3, { events: 5, status: "breaks" }),
    proc("a", 1, { events: 5, status: "no-chain" }),
    proc("c", 2, { events: 9, status: "mid-chain" }),
  ];
  it("sorts by each column, ties by first line", () => {
    expect(sortProcesses(list, { by: "first", desc: false }).map((p) => p.id)).toEqual(["a", "c", "b"]);
    expect(sortProcesses(list, { by: "producer", desc: false }).map((p) => p.id)).toEqual(["a", "b", "c"]);
    expect(sortProcesses(list, { by: "events", desc: true }).map((p) => p.id)).toEqual(["c", "a", "b"]);
    // Worst chain first.
    expect(sortProcesses(list, { by: "status", desc: true }).map((p) => p.id)).toEqual(["b", "c", "a"]);
  });
  it("leaves its input alone", () => {
    sortProcesses(list, { by: "producer", desc: true });
    expect(list.map((p) => p.id)).toEqual(["b", "a", "c"]);
  });
});
