// The ingest fast path below the fast path: scanParsed() without JSON.parse.
// One pass over the message bytes validates the whole document as strict JSON
// and UTF-8 (exactly what a fatal TextDecoder + JSON.parse accept) and takes
// out only the fields the log keeps, so neither the decoded text nor the object
// tree nor the strings nobody reads are ever built.
//
// scanBytes() says true only when
//   scanParsed(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data)), out)
// would say true, and then leaves `out` exactly as scanParsed would; false
// leaves `out` alone, and the caller takes that slow path. False is always
// safe, true must be exact. The one case where it says false although the slow
// path would accept is nesting deeper than MAX_DEPTH (64) levels.
//
// Written for V8 (measured with scripts/bench-json-scan.ts). Bytes are read
// through a DataView on the message's buffer, four at a time where it matters:
// inside strings, nearly all of a message, a word is tested for a quote, a
// backslash, a control character or a non-ASCII byte with a few integer
// operations (SWAR), and only a word that has one is looked at byte by byte.
// A key is first compared, a word at a time, with `name":` of the contract
// name that followed the previous key last time (producers write their keys
// in the same order every time), then looked up by its first four bytes, and
// only then scanned. Kept strings mostly come from a small cache checked
// against their bytes, since consecutive messages repeat execution ids,
// agents, event names. No closures; no allocation but the strings kept.
//
// State shared by all callers (caches, the last buffer's DataView) is only
// ever a shortcut that is checked against the bytes, never a source of truth.

import { hex4 } from "./hex";
import { CONTRACT_FIELDS, tsToMs } from "./parse";
import { daysFromCivil } from "./rfc3339";
import type { Scanned } from "./scan";

// ---- byte tables ----

/** Hex digit value, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

/** The characters after a backslash that JSON allows, except `u`. */
const ESC = new Uint8Array(256);
for (const ch of '"\\/bfnrt') ESC[ch.charCodeAt(0)] = 1;

/** JSON.parse handles any depth; past this we let it. */
const MAX_DEPTH = 64;

// ---- contract fields ----

// What the scanner does with a contract field's value.
const K_UNKNOWN = -1; // not a contract field: validated as JSON only
const K_TS = 0;
const K_EVENT = 1;
const K_SEQ = 2;
const K_WFX = 3;
const K_WF = 4;
const K_CORR = 5;
const K_TASK = 6;
const K_ETYPE = 7;
const K_EID = 8;
const K_PRODUCER = 9;
const K_SOURCE = 10;
const K_PREV = 11;
const K_FIELDS = 12;
const K_BOOL = 13;
const K_NUM = 14;
const K_STR = 15; // a string (or null) nobody keeps

/** The string fields scanParsed hands out. */
const KEPT: Readonly<Record<string, number>> = {
  workflow_execution_id: K_WFX,
  workflow_id: K_WF,
  correlation_id: K_CORR,
  task_id: K_TASK,
  entity_type: K_ETYPE,
  entity_id: K_EID,
  producer: K_PRODUCER,
  source: K_SOURCE,
  prev_hash: K_PREV,
};

// Derived from the contract, so a field added there is checked here too (at
// worst more strictly than scanParsed checks it, which only costs a fallback).
const NAMES: string[] = [];
const KINDS: number[] = [];
for (const [name, type] of Object.entries(CONTRACT_FIELDS)) {
  let kind: number;
  switch (type) {
    case "ts":
      kind = K_TS;
      break;
    case "event":
      kind = K_EVENT;
      break;
    case "seq":
      kind = K_SEQ;
      break;
    case "number":
      kind = K_NUM;
      break;
    case "boolean":
      kind = K_BOOL;
      break;
    case "object":
      if (name !== "fields") throw new Error(`json-scan: unexpected object field ${name}`);
      kind = K_FIELDS;
      break;
    case "string":
      kind = KEPT[name] ?? K_STR;
      break;
  }
  NAMES.push(name);
  KINDS.push(kind);
}
for (const name of Object.keys(KEPT)) {
  if (!NAMES.includes(name)) throw new Error(`json-scan: ${name} is not a contract field`);
}
if (NAMES.length > 32) throw new Error("json-scan: more contract fields than bits in scanBytes' `bad`");
/** For keys written with escapes or non-ASCII. A Map: "__proto__" or "toString" are not fields. */
const INDEX_BY_NAME = new Map<string, number>(NAMES.map((name, ix) => [name, ix]));

// Names are compared with the wire as little-endian 32-bit words (what
// DataView.getInt32(at, true) reads): the word at 0, those at 4, 8, … below
// the length - 4, and the last four bytes (overlapping), so that every byte is
// covered. A name shorter than 4 bytes is one word, zero-padded.

/** A key's first word, last word and length mixed (keyIndex's table). */
function keyHash(w0: number, wl: number, len: number): number {
  return Math.imul(w0 ^ Math.imul(wl, 0x9e3779b1) ^ len, 0x85ebca77);
}

/** The little-endian word of `name` at `at`, zero-padded past its end. */
function nameWord(name: string, at: number): number {
  let w = 0;
  for (let j = 3; j >= 0; j--) w = (w << 8) | (at + j < name.length ? name.charCodeAt(at + j) : 0);
  return w;
}

/** Per name: its length, first word, last word, and the words in between (at 4, 8, … below len - 4). */
const NAME_LEN = new Int32Array(NAMES.length);
const NAME_W0 = new Int32Array(NAMES.length);
const NAME_WL = new Int32Array(NAMES.length);
const NAME_MID_OFF = new Int32Array(NAMES.length);
const NAME_MID: number[] = [];
NAMES.forEach((name, ix) => {
  NAME_LEN[ix] = name.length;
  NAME_W0[ix] = nameWord(name, 0);
  NAME_WL[ix] = nameWord(name, Math.max(0, name.length - 4));
  NAME_MID_OFF[ix] = NAME_MID.length;
  for (let j = 4; j < name.length - 4; j += 4) NAME_MID.push(nameWord(name, j));
});
const NAME_MID_WORDS = Int32Array.from(NAME_MID);
/** Per name, the words of `name":` for tokenAt: at 0, 4, … below its length - 4, then its last four bytes. */
const TOKEN_OFF = new Int32Array(NAMES.length);
const TOKEN: number[] = [];
NAMES.forEach((name, ix) => {
  const token = `${name}":`;
  TOKEN_OFF[ix] = TOKEN.length;
  for (let j = 0; j < token.length - 4; j += 4) TOKEN.push(nameWord(token, j));
  TOKEN.push(nameWord(token, token.length - 4));
});
const TOKEN_WORDS = Int32Array.from(TOKEN);

const [KEY_SHIFT, KEY_MASK] = ((): [number, number] => {
  const hashes = NAMES.map((_, ix) => keyHash(NAME_W0[ix]!, NAME_WL[ix]!, NAME_LEN[ix]!));
  for (let bits = 6; bits <= 12; bits++) {
    const mask = (1 << bits) - 1;
    for (let shift = 32 - bits; shift >= 0; shift--) {
      if (new Set(hashes.map((h) => (h >>> shift) & mask)).size === hashes.length) return [shift, mask];
    }
  }
  throw new Error("json-scan: no collision-free key table");
})();
/** Name index + 1 per hash slot (0: none). */
const KEY_TABLE = new Uint8Array(KEY_MASK + 1);
NAMES.forEach((_, ix) => {
  KEY_TABLE[(keyHash(NAME_W0[ix]!, NAME_WL[ix]!, NAME_LEN[ix]!) >>> KEY_SHIFT) & KEY_MASK] = ix + 1;
});
const KEY_KIND = Int8Array.from(KINDS);

// Names by their first four bytes on the wire (a name shorter than that
// followed by `":`), for nameAt: up to LEAD_WAYS names per slot (workflow_id,
// workflow_execution_id and workspace_id share theirs), -1 for none.
const LEAD_BITS = 9;
const LEAD_WAYS = 4;
const LEAD_TABLE = new Int8Array((1 << LEAD_BITS) * LEAD_WAYS).fill(-1);
NAMES.forEach((name, ix) => {
  const lead = nameWord(`${name}":`, 0);
  let at = (Math.imul(lead, 0x9e3779b1) >>> (32 - LEAD_BITS)) * LEAD_WAYS;
  const end = at + LEAD_WAYS;
  while (at < end && LEAD_TABLE[at] !== -1) at++;
  if (at === end) throw new Error("json-scan: lead table slot full");
  LEAD_TABLE[at] = ix;
});

/**
 * The name that followed each name (or the object's start, or an unknown key)
 * last time: producers write their keys in the same order message after
 * message, so this is usually the next key. -1: none yet.
 */
const AFTER_START = NAMES.length;
const AFTER_UNKNOWN = NAMES.length + 1;
const NEXT_NAME = new Int8Array(NAMES.length + 2).fill(-1);

// ---- per-message state ----

/** The message, and a DataView on its buffer (kept for the next message from the same buffer). */
let gData: Uint8Array = new Uint8Array(0);
let gBase = 0;
let gView: DataView = new DataView(new ArrayBuffer(8));
let gViewBuf: ArrayBufferLike = gView.buffer;

/** Results of helpers that also return a position. */
let gStr = "";
let gStatus: unknown = undefined;
let gTsMs = 0;
/** Set by skipString: it met a backslash. */
let sawEscape = false;
/** Set by numberEnd: the literal has a fraction or an exponent / an exponent. */
let numFrac = false;
let numExp = false;

// ---- strings ----

/**
 * The first byte at or after i (absolute) that a string scan must stop at (a
 * quote, a backslash, a control character or a non-ASCII byte), or n.
 */
function special(v: DataView, i: number, n: number): number {
  while (i + 4 <= n) {
    const w = v.getInt32(i, true);
    const q = w ^ 0x22222222;
    const b = w ^ 0x5c5c5c5c;
    // Per byte: zero after the XORs (quote, backslash), below 0x20, or the top bit set.
    // Borrows only run upwards from a flagged byte, so the lowest flag is exact.
    const m = (((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((w - 0x20202020) & ~w) | w) & 0x80808080;
    if (m !== 0) return i + ((31 - Math.clz32(m & -m)) >> 3);
    i += 4;
  }
  while (i < n) {
    const c = v.getUint8(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80) return i;
    i++;
  }
  return n;
}

/**
 * Validates a string from i (just after the opening quote): escapes, control
 * characters, UTF-8 as a fatal TextDecoder checks it (no overlongs, surrogates,
 * code points past U+10FFFF or truncated sequences). Returns the position after
 * the closing quote, or -1. Sets sawEscape when it meets a backslash.
 */
function skipString(v: DataView, i: number, n: number): number {
  for (;;) {
    i = special(v, i, n);
    if (i >= n) return -1;
    const c = v.getUint8(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      sawEscape = true;
      if (i + 1 >= n) return -1;
      const x = v.getUint8(i + 1);
      if (x === 0x75) {
        if (i + 5 >= n) return -1;
        if (
          (HEX[v.getUint8(i + 2)]! | HEX[v.getUint8(i + 3)]! | HEX[v.getUint8(i + 4)]! | HEX[v.getUint8(i + 5)]!) <
          0
        ) {
          return -1;
        }
        i += 6;
      } else if (ESC[x] === 1) {
        i += 2;
      } else {
        return -1;
      }
    } else if (c < 0x80) {
      return -1; // a control character
    } else if (c < 0xc2) {
      return -1; // (Unicode table 3-7 from here)
    } else if (c < 0xe0) {
      if (i + 1 >= n || (v.getUint8(i + 1) & 0xc0) !== 0x80) return -1;
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= n) return -1;
      const c1 = v.getUint8(i + 1);
      if (c1 < (c === 0xe0 ? 0xa0 : 0x80) || c1 > (c === 0xed ? 0x9f : 0xbf)) return -1;
      if ((v.getUint8(i + 2) & 0xc0) !== 0x80) return -1;
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= n) return -1;
      const c1 = v.getUint8(i + 1);
      if (c1 < (c === 0xf0 ? 0x90 : 0x80) || c1 > (c === 0xf4 ? 0x8f : 0xbf)) return -1;
      if ((v.getUint8(i + 2) & 0xc0) !== 0x80 || (v.getUint8(i + 3) & 0xc0) !== 0x80) return -1;
      i += 4;
    } else {
      return -1;
    }
  }
}

/** Decodes what is not plain ASCII; ignoreBOM, since a value may start with U+FEFF. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** gData's bytes at absolute [s, e) as text. */
function text(s: number, e: number): string {
  return utf8.decode(gData.subarray(s - gBase, e - gBase));
}

/** The JSON value at absolute [s, e), validated already, as JSON.parse gives it. */
function parseSlice(s: number, e: number): unknown {
  try {
    return JSON.parse(text(s, e)) as unknown;
  } catch {
    return undefined; // unreachable: validated
  }
}

/** The validated string whose content is at [s, e - 1) (e: after the closing quote). */
function slowString(s: number, e: number, escaped: boolean): string {
  if (escaped) return parseSlice(s - 1, e) as string;
  try {
    return text(s, e - 1);
  } catch {
    return ""; // unreachable: validated
  }
}

/** Up to 16 ASCII bytes from s as a string, in one call. */
function small(v: DataView, s: number, n: number): string {
  const f = String.fromCharCode;
  switch (n) {
    case 0:
      return "";
    case 1:
      return f(v.getUint8(s));
    case 2:
      return f(v.getUint8(s), v.getUint8(s + 1));
    case 3:
      return f(v.getUint8(s), v.getUint8(s + 1), v.getUint8(s + 2));
    case 4:
      return f(v.getUint8(s), v.getUint8(s + 1), v.getUint8(s + 2), v.getUint8(s + 3));
    case 5:
      return f(v.getUint8(s), v.getUint8(s + 1), v.getUint8(s + 2), v.getUint8(s + 3), v.getUint8(s + 4));
    case 6:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
      );
    case 7:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
      );
    case 8:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
      );
    case 9:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
      );
    case 10:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
      );
    case 11:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
        v.getUint8(s + 10),
      );
    case 12:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
        v.getUint8(s + 10),
        v.getUint8(s + 11),
      );
    case 13:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
        v.getUint8(s + 10),
        v.getUint8(s + 11),
        v.getUint8(s + 12),
      );
    case 14:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
        v.getUint8(s + 10),
        v.getUint8(s + 11),
        v.getUint8(s + 12),
        v.getUint8(s + 13),
      );
    case 15:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
        v.getUint8(s + 10),
        v.getUint8(s + 11),
        v.getUint8(s + 12),
        v.getUint8(s + 13),
        v.getUint8(s + 14),
      );
    default:
      return f(
        v.getUint8(s),
        v.getUint8(s + 1),
        v.getUint8(s + 2),
        v.getUint8(s + 3),
        v.getUint8(s + 4),
        v.getUint8(s + 5),
        v.getUint8(s + 6),
        v.getUint8(s + 7),
        v.getUint8(s + 8),
        v.getUint8(s + 9),
        v.getUint8(s + 10),
        v.getUint8(s + 11),
        v.getUint8(s + 12),
        v.getUint8(s + 13),
        v.getUint8(s + 14),
        v.getUint8(s + 15),
      );
  }
}

/**
 * Node's Buffer.prototype.latin1Slice works on any Uint8Array and costs less
 * than half a TextDecoder call; for ASCII bytes it is the same string. Elsewhere
 * (browsers) TextDecoder.
 */
const latin1Slice = (
  globalThis as { Buffer?: { prototype?: { latin1Slice?: (this: Uint8Array, start: number, end: number) => string } } }
).Buffer?.prototype?.latin1Slice;

/** Plain ASCII at absolute [s, e) as a string: fromCharCode when short, else one native call. */
function ascii(v: DataView, s: number, e: number): string {
  if (e - s <= 16) return small(v, s, e - s);
  return latin1Slice !== undefined ? latin1Slice.call(gData, s - gBase, e - gBase) : text(s, e);
}

// Kept strings seen recently, by a hash of their bytes (folded in while they
// are scanned), with the bytes kept alongside (up to VC_MAX of them): a value
// whose bytes equal a cached one's is that string, no new one is built. Most
// kept values repeat within a few messages (execution ids, agents, event
// names, workflow ids, correlation and task ids within a step).
const VC_BITS = 12;
const VC_SLOTS = 1 << VC_BITS;
const VC_MAX = 64;
/** Length of the cached value, -1: empty slot. */
const VC_LEN = new Int32Array(VC_SLOTS).fill(-1);
const VC_STR: string[] = new Array<string>(VC_SLOTS).fill("");
const VC_BYTES = new Uint8Array(VC_SLOTS * VC_MAX);
const VC_VIEW = new DataView(VC_BYTES.buffer);

/** A VC slot by a hash of a value's first eight bytes, whatever its length (-1: none). */
const GUESS_BITS = 12;
const GUESS = new Int16Array(1 << GUESS_BITS).fill(-1);

/** Whether the len bytes at i equal those cached at `at`. */
function sameBytes(v: DataView, i: number, len: number, at: number): boolean {
  if (len >= 4) {
    for (let j = 0; j < len - 4; j += 4) if (VC_VIEW.getInt32(at + j, true) !== v.getInt32(i + j, true)) return false;
    return VC_VIEW.getInt32(at + len - 4, true) === v.getInt32(i + len - 4, true);
  }
  for (let j = 0; j < len; j++) if (VC_BYTES[at + j] !== v.getUint8(i + j)) return false;
  return true;
}

/**
 * A kept string value from i (after the opening quote) into gStr. Returns the
 * position after the closing quote or -1. `cache` false for values that never
 * repeat (prev_hash), so that they do not push out the ones that do.
 */
function stringValue(v: DataView, i: number, n: number, cache: boolean): number {
  const s = i;
  // First a guess from the first eight bytes: when the cached value it names
  // is there, followed by the closing quote, that is the string (no scan).
  let guess = -1;
  if (cache && i + 8 <= n) {
    guess =
      Math.imul(v.getInt32(i, true) ^ Math.imul(v.getInt32(i + 4, true), 0x9e3779b1), 0x85ebca77) >>> (32 - GUESS_BITS);
    const slot = GUESS[guess]!;
    if (slot >= 0) {
      const len = VC_LEN[slot]!;
      if (len >= 0 && i + len < n && v.getUint8(i + len) === 0x22 && sameBytes(v, i, len, slot * VC_MAX)) {
        gStr = VC_STR[slot]!;
        return i + len + 1;
      }
    }
  }
  // special(), folding the words before the stop into a hash on the way.
  let h = 0;
  let e = n;
  while (i + 4 <= n) {
    const w = v.getInt32(i, true);
    const q = w ^ 0x22222222;
    const b = w ^ 0x5c5c5c5c;
    const m = (((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((w - 0x20202020) & ~w) | w) & 0x80808080;
    if (m !== 0) {
      const k = (31 - Math.clz32(m & -m)) >> 3;
      if (k !== 0) h = Math.imul(h ^ (w & ((1 << (k << 3)) - 1)), 0x9e3779b1);
      e = i + k;
      break;
    }
    h = Math.imul(h ^ w, 0x9e3779b1);
    i += 4;
  }
  if (e === n) e = special(v, i, n); // the last bytes of the message; not hashed (a miss at worst)
  if (e >= n) return -1;
  if (v.getUint8(e) === 0x22) {
    const len = e - s;
    if (!cache || len > VC_MAX) {
      gStr = ascii(v, s, e);
      return e + 1;
    }
    const slot = Math.imul(h ^ len, 0x85ebca77) >>> (32 - VC_BITS);
    const at = slot * VC_MAX;
    if (guess >= 0) GUESS[guess] = slot;
    if (VC_LEN[slot] === len && sameBytes(v, s, len, at)) {
      gStr = VC_STR[slot]!;
      return e + 1;
    }
    const str = ascii(v, s, e);
    gStr = str;
    VC_LEN[slot] = len;
    VC_STR[slot] = str;
    if (len >= 4) {
      for (let j = 0; j < len - 4; j += 4) VC_VIEW.setInt32(at + j, v.getInt32(s + j, true), true);
      VC_VIEW.setInt32(at + len - 4, v.getInt32(s + len - 4, true), true);
    } else {
      for (let j = 0; j < len; j++) VC_BYTES[at + j] = v.getUint8(s + j);
    }
    return e + 1;
  }
  // Escapes or non-ASCII: validate, then decode exactly.
  sawEscape = false;
  const end = skipString(v, e, n);
  if (end < 0) return -1;
  gStr = slowString(s, end, sawEscape);
  return end;
}

// prev_hash never repeats, so no cache keeps it; but the log wants its words
// (hex.ts), and decoding them from the bytes here, a word of them at a time,
// costs far less than from the string later.
const PREV_WORDS = new Int32Array(8);
let gPrevHex: string | undefined = undefined;

/** The 64 plain-ASCII bytes at s, the prev_hash `hex`: their words, when they are hex digits. */
function notePrevHash(v: DataView, s: number, hex: string): void {
  gPrevHex = undefined;
  for (let w = 0; w < 8; w++) {
    const hi = hex4(v.getInt32(s + 8 * w, true));
    const lo = hex4(v.getInt32(s + 8 * w + 4, true));
    if ((hi | lo) < 0) return;
    PREV_WORDS[w] = (hi << 16) | lo;
  }
  gPrevHex = hex;
}

/**
 * hexWords(hex) when scanBytes decoded it already (the prev_hash it last met,
 * compared by value, so never stale); else undefined. Valid until the next scan.
 */
export function prevHashWords(hex: string): Int32Array | undefined {
  return hex === gPrevHex ? PREV_WORDS : undefined;
}

/** Set by scanBytes(…, true): the prev_hash it left out of `out`, decoded into PREV_WORDS. */
let gPrevLeftOut = false;

/**
 * After scanBytes(data, out, true) said true: hexWords(prev_hash) when it left prev_hash out of `out` (64
 * plain hex digits, decoded from the bytes; no string built), else undefined. Valid until the next scan.
 */
export function leftOutPrevHash(): Int32Array | undefined {
  return gPrevLeftOut ? PREV_WORDS : undefined;
}

/** Whether the 64 bytes at s, followed by a quote, are hex digits: their words into PREV_WORDS. */
function prevHashAt(v: DataView, s: number, n: number): boolean {
  if (s + 64 >= n || v.getUint8(s + 64) !== 0x22) return false;
  gPrevHex = undefined; // PREV_WORDS are about to be this one's
  for (let w = 0; w < 8; w++) {
    const hi = hex4(v.getInt32(s + 8 * w, true));
    const lo = hex4(v.getInt32(s + 8 * w + 4, true));
    if ((hi | lo) < 0) return false;
    PREV_WORDS[w] = (hi << 16) | lo;
  }
  return true;
}

/** `null` at i: the position after it, or -1. */
function nullEnd(v: DataView, i: number, n: number): number {
  return i + 4 <= n && v.getInt32(i, true) === 0x6c6c756e ? i + 4 : -1;
}

// ---- numbers ----

/** The end of the number literal at i (JSON grammar), or -1; sets numFrac / numExp. */
function numberEnd(v: DataView, i: number, n: number): number {
  numFrac = false;
  numExp = false;
  if (v.getUint8(i) === 0x2d) i++;
  if (i >= n) return -1;
  let c = v.getUint8(i);
  if (c === 0x30) {
    i++;
  } else if (c >= 0x31 && c <= 0x39) {
    i++;
    while (i < n && (c = v.getUint8(i)) >= 0x30 && c <= 0x39) i++;
  } else {
    return -1;
  }
  if (i < n && v.getUint8(i) === 0x2e) {
    numFrac = true;
    i++;
    if (i >= n || (c = v.getUint8(i)) < 0x30 || c > 0x39) return -1;
    i++;
    while (i < n && (c = v.getUint8(i)) >= 0x30 && c <= 0x39) i++;
  }
  if (i < n && (v.getUint8(i) | 0x20) === 0x65) {
    numFrac = true;
    numExp = true;
    i++;
    if (i < n && ((c = v.getUint8(i)) === 0x2b || c === 0x2d)) i++;
    if (i >= n || (c = v.getUint8(i)) < 0x30 || c > 0x39) return -1;
    i++;
    while (i < n && (c = v.getUint8(i)) >= 0x30 && c <= 0x39) i++;
  }
  return i;
}

/** The value JSON.parse gives the number literal at [s, e) that numberEnd just scanned. */
function numberValue(v: DataView, s: number, e: number): number {
  const neg = v.getUint8(s) === 0x2d;
  const from = neg ? s + 1 : s;
  if (!numFrac && e - from <= 15) {
    let x = 0;
    for (let j = from; j < e; j++) x = x * 10 + (v.getUint8(j) - 0x30);
    return neg ? -x : x; // "-0" is -0, as in JSON.parse
  }
  // Number() and JSON.parse both round correctly.
  return Number(ascii(v, s, e));
}

// ---- ts ----

function digits(v: DataView, at: number, k: number): number {
  let x = 0;
  for (let j = at; j < at + k; j++) {
    const c = v.getUint8(j) - 0x30;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}

/**
 * parseRfc3339 (rfc3339.ts) over the plain-ASCII bytes [s, e): the same steps
 * in the same order, so the same float arithmetic; NaN when it is not RFC 3339.
 */
function tsBytes(v: DataView, s: number, e: number): number {
  if (e - s < 20) return NaN;
  const w0 = v.getInt32(s, true);
  const w1 = v.getInt32(s + 4, true);
  const w2 = v.getInt32(s + 8, true);
  const w3 = v.getInt32(s + 12, true);
  // Same date, hour and minute as the last ts: those are checked already.
  if (w0 === tsW0 && w1 === tsW1 && w2 === tsW2 && w3 === tsW3) {
    const sec = digits(v, s + 17, 2);
    if (sec < 0 || sec > 60 || v.getUint8(s + 16) !== 58) return NaN;
    return tsRest(v, s, e, tsBase + sec);
  }
  const y = digits(v, s, 4);
  const mo = digits(v, s + 5, 2);
  const d = digits(v, s + 8, 2);
  const h = digits(v, s + 11, 2);
  const mi = digits(v, s + 14, 2);
  const sec = digits(v, s + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return NaN;
  if (v.getUint8(s + 4) !== 45 || v.getUint8(s + 7) !== 45 || v.getUint8(s + 13) !== 58 || v.getUint8(s + 16) !== 58) {
    return NaN;
  }
  const t = v.getUint8(s + 10);
  if (t !== 84 && t !== 116 && t !== 32) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (d > dim) return NaN;
  const base = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60;
  tsW0 = w0;
  tsW1 = w1;
  tsW2 = w2;
  tsW3 = w3;
  tsBase = base;
  return tsRest(v, s, e, base + sec);
}

// The first 16 bytes (YYYY-MM-DDTHH:MM) of the last ts that got that far, and what they mean in seconds.
let tsW0 = 0;
let tsW1 = 0;
let tsW2 = 0;
let tsW3 = 0;
let tsBase = 0;

/**
 * The rest of tsBytes from the fraction on; secs: the seconds up to :SS.
 * (parseRfc3339 sums days * 86400 + h * 3600 + mi * 60 + sec - offset * 60;
 * integers far below 2^53, so any grouping gives the same number.)
 */
function tsRest(v: DataView, s: number, e: number, secs: number): number {
  let i = s + 19;
  let fracMs = 0;
  if (v.getUint8(i) === 46) {
    i++;
    let scale = 100;
    const start = i;
    while (i < e) {
      const c = v.getUint8(i) - 0x30;
      if (c < 0 || c > 9) break;
      fracMs += c * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return NaN;
  }
  if (i >= e) return NaN;
  let offsetMin = 0;
  const z = v.getUint8(i);
  if (z === 90 || z === 122) {
    i++;
  } else if (z === 43 || z === 45) {
    // parseRfc3339 reads past the end here and then fails on the length; same verdict.
    if (i + 6 !== e) return NaN;
    const oh = digits(v, i + 1, 2);
    const om = digits(v, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || v.getUint8(i + 3) !== 58) return NaN;
    offsetMin = (oh * 60 + om) * (z === 45 ? -1 : 1);
    i += 6;
  } else {
    return NaN;
  }
  if (i !== e) return NaN;
  return (secs - offsetMin * 60) * 1000 + fracMs;
}

/** The ts string from i (after the opening quote) as ms into gTsMs (NaN: not RFC 3339). */
function tsValue(v: DataView, i: number, n: number): number {
  // The usual shape, 24 bytes (…:SS.mmmZ) and the quote: when it parses,
  // every byte in it was a digit or a separator, so no scan is needed.
  if (i + 24 < n && v.getUint8(i + 24) === 0x22) {
    const ms = tsBytes(v, i, i + 24);
    if (ms === ms) {
      gTsMs = ms;
      return i + 25;
    }
  }
  const e = special(v, i, n);
  if (e >= n) return -1;
  if (v.getUint8(e) === 0x22) {
    gTsMs = tsBytes(v, i, e);
    return e + 1;
  }
  sawEscape = false;
  const end = skipString(v, e, n);
  if (end < 0) return -1;
  gTsMs = tsToMs(slowString(i, end, sawEscape)) ?? NaN;
  return end;
}

// ---- structure ----

function ws(v: DataView, i: number, n: number): number {
  while (i < n) {
    const c = v.getUint8(i);
    if (c > 0x20 || (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) break;
    i++;
  }
  return i;
}

/** Set by skipObject / skipArray: nesting went past MAX_DEPTH, so their -1 says "unsure", not "invalid". */
let tooDeep = false;

/** Validates the JSON value at i (no leading whitespace); returns its end or -1. */
function skipValue(v: DataView, i: number, n: number, depth: number): number {
  if (i >= n) return -1;
  const c = v.getUint8(i);
  switch (c) {
    case 0x22:
      return skipString(v, i + 1, n);
    case 0x7b:
      return skipObject(v, i + 1, n, depth + 1);
    case 0x5b:
      return skipArray(v, i + 1, n, depth + 1);
    case 0x74:
      return i + 4 <= n && v.getInt32(i, true) === 0x65757274 ? i + 4 : -1;
    case 0x66:
      return i + 5 <= n && v.getInt32(i + 1, true) === 0x65736c61 ? i + 5 : -1;
    case 0x6e:
      return nullEnd(v, i, n);
    default:
      return c === 0x2d || (c >= 0x30 && c <= 0x39) ? numberEnd(v, i, n) : -1;
  }
}

/** An object's members from i (after `{`); returns the position after `}` or -1. */
function skipObject(v: DataView, i: number, n: number, depth: number): number {
  if (depth > MAX_DEPTH) {
    tooDeep = true;
    return -1;
  }
  i = ws(v, i, n);
  if (i < n && v.getUint8(i) === 0x7d) return i + 1;
  for (;;) {
    if (i >= n || v.getUint8(i) !== 0x22) return -1;
    i = skipString(v, i + 1, n);
    if (i < 0) return -1;
    i = ws(v, i, n);
    if (i >= n || v.getUint8(i) !== 0x3a) return -1;
    i = skipValue(v, ws(v, i + 1, n), n, depth);
    if (i < 0) return -1;
    i = ws(v, i, n);
    if (i >= n) return -1;
    const c = v.getUint8(i);
    if (c === 0x2c) i = ws(v, i + 1, n);
    else return c === 0x7d ? i + 1 : -1;
  }
}

/** An array's elements from i (after `[`); returns the position after `]` or -1. */
function skipArray(v: DataView, i: number, n: number, depth: number): number {
  if (depth > MAX_DEPTH) {
    tooDeep = true;
    return -1;
  }
  i = ws(v, i, n);
  if (i < n && v.getUint8(i) === 0x5d) return i + 1;
  for (;;) {
    i = skipValue(v, i, n, depth);
    if (i < 0) return -1;
    i = ws(v, i, n);
    if (i >= n) return -1;
    const c = v.getUint8(i);
    if (c === 0x2c) i = ws(v, i + 1, n);
    else return c === 0x5d ? i + 1 : -1;
  }
}

/** The name index of the plain-ASCII key at [s, e), or -1. */
function keyIndex(v: DataView, s: number, e: number): number {
  const len = e - s;
  let w0: number;
  let wl: number;
  if (len >= 4) {
    w0 = v.getInt32(s, true);
    wl = v.getInt32(e - 4, true);
  } else {
    w0 = 0;
    for (let j = len - 1; j >= 0; j--) w0 = (w0 << 8) | v.getUint8(s + j);
    wl = w0;
  }
  const ix = KEY_TABLE[(keyHash(w0, wl, len) >>> KEY_SHIFT) & KEY_MASK]! - 1;
  return ix >= 0 && NAME_LEN[ix] === len && nameIs(v, s, ix, w0) ? ix : -1;
}

/**
 * Whether the NAME_LEN[ix] bytes at s are name `ix` (w0: the four bytes at s;
 * for a name shorter than that, only its low bytes count). The caller makes
 * sure the key is that long.
 */
function nameIs(v: DataView, s: number, ix: number, w0: number): boolean {
  const len = NAME_LEN[ix]!;
  if (len < 4) return (w0 & ((1 << (len * 8)) - 1)) === NAME_W0[ix];
  if (w0 !== NAME_W0[ix] || v.getInt32(s + len - 4, true) !== NAME_WL[ix]) return false;
  // Words 0 and last cover names up to 8 bytes; longer ones have middle words.
  let m = NAME_MID_OFF[ix]!;
  for (let j = 4; j < len - 4; j += 4) if (v.getInt32(s + j, true) !== NAME_MID_WORDS[m++]) return false;
  return true;
}

/**
 * Whether `name":` (name `ix`, its quote and the colon right after) is at s:
 * its words compared, the last one overlapping (every token is at least 4 bytes).
 */
function tokenAt(v: DataView, s: number, n: number, ix: number): boolean {
  const len = NAME_LEN[ix]! + 2;
  if (s + len > n) return false;
  let m = TOKEN_OFF[ix]!;
  for (let j = 0; j < len - 4; j += 4) if (v.getInt32(s + j, true) !== TOKEN_WORDS[m++]) return false;
  return v.getInt32(s + len - 4, true) === TOKEN_WORDS[m];
}

/**
 * The contract name whose closing quote follows it at s (after the key's
 * opening quote), from w0, the four bytes at s; -1 when none. A name shorter
 * than four bytes is found only when `":` follows (the usual layout); keyIndex
 * finds it otherwise.
 */
function nameAt(v: DataView, s: number, n: number, w0: number): number {
  let at = (Math.imul(w0, 0x9e3779b1) >>> (32 - LEAD_BITS)) * LEAD_WAYS;
  for (const end = at + LEAD_WAYS; at < end; at++) {
    const ix = LEAD_TABLE[at]!;
    if (ix < 0) return -1;
    const len = NAME_LEN[ix]!;
    if (s + len < n && v.getUint8(s + len) === 0x22 && nameIs(v, s, ix, w0)) return ix;
  }
  return -1;
}

/** A key found with special bytes in it (escapes, non-ASCII), validated: the literal is at [s, e). */
function slowKey(s: number, e: number): string {
  return parseSlice(s, e) as string;
}

/**
 * The `fields` object from i (after `{`): validated like any object, and the
 * value of its last `status` member into gStatus (undefined when it has none).
 * Returns the position after `}` or -1.
 */
function fieldsObject(v: DataView, i: number, n: number): number {
  gStatus = undefined;
  i = ws(v, i, n);
  if (i < n && v.getUint8(i) === 0x7d) return i + 1;
  for (;;) {
    if (i >= n || v.getUint8(i) !== 0x22) return -1;
    const ks = i + 1;
    i = special(v, ks, n);
    if (i >= n) return -1;
    let isStatus: boolean;
    if (v.getUint8(i) === 0x22) {
      // "status": 0x75746174 is "tatu" (bytes 1..4), then "s" at 0 and 5.
      isStatus =
        i - ks === 6 &&
        v.getInt32(ks + 1, true) === 0x75746174 &&
        v.getUint8(ks) === 0x73 &&
        v.getUint8(ks + 5) === 0x73;
      i++;
    } else {
      i = skipString(v, i, n);
      if (i < 0) return -1;
      isStatus = slowKey(ks - 1, i) === "status";
    }
    i = ws(v, i, n);
    if (i >= n || v.getUint8(i) !== 0x3a) return -1;
    i = ws(v, i + 1, n);
    if (i >= n) return -1;
    if (isStatus) {
      const c = v.getUint8(i);
      const s = i;
      if (c === 0x22) {
        i = stringValue(v, i + 1, n, true);
        gStatus = gStr;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        i = numberEnd(v, i, n);
        if (i < 0) return -1;
        gStatus = numberValue(v, s, i);
      } else {
        i = skipValue(v, i, n, 2);
        if (i < 0) return -1;
        // An object or array: JSON.parse makes the same value (rare; statuses are words).
        gStatus = c === 0x74 ? true : c === 0x66 ? false : c === 0x6e ? null : parseSlice(s, i);
      }
    } else {
      i = skipValue(v, i, n, 2);
    }
    if (i < 0) return -1;
    i = ws(v, i, n);
    if (i >= n) return -1;
    const c = v.getUint8(i);
    if (c === 0x2c) i = ws(v, i + 1, n);
    else return c === 0x7d ? i + 1 : -1;
  }
}

/** Makes `data` the message the helpers read (gData, gBase) and returns a DataView on its buffer. */
function select(data: Uint8Array): DataView {
  const buf = data.buffer;
  if (buf !== gViewBuf) {
    gView = new DataView(buf);
    gViewBuf = buf;
  }
  gData = data;
  gBase = data.byteOffset;
  return gView;
}

/** Where the JSON text in [i, n) starts: past one leading BOM (a fatal TextDecoder drops it) and whitespace. */
function textStart(v: DataView, i: number, n: number): number {
  if (i + 3 <= n && v.getUint8(i) === 0xef && v.getUint8(i + 1) === 0xbb && v.getUint8(i + 2) === 0xbf) i += 3;
  return ws(v, i, n);
}

/**
 * Whether a fatal UTF-8 TextDecoder + JSON.parse would certainly throw on
 * `data`: true only then; false when it is one JSON text, or nested deeper
 * than MAX_DEPTH (unsure). A failed JSON.parse costs more than scanning a
 * whole event, so the ingest asks this first about what scanBytes refused.
 */
export function notJson(data: Uint8Array): boolean {
  const v = select(data);
  const n = gBase + data.length;
  tooDeep = false;
  const end = skipValue(v, textStart(v, gBase, n), n, 0);
  return end < 0 ? !tooDeep : ws(v, end, n) !== n;
}

/**
 * scanParsed() straight from the message bytes: true, with `out` filled exactly
 * as scanParsed would fill it, only when a fatal UTF-8 TextDecoder, JSON.parse
 * and scanParsed would accept the message; false when they would not, or when
 * this scanner is not sure; then `out` is untouched and the caller takes the
 * slow path. Duplicate keys: the last one counts, as in JSON.parse.
 *
 * `leaveOutPrevHash`: a prev_hash of 64 plain hex digits is not made a string (the ingest keeps only its
 * words): `out.prev_hash` is then undefined, and leftOutPrevHash() has the words.
 */
export function scanBytes(data: Uint8Array, out: Scanned, leaveOutPrevHash = false): boolean {
  gPrevLeftOut = false;
  const len = data.length;
  if (len === 0) return false;
  const v = select(data);
  const n = gBase + len;
  let i = textStart(v, gBase, n);
  if (i >= n || v.getUint8(i) !== 0x7b) return false;
  i = ws(v, i + 1, n);

  let tsMs = 0;
  let hasTs = false;
  let event = "";
  let hasEvent = false;
  let seq = 0;
  let x: string | undefined = undefined;
  let workflow: string | undefined = undefined;
  let corr: string | undefined = undefined;
  let task: string | undefined = undefined;
  let entityType: string | undefined = undefined;
  let entityId: string | undefined = undefined;
  let producer: string | undefined = undefined;
  let source: string | undefined = undefined;
  let prev: string | undefined = undefined;
  let prevLeftOut = false;
  let status: unknown = undefined;
  let prevIx = AFTER_START;
  /** Bit per name index: the field's last value has the wrong type. */
  let bad = 0;

  for (;;) {
    if (i >= n || v.getUint8(i) !== 0x22) return false;
    const ks = i + 1;
    // Most keys are contract names: the one that followed the previous key
    // last time, or one found from its first four bytes.
    let ix = NEXT_NAME[prevIx]!;
    if (ix >= 0 && tokenAt(v, ks, n, ix)) {
      // The predicted name, its closing quote and the colon.
      i = ks + NAME_LEN[ix]! + 2;
    } else {
      ix = ks + 4 <= n ? nameAt(v, ks, n, v.getInt32(ks, true)) : -1;
      if (ix >= 0) {
        NEXT_NAME[prevIx] = ix;
        i = ks + NAME_LEN[ix]! + 1;
      }
    }
    if (ix < 0) {
      i = special(v, ks, n);
      if (i >= n) return false;
      if (v.getUint8(i) === 0x22) {
        ix = keyIndex(v, ks, i);
        i++;
      } else {
        i = skipString(v, i, n);
        if (i < 0) return false;
        ix = INDEX_BY_NAME.get(slowKey(ks - 1, i)) ?? -1;
      }
    }
    const kind = ix < 0 ? K_UNKNOWN : KEY_KIND[ix]!;
    prevIx = ix < 0 ? AFTER_UNKNOWN : ix;
    if (v.getUint8(i - 1) !== 0x3a) {
      i = ws(v, i, n);
      if (i >= n || v.getUint8(i) !== 0x3a) return false;
      i++;
    }
    i = ws(v, i, n);
    if (i >= n) return false;
    const c = v.getUint8(i);

    // A value of the wrong type marks its field bad, and a later value under
    // the same key clears that again: JSON.parse keeps the last one.
    let good = true;
    switch (kind) {
      case K_UNKNOWN:
        i = skipValue(v, i, n, 1);
        break;
      case K_TS:
        if (c === 0x22) {
          i = tsValue(v, i + 1, n);
          good = gTsMs === gTsMs;
          tsMs = gTsMs;
          hasTs = true;
        } else {
          good = false;
          i = skipValue(v, i, n, 1);
        }
        break;
      case K_EVENT:
        if (c === 0x22) {
          i = stringValue(v, i + 1, n, true);
          event = gStr;
          good = event.length > 0;
          hasEvent = true;
        } else {
          good = false;
          i = skipValue(v, i, n, 1);
        }
        break;
      case K_SEQ:
        if (c === 0x6e) {
          i = nullEnd(v, i, n);
          seq = 0;
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          const s = i;
          i = numberEnd(v, i, n);
          if (i < 0) return false;
          seq = numberValue(v, s, i);
          good = Number.isInteger(seq) && seq >= 1 && seq <= Number.MAX_SAFE_INTEGER;
        } else {
          good = false;
          i = skipValue(v, i, n, 1);
        }
        break;
      case K_FIELDS:
        if (c === 0x7b) {
          i = fieldsObject(v, i + 1, n);
          status = gStatus;
        } else if (c === 0x6e) {
          i = nullEnd(v, i, n);
          status = undefined;
        } else {
          good = false;
          i = skipValue(v, i, n, 1);
        }
        break;
      case K_BOOL:
        good = c === 0x74 || c === 0x66 || c === 0x6e;
        i = skipValue(v, i, n, 1);
        break;
      case K_NUM:
        if (c === 0x6e) {
          i = nullEnd(v, i, n);
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          const s = i;
          i = numberEnd(v, i, n);
          if (i < 0) return false;
          // Without an exponent only 309+ digits reach Infinity.
          good = !(numExp || i - s > 300) || Number.isFinite(numberValue(v, s, i));
        } else {
          good = false;
          i = skipValue(v, i, n, 1);
        }
        break;
      case K_STR:
        if (c === 0x22) {
          // skipString, with the common case (no special byte before the quote) here.
          const e = special(v, i + 1, n);
          i = e < n && v.getUint8(e) === 0x22 ? e + 1 : skipString(v, e, n);
        } else if (c === 0x6e) {
          i = nullEnd(v, i, n);
        } else {
          good = false;
          i = skipValue(v, i, n, 1);
        }
        break;
      default: {
        // A kept string (K_WFX … K_PREV) or null.
        let str: string | undefined = undefined;
        const at = i + 1;
        if (c === 0x22) {
          if (kind === K_PREV) {
            prevLeftOut = leaveOutPrevHash && prevHashAt(v, at, n);
            if (prevLeftOut) {
              i = at + 65;
              prev = undefined;
              break;
            }
          }
          i = stringValue(v, at, n, kind !== K_PREV);
          str = gStr;
        } else if (c === 0x6e) {
          if (kind === K_PREV) prevLeftOut = false;
          i = nullEnd(v, i, n);
        } else {
          if (kind === K_PREV) prevLeftOut = false;
          good = false;
          i = skipValue(v, i, n, 1);
          break;
        }
        switch (kind) {
          case K_WFX:
            x = str;
            break;
          case K_WF:
            workflow = str;
            break;
          case K_CORR:
            corr = str;
            break;
          case K_TASK:
            task = str;
            break;
          case K_ETYPE:
            entityType = str;
            break;
          case K_EID:
            entityId = str;
            break;
          case K_PRODUCER:
            producer = str;
            break;
          case K_SOURCE:
            source = str;
            break;
          default:
            prev = str;
            // 64 bytes for 64 characters: plain ASCII, no escapes.
            if (str !== undefined && i - 1 - at === 64 && str.length === 64) notePrevHash(v, at, str);
            break;
        }
        break;
      }
    }
    if (ix >= 0) bad = good ? bad & ~(1 << ix) : bad | (1 << ix);
    if (i < 0) return false;
    i = ws(v, i, n);
    if (i >= n) return false;
    const sep = v.getUint8(i);
    if (sep === 0x2c) {
      i = ws(v, i + 1, n);
      continue;
    }
    if (sep !== 0x7d) return false;
    break;
  }
  if (ws(v, i + 1, n) !== n || bad !== 0 || !hasTs || !hasEvent) return false;

  out.tsMs = tsMs;
  out.event = event;
  out.seq = seq;
  out.workflow_execution_id = x;
  out.workflow_id = workflow;
  out.correlation_id = corr;
  out.task_id = task;
  out.entity_type = entityType;
  out.entity_id = entityId;
  out.producer = producer;
  out.source = source;
  out.prev_hash = prev;
  out.status = status;
  gPrevLeftOut = prevLeftOut;
  return true;
}
