// The Better Auth instance behind /api/auth/* (sign-in, callback, sign-out), made
// from the settings of the environment at request time and kept while they hold.
// Stateless: no database; the session lives in an encrypted cookie (JWE), so
// any number of dashboard processes share sessions through SEQSCOPE_AUTH_SECRET.
import "server-only";
import { betterAuth } from "better-auth";
import { nextCookies } from "better-auth/next-js";
import { genericOAuth } from "better-auth/plugins";
import { orgFromClaims, rolesFromClaims, type OidcSettings } from "./auth-mode";
import { AUTH_BASE_PATH, OIDC_PROVIDER_ID, SESSION_COOKIE_PREFIX, SESSION_MAX_AGE_S } from "./auth-paths";

function makeAuth(s: OidcSettings) {
  let discovery: Promise<{ userinfo_endpoint?: string }> | undefined;
  const userinfoEndpoint = async (): Promise<string | undefined> => {
    discovery ??= fetch(`${s.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) }).then(
      async (r) => {
        if (!r.ok) throw new Error(`discovery answered ${r.status}`);
        return (await r.json()) as { userinfo_endpoint?: string };
      },
    );
    try {
      return (await discovery).userinfo_endpoint;
    } catch (e) {
      discovery = undefined;
      throw e;
    }
  };
  return betterAuth({
    baseURL: s.publicUrl,
    basePath: AUTH_BASE_PATH,
    secret: s.secret,
    telemetry: { enabled: false },
    session: {
      expiresIn: SESSION_MAX_AGE_S,
      // Roles are read at sign-in; a session ends after SESSION_MAX_AGE_S and signing in again reads them anew.
      cookieCache: { enabled: true, strategy: "jwe", maxAge: SESSION_MAX_AGE_S, refreshCache: false },
    },
    // The roles and tenant come from the issuer's claims at sign-in (mapProfileToUser below). Better Auth takes
    // extra user fields from a provider only when they are "input" fields, so they are, and every route that
    // lets a signed-in user write their own user (or session) record is switched off: a user cannot give
    // themselves a role.
    user: {
      additionalFields: {
        roles: { type: "string[]", required: false, input: true, defaultValue: [] },
        org: { type: "string", required: false, input: true },
      },
    },
    disabledPaths: ["/update-user", "/update-session", "/sign-up/email", "/sign-in/email", "/change-email"],
    advanced: { cookiePrefix: SESSION_COOKIE_PREFIX, useSecureCookies: s.publicUrl.startsWith("https://") },
    plugins: [
      genericOAuth({
        config: [
          {
            providerId: OIDC_PROVIDER_ID,
            name: "OpenID Connect",
            discoveryUrl: `${s.issuer}/.well-known/openid-configuration`,
            requireIdTokenVerification: true,
            clientId: s.clientId,
            clientSecret: s.clientSecret,
            scopes: s.scopes,
            pkce: true,
            overrideUserInfo: true,
            disableProviderLogout: true,
            // The ID token (verified against the issuer's keys before this runs) and the userinfo answer
            // together: providers put the groups claim in one or the other.
            getUserInfo: async (tokens) => {
              const idClaims = tokens.idToken ? jwtPayload(tokens.idToken) : {};
              let info: Record<string, unknown> = {};
              const url = await userinfoEndpoint();
              if (url && tokens.accessToken) {
                const r = await fetch(url, {
                  headers: { authorization: `Bearer ${tokens.accessToken}` },
                  signal: AbortSignal.timeout(10_000),
                });
                if (r.ok) info = (await r.json()) as Record<string, unknown>;
              }
              if (idClaims.sub !== undefined && info.sub !== undefined && info.sub !== idClaims.sub) return null;
              const claims = { ...info, ...idClaims };
              const sub = claims.sub;
              if (typeof sub !== "string" || !sub) return null;
              const text = (v: unknown) => (typeof v === "string" && v ? v : undefined);
              return {
                ...claims,
                id: sub,
                sub,
                name: text(claims.name),
                email: text(claims.email),
                emailVerified: claims.email_verified === true,
              };
            },
            mapProfileToUser: (profile) => {
              const claims = profile as Record<string, unknown>;
              const sub = String(profile.sub ?? profile.id);
              const str = (k: string) =>
                typeof claims[k] === "string" && claims[k] ? (claims[k] as string) : undefined;
              const org = orgFromClaims(claims, s.orgClaim);
              return {
                name: str("name") ?? str("preferred_username") ?? sub,
                // Better Auth keys users by email; an issuer that gives none still signs its user in.
                email: str("email") ?? `${encodeURIComponent(sub)}@users.seqscope.invalid`,
                roles: rolesFromClaims(claims, s),
                ...(org ? { org } : {}),
              };
            },
          },
        ],
      }),
      nextCookies(),
    ],
  });
}

function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

let cached: { key: string; auth: ReturnType<typeof makeAuth> } | undefined;

export function authFor(settings: OidcSettings): ReturnType<typeof makeAuth> {
  const key = JSON.stringify(settings);
  if (cached?.key !== key) cached = { key, auth: makeAuth(settings) };
  return cached.auth;
}
