// The indexer's per-process ledger: every message of the stream goes through
// an AuditLog of its own (memory-bounded: finished executions are let go, the
// chain digests and the ledger's counts stay), and the ledger it makes is
// written to the index's KV (lib/index/process-entry.ts), only the entries
// that changed, at most once per interval. Chains run across the whole
// stream, so on taking the lease the ledger first reads the stream from its
// first message up to where it stands; after that it is fed each committed
// batch. A crash loses nothing: the next holder reads it all again.
import type { KV } from "@nats-io/kv";
import { AuditLog } from "../audit/audit-log";
import type { RawMessage } from "../audit/types";
import { LEDGER_KEY, PROCESSES_FILTER, processEntries } from "../index/process-entry";
import type { NatsConnection } from "./browser-connection";
import { readStreamRange } from "./range-reader";

export interface ProcessIndexOptions {
  /** Bytes the ledger's log may hold (default 128 MiB). */
  budgetBytes?: number;
  /** Least time between two writes of the ledger (default 2 s). */
  flushEveryMs?: number;
}

export class ProcessIndex {
  private readonly log: AuditLog;
  /** What was last written, by key. */
  private readonly written = new Map<string, string>();
  /** Highest stream sequence fed: a batch replayed after a reconnect is not counted again. */
  private newest = 0;
  private lastFlush = -Infinity;
  readonly flushEveryMs: number;
  entriesWritten = 0;

  constructor(
    private readonly kv: KV,
    opts: ProcessIndexOptions = {},
  ) {
    this.log = new AuditLog({ budgetBytes: opts.budgetBytes ?? 128 * 2 ** 20 });
    this.flushEveryMs = opts.flushEveryMs ?? 2_000;
  }

  /** While set, the stream behind the consumer is being read: batches wait, and nothing is written. */
  private pending: RawMessage[][] | undefined;
  /** The read behind failed: nothing is written until the next holder reads it all again. */
  private failed = false;

  /**
   * Reads the stream from its first message to `upTo` (and learns what the KV holds already). Indexing goes
   * on meanwhile: the batches it feeds wait until the read is done, so the ledger is never written partial.
   */
  async catchUp(nc: NatsConnection, stream: string, upTo: number, signal: AbortSignal): Promise<void> {
    this.pending = [];
    try {
      await this.readBehind(nc, stream, upTo, signal);
    } catch (e) {
      this.failed = true; // a ledger with a stretch missing would report breaks that are not there
      throw e;
    } finally {
      const waiting = this.pending;
      this.pending = undefined;
      for (const b of waiting) this.add(b);
    }
  }

  private async readBehind(nc: NatsConnection, stream: string, upTo: number, signal: AbortSignal): Promise<void> {
    for (const [k, v] of await readLedgerKeys(this.kv)) this.written.set(k, v);
    if (upTo < 1) return;
    let batch: RawMessage[] = [];
    await readStreamRange(nc, {
      stream,
      startSeq: 1,
      endSeq: upTo,
      signal,
      onMessage: (m) => {
        batch.push(m);
        if (batch.length >= 5_000) {
          this.feed(batch);
          batch = [];
        }
      },
    });
    this.feed(batch);
  }

  /** Messages indexed (in stream order within the batch); ones at or below what was fed before are skipped. */
  add(msgs: readonly RawMessage[]): void {
    if (this.pending !== undefined) this.pending.push([...msgs]);
    else this.feed(msgs);
  }

  private feed(msgs: readonly RawMessage[]): void {
    const fresh = msgs.filter((m) => m.streamSeq > this.newest);
    if (fresh.length === 0) return;
    this.log.add(fresh);
    for (const m of fresh) if (m.streamSeq > this.newest) this.newest = m.streamSeq;
  }

  /** Writes the entries that changed since the last write (all of them with `force`, or once the interval passed). */
  async flush(force = false): Promise<void> {
    const now = Date.now();
    if (this.pending !== undefined || this.failed) return;
    if (!force && now - this.lastFlush < this.flushEveryMs) return;
    this.lastFlush = now;
    const next = processEntries(this.log.processLedger());
    const put = async (k: string, v: string) => {
      if (this.written.get(k) === v) return;
      await this.kv.put(k, v);
      this.written.set(k, v);
      this.entriesWritten++;
    };
    for (const [k, v] of next) if (k !== LEDGER_KEY) await put(k, v);
    // A process the ledger no longer names (its lines now continue another's chain) goes.
    for (const k of [...this.written.keys()]) {
      if (next.has(k)) continue;
      await this.kv.delete(k);
      this.written.delete(k);
    }
    // The range last: a reader that sees it sees every process as of that range.
    const head = next.get(LEDGER_KEY);
    if (head !== undefined) await put(LEDGER_KEY, head);
  }
}

/** The ledger's entries as stored, by key. One filter per listing: a list of filters needs nats-server 2.10. */
export async function readLedgerKeys(kv: KV): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const filter of [PROCESSES_FILTER, LEDGER_KEY]) {
    for await (const k of await kv.keys(filter)) {
      const e = await kv.get(k);
      if (e?.operation === "PUT") out.set(k, e.string());
    }
  }
  return out;
}
