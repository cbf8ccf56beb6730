// The tab's flight recorder: a small, time-stamped log of what happened to its
// NATS connection and consumers, so an operator can see what happened and when
// (the header opens it). A ring buffer: a tab open for days keeps the newest.

export type ConnectionEventKind =
  | "connecting"
  | "connected"
  | "disconnect"
  | "reconnecting"
  | "reconnect"
  | "server_error"
  | "heartbeats_missed"
  | "consumer_created"
  | "consumer_not_found"
  | "consumer_deleted"
  | "consumer_recreated"
  | "stream_not_found"
  | "stream_recreated"
  | "stalled"
  | "caught_up"
  | "hole"
  | "hidden"
  | "visible"
  | "credential_failed"
  | "credential_renewed"
  | "error";

export interface ConnectionLogEntry {
  /** Wall-clock milliseconds (Date.now()). */
  at: number;
  kind: ConnectionEventKind;
  /** One line of detail in words ("resuming after stream seq 12 034"). */
  detail?: string;
  /** The same event came this many times in a row within REPEAT_WINDOW_MS (the client repeats some). */
  repeat?: number;
}

/** Identical events closer than this fold into one entry with a count. */
export const REPEAT_WINDOW_MS = 1_000;

export class ConnectionLog {
  private readonly ring: ConnectionLogEntry[] = [];
  private total = 0;

  constructor(
    readonly capacity = 500,
    private readonly now: () => number = Date.now,
  ) {}

  add(kind: ConnectionEventKind, detail?: string): ConnectionLogEntry {
    const last = this.ring.at(-1);
    const now = this.now();
    if (last && last.kind === kind && last.detail === detail && now - last.at <= REPEAT_WINDOW_MS) {
      // Replaced, not mutated: snapshots hold the previous arrays.
      const folded: ConnectionLogEntry = { ...last, repeat: (last.repeat ?? 1) + 1 };
      this.ring[this.ring.length - 1] = folded;
      this.total++;
      return folded;
    }
    const entry: ConnectionLogEntry = detail === undefined ? { at: now, kind } : { at: now, kind, detail };
    this.ring.push(entry);
    if (this.ring.length > this.capacity) this.ring.shift();
    this.total++;
    return entry;
  }

  /** Oldest first. */
  entries(): readonly ConnectionLogEntry[] {
    return this.ring.slice();
  }

  /** Entries ever added, including those the ring has dropped. */
  get count(): number {
    return this.total;
  }

  /** How many of each kind the ring still holds (for counters in the header and in tests). */
  countOf(kind: ConnectionEventKind): number {
    let n = 0;
    for (const e of this.ring) if (e.kind === kind) n++;
    return n;
  }
}
