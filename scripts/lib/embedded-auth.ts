// `npm start`'s embedded nats-server runs in operator mode, with nothing to configure:
// on first start the trust chain (operator, system account, the audit account and a
// signing key of it) is generated into <data folder>/auth (owner-only files), and on
// every start each process of ours gets its own least-privilege user — the demo
// producers may publish audit events, the indexer may keep its index but not touch the
// audit stream, and browsers get what the dashboard mints per session from the signing key.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createOperatorSetup,
  indexerPermissions,
  labCreds,
  mintProcessCreds,
  operatorServerConfig,
  producerPermissions,
  withLabAccount,
  type OperatorSetup,
} from "../../lib/nats/nats-auth";

export interface EmbeddedAuth {
  /** nats-server config lines (operator, resolver, preloaded accounts). */
  serverConfig: string;
  /** The demo producers' `.creds` text. */
  producerCreds: string;
  /** Env of the dashboard (mints browser credentials) and of the indexer (its own user). */
  appEnv: Record<string, string>;
  indexerEnv: Record<string, string>;
  /** True when this start generated the trust chain. */
  created: boolean;
  /** The trust chain itself (tests mint more users with it). */
  setup: OperatorSetup;
}

/** The demo producers' user, as a file: what `npm run sim` publishes with to the embedded server. */
export function producerCredsPath(dataDir: string): string {
  return join(dataDir, "auth", "producer.creds");
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export async function embeddedAuth(dataDir: string, stream: string, subject: string): Promise<EmbeddedAuth> {
  const dir = join(dataDir, "auth");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const setupPath = join(dir, "operator.json");
  let setup: OperatorSetup;
  let created = false;
  if (existsSync(setupPath)) {
    const read = JSON.parse(readFileSync(setupPath, "utf8")) as OperatorSetup;
    if (read.version !== 1) throw new Error(`${setupPath} is of an unknown version; move it away to make a new one`);
    // Made before the lab had an account of its own: add it.
    setup = await withLabAccount(read);
    if (setup !== read) writePrivate(setupPath, JSON.stringify(setup, null, 2));
  } else {
    setup = await createOperatorSetup();
    writePrivate(setupPath, JSON.stringify(setup, null, 2));
    created = true;
  }
  const signerPath = join(dir, "browser-signer.nk");
  writePrivate(signerPath, setup.signerSeed);
  const indexerCredsPath = join(dir, "indexer.creds");
  writePrivate(
    indexerCredsPath,
    await mintProcessCreds(setup, "seqscope-indexer", indexerPermissions(stream, subject)),
  );
  const labCredsPath = join(dir, "lab.creds");
  writePrivate(labCredsPath, await labCreds(setup));
  const producerCreds = await mintProcessCreds(setup, "seqscope-demo", producerPermissions(stream, subject));
  // For `npm run sim` against the embedded server (its default --creds).
  writePrivate(producerCredsPath(dataDir), producerCreds);
  return {
    serverConfig: operatorServerConfig(setup),
    producerCreds,
    appEnv: {
      SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY: signerPath,
      SEQSCOPE_NATS_ACCOUNT: setup.account,
      // The lab's round trip, in the lab account (SEQSCOPE_LAB_NATS_URL: the server's client URL, set by the caller).
      SEQSCOPE_LAB_NATS_CREDS: labCredsPath,
    },
    indexerEnv: { SEQSCOPE_NATS_CREDS: indexerCredsPath },
    created,
    setup,
  };
}
