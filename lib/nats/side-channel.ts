// Core NATS (no JetStream) publish and subscribe on side subjects, such as the
// simulator's ground truth (`seqscope.truth.<execution_id>`): kept off the audit
// stream so it never shows up as an audit event.
import type { NatsConnection } from "@nats-io/nats-core";

export interface SideMessage {
  subject: string;
  data: Uint8Array;
}

/** Fire-and-forget publish; `flushSide` makes sure the server has it. */
export function publishSide(nc: NatsConnection, subject: string, data: Uint8Array | string): void {
  nc.publish(subject, data);
}

/** Resolves once the server has processed everything published so far on this connection. */
export function flushSide(nc: NatsConnection): Promise<void> {
  return nc.flush();
}

export interface SideSubscription extends AsyncIterable<SideMessage> {
  /** Resolves once the server registered the interest: publish after this to be sure it is seen. */
  ready: Promise<void>;
  stop(): void;
}

/** Subscribes to `subject` (wildcards allowed, e.g. `seqscope.truth.>`). */
export function subscribeSide(nc: NatsConnection, subject: string): SideSubscription {
  const sub = nc.subscribe(subject);
  return {
    ready: nc.flush(),
    stop: () => sub.unsubscribe(),
    async *[Symbol.asyncIterator]() {
      for await (const m of sub) yield { subject: m.subject, data: m.data };
    },
  };
}
