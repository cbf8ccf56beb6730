import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { DigestTable } from "./digest-table";
import { sha256Hex } from "./sha256";
import { BASE_TS_MS, makeMessage, makeWire } from "./testing";
import type { RawMessage } from "./types";

const enc = new TextEncoder();

/** `runs` executions of `perRun` lines each, one long-lived process chaining every line (prev_hash). */
function chainedRuns(runs: number, perRun: number): RawMessage[] {
  const out: RawMessage[] = [];
  let prev = "0".repeat(64);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < perRun; i++) {
      const n = out.length + 1;
      const last = i === perRun - 1;
      const wire = makeWire(
        {
          event: last ? "workflow_complete" : "tool_exec",
          workflow_execution_id: `x${r}`,
          producer: "p",
          seq: i + 1,
          prev_hash: prev,
        },
        BASE_TS_MS + n * 1000,
      );
      const data = enc.encode(JSON.stringify(wire));
      prev = sha256Hex(data);
      out.push(makeMessage(data, { streamSeq: n, receivedMs: BASE_TS_MS + n * 1000 }));
    }
  }
  return out;
}

function feed(log: AuditLog, msgs: readonly RawMessage[]): void {
  for (let i = 0; i < msgs.length; i += 1_000) log.add(msgs.slice(i, i + 1_000));
}

describe("memory budget", () => {
  it("what evicted lines leave behind does not grow with the stream", () => {
    // Budget 1 byte: every finished execution goes at once, so what stays is only what eviction leaves.
    const msgs = chainedRuns(16, 7_500);
    const log = new AuditLog({ budgetBytes: 1 });
    feed(log, msgs);
    const m = log.memory();
    expect(m.evictedMessages).toBe(120_000);
    expect(log.eventCounts().executions).toBe(120_000);
    expect(log.chainBreaks()).toEqual([]); // every line still finds its predecessor across evictions
    // The content ids and chain digests of evicted lines are capped (the newest 20 000 lines at this budget),
    // each in a table of at most 4 slots a line, 24 bytes a slot; 16 summaries and an empty store take little.
    // Keeping a digest per line ever read would take 120 000 lines' worth.
    const capped = 2 * 4 * 20_000 * 24;
    expect(m.heldBytes).toBeLessThan(capped + 2 ** 20);
  });
});

describe("DigestTable.keepWhere", () => {
  it("keeps exactly the chosen lines, with their followers, in a table sized for them", () => {
    const t = new DigestTable();
    for (let i = 0; i < 10_000; i++) t.add(i, ~i, i + 1, i + 2);
    const before = t.bytes;
    t.keepWhere((line) => line % 100 === 0);
    expect(t.size).toBe(100);
    expect(t.bytes).toBeLessThan(before / 50);
    for (let i = 0; i < 10_000; i++) {
      const kept = (i + 1) % 100 === 0;
      expect(t.lineOf(i, ~i)).toBe(kept ? i + 1 : NaN);
      expect(t.followerOf(i, ~i)).toBe(kept ? i + 2 : NaN);
    }
  });
});
