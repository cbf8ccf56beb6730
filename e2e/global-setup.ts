// Starts the real parts for the browser tests: a nats-server (JetStream +
// WebSocket, free ports, temporary store) with the stream, and the built app
// (`next start`) pointed at it through the same env vars a user would set.
import { fileURLToPath } from "node:url";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream } from "../lib/nats/stream";
import { serveApp } from "../scripts/lib/next-server";

export const E2E_STREAM = "AUDIT_EVENTS";
export const E2E_SUBJECT = "auditEvent";

export default async function globalSetup() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const nats = await startNatsServer();
  const nc = await connectNode(nats.url);
  await ensureStream(nc, { stream: E2E_STREAM, subject: E2E_SUBJECT });
  await nc.close();

  const port = await freePort();
  const app = await serveApp(root, port, {
    SEQSCOPE_NATS_URL: nats.wsUrl,
    SEQSCOPE_STREAM: E2E_STREAM,
    SEQSCOPE_SUBJECT: E2E_SUBJECT,
  }).catch(async (e) => {
    await nats.stop();
    throw e;
  });

  process.env.SEQSCOPE_E2E_BASE_URL = app.url;
  process.env.SEQSCOPE_E2E_NATS_URL = nats.url;

  return async () => {
    await stopChild(app.child);
    await nats.stop();
  };
}
