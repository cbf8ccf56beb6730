import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asciiQuery, decodeUrlText, encodeUrlText, escapeListItem, escapeQueryText, executionPath } from "./url-text";

/* Ids a producer may send: markup, separators, "%", bidi, emoji, lone surrogates (JSON "\uD800"). */
const HOSTILE = [
  '"><svg onload=alert(1)>',
  "a b",
  "a/b",
  "50%",
  "%41",
  "%E0%A4",
  "a%2Cb,c",
  'it\'s "quoted"',
  "<>&",
  "😀 wfx",
  "agent\u202Egnp.exe",
  "x\ud800y",
  "\udfff",
  "?#&=+",
  "x".repeat(10_000),
];
const units = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
    fc.constantFrom("%", ",", "/", "+", " ", "?", "#", "😀", "\u202e", "%2C", "%25", "%E0"),
  ),
  maxLength: 30,
});

describe("encodeUrlText / decodeUrlText", () => {
  it("round-trip every hostile id, and encode it as one path segment", () => {
    for (const id of HOSTILE) {
      const seg = encodeUrlText(id);
      expect(seg).toMatch(/^[A-Za-z0-9\-_.!~*'()%]*$/);
      expect(decodeUrlText(seg)).toBe(id);
    }
  });

  it("encode what encodeURIComponent can the same way, and a lone surrogate as its WTF-8 bytes", () => {
    expect(encodeUrlText("a b/ü")).toBe(encodeURIComponent("a b/ü"));
    expect(encodeUrlText("x\ud800y")).toBe("x%ED%A0%80y");
    expect(() => encodeURIComponent("x\ud800y")).toThrow();
  });

  it("decode a hand-typed URL without failing: a stray % stays as it is", () => {
    expect(decodeUrlText("50%")).toBe("50%");
    expect(decodeUrlText("100%25")).toBe("100%");
    expect(decodeUrlText("a%E0b%20c")).toBe("a%E0b c");
    expect(decodeUrlText("%C0%AF")).toBe("%C0%AF"); // an overlong "/" is not one
    expect(decodeUrlText("%f4%90%80%80")).toBe("%f4%90%80%80"); // past U+10FFFF
  });

  it("property: any string survives encode then decode", () => {
    fc.assert(
      fc.property(units, (s) => {
        expect(decodeUrlText(encodeUrlText(s))).toBe(s);
        // …and through a real URL's path, as a browser would send it.
        const url = new URL(`http://h${executionPath(s)}`);
        expect(decodeUrlText(url.pathname.slice("/executions/".length))).toBe(s);
      }),
      { numRuns: 3_000 },
    );
  });

  it("property: query text and list items survive URLSearchParams", () => {
    fc.assert(
      fc.property(units, fc.array(units, { maxLength: 4 }), (s, items) => {
        const q = new URLSearchParams();
        q.set("t", escapeQueryText(s));
        q.set("l", items.map(escapeListItem).join(","));
        const back = new URL(`http://h/x?${asciiQuery(q.toString())}`).searchParams;
        expect(decodeUrlText(back.get("t") as string)).toBe(s);
        const l = back.get("l") as string;
        // An empty list and a list of one empty item share the empty string; lanes are never "".
        if (items.length > 0 && !(items.length === 1 && items[0] === ""))
          expect(l.split(",").map(decodeUrlText)).toEqual(items);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("asciiQuery", () => {
  it("percent-encodes non-ASCII, so a copied link shows no raw bidi text", () => {
    expect(asciiQuery("?a=\u202e😀&b=c")).toBe("?a=%E2%80%AE%F0%9F%98%80&b=c");
  });
});
