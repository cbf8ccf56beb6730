// The dashboard server's side of a tab's NATS credential: carries out the
// deployment's policy (lib/config/runtime-config.ts browserCredentialPolicy) for one
// signed-in viewer. Minted credentials are read-only (lib/config/reader-permissions.ts),
// WebSocket-only, expiring bearer JWTs with a private inbox prefix; the signing seed
// is read here and never leaves the server. A viewer restricted to a tenant (`org`,
// from the sign-in's org claim) gets only that tenant's part of the index
// (tenantReaderPermissions): the server, not the tab, keeps it to its own.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { browserCredentialPolicy, ConfigError } from "../config/runtime-config";
import { readerPermissions, tenantReaderPermissions } from "../config/reader-permissions";
import type { NatsGrant } from "../config/nats-grant";
import { isAccountPublicKey, mintBrowserJwt, signerPublicKey } from "./nats-auth";

type Env = Record<string, string | undefined>;

export interface GrantRequest {
  /**
   * Who it is for (the JWT's name, seen in the server's connection list); `org`: the tenant they are
   * restricted to (absent: unrestricted).
   */
  viewer: { id: string; name?: string; org?: string };
  stream: string;
}

export async function grantFor(env: Env, req: GrantRequest, nowMs = Date.now()): Promise<NatsGrant> {
  const p = browserCredentialPolicy(env);
  if (req.viewer.org !== undefined && p.kind !== "minted") {
    // A shared browser user (or none) reads every tenant: only a credential minted per session can keep one to its own.
    throw new ConfigError(
      `${req.viewer.name ?? req.viewer.id} may see tenant ${req.viewer.org} only, which NATS can enforce only with ` +
        "credentials minted per session: set SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY (operator mode).",
    );
  }
  if (p.kind === "none") return { kind: "none" };
  if (p.kind === "user") return { kind: "user", user: p.user, pass: p.pass };
  if (p.kind === "token") return { kind: "token", token: p.token };
  const seed = readSeed(p.signingKeyPath);
  const account = p.account ?? signerPublicKey(seed);
  if (!isAccountPublicKey(account)) {
    throw new ConfigError(`SEQSCOPE_NATS_ACCOUNT must be an account public key (A…, 56 characters), got "${account}"`);
  }
  const inboxPrefix = inboxPrefixFor(seed, req.viewer.id);
  const { jwt, expiresAtMs } = await mintBrowserJwt({
    signerSeed: seed,
    account,
    name: `seqscope-browser ${req.viewer.name ?? req.viewer.id}`.slice(0, 200),
    permissions:
      req.viewer.org === undefined
        ? readerPermissions(req.stream, inboxPrefix)
        : tenantReaderPermissions(req.stream, req.viewer.org, inboxPrefix),
    ttlSec: p.ttlSec,
    nowMs,
  });
  return {
    kind: "jwt",
    jwt,
    expiresAtMs,
    inboxPrefix,
    ...(req.viewer.org === undefined ? {} : { tenant: req.viewer.org }),
  };
}

/**
 * A viewer's private inbox prefix: the same for every grant of theirs (a connection keeps the prefix
 * it was made with across renewals), unguessable by anyone else (keyed by the signing seed).
 */
export function inboxPrefixFor(seed: string, viewerId: string): string {
  return `_INBOX_${createHmac("sha256", seed).update(viewerId).digest("hex").slice(0, 32)}`;
}

function readSeed(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(
      `SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY points at ${path}, which cannot be read: ${(e as Error).message}`,
    );
  }
  // A bare seed, or an nsc-style file with the seed on a line of its own.
  const seed = text.split(/\s+/).find((l) => /^SA[A-Z2-7]{50,}$/.test(l));
  if (!seed) throw new ConfigError(`SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY (${path}) holds no account seed (SA…)`);
  return seed;
}
