import { describe, expect, it } from "vitest";
import { HashChain } from "../sim/chain";
import { AuditLog } from "./audit-log";
import { lineNearX, xOfStreamSeq } from "./process-ledger-timeline";
import { BASE_TS_MS, makeMessage, makeWire } from "./testing";

const enc = new TextEncoder();

/** Agent a: a process-level line, then x1, x2, x1 again, a line lost, x2; an unrelated agent b in between. */
function log(): AuditLog {
  const chain = new HashChain();
  const a = (fields: Record<string, unknown>, i: number) => {
    const bytes = enc.encode(
      JSON.stringify(
        makeWire({ entity_type: "agent", entity_id: "a", ...fields, prev_hash: chain.prevHash }, BASE_TS_MS + i * 1000),
      ),
    );
    chain.advance(bytes);
    return bytes;
  };
  const b = enc.encode(JSON.stringify(makeWire({ entity_type: "agent", entity_id: "b" })));
  const lines = [
    a({ event: "policy_loaded" }, 1),
    a({ workflow_execution_id: "x1" }, 2),
    b,
    a({ workflow_execution_id: "x2" }, 3),
    a({ workflow_execution_id: "x1" }, 4),
  ];
  a({ workflow_execution_id: "x1" }, 5); // written, never published
  lines.push(a({ workflow_execution_id: "x2" }, 6));
  const l = new AuditLog();
  l.add(lines.map((d, i) => makeMessage(d, { streamSeq: 10 + i })));
  return l;
}

describe("processTimeline", () => {
  it("holds every line of the process across the executions it served, and its breaks", () => {
    const l = log();
    const m = l.processTimeline("agent:a@10");
    expect(m).toBeDefined();
    expect([...m!.streamSeq]).toEqual([10, 11, 13, 14, 15]);
    expect(m!.executions).toEqual(["x1", "x2"]);
    expect([...m!.execution]).toEqual([-1, 0, 1, 0, 1]);
    expect(m!.breaks).toEqual([{ at: 15, after: 14 }]);
    expect([m!.from, m!.to]).toEqual([10, 15]);
    expect(l.processTimeline("nobody@1")).toBeUndefined();
  });

  it("maps stream sequences to x and back to the nearest line", () => {
    const m = log().processTimeline("agent:a@10")!;
    expect(xOfStreamSeq(m, 101, 10)).toBe(0);
    expect(xOfStreamSeq(m, 101, 15)).toBe(100);
    expect(lineNearX(m, 101, 0)).toBe(0);
    expect(lineNearX(m, 101, 100)).toBe(4);
    expect(lineNearX(m, 101, 39)).toBe(1); // stream seq 11.95: 11 is held, 12 is b's
    expect(lineNearX(m, 101, 45)).toBe(2); // 12.25: nearer 13 than 11
  });
});
