// Lines read by themselves (an execution opened through the index) carry no
// chain verdict: a long-lived process's chain runs through the lines it wrote
// for other executions, which the tab did not read.
import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { GENESIS_HASH } from "./chain";
import { sha256Hex } from "./sha256";
import { makeMessage, makeWire } from "./testing";
import type { RawMessage } from "./types";

/** One process (agent-a) writing for run-2, then run-3, then run-2 again: one chain through all three lines. */
function interleaved(): RawMessage[] {
  const enc = new TextEncoder();
  const lines: string[] = [];
  let prev = GENESIS_HASH;
  for (const [i, run] of (["run-2", "run-3", "run-2"] as const).entries()) {
    const line = JSON.stringify(
      makeWire({ workflow_execution_id: run, entity_type: "agent", entity_id: "agent-a", seq: i + 1, prev_hash: prev }),
    );
    prev = sha256Hex(enc.encode(line));
    lines.push(line);
  }
  return lines.map((l, i) => makeMessage(l, { streamSeq: i + 1, receivedMs: 1_000 + i }));
}

describe("lines read alone", () => {
  it("the whole stream: the chain holds", () => {
    const log = new AuditLog();
    log.add(interleaved());
    expect(log.chainBreaks()).toEqual([]);
    expect(log.readAlone("run-2")).toBe(false);
  });

  it("one execution's lines without the stream around them: a break, unless they are marked as read alone", () => {
    const run2 = interleaved().filter((_, i) => i !== 1);
    const plain = new AuditLog();
    plain.add(run2);
    expect(plain.chainBreaks().map((b) => b.at)).toEqual([3]);

    const alone = new AuditLog();
    alone.add(run2.map((m) => ({ ...m, alone: true })));
    expect(alone.chainBreaks()).toEqual([]);
    expect(
      alone.analyze({ id: "x", label: "x", fields: ["workflow_execution_id"] }, { executionId: "run-2" }).counts[
        "chain-break"
      ],
    ).toBe(0);
    expect(alone.readAlone("run-2")).toBe(true);
  });
});
