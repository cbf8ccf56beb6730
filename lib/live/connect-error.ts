// What a failed connect means for the person at the tab, and what to do: one
// wording for the page's connection and the reader's (in its worker).
import { CredentialError } from "./credential-lease";

export function describeConnectError(e: unknown, servers: readonly string[], waitMs: number): string {
  const msg = e instanceof Error ? e.message : String(e);
  const retry = `Retrying in ${Math.round(waitMs / 1000)} s.`;
  if (e instanceof CredentialError) return `No NATS credential for this tab: ${msg}. ${retry}`;
  if (/auth|authorization|permission/i.test(msg)) {
    return `NATS at ${servers.join(", ")} refused this tab's credential (${msg}). The dashboard hands tabs the credential its server's SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY mints, or SEQSCOPE_BROWSER_NATS_USER / _TOKEN: check those. ${retry}`;
  }
  return `Cannot reach NATS at ${servers.join(", ")} (${msg || "connection refused"}). Is the server running with WebSocket enabled? \`npm start\` runs one for you; for your own cluster set SEQSCOPE_NATS_URL. ${retry}`;
}
