import { describe, expect, it } from "vitest";
import { makeMessage } from "../audit/testing";
import { containsBytes, ExecutionTracker } from "./execution-tracker";

const enc = new TextEncoder();
let clock = 0;
/** Received 10 ms after the one before. */
const msg = (streamSeq: number, body: object | string, receivedMs = (clock += 10)) =>
  makeMessage(body, { streamSeq, receivedMs });
const ev = (exec: string, event = "tool_exec") => ({ ts: "2026-11-24T10:00:00Z", event, workflow_execution_id: exec });
const margins = { afterTerminalMessages: 3, afterTerminalMs: 1e9, quietMessages: 5, quietMs: 1e9 };

/** Feeds seqs 1.. through the tracker; returns the seq it said "done" at. */
function run(t: ExecutionTracker, bodies: (object | string)[]): number | undefined {
  for (let i = 0; i < bodies.length; i++) if (t.observe(msg(i + 1, bodies[i]!)).done) return i + 1;
  return undefined;
}

describe("containsBytes", () => {
  it("finds a needle anywhere, including at the very end, and not a near miss", () => {
    const hay = enc.encode('{"a":"wfx-12","b":"wfx-123"}');
    expect(containsBytes(hay, enc.encode("wfx-123"))).toBe(true);
    expect(containsBytes(hay, enc.encode("wfx-1234"))).toBe(false);
    expect(containsBytes(enc.encode("abc"), enc.encode("bc"))).toBe(true);
    expect(containsBytes(enc.encode("ab"), enc.encode("abc"))).toBe(false);
  });
});

describe("ExecutionTracker", () => {
  it("stops a fixed margin after the terminal event, counting only the execution's own messages", () => {
    // 1 other, 2-4 ours (4 = workflow_complete), 5-9 others: done after 3 more messages, at 7.
    const t = new ExecutionTracker("wfx-a", undefined, margins);
    const other = ev("wfx-b");
    const done = run(t, [
      other,
      ev("wfx-a"),
      ev("wfx-a"),
      ev("wfx-a", "workflow_complete"),
      other,
      other,
      other,
      other,
    ]);
    expect(done).toBe(7);
    expect([t.firstSeq, t.lastSeq, t.terminalSeq, t.count]).toEqual([2, 4, 4, 3]);
  });

  it("a late event of the execution restarts the margin", () => {
    const t = new ExecutionTracker("wfx-a", undefined, margins);
    const o = ev("wfx-b");
    expect(run(t, [ev("wfx-a", "workflow_cancelled"), o, o, ev("wfx-a", "session_end"), o, o, o])).toBe(7);
  });

  it("never stops before the hinted end, and stops soon after it when the execution is not there", () => {
    const t = new ExecutionTracker("wfx-a", 5, margins);
    const o = ev("wfx-b");
    expect(run(t, [o, o, o, o, o, o, o, o, o])).toBe(8);
    expect(t.found).toBe(false);
  });

  it("without a terminal event waits for a longer quiet margin; without the execution it keeps scanning", () => {
    const o = ev("wfx-b");
    const t = new ExecutionTracker("wfx-a", undefined, margins);
    expect(run(t, [ev("wfx-a"), o, o, o, o, o, o])).toBe(6);
    expect(run(new ExecutionTracker("wfx-a", undefined, margins), Array(50).fill(o))).toBeUndefined();
  });

  it("stream time ends the margin too, whichever comes first", () => {
    const t = new ExecutionTracker("wfx-a", undefined, { ...margins, afterTerminalMs: 1_000 });
    expect(t.observe(msg(1, ev("wfx-a", "workflow_complete"), 0)).done).toBe(false);
    expect(t.observe(msg(2, ev("wfx-b"), 500)).done).toBe(false);
    expect(t.observe(msg(3, ev("wfx-b"), 1_000)).done).toBe(true);
  });

  it("counts a malformed line naming the execution, not an id inside another field or a longer id", () => {
    const t = new ExecutionTracker("wfx-a", undefined, margins);
    expect(t.observe(msg(1, '{"workflow_execution_id":"wfx-a","seq":')).mine).toBe(true);
    expect(t.observe(msg(2, { ...ev("wfx-b"), fields: { note: "wfx-a" } })).mine).toBe(false);
    expect(t.observe(msg(3, ev("wfx-ab"))).mine).toBe(false);
    expect(t.observe(msg(4, ev('wfx-"q"'))).mine).toBe(false);
    expect(new ExecutionTracker('wfx-"q"').observe(msg(5, ev('wfx-"q"'))).mine).toBe(true);
  });
});
