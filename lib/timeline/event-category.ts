// Event kinds grouped for colour. Okabe–Ito palette: distinguishable with every
// common colour-vision deficiency, and readable on light and dark backgrounds.

export type EventCategory = "lifecycle" | "llm" | "tool" | "egress" | "auth" | "guardrail" | "other";

export const EVENT_CATEGORIES: readonly EventCategory[] = Object.freeze([
  "lifecycle",
  "llm",
  "tool",
  "egress",
  "auth",
  "guardrail",
  "other",
] as const);

export const CATEGORY_COLOURS: Readonly<Record<EventCategory, string>> = Object.freeze({
  lifecycle: "#0072B2",
  llm: "#E69F00",
  tool: "#009E73",
  egress: "#56B4E9",
  auth: "#CC79A7",
  guardrail: "#D55E00",
  other: "#999999",
});

export const CATEGORY_LABELS: Readonly<Record<EventCategory, string>> = Object.freeze({
  lifecycle: "lifecycle",
  llm: "LLM",
  tool: "tool",
  egress: "egress",
  auth: "auth",
  guardrail: "guardrail",
  other: "other",
});

const LIFECYCLE = new Set([
  "invocation_complete",
  "invocation_start",
  "invocation_started",
  "agent_card_published",
  "policy_loaded",
]);

export function eventCategory(event: string): EventCategory {
  if (event.startsWith("workflow_") || event.startsWith("session_") || LIFECYCLE.has(event)) return "lifecycle";
  if (event.startsWith("llm_")) return "llm";
  if (event.startsWith("tool_")) return "tool";
  if (event.startsWith("egress_")) return "egress";
  if (event.startsWith("auth_")) return "auth";
  if (event.startsWith("guardrail_")) return "guardrail";
  return "other";
}

const indexCache = new Map<string, number>();

/** Index into EVENT_CATEGORIES, for typed arrays (cached: a run has few distinct event types). */
export function categoryIndex(event: string): number {
  let i = indexCache.get(event);
  if (i === undefined) {
    i = EVENT_CATEGORIES.indexOf(eventCategory(event));
    if (indexCache.size < 10_000) indexCache.set(event, i);
  }
  return i;
}
