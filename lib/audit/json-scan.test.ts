import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hexWords } from "./hex";
import { leftOutPrevHash, notJson, prevHashWords, scanBytes } from "./json-scan";
import { CONTRACT_FIELDS } from "./parse";
import { newScanned, scanParsed, type Scanned } from "./scan";
import { sha256Hex } from "./sha256";
import { generateWorkload, seededRandom } from "./testing";

const encoder = new TextEncoder();
const fatal = new TextDecoder("utf-8", { fatal: true });

/** The slow path scanBytes stands in for: fatal decode, JSON.parse, scanParsed. */
function oracle(data: Uint8Array): Scanned | undefined {
  let o: unknown;
  try {
    o = JSON.parse(fatal.decode(data));
  } catch {
    return undefined;
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return undefined;
  const out = newScanned();
  return scanParsed(o, out) ? out : undefined;
}

/** What scanBytes leaves in an `out` it says false about: nothing it wrote. */
function sentinel(): Scanned {
  return { ...newScanned(), tsMs: -7, event: "sentinel", seq: 99, producer: "p", status: "s" };
}

function fast(data: Uint8Array): Scanned | undefined {
  const lazy = leavingOutPrevHash(data);
  const out = sentinel();
  if (scanBytes(data, out)) {
    expect(lazy).toBeDefined();
    expect(lazy?.out).toEqual({ ...out, prev_hash: lazy?.words === undefined ? out.prev_hash : undefined });
    if (lazy?.words !== undefined) {
      // Left out only when it is 64 plain hex digits, and then its words are what hexWords makes of the string.
      const want = new Int32Array(8);
      expect(hexWords(out.prev_hash as string, want, 0)).toBe(true);
      expect(lazy.words).toEqual([...want]);
      expect(prevHashWords(out.prev_hash as string)).toBeDefined();
    }
    return out;
  }
  expect(lazy).toBeUndefined();
  expect(out).toStrictEqual(sentinel());
  return undefined;
}

/** scanBytes(data, out, true): what it left in `out` and the prev_hash words it left out, or undefined (false). */
function leavingOutPrevHash(data: Uint8Array): { out: Scanned; words: number[] | undefined } | undefined {
  const out = sentinel();
  if (!scanBytes(data, out, true)) {
    expect(out).toStrictEqual(sentinel());
    return undefined;
  }
  const words = leftOutPrevHash();
  return { out, words: words === undefined ? undefined : [...words] };
}

/**
 * scanBytes and the oracle agree: same verdict, same fields (toEqual compares
 * numbers with Object.is, so a -0 status stays -0; not toStrictEqual, which
 * would compare a status object's own "constructor" member by identity).
 * `deep`: nested past MAX_DEPTH, so scanBytes may say false where the oracle says true.
 */
function agree(data: Uint8Array, deep = false): Scanned | undefined {
  const f = fast(data);
  const o = oracle(data);
  // notJson: true only when decoding or JSON.parse throws, and then always below MAX_DEPTH (fewer
  // than 64 brackets in all cannot nest deeper).
  const threw = (() => {
    try {
      JSON.parse(fatal.decode(data));
      return false;
    } catch {
      return true;
    }
  })();
  const shallow = data.filter((b) => b === 0x5b || b === 0x7b).length < 64;
  if (notJson(data)) expect(threw).toBe(true);
  else if (shallow) expect(threw).toBe(false);
  if (f !== undefined) {
    expect(o).toBeDefined();
    expect(f).toEqual(o);
    expect(Object.keys(f).sort()).toEqual(Object.keys(o as Scanned).sort());
  } else if (!deep) {
    expect(o).toBeUndefined();
  }
  return o;
}

const bytes = (text: string) => encoder.encode(text);
/** JSON_SCAN_RUNS=100000 for a deeper search than the default runs. */
const deeper = (n: number) => Math.max(n, Number(process.env.JSON_SCAN_RUNS ?? 0));
const TS = "2025-01-15T10:00:00.123Z";
const TS_MS = Date.UTC(2025, 0, 15, 10, 0, 0, 123);
/** A valid event with `rest` (raw JSON members) appended. */
const ev = (rest = "") => bytes(`{"ts":"${TS}","event":"e"${rest}}`);

// ---- a JSON writer with the freedom JSON allows (and a little it does not) ----

type Node =
  { k: "obj"; m: [string, Node][] } | { k: "arr"; a: Node[] } | { k: "str"; s: string } | { k: "raw"; t: string }; // a number or literal exactly as written, valid or not

const S = (s: string): Node => ({ k: "str", s });
const R = (t: string): Node => ({ k: "raw", t });
const A = (a: Node[]): Node => ({ k: "arr", a });
const O = (m: [string, Node][]): Node => ({ k: "obj", m });

function fromValue(x: unknown): Node {
  if (typeof x === "string") return S(x);
  if (Array.isArray(x)) return A(x.map(fromValue));
  if (typeof x === "object" && x !== null) return O(Object.entries(x).map(([k, v]) => [k, fromValue(v)]));
  return R(JSON.stringify(x));
}

interface Style {
  rnd: () => number;
  /** Chance of one more whitespace character at each place JSON allows it. */
  ws: number;
  /** Chance of writing a character of a string (or key) as an escape when it needs none. */
  esc: number;
}

const WS = [" ", "\t", "\n", "\r"];
const SHORT: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x2f: "\\/",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
};

function gap(st: Style): string {
  let s = "";
  while (st.rnd() < st.ws) s += WS[Math.floor(st.rnd() * 4)];
  return s;
}

function hex4(u: number, st: Style): string {
  const h = u.toString(16).padStart(4, "0");
  return st.rnd() < 0.5 ? h : h.toUpperCase();
}

function quote(s: string, st: Style): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += st.rnd() < st.esc ? `\\u${hex4(u, st)}\\u${hex4(s.charCodeAt(i + 1), st)}` : s.slice(i, i + 2);
      i++;
      continue;
    }
    // Lone surrogates have no UTF-8: escaped, always.
    if (u === 0x22 || u === 0x5c || u < 0x20 || (u & 0xf800) === 0xd800 || st.rnd() < st.esc) {
      const short = SHORT[u];
      out += short !== undefined && st.rnd() < 0.5 ? short : `\\u${hex4(u, st)}`;
    } else {
      out += s[i];
    }
  }
  return `${out}"`;
}

function write(node: Node, st: Style): string {
  switch (node.k) {
    case "str":
      return quote(node.s, st);
    case "raw":
      return node.t;
    case "arr":
      return `[${gap(st)}${node.a.map((x) => write(x, st)).join(`${gap(st)},${gap(st)}`)}${gap(st)}]`;
    case "obj":
      return `{${gap(st)}${node.m
        .map(([k, v]) => `${quote(k, st)}${gap(st)}:${gap(st)}${write(v, st)}`)
        .join(`${gap(st)},${gap(st)}`)}${gap(st)}}`;
  }
}

// ---- arbitraries ----

const edgeStrings = fc.constantFrom(
  "",
  "ok",
  "x",
  "\ufeffok", // a value starting with U+FEFF: TextDecoder must not drop it
  "\ufeff",
  "\u2028\u2029",
  "é",
  "naïve",
  "😀",
  "\ud800",
  "\udc00x",
  'a"b',
  "a\\b",
  "\u0000",
  "\u001f",
  "\u007f",
  "wfx-aaaaaaaa-000001",
  "wfx-aaaaaaaa-000002",
  "wfx-aaaaaaaa-00000",
  "agent-a",
  "workflow_step_started",
  "workflow_step_completed",
  "0".repeat(64),
  "a".repeat(16),
  "a".repeat(17),
  "a".repeat(65),
);
const anyString = fc.oneof(
  { weight: 3, arbitrary: edgeStrings },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
);

const validNumber = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.stringMatching(/^-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?$/),
  fc.constantFrom(
    "1.0",
    "1e0",
    "1E2",
    "1e-2",
    "-0",
    "-0.0",
    "0e5",
    "1.5e1",
    "2E+0",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "1e400",
    "-1e400",
    "1e308",
    "1.8e308",
    "4.9e-324",
    "1e-400",
    "123456789012345678901234567890",
    "1".repeat(300),
    "1".repeat(301),
    "9".repeat(309),
    `1${"0".repeat(308)}.5`,
  ),
);
const invalidNumber = fc.constantFrom(
  "01",
  "-",
  "1.",
  "1.e2",
  ".5",
  "+1",
  "1e",
  "1e+",
  "0x1",
  "Infinity",
  "NaN",
  "--1",
);
const numberLiteral = fc.oneof({ weight: 8, arbitrary: validNumber }, { weight: 1, arbitrary: invalidNumber });
const literal = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("true", "false", "null") },
  { weight: 1, arbitrary: fc.constantFrom("nul", "nulx", "tru", "trux", "fals", "falsx", "NULL", "True", "nan") },
);

const unknownKey = fc.oneof(
  fc.constantFrom("tsx", "t", "seqq", "Ts", "kidd", "sigpx", "workflow_idx", "workflow_i", "workflow_execution_i"),
  fc.constantFrom("status", "fieldsx", "__proto__", "constructor", "toString", "", "é", "kind", "raw"),
  fc.string({ maxLength: 10 }),
);

const anyNode: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    anyString.map(S),
    validNumber.map(R),
    literal.map(R),
    fc.array(tie("node"), { maxLength: 4 }).map(A),
    fc.array(fc.tuple(unknownKey, tie("node")), { maxLength: 4 }).map(O),
  ),
})).node;

function tsText(p: {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  frac: string;
  sep: string;
  zone: string;
}): string {
  const two = (x: number) => String(x).padStart(2, "0");
  return `${String(p.y).padStart(4, "0")}-${two(p.mo)}-${two(p.d)}${p.sep}${two(p.h)}:${two(p.mi)}:${two(p.s)}${p.frac}${p.zone}`;
}
const tsString = fc.oneof(
  { weight: 4, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        y: fc.oneof(fc.constantFrom(1970, 2000, 2024, 2025, 2100, 1900), fc.integer({ min: 0, max: 9999 })),
        mo: fc.integer({ min: 0, max: 13 }),
        d: fc.integer({ min: 0, max: 32 }),
        h: fc.integer({ min: 0, max: 24 }),
        mi: fc.integer({ min: 0, max: 60 }),
        s: fc.integer({ min: 0, max: 61 }),
        frac: fc.oneof(fc.constant(""), fc.stringMatching(/^\.[0-9]{0,10}$/), fc.constantFrom(".", ".5x")),
        sep: fc.constantFrom("T", "T", "t", " ", "x"),
        zone: fc.constantFrom(
          "Z",
          "Z",
          "z",
          "+01:00",
          "-05:30",
          "+23:59",
          "+24:00",
          "-00:00",
          "+1:00",
          "",
          "+01:60",
          "+0100",
          "Zz",
        ),
      })
      .map(tsText),
  },
  { weight: 1, arbitrary: anyString },
);

function valueFor(type: string): fc.Arbitrary<Node> {
  const wrong = { weight: 1, arbitrary: anyNode };
  const nul = { weight: 1, arbitrary: literal.map((l) => R(l.startsWith("t") || l.startsWith("f") ? "null" : l)) };
  switch (type) {
    case "ts":
      return fc.oneof({ weight: 8, arbitrary: tsString.map(S) }, wrong);
    case "event":
      return fc.oneof(
        {
          weight: 8,
          arbitrary: fc.oneof(fc.constantFrom("", "llm_call", "session_start", "session_end"), anyString).map(S),
        },
        wrong,
      );
    case "seq":
      return fc.oneof(
        { weight: 6, arbitrary: fc.oneof(fc.integer({ min: -2, max: 1e6 }).map(String), numberLiteral).map(R) },
        nul,
        wrong,
      );
    case "number":
      return fc.oneof({ weight: 6, arbitrary: numberLiteral.map(R) }, nul, wrong);
    case "boolean":
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom("true", "false").map(R) }, nul, wrong);
    case "object":
      return fc.oneof(
        {
          weight: 5,
          arbitrary: fc
            .array(
              fc.tuple(
                fc.oneof(fc.constantFrom("status", "status", "tool", "Status", "statu", "statuss"), unknownKey),
                fc.oneof(anyString.map(S), numberLiteral.map(R), literal.map(R), anyNode),
              ),
              { maxLength: 5 },
            )
            .map(O),
        },
        nul,
        wrong,
      );
    default:
      return fc.oneof({ weight: 6, arbitrary: anyString.map(S) }, nul, wrong);
  }
}

const contractMember: fc.Arbitrary<[string, Node]> = fc
  .constantFrom(...(Object.entries(CONTRACT_FIELDS) as [string, string][]))
  .chain(([name, type]) => valueFor(type).map((v): [string, Node] => [name, v]));

const member = fc.oneof(
  { weight: 5, arbitrary: contractMember },
  { weight: 1, arbitrary: fc.tuple(unknownKey, anyNode) },
);

/** Top-level objects: mostly a valid base plus contract members of every type, duplicates and all. */
const document = fc
  .record({
    members: fc.array(member, { maxLength: 12 }),
    base: fc.nat(4).map((x) => x > 0),
    at: fc.nat(),
    seed: fc.integer(),
    ws: fc.constantFrom(0, 0, 0.1, 0.5),
    esc: fc.constantFrom(0, 0, 0.05, 0.5),
    bom: fc.constantFrom("", "", "", "", "\ufeff", "\ufeff\ufeff", " \ufeff"),
    tail: fc.constantFrom("", "", "", "", " \n", "x", ",", "}", "\u0000", "{}", "\u00a0", "\u000b"),
  })
  .map(({ members, base, at, seed, ws, esc, bom, tail }) => {
    const m = [...members];
    if (base) {
      m.splice(at % (m.length + 1), 0, ["ts", S(TS)]);
      m.splice((at >>> 3) % (m.length + 1), 0, ["event", S("tool_exec")]);
    }
    const st: Style = { rnd: seededRandom(seed), ws, esc };
    return bytes(bom + gap(st) + write(O(m), st) + gap(st) + tail);
  });

// ---- byte mutations of real messages ----

const BAD_UTF8 = [
  [0xc0, 0xaf], // overlong "/"
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xe0, 0x9f, 0xbf],
  [0xed, 0xa0, 0x80], // a surrogate
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xf0, 0x8f, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xe2, 0x82], // truncated
  [0xf0, 0x9f, 0x98],
  [0xc3],
];
const GOOD_UTF8 = [
  [0xc2, 0x80],
  [0xdf, 0xbf],
  [0xe0, 0xa0, 0x80],
  [0xed, 0x9f, 0xbf],
  [0xee, 0x80, 0x80],
  [0xef, 0xbb, 0xbf],
  [0xef, 0xbf, 0xbf],
  [0xf0, 0x90, 0x80, 0x80],
  [0xf4, 0x8f, 0xbf, 0xbf],
  [0xe2, 0x80, 0xa8],
];
const TOKENS = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  " ",
  "\t",
  "\n",
  "\r",
  "\u000b",
  "0",
  "1",
  "-",
  "+",
  ".",
  "e",
  "E",
  "u",
  "n",
  "t",
  "f",
  "x",
  "\\u00",
  "\\ud800",
  '\\"',
  "\\n",
  "null",
  "true",
  "1e400",
  "-0",
  '"x":1,',
  "\u0001",
].map((t) => Array.from(bytes(t)));
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "set", "insert", "insert", "delete", "truncate"),
  with: fc.oneof(
    fc.constantFrom(...BAD_UTF8, ...GOOD_UTF8, ...TOKENS),
    fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Array.from(b)),
  ),
});

function mutate(data: Uint8Array, ms: { at: number; op: string; with: number[] }[]): Uint8Array {
  let b = Array.from(data);
  for (const m of ms) {
    const at = m.at % (b.length + 1);
    if (m.op === "set") b.splice(at, m.with.length, ...m.with);
    else if (m.op === "insert") b.splice(at, 0, ...m.with);
    else if (m.op === "delete") b.splice(at, m.with.length);
    else b = b.slice(0, at);
  }
  return Uint8Array.from(b);
}

const workload = generateWorkload({ seed: 7, executions: 120, concurrency: 16, faultRate: 0.03, hash: sha256Hex });

describe("scanBytes", () => {
  it("takes the fast path for (nearly) every message of a generated workload, with the oracle's fields", () => {
    const { messages } = generateWorkload({
      seed: 42,
      executions: 400,
      concurrency: 64,
      faultRate: 0.03,
      hash: sha256Hex,
    });
    // As a socket reader hands them over: views into shared chunks.
    const chunk = new Uint8Array(messages.reduce((s, m) => s + m.data.length + 3, 0));
    let off = 0;
    let accepted = 0;
    let fastCount = 0;
    for (const m of messages) {
      chunk.set(m.data, off);
      const view = chunk.subarray(off, off + m.data.length);
      off += m.data.length + 3;
      if (agree(view) !== undefined) accepted++;
      if (fast(view) !== undefined) fastCount++;
    }
    expect(fastCount).toBe(accepted);
    expect(fastCount).toBeGreaterThanOrEqual(0.95 * messages.length);
  });

  it("leaves out a prev_hash of 64 plain hex digits when asked, the last one of duplicate keys counting", () => {
    const hash = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
    const other = "f".repeat(64);
    const doc = (...prevs: string[]) =>
      bytes(`{"ts":"${TS}","event":"e"${prevs.map((p) => `,"prev_hash":${p}`).join("")}}`);
    const cases: [Uint8Array, string | undefined][] = [
      [doc(`"${hash}"`), hash],
      [doc(`"${hash}"`, "null"), undefined],
      [doc("null", `"${hash}"`), hash],
      [doc(`"${hash}"`, `"${other}"`), other],
      [doc(`"${hash}"`, `"xyz"`), undefined],
      [doc(`"${hash.replace("f", "g")}"`), undefined],
      [doc(`"${hash.slice(0, 63)}\\u0030"`), undefined], // escaped: a string, as before
      [doc(`"${hash}0"`), undefined],
      [doc(`"${hash.slice(1)}"`), undefined],
    ];
    for (const [data, leftOut] of cases) {
      expect(fast(data)).toBeDefined(); // and the lazy scan agrees (fast checks it)
      const lazy = leavingOutPrevHash(data);
      const want = new Int32Array(8);
      if (leftOut !== undefined) hexWords(leftOut, want, 0);
      expect([lazy?.out.prev_hash, lazy?.words]).toEqual(
        leftOut === undefined ? [oracle(data)?.prev_hash, undefined] : [undefined, [...want]],
      );
    }
    // A later scan that has none (or says false) leaves no words behind.
    leavingOutPrevHash(doc(`"${hash}"`));
    expect(leavingOutPrevHash(doc())?.words).toBeUndefined();
    leavingOutPrevHash(doc(`"${hash}"`));
    expect(scanBytes(bytes("{"), newScanned(), true)).toBe(false);
    expect(leftOutPrevHash()).toBeUndefined();
    for (const m of workload.messages.slice(0, 500)) fast(m.data);
  });

  it("hands out the words of the prev_hash it scanned, as hexWords decodes them", () => {
    const hash = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
    for (const prev of [hash, hash.replace("f", "g"), `${hash.slice(0, 63)}\\u0030`, hash.slice(1)]) {
      const out = newScanned();
      expect(scanBytes(bytes(`{"ts":"${TS}","event":"e","prev_hash":"${prev}"}`), out)).toBe(true);
      const hex = out.prev_hash as string;
      const want = new Int32Array(8);
      const isHex = hexWords(hex, want, 0);
      const got = prevHashWords(hex);
      if (got !== undefined) expect([...got]).toEqual([...want]);
      expect(got !== undefined).toBe(isHex && prev === hex); // escaped: decoded from the string instead
      expect(prevHashWords(hex.toUpperCase() === hex ? hex.toLowerCase() : hex.toUpperCase())).toBeUndefined();
    }
    for (const m of workload.messages.slice(0, 500)) {
      const out = newScanned();
      if (!scanBytes(m.data, out) || out.prev_hash === undefined) continue;
      const want = new Int32Array(8);
      if (hexWords(out.prev_hash, want, 0)) expect([...(prevHashWords(out.prev_hash) ?? [])]).toEqual([...want]);
    }
  });

  it("agrees with JSON.parse + scanParsed on documents of every shape", () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(document, (data) => {
        runs++;
        if (agree(data) !== undefined) accepted++;
      }),
      { numRuns: deeper(4000) },
    );
    // The generator must exercise acceptance too, not only rejections.
    expect(accepted).toBeGreaterThan(runs * 0.1);
  });

  it("agrees on byte mutations of real messages (invalid UTF-8, stray tokens, truncation)", () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (ix, ms) => {
        const msg = workload.messages[ix % workload.messages.length]!;
        agree(mutate(msg.data, ms));
      }),
      { numRuns: deeper(4000) },
    );
  });

  it("agrees on arbitrary bytes and arbitrary JSON", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 100 }),
          fc.json().map(bytes),
          fc.jsonValue().map((x) => ev(`,"extra":${JSON.stringify(x)},"fields":${JSON.stringify({ status: x })}`)),
          fc.jsonValue().map((x) => ev(`,"fields":${JSON.stringify(x)}`)),
          fc.tuple(fc.jsonValue(), fc.integer()).map(([x, seed]) => {
            const st: Style = { rnd: seededRandom(seed), ws: 0.2, esc: 0.2 };
            return ev(`,"extra":${write(fromValue(x), st)},"fields":{"status":${write(fromValue(x), st)}}`);
          }),
        ),
        (data) => {
          agree(data);
        },
      ),
      { numRuns: deeper(1500) },
    );
  });

  it("agrees on runs of messages whose values share prefixes and lengths (the string and ts caches)", () => {
    const values = fc.constantFrom(
      "wfx-aaaaaaaa-000001",
      "wfx-aaaaaaaa-000002",
      "wfx-aaaaaaaa-00000",
      "wfx-aaaaaaaa-0000011",
      "wfx-aaaaaaab-000001",
      "agent",
      "agent-a",
      "agent-b",
      "abc",
      "abcd",
      "abcdefgh",
      "abcdefghi",
      "a\\u0062cd",
      "ab\\\\cd",
      "é",
      "0".repeat(64),
      "0".repeat(63) + "1",
    );
    const ts = fc.constantFrom(
      "2025-01-15T10:00:00Z",
      "2025-01-15T10:00:59.999Z",
      "2025-01-15T10:00:60Z",
      "2025-01-15T10:00:61Z",
      "2025-01-15T10:00:0xZ",
      "2025-01-15T10:00.00Z",
      "2025-01-15T10:00:01+01:00",
      "2025-01-15T10:00:01-00:30",
      "2025-01-15T10:00:01",
      "2025-01-15T10:01:00.5Z",
      "2025-02-29T10:00:00Z",
      "2024-02-29T10:00:00Z",
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ ts, x: values, e: values, c: values, p: values, st: values, order: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        (msgs) => {
          for (const m of msgs) {
            const a = `"workflow_execution_id":"${m.x}","event":"${m.e}","correlation_id":"${m.c}"`;
            const b = `"prev_hash":"${m.p}","fields":{"status":"${m.st}"}`;
            agree(bytes(`{"ts":"${m.ts}",${m.order ? `${a},${b}` : `${b},${a}`}}`));
          }
        },
      ),
      { numRuns: deeper(300) },
    );
  });

  it("recognises every contract field, however its key is written", () => {
    const wrongValue: Record<string, string> = {
      string: "5",
      number: '"5"',
      boolean: "1",
      object: "[]",
      seq: "0",
      ts: '"yesterday"',
      event: '""',
    };
    for (const [name, type] of Object.entries(CONTRACT_FIELDS)) {
      const escaped = [...name].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
      for (const key of [`"${name}"`, `"${name}" `, `"${escaped}"`, `"${name.slice(0, 1)}${escaped.slice(6)}"`]) {
        const doc = bytes(`{"ts":"${TS}","event":"e",${key}:${wrongValue[type]}}`);
        expect(oracle(doc), `${key}: ${wrongValue[type]}`).toBeUndefined();
        expect(fast(doc), `${key}: ${wrongValue[type]}`).toBeUndefined();
      }
    }
  });

  it("does not take a longer key for the contract name it starts with", () => {
    const wrongType: Record<string, string> = { string: "5", number: '"5"', boolean: "1", object: "[]", seq: "0" };
    for (const [name, type] of Object.entries(CONTRACT_FIELDS)) {
      if (type === "ts" || type === "event") continue;
      // Many suffixes: some land in the same hash slot as the name itself.
      for (let k = 0; k < 400; k++) {
        const doc = ev(`,"${name}~${k.toString(36)}"${k & 1 ? " " : ""}:${wrongType[type]}`);
        expect(fast(doc), `${name}~${k.toString(36)}`).toBeDefined();
      }
    }
  });

  it("reads the kept fields as JSON.parse does", () => {
    const out = agree(
      bytes(
        `{"ts":"${TS}","event":"llm_call","seq":3,"workflow_execution_id":"x1","workflow_id":"wf","correlation_id":"c",` +
          `"task_id":"t","entity_type":"agent","entity_id":"a","producer":"p","source":"s","prev_hash":"${"ab".repeat(32)}",` +
          `"fields":{"status":"failed","tool":"x"},"model":"m","input_tokens":1,"tokens_unavailable":false,"extra":[1,{"a":null}]}`,
      ),
    );
    expect(out).toStrictEqual({
      tsMs: TS_MS,
      event: "llm_call",
      seq: 3,
      workflow_execution_id: "x1",
      workflow_id: "wf",
      correlation_id: "c",
      task_id: "t",
      entity_type: "agent",
      entity_id: "a",
      producer: "p",
      source: "s",
      prev_hash: "ab".repeat(32),
      status: "failed",
    });
    expect(fast(ev())).toMatchObject({
      tsMs: TS_MS,
      event: "e",
      seq: 0,
      workflow_execution_id: undefined,
      status: undefined,
    });
  });

  // Each case: the raw document, and whether the oracle accepts it (scanBytes must say the same).
  it.each<[string, string | Uint8Array, boolean]>([
    // BOM: a fatal TextDecoder drops one leading BOM, no more, and none elsewhere.
    ["one leading BOM", `\ufeff{"ts":"${TS}","event":"e"}`, true],
    ["two BOMs", `\ufeff\ufeff{"ts":"${TS}","event":"e"}`, false],
    ["BOM after whitespace", ` \ufeff{"ts":"${TS}","event":"e"}`, false],
    ["BOM at the end", `{"ts":"${TS}","event":"e"}\ufeff`, false],
    ["raw U+FEFF opening a kept value", `{"ts":"${TS}","event":"\ufeffe","producer":"\ufeffp"}`, true],
    // Whitespace: exactly space, tab, LF, CR.
    ["all four whitespace characters everywhere", `\t\r\n {\n"ts" :\t"${TS}" ,\r"event"\n:\n"e"\t} \r\n`, true],
    ["NBSP", `{"ts":"${TS}",\u00a0"event":"e"}`, false],
    ["vertical tab", `{"ts":"${TS}",\u000b"event":"e"}`, false],
    ["form feed", `{"ts":"${TS}",\u000c"event":"e"}`, false],
    ["U+2028 between tokens", `{"ts":"${TS}",\u2028"event":"e"}`, false],
    ["NUL after the object", `{"ts":"${TS}","event":"e"}\u0000`, false],
    ["a second value", `{"ts":"${TS}","event":"e"} {}`, false],
    ["trailing comma", `{"ts":"${TS}","event":"e",}`, false],
    ["empty", "", false],
    ["top level array", `[{"ts":"${TS}","event":"e"}]`, false],
    ["top level string", `"x"`, false],
    ["unterminated", `{"ts":"${TS}","event":"e"`, false],
    // Strings.
    ["raw control character in a value", `{"ts":"${TS}","event":"e\u0001"}`, false],
    ["raw tab in an unknown value", `{"ts":"${TS}","event":"e","x":"a\tb"}`, false],
    ["raw DEL is fine", `{"ts":"${TS}","event":"e\u007f"}`, true],
    ["raw U+2028 in a string is fine", `{"ts":"${TS}","event":"e\u2028"}`, true],
    ["every short escape", `{"ts":"${TS}","event":"\\"\\\\\\/\\b\\f\\n\\r\\t"}`, true],
    ["bad escape", `{"ts":"${TS}","event":"\\x"}`, false],
    ["single quote escape", `{"ts":"${TS}","event":"\\'"}`, false],
    ["short \\u escape", `{"ts":"${TS}","event":"\\u12"}`, false],
    ["non-hex \\u escape", `{"ts":"${TS}","event":"\\u12g4"}`, false],
    ["surrogate pair escape", `{"ts":"${TS}","event":"\\ud83D\\uDE00","producer":"\\uD83D"}`, true],
    ["lone low surrogate escape", `{"ts":"${TS}","event":"\\udc00"}`, true],
    ["escaped key of a kept field", `{"ts":"${TS}","event":"e","prod\\u0075cer":"p"}`, true],
    ["escaped ts key", `{"\\u0074s":"${TS}","event":"e"}`, true],
    ["escaped ts value", `{"ts":"\\u0032025-01-15T10:00:00Z","event":"e"}`, true],
    ["non-ASCII ts", `{"ts":"2025-01-15T10:00:00Ｚ","event":"e"}`, false],
    ["non-ASCII keys and values", `{"ts":"${TS}","event":"é","ünknown":"😀","entity_id":"naïve"}`, true],
    // Numbers.
    ["seq 1.0", ev(`,"seq":1.0`), true],
    ["seq 1E2", ev(`,"seq":1E2`), true],
    ["seq 15e-1", ev(`,"seq":15e-1`), false],
    ["seq -0", ev(`,"seq":-0`), false],
    ["seq 0", ev(`,"seq":0`), false],
    ["seq 2^53 - 1", ev(`,"seq":9007199254740991`), true],
    ["seq 2^53", ev(`,"seq":9007199254740992`), false],
    ["seq 1e400", ev(`,"seq":1e400`), false],
    ["seq 01", ev(`,"seq":01`), false],
    ["seq 1.", ev(`,"seq":1.`), false],
    ["seq .5", ev(`,"seq":.5`), false],
    ["seq +1", ev(`,"seq":+1`), false],
    ["seq -", ev(`,"seq":-`), false],
    ["seq 1e", ev(`,"seq":1e`), false],
    ["seq string", ev(`,"seq":"1"`), false],
    ["seq null", ev(`,"seq":null`), true],
    ["duration 1e308", ev(`,"duration_ms":1e308`), true],
    ["duration 1.8e308 (Infinity)", ev(`,"duration_ms":1.8e308`), false],
    ["duration -1e400", ev(`,"duration_ms":-1e400`), false],
    ["duration 1e-400 (0)", ev(`,"duration_ms":1e-400`), true],
    ["duration 300 digits", ev(`,"duration_ms":${"9".repeat(300)}`), true],
    ["duration 309 digits (Infinity)", ev(`,"duration_ms":${"9".repeat(309)}`), false],
    ["unknown 1e400 is only JSON", ev(`,"x":1e400`), true],
    ["unknown bad number", ev(`,"x":1.e3`), false],
    // Literals.
    ["null written nul", ev(`,"producer":nul`), false],
    ["null written nulx", ev(`,"producer":nulx`), false],
    ["null written Null", ev(`,"seq":Null`), false],
    ["null at the very end", `{"ts":"${TS}","event":"e","fields":nul`, false],
    ["true written tru", ev(`,"tokens_unavailable":tru`), false],
    ["false written fals", ev(`,"x":fals`), false],
    ["false written falsy", ev(`,"x":falsy`), false],
    ["literals in an array", ev(`,"x":[true,false,null]`), true],
    // Types of contract fields.
    ["tokens_unavailable null", ev(`,"tokens_unavailable":null`), true],
    ["tokens_unavailable 0", ev(`,"tokens_unavailable":0`), false],
    ["fields null", ev(`,"fields":null`), true],
    ["fields array", ev(`,"fields":[]`), false],
    ["fields string", ev(`,"fields":"x"`), false],
    ["ts null", `{"ts":null,"event":"e"}`, false],
    ["no ts", `{"event":"e"}`, false],
    ["no event", `{"ts":"${TS}"}`, false],
    ["empty event", `{"ts":"${TS}","event":""}`, false],
    ["event null", `{"ts":"${TS}","event":null}`, false],
    ["bad ts", `{"ts":"2025-01-15 10:00:00","event":"e"}`, false],
    ["ts with offset and lower-case t", `{"ts":"2025-01-15t10:00:00.5-05:30","event":"e"}`, true],
    ["ts leap second", `{"ts":"2016-12-31T23:59:60Z","event":"e"}`, true],
    ["kept field null", ev(`,"producer":null,"prev_hash":null`), true],
    ["kept field number", ev(`,"producer":1`), false],
    ["unknown key like a field", ev(`,"tsx":1,"seqq":"x","sigpx":[],"workflow_i":{}`), true],
    // Duplicate keys: the last one counts.
    ["seq: bad then good", ev(`,"seq":"x","seq":2`), true],
    ["seq: good then bad", ev(`,"seq":2,"seq":"x"`), false],
    ["ts: bad then good", `{"ts":"no","event":"e","ts":"${TS}"}`, true],
    ["ts: good then bad", `{"ts":"${TS}","event":"e","ts":"no"}`, false],
    ["event: empty then not", `{"ts":"${TS}","event":"","event":"b"}`, true],
    ["producer: value then null", ev(`,"producer":"a","producer":null`), true],
    ["fields: object then null", ev(`,"fields":{"status":"x"},"fields":null`), true],
    ["fields: array then object", ev(`,"fields":[],"fields":{"status":"y"}`), true],
    ["status twice", ev(`,"fields":{"status":"x","status":2}`), true],
    ["__proto__ keys", ev(`,"__proto__":{"seq":"x"},"fields":{"__proto__":{"status":1}}`), true],
    ["status with a constructor member", ev(`,"fields":{"status":{"constructor":{},"__proto__":[]}}`), true],
    // fields.status of every type.
    ["status -0", ev(`,"fields":{"status":-0}`), true],
    ["status 1.5e1", ev(`,"fields":{"status":1.5e1}`), true],
    ["status true", ev(`,"fields":{"status":true}`), true],
    ["status null", ev(`,"fields":{"status":null}`), true],
    ["status object", ev(`,"fields":{"status":{"code":[1,"a",{"b":null}]}}`), true],
    ["status array", ev(`,"fields":{"status":[1,2]}`), true],
    ["status escaped key", ev(`,"fields":{"st\\u0061tus":"ok"}`), true],
    ["status non-ASCII", ev(`,"fields":{"status":"échec"}`), true],
    // UTF-8 as a fatal TextDecoder sees it.
    ["overlong", Uint8Array.from([...ev().subarray(0, -2), 0xc0, 0xaf, 0x22, 0x7d]), false],
    ["encoded surrogate", Uint8Array.from([...ev().subarray(0, -2), 0xed, 0xa0, 0x80, 0x22, 0x7d]), false],
    ["past U+10FFFF", Uint8Array.from([...ev().subarray(0, -2), 0xf4, 0x90, 0x80, 0x80, 0x22, 0x7d]), false],
    ["truncated sequence", Uint8Array.from([...ev().subarray(0, -2), 0xe2, 0x82, 0x22, 0x7d]), false],
    ["U+10FFFF", Uint8Array.from([...ev().subarray(0, -2), 0xf4, 0x8f, 0xbf, 0xbf, 0x22, 0x7d]), true],
    ["non-ASCII outside strings", Uint8Array.from([...ev().subarray(0, -1), 0xc3, 0xa9, 0x7d]), false],
  ])("%s", (_, doc, accepted) => {
    const data = typeof doc === "string" ? bytes(doc) : doc;
    expect(oracle(data) !== undefined).toBe(accepted);
    agree(data);
  });

  it("returns status -0 as -0 and a status object equal to JSON.parse's", () => {
    expect(Object.is(fast(ev(`,"fields":{"status":-0}`))?.status, -0)).toBe(true);
    expect(fast(ev(`,"fields":{"status":{"a":[1]}}`))?.status).toStrictEqual({ a: [1] });
  });

  it("handles any depth: exact up to 60 levels, never wrong (nor throwing) past that", () => {
    for (const depth of [1, 30, 60, 61, 62, 63, 64, 65, 100, 2000, 100_000]) {
      const arr = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      const obj = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      for (const inner of [arr, obj]) {
        for (const doc of [ev(`,"x":${inner}`), ev(`,"fields":{"status":${inner}}`), ev(`,"fields":{"x":${inner}}`)]) {
          const o = agree(doc, depth > 60);
          expect(o).toBeDefined();
          if (depth <= 60) expect(fast(doc)).toBeDefined();
        }
      }
      // Unbalanced: never accepted.
      agree(ev(`,"x":${"[".repeat(depth)}${"]".repeat(depth - 1)}`), false);
    }
  });

  it("reads Node Buffers (views into a shared pool) too", () => {
    for (const m of workload.messages.slice(0, 200)) agree(Buffer.from(m.data));
    agree(Buffer.from(ev(`,"producer":"${"é".repeat(20)}","source":"${"s".repeat(40)}"`)));
  });

  it("reads a message in the middle of a larger buffer without looking past it", () => {
    const doc = ev(`,"producer":"abcdefghijklmnopqrstu"`);
    const big = new Uint8Array(doc.length + 20).fill(0x22);
    big.set(doc, 10);
    expect(fast(big.subarray(10, 10 + doc.length))).toMatchObject({ producer: "abcdefghijklmnopqrstu" });
    // Cut short inside the last string: bytes after the view (quotes) must not complete it.
    const cut = doc.length - 5;
    big.set(doc, 0);
    big.fill(0x22, cut);
    big[cut + 1] = 0x7d;
    expect(fast(big.subarray(0, cut))).toBeUndefined();
  });
});
