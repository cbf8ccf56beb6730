// Ed25519 event signatures (contract: kid, sigp, sig). With sigp "jcs-1" the
// signed bytes are the RFC 8785 (JCS) canonical form of the event, parsed from
// its raw line, with `sig` removed; `sig` is base64url without padding and
// `kid` names a key in a JWKS. @noble, not node:crypto, so it runs in a browser
// worker too. Verifying costs ~0.1–0.5 ms an event, so callers verify lazily.

import { ed25519 } from "@noble/curves/ed25519.js";
import canonicalize from "canonicalize";

export const SIG_PROFILE = "jcs-1";

export interface Ed25519Jwk {
  kty: "OKP";
  crv: "Ed25519";
  kid: string;
  /** Public key, base64url without padding. */
  x: string;
}

export interface Jwks {
  keys: readonly Ed25519Jwk[];
}

/** A signed event whose signature does not hold. */
export interface BadSignature {
  streamSeq: number;
  message: string;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_VALUE[B64URL.charCodeAt(i)] = i;

/** base64url without padding, strictly (no padding, no stray bits), or undefined. */
export function decodeBase64url(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (B64URL_VALUE[c] as number) : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out.subarray(0, o);
}

const utf8 = new TextEncoder();

/** Public keys of a JWKS by kid; keys that are not Ed25519 OKP keys are left out. */
export class KeyRing {
  private readonly byKid = new Map<string, Uint8Array>();

  constructor(jwks: Jwks) {
    for (const k of jwks.keys) {
      if (k.kty !== "OKP" || k.crv !== "Ed25519" || typeof k.kid !== "string" || typeof k.x !== "string") continue;
      const x = decodeBase64url(k.x);
      if (x !== undefined && x.length === 32 && !this.byKid.has(k.kid)) this.byKid.set(k.kid, x);
    }
  }

  get(kid: string): Uint8Array | undefined {
    return this.byKid.get(kid);
  }
}

/**
 * Checks one parsed event (as parsed from its raw line): undefined when it is
 * unsigned (no `sig`) or its signature verifies, else what is wrong.
 */
export function signatureProblem(event: Record<string, unknown>, keys: KeyRing): string | undefined {
  if (!Object.hasOwn(event, "sig")) return undefined;
  const { sig, ...rest } = event;
  const { kid, sigp } = rest;
  if (sigp !== SIG_PROFILE) {
    return sigp === undefined ? "signed event has no sigp" : `unsupported sigp ${JSON.stringify(sigp)}`;
  }
  if (typeof kid !== "string") return "signed event has no kid";
  const key = keys.get(kid);
  if (key === undefined) return `kid ${kid} is not in the JWKS`;
  const bytes = typeof sig === "string" ? decodeBase64url(sig) : undefined;
  if (bytes === undefined || bytes.length !== 64) return "sig is not a base64url Ed25519 signature";
  const signed = canonicalize(rest);
  if (signed === undefined) return "event cannot be canonicalized (JCS)";
  let ok = false;
  try {
    ok = ed25519.verify(bytes, utf8.encode(signed), key);
  } catch {
    ok = false;
  }
  return ok ? undefined : `signature does not verify with kid ${kid}`;
}
