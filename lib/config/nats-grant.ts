// What /api/nats/credentials answers a tab: its NATS credential, made for it. Pure types.

export type NatsGrant =
  /** Minted for this session: a bearer user JWT that expires; the tab renews it before then. */
  | {
      kind: "jwt";
      jwt: string;
      expiresAtMs: number;
      inboxPrefix: string;
      /** The tenant (org_id) the credential is restricted to: the tab then reads that tenant's index only. */
      tenant?: string;
    }
  /** A dedicated browser user the deployment configured (SEQSCOPE_BROWSER_NATS_*). */
  | { kind: "user"; user: string; pass: string }
  | { kind: "token"; token: string }
  /** The server needs no credential. */
  | { kind: "none" };

/** A grant parsed from the route's JSON, or an error naming what is wrong with it. */
export function parseGrant(o: unknown): NatsGrant {
  const g = o as Partial<Record<string, unknown>> | null;
  if (g && typeof g === "object") {
    if (g.kind === "none") return { kind: "none" };
    if (
      g.kind === "jwt" &&
      typeof g.jwt === "string" &&
      typeof g.expiresAtMs === "number" &&
      typeof g.inboxPrefix === "string"
    )
      return {
        kind: "jwt",
        jwt: g.jwt,
        expiresAtMs: g.expiresAtMs,
        inboxPrefix: g.inboxPrefix,
        ...(typeof g.tenant === "string" ? { tenant: g.tenant } : {}),
      };
    if (g.kind === "user" && typeof g.user === "string" && typeof g.pass === "string")
      return { kind: "user", user: g.user, pass: g.pass };
    if (g.kind === "token" && typeof g.token === "string") return { kind: "token", token: g.token };
  }
  throw new Error("the dashboard answered /api/nats/credentials with something that is not a credential");
}
