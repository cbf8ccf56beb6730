// What a request may see, from the sign-in rule and its session cookie. No
// next/headers here: the proxy (before routing) and the server code (through
// lib/auth/session.ts) both ask this one function.
import { isLoopbackHost, type AuthMode, type Role } from "./auth-mode";
import { readSessionUser, type SessionUser } from "./session-cookie";

export interface Viewer {
  id: string;
  name?: string;
  email?: string;
  roles: Role[];
  org?: string;
  /** true in local mode (no sign-in, loopback only). */
  local: boolean;
}

export const LOCAL_VIEWER: Viewer = { id: "local", name: "local", roles: ["viewer", "admin"], local: true };

export type Access =
  | { kind: "viewer"; viewer: Viewer }
  /** No session (or an expired one): sign in. */
  | { kind: "anonymous" }
  /** Signed in, but the roles claim gives no seqscope role. */
  | { kind: "forbidden"; user: SessionUser }
  /** Sign-in is off on a non-loopback address, or misconfigured: nothing is served. */
  | { kind: "refused"; error: string };

/** The host name of a Host header (`[::1]:3000` → `[::1]`, `localhost:3000` → `localhost`). */
export function hostName(hostHeader: string | null): string {
  const h = (hostHeader ?? "").trim();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.split(":")[0] ?? "";
}

export const LOOPBACK_ONLY =
  "seqscope without sign-in answers on loopback only: open it as http://localhost, or set SEQSCOPE_OIDC_ISSUER.";

export async function accessFor(mode: AuthMode, headers: Headers): Promise<Access> {
  if (mode.mode === "local") {
    // A page reached under another name (a LAN address, a DNS-rebinding site resolving to 127.0.0.1) gets nothing.
    return isLoopbackHost(hostName(headers.get("host")))
      ? { kind: "viewer", viewer: LOCAL_VIEWER }
      : { kind: "refused", error: LOOPBACK_ONLY };
  }
  if (mode.mode === "refused") return { kind: "refused", error: mode.error };
  const user = await readSessionUser(headers, mode);
  if (!user) return { kind: "anonymous" };
  if (!user.roles.includes("viewer")) return { kind: "forbidden", user };
  return { kind: "viewer", viewer: { ...user, local: false } };
}

export function hasRole(viewer: Viewer, role: Role): boolean {
  return viewer.roles.includes(role);
}

/** The JSON answer of an API that refuses `access` (anything but a viewer with `role`). */
export function refusal(access: Access, role: Role = "viewer"): Response | null {
  const json = (status: number, error: string) =>
    Response.json({ error }, { status, headers: { "cache-control": "no-store" } });
  switch (access.kind) {
    case "refused":
      return json(503, access.error);
    case "anonymous":
      return json(401, "Sign in first (/signin).");
    case "forbidden":
      return json(403, `Signed in as ${access.user.name ?? access.user.id}, without a seqscope role.`);
    case "viewer":
      return hasRole(access.viewer, role) ? null : json(403, `This needs the ${role} role.`);
  }
}
