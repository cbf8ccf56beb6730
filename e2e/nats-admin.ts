// The specs' own NATS connection to the global setup's operator-mode server: an admin
// user (publish events, make streams), not what a tab gets.
import { readFileSync } from "node:fs";
import { connectNode, type NatsConnection } from "../lib/nats/node-connection";

export function connectE2E(name = "seqscope-e2e"): Promise<NatsConnection> {
  const url = process.env.SEQSCOPE_E2E_NATS_URL;
  const credsPath = process.env.SEQSCOPE_E2E_NATS_CREDS;
  if (!url || !credsPath) throw new Error("the e2e global setup did not run (SEQSCOPE_E2E_NATS_URL / _CREDS unset)");
  return connectNode(url, name, { creds: readFileSync(credsPath, "utf8") });
}
