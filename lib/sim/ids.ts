// Seeded identifiers: the same seed mints the same ids, in a browser or in Node.
import type { Rng } from "../random";

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `len` lowercase hex characters (len even). */
export function hexId(rng: Rng, len: number): string {
  let s = "";
  while (s.length < len) {
    const v = Math.floor(rng.next() * 0x100000000);
    s += HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
  }
  return s.length === len ? s : s.slice(0, len);
}

export function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng.next() * 256);
  return out;
}
