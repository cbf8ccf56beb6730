// The execution page's view state as typed search params: what a link carries
// so that it opens exactly what its sender saw. One schema (nuqs parsers) for
// reading the URL in the page and for building links; nothing else goes in a
// link — no credentials, no server settings, only these names.
import { createParser, createSerializer, parseAsStringLiteral } from "nuqs/server";
import type { OrderMode } from "../timeline/timeline-model";
import { asciiQuery, decodeUrlText, escapeListItem, escapeQueryText, contextKeyPath } from "./url-text";

export const ORDER_IDS = ["ts", "arrival", "seq"] as const satisfies readonly OrderMode[];

/** The visible x window as `x0_x1` in the order mode's units (ms since epoch, message index or seq). */
export const parseAsWindow = createParser<readonly [number, number]>({
  parse(v) {
    const m = /^(-?\d+(?:\.\d+)?)_(-?\d+(?:\.\d+)?)$/.exec(v);
    if (!m) return null;
    const a = Number(m[1]);
    const b = Number(m[2]);
    return Number.isFinite(a) && Number.isFinite(b) && b > a ? [a, b] : null;
  },
  serialize: ([a, b]) => `${a}_${b}`,
  eq: (x, y) => x[0] === y[0] && x[1] === y[1],
});

/** A positive integer (stream sequences): anything else reads as absent. */
const parseAsStreamSeq = createParser<number>({
  parse(v) {
    if (!/^\d{1,16}$/.test(v)) return null;
    const n = Number(v);
    return n >= 1 && Number.isSafeInteger(n) ? n : null;
  },
  serialize: (n) => String(n),
});

/** Any string: its "%" and lone surrogates escaped, so it reads back exactly (nuqs's parseAsString loses those). */
export const parseAsText = createParser<string>({
  parse: decodeUrlText,
  serialize: escapeQueryText,
});

/**
 * Strings as `a,b` (lanes are producer ids, which may hold anything). nuqs's
 * parseAsArrayOf turns an item's literal "%2C" into a comma on the way back;
 * this escapes "%" as well, so every item reads back as it was written.
 */
export const parseAsStringList = createParser<string[]>({
  parse: (v) => (v === "" ? [] : v.split(",").map(decodeUrlText)),
  serialize: (items) => items.map(escapeListItem).join(","),
  eq: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
});

/**
 * `key` partition key id (built-in or `custom:f1,f2`), `order`, `win` window,
 * `sel` selected event (stream sequence), `anomaly` the highlighted anomaly,
 * `open`/`shut` lanes expanded/collapsed by hand (producer ids), and the hint
 * `from`/`to`: the stream sequences where the execution's messages lie.
 */
export const executionParams = {
  key: parseAsText,
  order: parseAsStringLiteral(ORDER_IDS).withDefault("ts"),
  win: parseAsWindow,
  sel: parseAsStreamSeq,
  anomaly: parseAsText,
  open: parseAsStringList.withDefault([]),
  shut: parseAsStringList.withDefault([]),
  from: parseAsStreamSeq,
  to: parseAsStreamSeq,
};

export interface ExecutionViewState {
  keyId: string | null;
  order: OrderMode;
  window: readonly [number, number] | null;
  selected: number | null;
  anomaly: string | null;
  expansion: ReadonlyMap<string, boolean>;
}

export interface ExecutionLinkHint {
  from: number;
  to: number;
}

/** The window as written to a URL: whole milliseconds for time, thousandths for indexes and seqs. */
export function roundWindow(order: OrderMode, [a, b]: readonly [number, number]): [number, number] {
  const q = order === "ts" ? 1 : 1_000;
  // Rounded, not floored: a window read back from the plot differs from the URL's by float noise only.
  const r0 = Math.round(a * q) / q;
  const r1 = Math.round(b * q) / q;
  return [r0, r1 > r0 ? r1 : r0 + 1 / q];
}

export function expansionToParams(expansion: ReadonlyMap<string, boolean>): { open: string[]; shut: string[] } {
  const open: string[] = [];
  const shut: string[] = [];
  for (const [lane, expanded] of expansion) (expanded ? open : shut).push(lane);
  return { open: open.sort(), shut: shut.sort() };
}

export function expansionFromParams(open: readonly string[], shut: readonly string[]): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (const lane of shut) m.set(lane, false);
  for (const lane of open) m.set(lane, true);
  return m;
}

const serialize = createSerializer(executionParams);

/**
 * The shareable link to an execution view: `origin` + path + the view state and
 * the hint, built from these values only (never from the current query string,
 * so nothing else that happens to be in the address bar travels along).
 */
export function executionLink(
  origin: string,
  /** The log's context key: an execution's id, or an invocation's key (context-ref.ts). */
  executionId: string,
  view: ExecutionViewState,
  hint?: ExecutionLinkHint,
): string {
  const { open, shut } = expansionToParams(view.expansion);
  const query = serialize({
    key: view.keyId,
    order: view.order,
    win: view.window === null ? null : roundWindow(view.order, view.window),
    sel: view.selected,
    anomaly: view.anomaly,
    open,
    shut,
    from: hint?.from ?? null,
    to: hint?.to ?? null,
  });
  return `${origin.replace(/\/+$/, "")}${contextKeyPath(executionId)}${asciiQuery(query)}`;
}
