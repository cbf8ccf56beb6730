// SHA-256 for hash chains. Chain verification runs synchronously inside
// analyze() in the browser, a worker and Node alike (Web Crypto's digest is
// async only, node:crypto is not in the browser), so it uses @noble/hashes.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The 32-byte SHA-256 digest of `data`. */
export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** Lowercase hex SHA-256 of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return bytesToHex(sha256(data));
}
