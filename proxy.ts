// The first gate: every request but the auth routes and the build's static
// assets is checked against the sign-in rule before anything renders. Pages get
// a redirect to sign-in (or to the 403 page), or the refusal (503); APIs, RSC payloads and
// server actions get a JSON 401/403/503. The layout and every route handler
// check again (lib/auth/session.ts): a matcher change must not open anything.
import { NextResponse, type NextRequest } from "next/server";
import { accessFor, hostName, LOOPBACK_ONLY, refusal } from "@/lib/auth/access";
import { authMode, isLoopbackHost } from "@/lib/auth/auth-mode";
import { FORBIDDEN_PATH, SIGN_IN_PATH } from "@/lib/auth/auth-paths";

/** Pages only an admin may open: the benchmark fixtures. */
const ADMIN_PATHS = ["/bench"];

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** A request for data rather than for a page a person looks at. */
function wantsData(request: NextRequest): boolean {
  const h = request.headers;
  return (
    request.nextUrl.pathname.startsWith("/api/") ||
    h.get("rsc") === "1" ||
    h.has("next-action") ||
    h.has("next-router-state-tree") ||
    request.nextUrl.searchParams.has("_rsc") ||
    request.method !== "GET"
  );
}

/** `path` on the same server as the request. */
function at(request: NextRequest, path: string): URL {
  const url = request.nextUrl.clone();
  url.pathname = path;
  url.search = "";
  return url;
}

function noStore(res: NextResponse): NextResponse {
  res.headers.set("cache-control", "no-store");
  return res;
}

export async function proxy(request: NextRequest): Promise<Response> {
  const mode = authMode(process.env);
  const path = request.nextUrl.pathname;
  if (mode.mode === "local") {
    // Loopback only. The address the server binds is what keeps others out; a page reached under another
    // name (a LAN address, or a DNS-rebinding site that resolves to 127.0.0.1) is refused as well.
    if (!isLoopbackHost(hostName(request.headers.get("host")))) {
      return new Response(`${LOOPBACK_ONLY}\n`, {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      });
    }
    return NextResponse.next();
  }
  const access = await accessFor(mode, request.headers);
  const role = ADMIN_PATHS.some((p) => isUnder(path, p)) ? "admin" : "viewer";
  const refused = refusal(access, role);
  if (!refused) return NextResponse.next();
  if (wantsData(request)) return refused;
  if (access.kind === "refused") {
    return new Response(
      `<!doctype html><title>seqscope</title><h1>seqscope serves nothing</h1><p>${escapeHtml(access.error)}</p>`,
      {
        status: 503,
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      },
    );
  }
  if (path === SIGN_IN_PATH && access.kind === "anonymous") return noStore(NextResponse.next());
  if (path === FORBIDDEN_PATH && access.kind !== "anonymous") return noStore(NextResponse.next());
  // To sign-in, or to the page that says why not (the layout renders the 403 panel for a user without a
  // role; /forbidden tells a viewer that a page is for admins). A redirect, not a rewrite: Next makes a
  // rewrite an outbound proxy when the request's URL names the host differently from the bound address.
  const to = at(request, access.kind === "anonymous" ? SIGN_IN_PATH : FORBIDDEN_PATH);
  if (access.kind === "anonymous") to.searchParams.set("callbackURL", `${path}${request.nextUrl.search}`);
  return noStore(NextResponse.redirect(to));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const config = {
  // Not the auth routes (sign-in must be reachable) nor the build's static chunks; everything else,
  // public files included.
  matcher: ["/((?!_next/static/|_next/image|favicon\\.ico$|api/auth/).*)"],
};
