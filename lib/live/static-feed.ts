// A feed over a log that is already complete (the lab's simulated runs, a file):
// the same interface the views read the live NATS feed through.
import type { AuditLog } from "../audit";
import type { FeedSnapshot } from "./audit-feed";
import type { NatsConnection } from "../nats/browser-connection";

export interface FeedSource {
  subscribe(listener: () => void): () => void;
  getSnapshot(): FeedSnapshot;
  /** The NATS connection behind a live feed; absent for a finished log. */
  connection?(): NatsConnection | undefined;
}

export class StaticFeed implements FeedSource {
  private readonly snapshot: FeedSnapshot;
  constructor(log: AuditLog) {
    this.snapshot = { log, version: log.version, status: { phase: "live" }, received: log.size };
  }
  subscribe = (): (() => void) => () => undefined;
  getSnapshot = (): FeedSnapshot => this.snapshot;
}
