// Node-side connections (scripts, tests). The browser uses browser-connection.ts.
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";

export type { NatsConnection };

export interface NodeAuth {
  user?: string;
  pass?: string;
  token?: string;
}

export function connectNode(
  servers: string | string[],
  name = "seqscope",
  auth: NodeAuth = {},
): Promise<NatsConnection> {
  return connect({ servers, name, maxReconnectAttempts: -1, ...auth });
}
