// prev_hash as the chain columns keep it: 64 hex digits as 8 big-endian words.

/**
 * Four hex digits, as bytes (or char codes) below 0x80 packed little-endian
 * into `w` (first digit lowest), as their 16-bit value; -1 when one is not a
 * hex digit. All four bytes are range-checked at once (no byte carries into the next).
 */
export function hex4(w: number): number {
  const digit = (w + 0x50505050) & ~(w + 0x46464646); // bit 7 of a byte: 0x30 <= b < 0x3a
  const l = w | 0x20202020; // A-F as a-f
  const letter = (l + 0x1f1f1f1f) & ~(l + 0x19191919); // bit 7: 0x61 <= b < 0x67
  if ((~(digit | letter) & 0x80808080) !== 0) return -1; // some byte is neither
  const nib = (l & 0x0f0f0f0f) + ((letter >>> 7) & 0x01010101) * 9;
  return ((nib & 0xf) << 12) | (nib & 0xf00) | ((nib >>> 12) & 0xf0) | (nib >>> 24);
}

/** The four char codes of `s` from `i`, little-endian in a word; -1 when one is not ASCII (hex4 then fails). */
function packChars(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  const d = s.charCodeAt(i + 3);
  return (a | b | c | d) < 0x80 ? a | (b << 8) | (c << 16) | (d << 24) : -1;
}

/** Writes `hex` as 8 words at out[at…]; false when it is not 64 hex digits (words written so far stay). */
export function hexWords(hex: string, out: Int32Array, at: number): boolean {
  if (hex.length !== 64) return false;
  for (let w = 0; w < 8; w++) {
    const hi = hex4(packChars(hex, w * 8));
    const lo = hex4(packChars(hex, w * 8 + 4));
    if ((hi | lo) < 0) return false;
    out[at + w] = (hi << 16) | lo;
  }
  return true;
}
