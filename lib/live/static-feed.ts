// A feed over a log that is already complete (the lab's simulated runs, a file):
// the same interface the views read the live NATS feed through.
import type { AuditLog } from "../audit";
import type { FeedSnapshot } from "./audit-feed";
import type { StreamStats } from "../nats/stream";
import type { IndexQuery } from "../index/index-query";

// What a view reads about the stream and the reader, as plain data: views import it
// from here, never from lib/nats.
export type { ReaderPhase, ReaderStatus } from "../nats/audit-reader";
export type { StreamStats };

/** Where a finished log came from, for the header and the exports. */
export type FeedOrigin =
  | { kind: "lab" }
  | {
      kind: "file";
      name: string;
      bytes: number;
      /** Lines read; each is an event, a duplicate or a malformed record. */
      lines: number;
      /** Lines that are not events. */
      malformed: number;
    };

export interface FeedSource {
  subscribe(listener: () => void): () => void;
  getSnapshot(): FeedSnapshot;
  /** What the live feed's stream holds on the server now (undefined while not connected); absent for a finished log. */
  streamStats?(): Promise<StreamStats | undefined>;
  /** What a finished log was read from; absent for the live feed. */
  origin?(): FeedOrigin | undefined;
  /**
   * The list is shown: follow the summaries of the stream's index that answer `query` while the feed runs.
   * Only then (and at most SEQSCOPE_INDEX_LIST of them): reading summaries on the one connection delays a link's read.
   */
  followIndex?(query?: IndexQuery): void;
}

export class StaticFeed implements FeedSource {
  private readonly snapshot: FeedSnapshot;
  constructor(
    log: AuditLog,
    private readonly from?: FeedOrigin,
  ) {
    this.snapshot = {
      log,
      version: log.version,
      status: { phase: "live" },
      received: log.size,
      holes: [],
      epoch: 0,
      connectionLog: [],
      index: "absent",
    };
  }
  subscribe = (): (() => void) => () => undefined;
  getSnapshot = (): FeedSnapshot => this.snapshot;
  origin = (): FeedOrigin | undefined => this.from;
}
