// Who is asking, for route handlers, server components and server actions: the
// check every server entry point makes (the proxy checks first; this is the
// defense in depth behind it).
import "server-only";
// The one place lib/ reads the request: requireViewer must work from any route handler or server component
// without each passing its headers in (a forgotten argument would be a hole).
// eslint-disable-next-line no-restricted-imports
import { headers } from "next/headers";
import { accessFor, refusal, type Access, type Viewer } from "./access";
import { authMode } from "./auth-mode";

export type { Role } from "./auth-mode";
export type { Access, Viewer } from "./access";

/** The request's access, read from the environment now (not at build time) and its session cookie. */
export async function currentAccess(): Promise<Access> {
  return accessFor(authMode(process.env), await headers());
}

/**
 * A viewer (local mode: the local viewer with both roles), or the response to send instead:
 * 401 without a session, 403 signed in without a seqscope role, 503 when sign-in refuses to serve.
 */
export async function requireViewer(): Promise<{ ok: true; viewer: Viewer } | { ok: false; response: Response }> {
  return require_("viewer");
}

/** Like requireViewer, and 403 for a viewer who is not an admin. */
export async function requireAdmin(): Promise<{ ok: true; viewer: Viewer } | { ok: false; response: Response }> {
  return require_("admin");
}

async function require_(role: "viewer" | "admin") {
  const access = await currentAccess();
  const refused = refusal(access, role);
  if (refused || access.kind !== "viewer") {
    return { ok: false as const, response: refused ?? Response.json({ error: "refused" }, { status: 403 }) };
  }
  return { ok: true as const, viewer: access.viewer };
}
