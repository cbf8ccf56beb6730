import { describe, expect, it } from "vitest";
import { AuditLog, BUILTIN_KEYS } from "../audit";
import { BASE_TS_MS, makeMessage, makeWire } from "../audit/testing";
import { RowCache } from "./row-cache";

const key = BUILTIN_KEYS[0]!;

/** Line i of run r, stream sequence `at`. */
function line(r: number, i: number, at: number) {
  return makeMessage(
    makeWire(
      {
        event: i === 0 ? "workflow_started" : "tool_exec",
        workflow_execution_id: `x${r}`,
        producer: "orch",
        seq: i + 1,
      },
      BASE_TS_MS + at * 1000,
    ),
    { streamSeq: at, receivedMs: BASE_TS_MS + at * 1000 },
  );
}

describe("the list's row cache", () => {
  it("makes a row again only for a changed summary, and holds only the last listing's rows", () => {
    const log = new AuditLog();
    log.add([line(0, 0, 1), line(1, 0, 2), line(2, 0, 3)]);
    const cache = new RowCache();
    const asked: string[] = [];
    const countsOf = (s: { id: string }) => (asked.push(s.id), log.analyze(key, { executionId: s.id }).counts);
    const first = cache.rows(log.executions(), countsOf);
    expect(first.map((r) => r.id).sort()).toEqual(["x0", "x1", "x2"]);
    expect(asked.sort()).toEqual(["x0", "x1", "x2"]);

    // One run changes: only its row is made again; the others are the same objects.
    asked.length = 0;
    log.add([line(1, 1, 4)]);
    const second = cache.rows(log.executions(), countsOf);
    expect(asked).toEqual(["x1"]);
    for (const id of ["x0", "x2"]) expect(second.find((r) => r.id === id)).toBe(first.find((r) => r.id === id));
    expect(second.find((r) => r.id === "x1")?.eventCount).toBe(2);

    // A listing without a run (folded, dropped, filtered out by kind) lets its row go.
    const third = cache.rows(
      log.executions().filter((s) => s.id !== "x0"),
      countsOf,
    );
    expect(third).toHaveLength(2);
    expect(cache.size).toBe(2);
  });
});
