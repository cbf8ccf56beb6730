// Ed25519 event signatures (contract: kid, sigp, sig). With sigp "jcs-1" the
// signed bytes are the RFC 8785 (JCS) canonical form of the event, parsed from
// its raw line, with `sig` removed; `sig` is base64url without padding and
// `kid` names a key in a JWKS. @noble, not node:crypto, so it runs in a browser
// worker too. Verifying costs ~0.1–0.5 ms an event, so callers verify lazily.

import { ed25519 } from "@noble/curves/ed25519.js";
import { base64urlnopad } from "@scure/base";
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

/** base64url without padding, strictly (no padding, no stray bits), or undefined. */
export function decodeBase64url(s: string): Uint8Array | undefined {
  try {
    return base64urlnopad.decode(s);
  } catch {
    return undefined;
  }
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
