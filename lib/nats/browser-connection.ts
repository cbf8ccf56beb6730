// The browser's connection: NATS over WebSocket with @nats-io/nats-core's
// wsconnect (the maintained successor of the nats.ws package). Node processes of
// ours that speak WebSocket (the indexer) use it too, with their own credentials.
import { credsAuthenticator, wsconnect, type ConnectionOptions, type NatsConnection } from "@nats-io/nats-core";
import type { BrowserNatsConfig } from "../config/runtime-config";

export type { NatsConnection };

export interface ConnectionAuth {
  user?: string;
  pass?: string;
  token?: string;
  /** Contents of a .creds file (JWT + NKEY seed): server-side processes only, never a browser. */
  creds?: string;
  /** The current bearer JWT, asked at every (re)connect: a lease renews it behind this function. */
  jwt?: () => string;
  /** The connection's own inbox prefix (a minted credential may subscribe to nothing else). */
  inboxPrefix?: string;
}

/** The tab's connections, by the names the server lists them under: the page's, and its reader worker's. */
export const PAGE_CONNECTION_NAME = "seqscope-browser";
export const READER_CONNECTION_NAME = "seqscope-browser-reader";

export function connectBrowser(
  cfg: Pick<BrowserNatsConfig, "servers"> & Partial<BrowserNatsConfig>,
  name = PAGE_CONNECTION_NAME,
  auth: ConnectionAuth = {},
): Promise<NatsConnection> {
  const opts: ConnectionOptions = {
    servers: cfg.servers,
    name,
    // Operators leave the dashboard open for days: never give up reconnecting.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  };
  if (auth.user) opts.user = auth.user;
  if (auth.pass) opts.pass = auth.pass;
  if (auth.token) opts.token = auth.token;
  if (auth.creds) opts.authenticator = credsAuthenticator(new TextEncoder().encode(auth.creds));
  if (auth.inboxPrefix) opts.inboxPrefix = auth.inboxPrefix;
  if (auth.jwt) {
    const jwt = auth.jwt;
    opts.authenticator = () => ({ jwt: jwt() });
    // An expired credential is renewed behind `jwt`: an auth error is a reason to retry, not to close for good.
    opts.ignoreAuthErrorAbort = true;
  }
  return wsconnect(opts);
}
