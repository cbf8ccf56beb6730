// Publishing audit lines to JetStream with publish acks (demo producers, tests).
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream } from "@nats-io/jetstream";

export interface PublishedAck {
  streamSeq: number;
  duplicate: boolean;
}

export class AuditPublisher {
  private readonly js;
  constructor(
    nc: NatsConnection,
    private readonly subject: string,
  ) {
    this.js = jetstream(nc);
  }

  /** Publishes one line and waits for the stream's ack. `msgID` enables server-side de-duplication. */
  async publish(line: Uint8Array | string, msgID?: string): Promise<PublishedAck> {
    const ack = await this.js.publish(this.subject, line, msgID ? { msgID } : undefined);
    return { streamSeq: ack.seq, duplicate: ack.duplicate };
  }
}
