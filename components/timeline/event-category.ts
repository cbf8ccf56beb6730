// Event kinds grouped for colour. Okabe–Ito palette: safe for colour-blind readers.
export type EventCategory = "lifecycle" | "llm" | "tool" | "egress" | "auth" | "guardrail" | "other";

export const CATEGORY_COLOURS: Record<EventCategory, string> = {
  lifecycle: "#0072B2",
  llm: "#E69F00",
  tool: "#009E73",
  egress: "#56B4E9",
  auth: "#CC79A7",
  guardrail: "#D55E00",
  other: "#999999",
};

export function eventCategory(event: string): EventCategory {
  if (event.startsWith("workflow_") || event.startsWith("session_") || event === "invocation_complete")
    return "lifecycle";
  if (event.startsWith("llm_")) return "llm";
  if (event.startsWith("tool_")) return "tool";
  if (event.startsWith("egress_")) return "egress";
  if (event.startsWith("auth_")) return "auth";
  if (event.startsWith("guardrail_")) return "guardrail";
  return "other";
}
