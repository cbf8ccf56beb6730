// Tamper evidence as a Forge agent writes it: prev_hash = sha256 hex of the
// previous line's exact bytes (64 zeros on a process's first line), and an
// optional Ed25519 signature over the JCS form of the event without `sig`.
// @noble, not node:crypto, so the model runs in a browser worker too.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import canonicalize from "canonicalize";

export const GENESIS = "0".repeat(64);
export const SIG_PROFILE = "jcs-1";

export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url without padding (RFC 7515 §2), the encoding of `sig` and of JWK `x`. */
export function base64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return out;
}

export function fromBase64url(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of s) {
    const v = B64URL.indexOf(ch);
    if (v < 0) throw new Error(`not base64url: ${JSON.stringify(ch)}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

export interface Jwk {
  kty: "OKP";
  crv: "Ed25519";
  alg: "EdDSA";
  use: "sig";
  kid: string;
  x: string;
}

export interface Jwks {
  keys: Jwk[];
}

export interface SigningKey {
  kid: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A key from 32 seed bytes: the simulator draws them from its PRNG so a seed reproduces signatures too. */
export function signingKey(kid: string, seed32: Uint8Array): SigningKey {
  return { kid, secretKey: seed32, publicKey: ed25519.getPublicKey(seed32) };
}

export function toJwk(key: SigningKey): Jwk {
  return { kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: key.kid, x: base64url(key.publicKey) };
}

const utf8 = new TextEncoder();

/** Adds kid, sigp and sig to `wire` (in that order, last). The signed bytes are JCS(wire without sig). */
export function signEvent(wire: Record<string, unknown>, key: SigningKey): void {
  wire.kid = key.kid;
  wire.sigp = SIG_PROFILE;
  const signed = canonicalize(wire);
  if (signed === undefined) throw new Error("event cannot be canonicalized");
  wire.sig = base64url(ed25519.sign(utf8.encode(signed), key.secretKey));
}

/** Verifies a parsed event's signature against a JWKS; false on anything missing or wrong. */
export function verifyEvent(event: Record<string, unknown>, jwks: Jwks): boolean {
  const { sig, ...rest } = event;
  if (typeof sig !== "string" || rest.sigp !== SIG_PROFILE) return false;
  const jwk = jwks.keys.find((k) => k.kid === rest.kid);
  if (!jwk) return false;
  const signed = canonicalize(rest);
  if (signed === undefined) return false;
  try {
    return ed25519.verify(fromBase64url(sig), utf8.encode(signed), fromBase64url(jwk.x));
  } catch {
    return false;
  }
}

/** sha256 of bytes as lowercase hex. Node callers may pass node:crypto's (4x faster); the default runs anywhere. */
export type HashHex = (bytes: Uint8Array) => string;

/** One producer process's chain: the hash of the last line it wrote. */
export class HashChain {
  private last = GENESIS;

  constructor(private readonly hash: HashHex = sha256Hex) {}

  /** The prev_hash to stamp on the next line. */
  get prevHash(): string {
    return this.last;
  }

  /** Records that `bytes` were written; returns their hash. */
  advance(bytes: Uint8Array): string {
    this.last = this.hash(bytes);
    return this.last;
  }
}
