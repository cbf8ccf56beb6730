// Names the server, the proxy and the browser share: where the auth routes live,
// the provider's id (part of the callback URL), the cookie's prefix and lifetime.
export const AUTH_BASE_PATH = "/api/auth";
export const SIGN_IN_PATH = "/signin";
/** Where a viewer who opened an admin-only page is shown why (status 403). */
export const FORBIDDEN_PATH = "/forbidden";
export const OIDC_PROVIDER_ID = "seqscope";
export const SESSION_COOKIE_PREFIX = "seqscope";
/** A session lasts a working day: 12 hours. */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

/** Where sign-in returns to: a path on this site only, never another origin (no open redirect). */
export function safeCallbackPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return "/";
  if (raw === SIGN_IN_PATH || raw.startsWith(`${SIGN_IN_PATH}?`) || raw.startsWith(AUTH_BASE_PATH)) return "/";
  return raw;
}
