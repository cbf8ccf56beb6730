// The executions list's filters, sort and key as typed search params, so a
// filtered list is a link too and back/forward step through filter changes.
import { createParser, parseAsBoolean, parseAsInteger, parseAsStringLiteral } from "nuqs/server";
import type { ExecutionStatus } from "../audit";
import type { ContextKind } from "../audit/context-ref";
import type { ExecutionSort, SortColumn } from "../executions/execution-rows";
import { parseAsText } from "./execution-params";

export const STATUS_IDS = [
  "running",
  "complete",
  "failed",
  "cancelled",
  "stalled",
] as const satisfies readonly ExecutionStatus[];
const SORT_COLUMNS = [
  "first",
  "last",
  "duration",
  "events",
  "anomalies",
  "id",
] as const satisfies readonly SortColumn[];

/** `column` (ascending) or `-column` (descending). */
export const parseAsSort = createParser<ExecutionSort>({
  parse(v) {
    const desc = v.startsWith("-");
    const by = (desc ? v.slice(1) : v) as SortColumn;
    return (SORT_COLUMNS as readonly string[]).includes(by) ? { by, desc } : null;
  },
  serialize: (s) => `${s.desc ? "-" : ""}${s.by}`,
  eq: (a, b) => a.by === b.by && a.desc === b.desc,
});

/** What the list shows: workflow executions, invocations outside any run, or both. */
export const LIST_VIEWS = ["executions", "invocations", "all"] as const;
export type ListView = (typeof LIST_VIEWS)[number];

/** The log's kind of context for a list view. */
export function kindOfView(view: ListView): ContextKind | "all" {
  return view === "executions" ? "execution" : view === "invocations" ? "invocation" : "all";
}

/** `view`, `q` id search, `workflow`, `status`, `within` (ms before the newest event), `anomalies`, `key`, `sort`. */
export const executionsParams = {
  view: parseAsStringLiteral(LIST_VIEWS),
  q: parseAsText,
  workflow: parseAsText,
  status: parseAsStringLiteral(STATUS_IDS),
  within: parseAsInteger,
  anomalies: parseAsBoolean,
  key: parseAsText,
  sort: parseAsSort,
};
