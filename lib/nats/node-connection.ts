// Node-side connections (scripts, tests). The browser uses browser-connection.ts.
// nats-core keeps one transport factory per process and each connect sets it: do not
// mix these with WebSocket connections in one process when reconnects matter (the
// one made first would reconnect through the other's transport and never succeed).
import { connect } from "@nats-io/transport-node";
import { credsAuthenticator, type NatsConnection } from "@nats-io/nats-core";

export type { NatsConnection };

export interface NodeAuth {
  user?: string;
  pass?: string;
  token?: string;
  /** Contents of a .creds file (JWT + NKEY seed). */
  creds?: string;
}

export function connectNode(
  servers: string | string[],
  name = "seqscope",
  { creds, ...auth }: NodeAuth = {},
): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    ...auth,
    ...(creds ? { authenticator: credsAuthenticator(new TextEncoder().encode(creds)) } : {}),
  });
}
