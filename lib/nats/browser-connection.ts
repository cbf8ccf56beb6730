// The browser's connection: NATS over WebSocket with @nats-io/nats-core's
// wsconnect (the maintained successor of the nats.ws package).
import { credsAuthenticator, wsconnect, type ConnectionOptions, type NatsConnection } from "@nats-io/nats-core";
import type { BrowserNatsConfig } from "../config/runtime-config";

export type { NatsConnection };

export function connectBrowser(cfg: BrowserNatsConfig, name = "seqscope-browser"): Promise<NatsConnection> {
  const opts: ConnectionOptions = {
    servers: cfg.servers,
    name,
    // Operators leave the dashboard open for days: never give up reconnecting.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  };
  if (cfg.user) opts.user = cfg.user;
  if (cfg.pass) opts.pass = cfg.pass;
  if (cfg.token) opts.token = cfg.token;
  if (cfg.creds) opts.authenticator = credsAuthenticator(new TextEncoder().encode(cfg.creds));
  return wsconnect(opts);
}
