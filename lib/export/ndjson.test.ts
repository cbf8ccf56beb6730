import { describe, expect, it } from "vitest";
import { AuditLog } from "../audit";
import { makeMessage } from "../audit/testing";
import { executionNdjson } from "./ndjson";

describe("executionNdjson", () => {
  it("writes the execution's events and malformed messages as received, in stream order", () => {
    const log = new AuditLog();
    const a = '{"ts":"2026-01-01T00:00:01Z","event":"tool_exec","seq":1,"workflow_execution_id":"x"}';
    const b = '{"ts":"2026-01-01T00:00:02Z","event":"tool_exec","seq":"2","workflow_execution_id":"x"}';
    const c = '{"ts":"2026-01-01T00:00:03Z","event":"tool_exec","seq":3,"workflow_execution_id":"y"}';
    log.add([makeMessage(b, { streamSeq: 2 }), makeMessage(a, { streamSeq: 1 }), makeMessage(c, { streamSeq: 3 })]);
    const text = new TextDecoder().decode(executionNdjson([...log.events("x"), ...log.malformed("x")]));
    expect(text).toBe(`${a}\n${b}\n`);
  });
});
