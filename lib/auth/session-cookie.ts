// The session cookie, read without the auth instance: the proxy and the server
// components decrypt it with the secret alone (no network, no database).
import { getCookieCache } from "better-auth/cookies";
import type { OidcSettings, Role } from "./auth-mode";
import { SESSION_COOKIE_PREFIX } from "./auth-paths";

export interface SessionUser {
  id: string;
  name?: string;
  email?: string;
  roles: Role[];
  org?: string;
}

/** The signed-in user the request's cookie proves, or null (none, expired, or not ours). */
export async function readSessionUser(
  headers: Headers,
  settings: Pick<OidcSettings, "secret" | "publicUrl">,
): Promise<SessionUser | null> {
  let payload: Awaited<ReturnType<typeof getCookieCache>>;
  try {
    payload = await getCookieCache(headers, {
      cookiePrefix: SESSION_COOKIE_PREFIX,
      isSecure: settings.publicUrl.startsWith("https://"),
      secret: settings.secret,
      strategy: "jwe",
    });
  } catch {
    return null;
  }
  const user = payload?.user as Record<string, unknown> | undefined;
  if (!user || typeof user.id !== "string") return null;
  const roles = Array.isArray(user.roles)
    ? (["viewer", "admin"] as const).filter((r) => (user.roles as unknown[]).includes(r))
    : [];
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const name = str(user.name);
  const email = str(user.email);
  const org = str(user.org);
  return {
    id: user.id,
    ...(name ? { name } : {}),
    ...(email && !email.endsWith("@users.seqscope.invalid") ? { email } : {}),
    roles,
    ...(org ? { org } : {}),
  };
}
