import { describe, expect, it } from "vitest";
import { BUILTIN_KEYS, customKey, fieldReader, IDENTITY_FIELD, keyById } from "./partition-key";
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
});
