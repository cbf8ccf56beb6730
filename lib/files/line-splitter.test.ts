import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineSplitter, splitLines, type Line } from "./line-splitter";

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { ignoreBOM: true });

/** Feeds `text` cut at `cuts` (byte offsets) and returns the lines as strings. */
function split(bytes: Uint8Array, cuts: number[] = []): { number: number; text: string }[] {
  const s = new LineSplitter();
  const out: Line[] = [];
  let from = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(...s.push(bytes.subarray(from, c)));
    from = c;
  }
  out.push(...s.push(bytes.subarray(from)), ...s.end());
  return out.map((l) => ({ number: l.number, text: dec.decode(l.data) }));
}

/** What an editor shows: lines split on \n, a trailing \r dropped, no line after a final \n. */
function expected(text: string): { number: number; text: string }[] {
  const parts = text.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts.map((p, i) => ({ number: i + 1, text: p.endsWith("\r") ? p.slice(0, -1) : p }));
}

describe("LineSplitter", () => {
  it("handles CRLF, an empty line, and a last line without newline", () => {
    expect(split(enc.encode('{"a":1}\r\n\r\nnot json\n{"b":2}'))).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: "" },
      { number: 3, text: "not json" },
      { number: 4, text: '{"b":2}' },
    ]);
  });

  it("gives no line after a final newline, and none for an empty input", () => {
    expect(split(enc.encode("a\nb\n"))).toEqual([
      { number: 1, text: "a" },
      { number: 2, text: "b" },
    ]);
    expect(split(new Uint8Array(0))).toEqual([]);
  });

  it("drops a UTF-8 byte order mark before the first line only", () => {
    const bom = "\ufeff";
    expect(split(enc.encode(`${bom}a\n${bom}b`), [1, 2])).toEqual([
      { number: 1, text: "a" },
      { number: 2, text: `${bom}b` },
    ]);
  });

  it("gives the same lines however the input is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "é", "\n", "\r", "\r\n", "{}", " "), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (parts, rawCuts) => {
          const text = parts.join("");
          const bytes = enc.encode(text);
          const cuts = rawCuts.map((c) => c % (bytes.length + 1));
          expect(split(bytes, cuts)).toEqual(expected(text));
        },
      ),
    );
  });

  it("joins a huge line that spans many chunks, and hands other lines out as views into the chunk", () => {
    const huge = "x".repeat(3_000_000);
    const bytes = enc.encode(`first\n${huge}\nlast\n`);
    const s = new LineSplitter();
    const lines: Line[] = [];
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.slice(i, i + 65536));
    for (const c of chunks) lines.push(...s.push(c));
    lines.push(...s.end());
    expect(lines.map((l) => l.data.length)).toEqual([5, 3_000_000, 4]);
    expect(lines[0]!.data.buffer).toBe(chunks[0]!.buffer);
    expect(s.bytesRead).toBe(bytes.length);
  });

  it("reads a ReadableStream", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode("a\nb"));
        c.enqueue(enc.encode("c\r\nd"));
        c.close();
      },
    });
    const got: string[] = [];
    for await (const lines of splitLines(stream)) for (const l of lines) got.push(`${l.number}:${dec.decode(l.data)}`);
    expect(got).toEqual(["1:a", "2:bc", "3:d"]);
  });
});
