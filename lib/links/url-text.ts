// Any string in a URL and back, exactly: encoded once where a link is built,
// decoded once where it is read. encodeURIComponent alone is not enough for
// ids from a stream: it throws on a lone surrogate (JSON "\uD800" parses to
// one) and decodeURIComponent throws on a stray "%" typed by hand. A lone
// surrogate is written as its generalised UTF-8 bytes (WTF-8), which the
// decoder here reads back; anything that is not a valid escape stays as it is.
// (Next 16's router itself answers 500 to a path segment that is not valid
// UTF-8 — a lone surrogate's bytes, a stray "%" — before a page sees it; query
// values and list items do round-trip.) Pure.

import { contextOfKey, type ContextRef } from "../audit/context-ref";

const LONE_SURROGATE = /\p{Cs}/u;
const ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;

const hex = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** The WTF-8 bytes of a surrogate code point, percent-encoded. */
function surrogateEscape(cp: number): string {
  return hex(0xe0 | (cp >> 12)) + hex(0x80 | ((cp >> 6) & 0x3f)) + hex(0x80 | (cp & 0x3f));
}

/** `s` as one URL path segment or query item: encodeURIComponent, plus lone surrogates it cannot take. */
export function encodeUrlText(s: string): string {
  if (!LONE_SURROGATE.test(s)) return encodeURIComponent(s);
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    out += cp >= 0xd800 && cp <= 0xdfff ? surrogateEscape(cp) : encodeURIComponent(ch);
  }
  return out;
}

/** Decodes a run of percent-escaped bytes as generalised UTF-8; a byte that starts no valid sequence stays as written. */
function decodeBytes(run: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i += 3) bytes.push(parseInt(run.slice(i + 1, i + 3), 16));
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    const need =
      b0 < 0x80 ? 0 : b0 >= 0xc2 && b0 < 0xe0 ? 1 : b0 >= 0xe0 && b0 < 0xf0 ? 2 : b0 >= 0xf0 && b0 < 0xf5 ? 3 : -1;
    let cp = need === 0 ? b0 : need === 1 ? b0 & 0x1f : need === 2 ? b0 & 0x0f : b0 & 0x07;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const b = bytes[i + k] as number;
      if ((b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    // Shortest form only, and nothing past U+10FFFF: otherwise two texts would share one encoding.
    const min = need === 2 ? 0x800 : need === 3 ? 0x10000 : 0;
    if (ok && cp >= min && cp <= 0x10ffff) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += run.slice(i * 3, i * 3 + 3);
      i += 1;
    }
  }
  return out;
}

/**
 * The string a path segment or query item encodes (the inverse of
 * `encodeUrlText`). Never throws: a "%" that starts no valid escape is kept as
 * text, so a hand-typed `/executions/50%` opens the id `50%`.
 */
export function decodeUrlText(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(ESCAPES, decodeBytes);
  }
}

/** The path of an execution's page. */
export function executionPath(executionId: string): string {
  return `/executions/${encodeUrlText(executionId)}`;
}

/** The path of a context's page: an execution's, or an invocation's (`/invocations/<correlation id>`). */
export function contextPath(ref: ContextRef): string {
  return ref.kind === "invocation" ? `/invocations/${encodeUrlText(ref.id)}` : executionPath(ref.id);
}

/** The context a page's path shows (`/executions/<id>`, `/invocations/<id>`), or undefined. */
export function contextOfPath(path: string | null): ContextRef | undefined {
  const m = /^\/(executions|invocations)\/([^/]+)$/.exec(path ?? "");
  if (m === null) return undefined;
  return { kind: m[1] === "invocations" ? "invocation" : "execution", id: decodeUrlText(m[2] as string) };
}

/** The page of the context the log's key names (context-ref.ts). */
export function contextKeyPath(key: string): string {
  return contextPath(contextOfKey(key));
}

const QUERY_TEXT_ESCAPES = /[%]|\p{Cs}/gu;
const LIST_ITEM_ESCAPES = /[%,]|\p{Cs}/gu;
const escapeOne = (c: string) => (c === "%" || c === "," ? encodeURIComponent(c) : surrogateEscape(c.charCodeAt(0)));

/**
 * A query value's text before the URL encodes it: its "%" escaped, so that
 * `decodeUrlText` after the URL's own decoding gives it back, and a lone
 * surrogate written as bytes (a URL would make it U+FFFD).
 */
export function escapeQueryText(s: string): string {
  return s.replace(QUERY_TEXT_ESCAPES, escapeOne);
}

/** `escapeQueryText` for an item of a comma-separated list: its commas escaped too. */
export function escapeListItem(s: string): string {
  return s.replace(LIST_ITEM_ESCAPES, escapeOne);
}

/** A query string with every non-ASCII character percent-encoded: a copied link shows no raw bidi or invisible text. */
export function asciiQuery(query: string): string {
  return query.replace(/[^\x00-\x7F]/gu, encodeUrlText);
}
