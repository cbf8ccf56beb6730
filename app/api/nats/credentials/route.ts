// A tab's NATS credential, made for its session on each call: minted and expiring
// in operator mode (the tab renews it), else the deployment's dedicated browser user.
// Never the server's own credential (lib/config/runtime-config.ts browserCredentialPolicy).
import { requireViewer } from "@/lib/auth/session";
import { ConfigError, browserNatsConfig } from "@/lib/config/runtime-config";
import { grantFor } from "@/lib/nats/browser-grant";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "no-store, private" };

export async function GET(): Promise<Response> {
  const who = await requireViewer();
  if (!who.ok) return who.response;
  try {
    const { stream } = browserNatsConfig(process.env);
    return Response.json(await grantFor(process.env, { viewer: who.viewer, stream }), { headers: NO_STORE });
  } catch (e) {
    if (e instanceof ConfigError) return Response.json({ error: e.message }, { status: 500, headers: NO_STORE });
    throw e;
  }
}
