// Who is asking, for route handlers and server components: the one check every
// server entry point makes (the proxy checks first; this is the defense in depth).
import "server-only";
import { authMode, type Role } from "./auth-mode";

export type { Role } from "./auth-mode";

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

export async function requireViewer(): Promise<{ ok: true; viewer: Viewer } | { ok: false; response: Response }> {
  const mode = authMode(process.env);
  if (mode.mode === "local") return { ok: true, viewer: LOCAL_VIEWER };
  if (mode.mode === "refused") return { ok: false, response: Response.json({ error: mode.error }, { status: 503 }) };
  // oidc: filled in with the auth library's session (in progress)
  return { ok: false, response: Response.json({ error: "Sign in first." }, { status: 401 }) };
}
