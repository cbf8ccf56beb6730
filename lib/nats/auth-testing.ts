// For tests: a real nats-server in operator mode with the audit stream, an indexer-privileged
// connection over WebSocket (one process should not mix transports: see node-connection.ts),
// and the env the dashboard mints browser credentials from (the signing key in a file).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectBrowser, type NatsConnection } from "./browser-connection";
import {
  createOperatorSetup,
  indexerPermissions,
  mintProcessCreds,
  operatorServerConfig,
  type OperatorSetup,
} from "./nats-auth";
import { ensureStream } from "./stream";

export interface OperatorRig {
  setup: OperatorSetup;
  server: RunningNatsServer;
  /** The indexer's own user: it may make the index and publish the tests' events, never delete the stream. */
  admin: NatsConnection;
  /** SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY / _ACCOUNT, for grantFor. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startOperatorRig(stream: string, subject: string): Promise<OperatorRig> {
  const setup = await createOperatorSetup();
  const server = await startNatsServer({ extraConfig: operatorServerConfig(setup) });
  const dir = mkdtempSync(join(tmpdir(), "seqscope-operator-rig-"));
  try {
    const admin = await connectBrowser({ servers: [server.wsUrl] }, "indexer", {
      // Its publish ban is on another subject: the tests publish the audit events through it.
      creds: await mintProcessCreds(setup, "indexer", indexerPermissions(stream, `${subject}-not-published-here`)),
    });
    await ensureStream(admin, { stream, subject });
    const keyFile = join(dir, "signer.nk");
    writeFileSync(keyFile, setup.signerSeed, { mode: 0o600 });
    return {
      setup,
      server,
      admin,
      env: { SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY: keyFile, SEQSCOPE_NATS_ACCOUNT: setup.account },
      stop: async () => {
        await admin.close().catch(() => undefined);
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
