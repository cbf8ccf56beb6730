import { describe, expect, it } from "vitest";
import { DEFAULT_PRODUCER_RULES, resolveProducer } from "./producer";
import type { AuditFields } from "./types";

const base: AuditFields = { ts: "2025-01-15T10:00:00Z", event: "tool_exec" };

describe("resolveProducer", () => {
  it.each<[string, Partial<AuditFields>, string, string, boolean]>([
    [
      "explicit producer wins",
      { producer: "p1", source: "s1", entity_type: "agent", entity_id: "a" },
      "producer:p1",
      "producer",
      false,
    ],
    ["then source", { source: "siem", entity_type: "agent", entity_id: "a" }, "source:siem", "source", false],
    ["then entity", { entity_type: "agent", entity_id: "billing" }, "agent:billing", "entity", false],
    [
      "entity_type workflow is the orchestrator",
      { entity_type: "workflow", entity_id: "x1" },
      "workflow:x1",
      "entity",
      true,
    ],
    [
      "a workflow_* event names its run's orchestrator",
      { event: "workflow_started", workflow_execution_id: "x9" },
      "workflow:x9",
      "workflow-event",
      true,
    ],
    ["a workflow_* event without a run id is unknown", { event: "workflow_started" }, "unknown", "unknown", false],
    ["entity needs both fields", { entity_id: "a" }, "unknown", "unknown", false],
    ["empty strings do not count", { producer: "", source: "s" }, "source:s", "source", false],
  ])("%s", (_, fields, id, rule, orchestrator) => {
    const p = resolveProducer({ ...base, ...fields });
    expect(p).toMatchObject({ id, rule, orchestrator });
  });

  it("follows a configured order", () => {
    const f = { ...base, producer: "p1", entity_type: "agent", entity_id: "a" };
    expect(resolveProducer(f, ["entity", "producer"]).id).toBe("agent:a");
    expect(resolveProducer(f, ["source"]).id).toBe("unknown");
    expect(resolveProducer(f, ["unknown", "producer"]).id).toBe("unknown");
  });

  it("defaults to producer → source → entity → workflow-event", () => {
    expect(DEFAULT_PRODUCER_RULES).toEqual(["producer", "source", "entity", "workflow-event"]);
  });

  it("returns one shared identity per lane", () => {
    const a = resolveProducer({ ...base, entity_type: "agent", entity_id: "same" });
    const b = resolveProducer({ ...base, event: "llm_call", entity_type: "agent", entity_id: "same" });
    expect(a).toBe(b);
    expect(a.label).toBe("same");
  });
});
