import { describe, expect, it } from "vitest";
import { CLOSES_INVOCATION, CLOSES_RUN, eventFlags, WORKFLOW_EVENT } from "./columns";
import {
  closesInvocation,
  closesRun,
  INVOCATION_CLOSING_EVENTS,
  statusSaysFailed,
  isStepFailure,
  isWorkflowEvent,
  RUN_CLOSING_EVENTS,
} from "./event-kinds";

describe("event kinds", () => {
  it("closes a run on workflow_complete and workflow_cancelled only", () => {
    expect(RUN_CLOSING_EVENTS).toEqual(["workflow_complete", "workflow_cancelled"]);
    for (const e of RUN_CLOSING_EVENTS) expect(closesRun(e)).toBe(true);
    for (const e of ["workflow_step_failed", "workflow_started", "invocation_complete", "workflow_completed", ""])
      expect(closesRun(e)).toBe(false);
  });

  it("closes an invocation on invocation_complete and session_end only", () => {
    expect(INVOCATION_CLOSING_EVENTS).toEqual(["invocation_complete", "session_end"]);
    for (const e of INVOCATION_CLOSING_EVENTS) expect(closesInvocation(e)).toBe(true);
    for (const e of ["session_start", "workflow_complete", "tool_exec"]) expect(closesInvocation(e)).toBe(false);
  });

  it("names the orchestrator's events by their prefix", () => {
    for (const e of ["workflow_started", "workflow_step_failed", "workflow_whatever_comes_next"])
      expect(isWorkflowEvent(e)).toBe(true);
    for (const e of ["workflow", "wf_started", "tool_exec", "", "Workflow_started"])
      expect(isWorkflowEvent(e)).toBe(false);
  });

  it("knows the step failure and the bad outcomes of a completed run", () => {
    expect(isStepFailure("workflow_step_failed")).toBe(true);
    expect(isStepFailure("workflow_step_completed")).toBe(false);
    expect(statusSaysFailed("failed")).toBe(true);
    expect(statusSaysFailed("error")).toBe(true);
    for (const s of ["succeeded", "ok", "FAILED", undefined, null, 0]) expect(statusSaysFailed(s)).toBe(false);
  });

  it("is what the columns' flags say", () => {
    expect(eventFlags("workflow_complete")).toBe(WORKFLOW_EVENT | CLOSES_RUN);
    expect(eventFlags("workflow_cancelled")).toBe(WORKFLOW_EVENT | CLOSES_RUN);
    expect(eventFlags("workflow_step_failed")).toBe(WORKFLOW_EVENT);
    expect(eventFlags("invocation_complete")).toBe(CLOSES_INVOCATION);
    expect(eventFlags("session_end")).toBe(CLOSES_INVOCATION);
    expect(eventFlags("tool_exec")).toBe(0);
  });
});
