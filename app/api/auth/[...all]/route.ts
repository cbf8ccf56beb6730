// Sign-in, the issuer's callback and sign-out (Better Auth), only while sign-in is on.
import { authFor } from "@/lib/auth/auth";
import { authMode } from "@/lib/auth/auth-mode";

async function handle(request: Request): Promise<Response> {
  const mode = authMode(process.env);
  if (mode.mode === "refused") return Response.json({ error: mode.error }, { status: 503 });
  if (mode.mode === "local") return Response.json({ error: "Sign-in is off (local only)." }, { status: 404 });
  return authFor(mode).handler(request);
}

export const GET = handle;
export const POST = handle;
