// SHA-256 for hash chains. Chain verification runs synchronously inside
// analyze() in the browser, a worker and Node alike (Web Crypto's digest is
// async only, node:crypto is not in the browser), so it uses @noble/hashes.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The 32-byte SHA-256 digest of `data`. */
export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** The SHA-256 of `data` as 8 big-endian words written at `out[at…at+8)`: how the chain ledger keeps digests. */
export function sha256Words(data: Uint8Array, out: Int32Array, at: number): void {
  const d = sha256(data);
  for (let w = 0; w < 8; w++) {
    out[at + w] =
      ((d[w * 4] as number) << 24) |
      ((d[w * 4 + 1] as number) << 16) |
      ((d[w * 4 + 2] as number) << 8) |
      (d[w * 4 + 3] as number);
  }
}

/** Lowercase hex SHA-256 of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return bytesToHex(sha256(data));
}
