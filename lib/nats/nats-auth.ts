// NATS decentralized auth (operator → account → user JWTs, @nats-io/jwt and @nats-io/nkeys):
// the embedded server's trust chain, the least-privilege users of its own processes, and the
// short-lived bearer credentials the dashboard server mints for each browser session.
// Server-side only: it handles seeds (private keys), which never reach a browser.
import {
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type ConnectionType,
  type Permissions,
} from "@nats-io/jwt";
import { createAccount, createOperator, createUser, fromPublic, fromSeed } from "@nats-io/nkeys";
import type { ReaderPermissions } from "../config/reader-permissions";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Everything an operator-mode server and the minting dashboard need; kept in the data folder (mode 0600). */
export interface OperatorSetup {
  version: 1;
  operatorSeed: string;
  operatorJwt: string;
  systemAccount: string;
  systemJwt: string;
  /** The account holding the audit stream and its index. */
  account: string;
  accountSeed: string;
  accountJwt: string;
  /** A signing key of that account: what users are minted with (the account's identity key stays in reserve). */
  signerSeed: string;
  /**
   * A scratch account of its own for the decision lab's round trip (the dashboard server publishes simulated
   * runs there): nothing in it can touch the audit account's streams. Absent in setups made before it existed.
   */
  lab?: { account: string; seed: string; jwt: string };
}

/** No limits of its own (the library does not merge these with its defaults: say every one), JetStream on. */
const UNLIMITED = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

/** `s` with its lab account (made and signed with the operator's key when missing). */
export async function withLabAccount(s: OperatorSetup): Promise<OperatorSetup> {
  if (s.lab !== undefined) return s;
  const lab = createAccount();
  const jwt = await encodeAccount("LAB", lab, { limits: UNLIMITED }, { signer: fromSeed(enc(s.operatorSeed)) });
  return { ...s, lab: { account: lab.getPublicKey(), seed: dec(lab.getSeed()), jwt } };
}

/** A `.creds` file for the lab account's one user: anything within that account, nothing outside it. */
export async function labCreds(s: OperatorSetup): Promise<string> {
  if (s.lab === undefined) throw new Error("this operator setup has no lab account (withLabAccount makes one)");
  const user = createUser();
  const jwt = await encodeUser("seqscope-lab", user, fromSeed(enc(s.lab.seed)), {
    pub: { allow: [">"] },
    sub: { allow: [">"] },
  });
  return dec(fmtCreds(jwt, user));
}

export async function createOperatorSetup(name = "seqscope"): Promise<OperatorSetup> {
  const op = createOperator();
  const sys = createAccount();
  const acc = createAccount();
  const signer = createAccount();
  const operatorJwt = await encodeOperator(name, op, { system_account: sys.getPublicKey() });
  const systemJwt = await encodeAccount("SYS", sys, {}, { signer: op });
  const accountJwt = await encodeAccount(
    "AUDIT",
    acc,
    {
      signing_keys: [signer.getPublicKey()],
      limits: UNLIMITED,
    },
    { signer: op },
  );
  return withLabAccount({
    version: 1,
    operatorSeed: dec(op.getSeed()),
    operatorJwt,
    systemAccount: sys.getPublicKey(),
    systemJwt,
    account: acc.getPublicKey(),
    accountSeed: dec(acc.getSeed()),
    accountJwt,
    signerSeed: dec(signer.getSeed()),
  });
}

/** The nats-server config lines of operator mode with a memory resolver preloaded with every account. */
export function operatorServerConfig(s: OperatorSetup): string {
  const accounts: [string, string][] = [
    [s.systemAccount, s.systemJwt],
    [s.account, s.accountJwt],
    ...(s.lab ? ([[s.lab.account, s.lab.jwt]] as [string, string][]) : []),
  ];
  return [
    `operator: ${JSON.stringify(s.operatorJwt)}`,
    `system_account: ${s.systemAccount}`,
    "resolver: MEMORY",
    `resolver_preload: { ${accounts.map(([k, jwt]) => `${k}: ${JSON.stringify(jwt)}`).join(", ")} }`,
  ].join("\n");
}

/** A signing key seed as given (an account seed, `SA…`); throws with a reason otherwise. */
export function signerPublicKey(signerSeed: string): string {
  const seed = signerSeed.trim();
  if (!seed.startsWith("SA")) throw new Error("an account signing key seed starts with SA");
  return fromSeed(enc(seed)).getPublicKey();
}

/** True when `key` is an account public key (`A…`, 56 characters, valid checksum). */
export function isAccountPublicKey(key: string): boolean {
  try {
    return key.startsWith("A") && fromPublic(key).getPublicKey() === key;
  } catch {
    return false;
  }
}

export interface MintOptions {
  /** Seed of a signing key of `account` (or of the account itself). */
  signerSeed: string;
  account: string;
  /** Shown in the server's connection list (`connz`): who the credential was minted for. */
  name: string;
  permissions: ReaderPermissions;
  ttlSec: number;
  nowMs?: number;
}

/**
 * A bearer user JWT: the server accepts it without a signed nonce, so no seed exists outside this
 * function (the user key is thrown away). WebSocket connections only, `permissions` only, expiring.
 */
export async function mintBrowserJwt(o: MintOptions): Promise<{ jwt: string; expiresAtMs: number }> {
  const exp = Math.floor((o.nowMs ?? Date.now()) / 1000) + Math.max(1, Math.round(o.ttlSec));
  const jwt = await encodeUser(
    o.name,
    createUser().getPublicKey(),
    o.account,
    {
      pub: o.permissions.pub,
      sub: o.permissions.sub,
      bearer_token: true,
      allowed_connection_types: ["WEBSOCKET"] satisfies ConnectionType[],
    },
    { signer: fromSeed(enc(o.signerSeed.trim())), exp },
  );
  return { jwt, expiresAtMs: exp * 1000 };
}

/** A `.creds` file (JWT + seed) for a process of our own: no expiry, `permissions` only. */
export async function mintProcessCreds(
  s: OperatorSetup,
  name: string,
  permissions: Permissions,
  connectionTypes: ConnectionType[] = [],
): Promise<string> {
  const user = createUser();
  const jwt = await encodeUser(
    name,
    user,
    s.account,
    { ...permissions, allowed_connection_types: connectionTypes },
    { signer: fromSeed(enc(s.signerSeed)) },
  );
  return dec(fmtCreds(jwt, user));
}

/** The demo producers: publish audit events and ground truth, create and inspect the audit stream. */
export function producerPermissions(stream: string, subject: string): Permissions {
  return {
    pub: {
      allow: [
        subject,
        "seqscope.truth.>",
        "$JS.API.INFO",
        `$JS.API.STREAM.INFO.${stream}`,
        `$JS.API.STREAM.CREATE.${stream}`,
      ],
    },
    sub: { allow: ["_INBOX.>"] },
  };
}

/**
 * The indexer: everything in the account it needs to keep its own streams, buckets and consumer,
 * but never publishing an audit event nor changing, purging or deleting the audit stream.
 */
export function indexerPermissions(stream: string, subject: string): Permissions {
  return {
    pub: {
      allow: [">"],
      deny: [
        subject,
        `$JS.API.STREAM.DELETE.${stream}`,
        `$JS.API.STREAM.UPDATE.${stream}`,
        `$JS.API.STREAM.PURGE.${stream}`,
        `$JS.API.STREAM.MSG.DELETE.${stream}`,
      ],
    },
    sub: { allow: [">"] },
  };
}
