// Starts the real parts for the browser tests, as `npm start` runs them: a nats-server
// (JetStream + WebSocket, free ports, temporary store) in operator mode with the stream,
// and the built app (`next start`) pointed at it, minting each tab's NATS credential with
// the account's signing key. The specs publish as an admin user (e2e/nats-admin.ts).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { mintProcessCreds } from "../lib/nats/nats-auth";
import { ensureStream } from "../lib/nats/stream";
import { embeddedAuth } from "../scripts/lib/embedded-auth";
import { serveApp } from "../scripts/lib/next-server";
import { connectE2E } from "./nats-admin";

export const E2E_STREAM = "AUDIT_EVENTS";
export const E2E_SUBJECT = "auditEvent";
/** Jaeger's shape, with the span too; the host is never reached (e2e/trace-links.spec.ts answers it). */
export const E2E_TRACE_URL = "https://traces.example/trace/{trace_id}?uiFind={span_id}";

export default async function globalSetup() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "seqscope-e2e-"));
  const auth = await embeddedAuth(dir, E2E_STREAM, E2E_SUBJECT);
  const nats = await startNatsServer({ extraConfig: auth.serverConfig });
  const adminCreds = join(dir, "auth", "e2e-admin.creds");
  writeFileSync(
    adminCreds,
    await mintProcessCreds(auth.setup, "e2e-admin", { pub: { allow: [">"] }, sub: { allow: [">"] } }),
    { mode: 0o600 },
  );
  process.env.SEQSCOPE_E2E_NATS_URL = nats.url;
  process.env.SEQSCOPE_E2E_NATS_CREDS = adminCreds;
  const nc = await connectE2E();
  await ensureStream(nc, { stream: E2E_STREAM, subject: E2E_SUBJECT });
  await nc.close();

  const port = await freePort();
  const app = await serveApp(root, port, {
    SEQSCOPE_NATS_URL: nats.wsUrl,
    SEQSCOPE_STREAM: E2E_STREAM,
    SEQSCOPE_SUBJECT: E2E_SUBJECT,
    ...auth.appEnv,
    SEQSCOPE_LAB_NATS_URL: nats.url,
    SEQSCOPE_TRACE_URL: E2E_TRACE_URL,
  }).catch(async (e) => {
    await nats.stop();
    throw e;
  });
  process.env.SEQSCOPE_E2E_BASE_URL = app.url;

  return async () => {
    await stopChild(app.child);
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
