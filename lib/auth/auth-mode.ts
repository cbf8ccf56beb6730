// Whether sign-in is on, decided once from the environment. Pure (no Next, no
// React): the proxy, the server components, the route handlers and the tests
// all apply the same rule.
//
// - SEQSCOPE_OIDC_ISSUER set: sign-in through that OpenID provider ("oidc"); a
//   missing companion variable refuses to serve rather than serving unsigned.
// - unset, and the dashboard binds loopback (SEQSCOPE_HOST, default
//   127.0.0.1): no sign-in ("local"), shown by a badge. Only this machine can
//   reach it.
// - unset on any other address: nothing is served ("refused").

export type Role = "viewer" | "admin";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Signs and encrypts the session cookie. */
  secret: string;
  /** The dashboard's external base URL, without a trailing slash. */
  publicUrl: string;
  /** Requested at sign-in. */
  scopes: string[];
  rolesClaim: string;
  viewerGroups: string[];
  adminGroups: string[];
  orgClaim?: string;
}

export type AuthMode =
  { mode: "local"; host: string } | ({ mode: "oidc" } & OidcSettings) | { mode: "refused"; error: string };

type Env = Record<string, string | undefined>;

export const AUTH_DEFAULTS = {
  host: "127.0.0.1",
  scopes: "openid profile email",
  rolesClaim: "groups",
  viewerGroups: "seqscope-viewer",
  adminGroups: "seqscope-admin",
} as const;

/** Shortest SEQSCOPE_AUTH_SECRET accepted: 32 characters (e.g. `openssl rand -base64 32`). */
export const MIN_SECRET_LENGTH = 32;

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and localhost. */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (h.startsWith("::ffff:")) h = h.slice("::ffff:".length);
  const parts = h.split(".");
  return parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

export function authMode(env: Env): AuthMode {
  const issuer = value(env, "SEQSCOPE_OIDC_ISSUER");
  const host = value(env, "SEQSCOPE_HOST") ?? AUTH_DEFAULTS.host;
  if (!issuer) {
    if (isLoopbackHost(host)) return { mode: "local", host };
    return {
      mode: "refused",
      error:
        `seqscope listens on ${host} (SEQSCOPE_HOST), which other machines can reach, and sign-in is off. ` +
        `Set SEQSCOPE_OIDC_ISSUER (with SEQSCOPE_OIDC_CLIENT_ID, SEQSCOPE_OIDC_CLIENT_SECRET, SEQSCOPE_AUTH_SECRET ` +
        `and SEQSCOPE_PUBLIC_URL) to require sign-in, or bind to loopback (SEQSCOPE_HOST=127.0.0.1).`,
    };
  }
  const refused = (error: string): AuthMode => ({ mode: "refused", error: `Sign-in is misconfigured: ${error}` });
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    return refused(`SEQSCOPE_OIDC_ISSUER is not a URL: ${issuer}`);
  }
  if (issuerUrl.protocol !== "https:" && !(issuerUrl.protocol === "http:" && isLoopbackHost(issuerUrl.hostname))) {
    return refused(`SEQSCOPE_OIDC_ISSUER must be an https:// URL (http:// only on loopback): ${issuer}`);
  }
  const missing = [
    "SEQSCOPE_OIDC_CLIENT_ID",
    "SEQSCOPE_OIDC_CLIENT_SECRET",
    "SEQSCOPE_AUTH_SECRET",
    "SEQSCOPE_PUBLIC_URL",
  ].filter((name) => !value(env, name));
  if (missing.length > 0) {
    return refused(`SEQSCOPE_OIDC_ISSUER is set but ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not.`);
  }
  const secret = value(env, "SEQSCOPE_AUTH_SECRET")!;
  if (secret.length < MIN_SECRET_LENGTH) {
    return refused(
      `SEQSCOPE_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 32\`).`,
    );
  }
  const publicUrlRaw = value(env, "SEQSCOPE_PUBLIC_URL")!;
  let publicUrl: URL;
  try {
    publicUrl = new URL(publicUrlRaw);
  } catch {
    return refused(`SEQSCOPE_PUBLIC_URL is not a URL: ${publicUrlRaw}`);
  }
  if (publicUrl.protocol !== "https:" && publicUrl.protocol !== "http:") {
    return refused(`SEQSCOPE_PUBLIC_URL must be an http(s):// URL: ${publicUrlRaw}`);
  }
  const viewerGroups = list(env.SEQSCOPE_OIDC_VIEWER_GROUPS, AUTH_DEFAULTS.viewerGroups);
  const adminGroups = list(env.SEQSCOPE_OIDC_ADMIN_GROUPS, AUTH_DEFAULTS.adminGroups);
  const orgClaim = value(env, "SEQSCOPE_OIDC_ORG_CLAIM");
  return {
    mode: "oidc",
    issuer: issuer.replace(/\/+$/, ""),
    clientId: value(env, "SEQSCOPE_OIDC_CLIENT_ID")!,
    clientSecret: value(env, "SEQSCOPE_OIDC_CLIENT_SECRET")!,
    secret,
    publicUrl: publicUrl.origin + publicUrl.pathname.replace(/\/+$/, ""),
    scopes: (value(env, "SEQSCOPE_OIDC_SCOPES") ?? AUTH_DEFAULTS.scopes).split(/[\s,]+/).filter(Boolean),
    rolesClaim: value(env, "SEQSCOPE_OIDC_ROLES_CLAIM") ?? AUTH_DEFAULTS.rolesClaim,
    viewerGroups,
    adminGroups,
    ...(orgClaim ? { orgClaim } : {}),
  };
}

/**
 * The roles a user's claims give: admin for a value in the admin groups (an admin is also a viewer),
 * viewer for one in the viewer groups. The claim may be an array, or one string of values separated by
 * spaces or commas (some providers flatten it so).
 */
export function rolesFromClaims(
  claims: Record<string, unknown>,
  settings: Pick<OidcSettings, "rolesClaim" | "viewerGroups" | "adminGroups">,
): Role[] {
  const raw = claimAt(claims, settings.rolesClaim);
  const values = new Set(
    (Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(/[\s,]+/) : [])
      .filter((v): v is string => typeof v === "string")
      .map((v) => v.trim())
      .filter(Boolean),
  );
  const admin = settings.adminGroups.some((g) => values.has(g));
  const viewer = admin || settings.viewerGroups.some((g) => values.has(g));
  return [...(viewer ? (["viewer"] as const) : []), ...(admin ? (["admin"] as const) : [])];
}

/** The user's tenant from SEQSCOPE_OIDC_ORG_CLAIM, when it names a string (or number) claim. */
export function orgFromClaims(claims: Record<string, unknown>, orgClaim: string | undefined): string | undefined {
  if (!orgClaim) return undefined;
  const v = claimAt(claims, orgClaim);
  if (typeof v === "string" && v.trim()) return v.trim();
  if (typeof v === "number") return String(v);
  return undefined;
}

/** A claim by name; a dotted name reaches into objects (`realm_access.roles`, as Keycloak puts them). */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let cur: unknown = claims;
  for (const part of name.split(".")) {
    if (cur === null || typeof cur !== "object" || !(part in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
