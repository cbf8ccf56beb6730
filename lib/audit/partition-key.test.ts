import { describe, expect, it } from "vitest";
import { BUILTIN_KEYS, customKey, fallbackAlternatives, fieldReader, IDENTITY_FIELD, keyById } from "./partition-key";
import { makeEvent } from "./testing";

describe("partition keys", () => {
  it("ships the four keys of the contract", () => {
    expect(BUILTIN_KEYS.map((k) => [k.id, k.fields])).toEqual([
      ["execution", ["workflow_execution_id"]],
      ["execution-entity", ["workflow_execution_id", "entity_type", "entity_id"]],
      ["invocation", ["correlation_id", "task_id"]],
      ["execution-producer", ["workflow_execution_id", "producer"]],
    ]);
  });

  it("finds built-in and custom keys by id", () => {
    expect(keyById("invocation")?.fields).toEqual(["correlation_id", "task_id"]);
    const k = customKey(["workflow_execution_id", "step_id"]);
    expect(k.id).toBe("custom:workflow_execution_id,step_id");
    expect(keyById(k.id)).toEqual(k);
    expect(keyById("custom:")).toBeUndefined();
    expect(keyById("nope")).toBeUndefined();
  });

  it("reads contract fields, unknown fields and the resolved identity", () => {
    const ev = makeEvent({ workflow_execution_id: "x1", seq: 3, run_id: "r7", entity_type: "agent", entity_id: "a" });
    expect(fieldReader("workflow_execution_id")(ev)).toBe("x1");
    expect(fieldReader("seq")(ev)).toBe("3");
    expect(fieldReader("run_id")(ev)).toBe("r7");
    expect(fieldReader(IDENTITY_FIELD)(ev)).toBe("agent:a");
    expect(fieldReader("producer")(ev)).toBeUndefined();
    expect(fieldReader("toString")(ev)).toBeUndefined();
  });

  it("reads a fallback field: the first alternative whose fields are all present, tagged with which one", () => {
    // An agent event (invocation ids present) and an orchestrator event (none) of one run.
    const field = "correlation_id+task_id|workflow_execution_id+producer";
    expect(fallbackAlternatives(field)).toEqual([
      ["correlation_id", "task_id"],
      ["workflow_execution_id", "producer"],
    ]);
    expect(fallbackAlternatives("workflow_execution_id")).toBeUndefined();
    const read = fieldReader(field);
    const agent = makeEvent({ correlation_id: "c1", task_id: "t1", workflow_execution_id: "x1", producer: "p@1" });
    const orchestrator = makeEvent({ workflow_execution_id: "x1", producer: "orchestrator@2" });
    const neither = makeEvent({ correlation_id: "c1" });
    expect(read(agent)).toBe("0\u0001c1\u0001t1");
    expect(read(orchestrator)).toBe("1\u0001x1\u0001orchestrator@2");
    expect(read(neither)).toBeUndefined();
    const k = customKey([field]);
    expect(keyById(k.id)).toEqual(k);
  });
});
