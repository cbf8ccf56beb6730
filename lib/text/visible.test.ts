import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codePointMark, hasInvisible, jsonWithVisibleEscapes, visible, visibleValue } from "./visible";

/** Every character the rule names, one per code point (the brief of issue 13 and the categories around them). */
const MARKED = [
  ...range(0x202a, 0x202e), // bidi embeddings and overrides
  ...range(0x2066, 0x2069), // bidi isolates
  0x200e,
  0x200f,
  0x061c, // bidi marks
  0x200b,
  0x200c,
  0x200d,
  0x2060,
  0xfeff, // zero-width
  ...range(0x00, 0x1f),
  0x7f,
  ...range(0x80, 0x9f), // C0, DEL, C1
  0x00ad,
  0x2028,
  0x2029,
  0xe0041,
  0x3164,
  0x115f,
];
/** Look alike but are visible: they stay as they are. */
const KEPT = ["a", "é", "ß", "中", "😀", "\u{1F469}\u{1F3FD}", "⟨U+202E⟩", " ", "\u00a0", "\ufe0f", "%", "<>\"'&", "/"];

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/* Strings of any UTF-16 units: lone surrogates too, and often one of the marked characters. */
const anyUnits = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
    fc.constantFrom(...MARKED.map((cp) => String.fromCodePoint(cp))),
    fc.constantFrom(...KEPT),
  ),
  maxLength: 40,
});

describe("visible", () => {
  it("writes the right-to-left override of issue 13 out, so the name no longer reads as agentexe.png", () => {
    expect(visible("agent\u202Egnp.exe")).toBe("agent⟨U+202E⟩gnp.exe");
  });

  it("marks every character of the rule, each as ⟨U+XXXX⟩", () => {
    for (const cp of MARKED) {
      const s = `a${String.fromCodePoint(cp)}b`;
      expect(visible(s), cp.toString(16)).toBe(`a${codePointMark(cp)}b`);
      expect(hasInvisible(s)).toBe(true);
    }
    expect(codePointMark(0x202e)).toBe("⟨U+202E⟩");
    expect(codePointMark(0x9)).toBe("⟨U+0009⟩");
    expect(codePointMark(0xe0041)).toBe("⟨U+E0041⟩");
  });

  it("marks a lone surrogate but keeps a pair (an emoji) whole", () => {
    expect(visible("x\ud800y")).toBe("x⟨U+D800⟩y");
    expect(visible("x\udfffy")).toBe("x⟨U+DFFF⟩y");
    expect(visible("😀")).toBe("😀");
  });

  it("keeps visible text, markup and whitespace that shows as it is", () => {
    for (const s of KEPT) expect(visible(s)).toBe(s);
    expect(hasInvisible(KEPT.join(""))).toBe(false);
  });

  it("keeps line feeds in a block when asked, and marks them in a one-line label", () => {
    expect(visible("a\nb\u202e", { keepLineBreaks: true })).toBe("a\nb⟨U+202E⟩");
    expect(visible("a\nb")).toBe("a⟨U+000A⟩b");
    expect(visible("a\r\nb", { keepLineBreaks: true })).toBe("a⟨U+000D⟩\nb");
  });

  it("shows values of any type: strings as they are, the rest as JSON", () => {
    expect(visibleValue("a\u200bb")).toBe("a⟨U+200B⟩b");
    expect(visibleValue({ k: "\u2066x" })).toBe('{"k":"⟨U+2066⟩x"}');
    expect(visibleValue(3)).toBe("3");
    expect(visibleValue(undefined)).toBe("undefined");
  });

  it("property: the result holds nothing invisible, is a fixed point, and only marked characters change", () => {
    fc.assert(
      fc.property(anyUnits, (s) => {
        const v = visible(s);
        expect(hasInvisible(v)).toBe(false);
        expect(visible(v)).toBe(v);
        // Character by character: a marked one becomes its mark, every other one stays, in order.
        const each = Array.from(s, (c) => (hasInvisible(c) ? codePointMark(c.codePointAt(0) as number) : c)).join("");
        expect(v).toBe(each);
        if (!hasInvisible(s)) expect(v).toBe(s);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("jsonWithVisibleEscapes", () => {
  it("escapes bidi and invisible characters inside strings and parses back to the same value", () => {
    const value = { id: "agent\u202Egnp.exe", "k\u200d": ["\u2066", "😀", "a\nb", "\ud800"], n: 1 };
    const text = jsonWithVisibleEscapes(JSON.stringify(value, null, 2));
    expect(text).toContain('"agent\\u202egnp.exe"');
    expect(text).toContain('"k\\u200d"');
    expect(hasInvisible(text.replace(/\n/g, ""))).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("property: any value's JSON keeps its meaning and holds no invisible character but its own line breaks", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(anyUnits, anyUnits, { maxKeys: 4 }), (v, d) => {
        const value = { v, d };
        const text = jsonWithVisibleEscapes(JSON.stringify(value, null, 2));
        expect(hasInvisible(text.replace(/\n/g, ""))).toBe(false);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});
