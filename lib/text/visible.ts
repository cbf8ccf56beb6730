// Text from the stream shown to a person: characters that are invisible or
// that reorder what is around them are written out as `⟨U+XXXX⟩`, so a
// producer cannot make one name look like another ("agent\u202Egnp.exe" drawn
// as "agentexe.png") or hide text in an id. The one definition of which
// characters those are; views apply it where they render text, never to the
// data (exports of the raw messages keep the raw bytes). Pure.

/**
 * What is marked:
 * - Cc: C0 controls, DEL, C1 controls;
 * - Cf: format characters — bidi embeddings/overrides/isolates/marks (U+202A–202E,
 *   U+2066–2069, U+200E/200F, U+061C), zero-width space/joiners (U+200B–200D),
 *   word joiner and invisible operators (U+2060–2064), BOM (U+FEFF), soft hyphen,
 *   tag characters (U+E0000–E007F) and the rest of the category;
 * - Zl/Zp: line and paragraph separators (U+2028/2029);
 * - Cs: a lone surrogate (a `\uD800` in JSON is a string no UTF-8 can carry);
 * - blank letters and joiners that render as nothing: U+034F, U+115F, U+1160,
 *   U+17B4, U+17B5, U+180B–180F, U+3164, U+FFA0.
 * Variation selectors (U+FE00–FE0F) stay: emoji need them and they do not reorder text.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u3164\uFFA0]/gu;
const ANY_INVISIBLE = new RegExp(INVISIBLE.source, "u");

/** `⟨U+202E⟩`: four hex digits at least, upper case, as Unicode writes code points. */
export function codePointMark(cp: number): string {
  return `⟨U+${cp.toString(16).toUpperCase().padStart(4, "0")}⟩`;
}

/** True when `s` holds a character `visible` would mark. */
export function hasInvisible(s: string): boolean {
  return ANY_INVISIBLE.test(s);
}

/** Replaces every character of the rule with `mark(codePoint)`; the rest is kept as it is. */
export function replaceInvisible(s: string, mark: (cp: number) => string): string {
  if (!ANY_INVISIBLE.test(s)) return s;
  return s.replace(INVISIBLE, (c) => mark(c.codePointAt(0) as number));
}

export interface VisibleOptions {
  /** Keep line feeds as they are (a multi-line block such as the raw message). Default false: one-line labels. */
  keepLineBreaks?: boolean;
}

/**
 * `s` as it may be shown: every invisible or reordering character as `⟨U+XXXX⟩`.
 * Idempotent (a mark is made of visible characters only), and the identity on
 * text without such characters.
 */
export function visible(s: string, { keepLineBreaks = false }: VisibleOptions = {}): string {
  return replaceInvisible(s, keepLineBreaks ? (cp) => (cp === 0x0a ? "\n" : codePointMark(cp)) : codePointMark);
}

/** `visible` for a value of unknown type: strings as they are, anything else as JSON first. */
export function visibleValue(v: unknown): string {
  return visible(typeof v === "string" ? v : (JSON.stringify(v) ?? String(v)));
}

/**
 * JSON text (from JSON.stringify) whose strings carry the rule's characters as
 * `\uXXXX` escapes: the document parses back to exactly the same values, while
 * a person reading the file sees the escape instead of reversed text. Control
 * characters below U+0020 are already escaped by JSON.stringify (a raw one is
 * the document's own line break or indent), so they are left alone.
 */
export function jsonWithVisibleEscapes(json: string): string {
  return replaceInvisible(json, (cp) => {
    if (cp < 0x20) return String.fromCharCode(cp);
    const u = (n: number) => `\\u${n.toString(16).padStart(4, "0")}`;
    if (cp <= 0xffff) return u(cp);
    const v = cp - 0x10000;
    return u(0xd800 + (v >> 10)) + u(0xdc00 + (v & 0x3ff));
  });
}
