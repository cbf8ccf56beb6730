import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "./sha256";

const reference = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 examples", () => {
    expect(sha256Hex(new Uint8Array())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it.each([55, 56, 63, 64, 65, 119, 120, 127, 128, 1000])("matches node:crypto at the padding edge %i", (n) => {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
    expect(sha256Hex(b)).toBe(reference(b));
  });

  it("matches node:crypto on any bytes, including views into larger buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(8), (b, off) => {
        const big = new Uint8Array(b.length + off + 3);
        big.set(b, off);
        expect(sha256Hex(big.subarray(off, off + b.length))).toBe(reference(b));
      }),
    );
  });
});
