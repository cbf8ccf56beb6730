// Tamper evidence as a Forge agent writes it: prev_hash = sha256 hex of the
// previous line's exact bytes (64 zeros on a process's first line), and an
// optional Ed25519 signature over the JCS form of the event without `sig`.
// @noble, not node:crypto, so the model runs in a browser worker too.
import { ed25519 } from "@noble/curves/ed25519.js";
import { base64urlnopad } from "@scure/base";
import canonicalize from "canonicalize";
import { GENESIS_HASH } from "../audit/chain";
import { sha256Hex } from "../audit/sha256";
import { SIG_PROFILE, type Ed25519Jwk } from "../audit/signature";

/** The JWK the simulator publishes: what lib/audit reads, plus alg and use. */
export interface Jwk extends Ed25519Jwk {
  alg: "EdDSA";
  use: "sig";
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
  return {
    kty: "OKP",
    crv: "Ed25519",
    alg: "EdDSA",
    use: "sig",
    kid: key.kid,
    x: base64urlnopad.encode(key.publicKey),
  };
}

const utf8 = new TextEncoder();

/** Adds kid, sigp and sig to `wire` (in that order, last). The signed bytes are JCS(wire without sig). */
export function signEvent(wire: Record<string, unknown>, key: SigningKey): void {
  wire.kid = key.kid;
  wire.sigp = SIG_PROFILE;
  const signed = canonicalize(wire);
  if (signed === undefined) throw new Error("event cannot be canonicalized");
  wire.sig = base64urlnopad.encode(ed25519.sign(utf8.encode(signed), key.secretKey));
}

/** sha256 of bytes as lowercase hex. Node callers may pass node:crypto's (4x faster); the default runs anywhere. */
export type HashHex = (bytes: Uint8Array) => string;

/** One producer process's chain: the hash of the last line it wrote. */
export class HashChain {
  private last = GENESIS_HASH;

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
