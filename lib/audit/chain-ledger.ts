// Hash-chain verification, incremental: the rules of findChainBreaksInColumns
// (chain.ts) applied to each row once, as it arrives, so a live batch costs in
// proportion to the batch. Each line is hashed once, ever (its SHA-256 kept as
// 8 words per row in the store).
//
// Rows are taken in ascending stream sequence. A batch that reaches back before
// rows already verified (a link opening an old stretch for the first time)
// marks the ledger dirty, and the next query re-verifies every held row — the
// only way the order-independent rules stay exact. A line whose predecessor
// comes later in the stream (a publisher retried it) waits for it: its break is
// withdrawn when the predecessor arrives.
//
// Evicted lines (memory budget) leave their digests behind in `gone`, so later
// lines still find their predecessors (a long-lived process chains across the
// executions it serves); `gone` keeps the newest `goneLines` (48 bytes each),
// and `lines` only the held ones, so neither grows with the stream.

import type { ChainBreak } from "./chain";
import { HASHED, HAS_PREV_HASH, MALFORMED, PREV_HASH_HEX } from "./columns";
import { DigestTable } from "./digest-table";
import type { RowStore } from "./row-store";

export class ChainLedger {
  private lines = new DigestTable();
  private readonly gone = new DigestTable();
  /** By the stream sequence of the breaking line. */
  private breaks = new Map<number, ChainBreak>();
  /** Breaks at evicted lines: kept as found, no longer re-verified. */
  private readonly goneBreaks = new Map<number, ChainBreak>();
  /** Last line (stream sequence) of each lane so far; NaN: none yet. */
  private lastOfLane: number[] = [];
  /** Lane → newest evicted line, so a lane's held lines still count as mid-chain after a rebuild. */
  private readonly goneLastOfLane: number[] = [];
  /** Lines whose predecessor was not read (yet), by the predecessor's digest. */
  private waiting = new Map<string, number[]>();
  /** Rows added since the last sync, in arrival order. */
  private pending: number[] = [];
  private highWater = -Infinity;
  private dirty = false;
  private _version = 0;
  /** Any line carries a prev_hash: until then nothing is hashed. */
  active = false;

  constructor(
    private readonly store: RowStore,
    private readonly laneName: (lane: number) => string,
    /** Every held row (events and malformed), ascending stream sequence. */
    private readonly heldRows: () => ArrayLike<number>,
    /** A break appeared or went away at this stream sequence. */
    private readonly changed: (streamSeq: number) => void,
    /** Digests of evicted lines kept at most (the newest). */
    private readonly goneLines = 2_000_000,
  ) {}

  /** Bumps whenever the set of breaks changes. */
  get version(): number {
    return this._version;
  }

  /** Bytes held, for the memory budget (digests in the store are counted there). */
  get bytes(): number {
    return this.lines.bytes + this.gone.bytes;
  }

  /** A new held row; `restored`: one evicted earlier and read again, verified already. */
  added(row: number, restored = false): void {
    if (this.dirty || restored) return;
    this.pending.push(row);
  }

  /** A held row is no longer held (an earlier identical copy replaced it): verify again from scratch. */
  removed(): void {
    this.dirty = true;
    this.pending = [];
  }

  /** Rows evicted: their digests stay findable, their breaks stay as found. */
  evicted(rows: ArrayLike<number>): void {
    this.sync();
    const s = this.store;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as number;
      const seq = s.streamSeq[row] as number;
      const b = this.breaks.get(seq);
      if (b !== undefined) {
        this.goneBreaks.set(seq, b);
        this.breaks.delete(seq);
      }
      if (((s.flags[row] as number) & HASHED) === 0) continue;
      const hi = s.digest[row * 8] as number;
      const lo = s.digest[row * 8 + 1] as number;
      this.gone.add(hi, lo, this.lines.lineOf(hi, lo), this.lines.followerOf(hi, lo));
      if (((s.flags[row] as number) & MALFORMED) === 0) {
        const l = s.identity[row] as number;
        if (!((this.goneLastOfLane[l] ?? -Infinity) >= seq)) this.goneLastOfLane[l] = seq;
      }
    }
    if (this.gone.size > this.goneLines) this.gone.keepFrom(this.gone.median());
    // `lines` holds the held lines only: what was evicted is in `gone` now (or let go with its oldest).
    // Deleted one by one, not by a pass over every held line, and the table shrinks once mostly empty.
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as number;
      if (((s.flags[row] as number) & HASHED) === 0) continue;
      this.lines.deleteLine(s.digest[row * 8] as number, s.digest[row * 8 + 1] as number, s.streamSeq[row] as number);
    }
    this.lines.shrinkIfSparse();
  }

  /** The breaks at one line (all() lists them), held or evicted; after sync(). Costs no pass over every break. */
  breaksAt(streamSeq: number, out: ChainBreak[]): void {
    const held = this.breaks.get(streamSeq);
    if (held !== undefined) out.push(held);
    const gone = this.goneBreaks.get(streamSeq);
    if (gone !== undefined) out.push(gone);
  }

  /** Every break, ascending stream sequence of the breaking line. */
  all(): ChainBreak[] {
    this.sync();
    const out = [...this.breaks.values(), ...this.goneBreaks.values()];
    return out.sort((a, b) => a.at - b.at);
  }

  /**
   * Stream sequence of the line (held or evicted) this row's prev_hash names: 0 for genesis, NaN when no line
   * read has that hash or the row has no hex prev_hash. After sync(); the process ledger follows chains by it.
   */
  predecessorOf(row: number): number {
    const s = this.store;
    if (!this.active || ((s.flags[row] as number) & (MALFORMED | PREV_HASH_HEX)) !== PREV_HASH_HEX) return NaN;
    let genesis = true;
    for (let w = 0; w < 8 && genesis; w++) genesis = s.prevHash[row * 8 + w] === 0;
    if (genesis) return 0;
    const phi = s.prevHash[row * 8] as number;
    const plo = s.prevHash[row * 8 + 1] as number;
    const pred = this.lines.lineOf(phi, plo);
    return pred === pred ? pred : this.gone.lineOf(phi, plo);
  }

  /** Verifies whatever arrived since the last call. */
  sync(): void {
    if (!this.active) {
      this.pending = [];
      return;
    }
    if (!this.dirty && this.pending.length > 0) {
      const s = this.store.streamSeq;
      const rows = this.pending;
      this.pending = [];
      rows.sort((a, b) => (s[a] as number) - (s[b] as number));
      if ((s[rows[0] as number] as number) <= this.highWater) this.dirty = true;
      else for (const row of rows) this.verify(row);
    }
    if (this.dirty) this.rebuild();
  }

  private rebuild(): void {
    this.dirty = false;
    this.pending = [];
    this.lines = new DigestTable();
    this.waiting = new Map();
    this.lastOfLane = [];
    this.highWater = -Infinity;
    const old = this.breaks;
    this.breaks = new Map();
    const rows = this.heldRows();
    for (let i = 0; i < rows.length; i++) this.verify(rows[i] as number);
    for (const seq of this.breaks.keys()) this.goneBreaks.delete(seq);
    for (const seq of old.keys()) if (!this.breaks.has(seq)) this.changed(seq);
    for (const [seq, b] of this.breaks) if (old.get(seq)?.message !== b.message) this.changed(seq);
    this._version++;
  }

  private digestOf(row: number): void {
    const s = this.store;
    if (((s.flags[row] as number) & HASHED) !== 0) return;
    s.setDigest(row);
  }

  private addBreak(b: ChainBreak): void {
    this.breaks.set(b.at, b);
    this._version++;
    this.changed(b.at);
  }

  private dropBreak(at: number): void {
    if (this.breaks.delete(at) || this.goneBreaks.delete(at)) {
      this._version++;
      this.changed(at);
    }
  }

  /** Follows `seq` on from the line `pred`: its first follower, or a fork. */
  private follow(table: DigestTable, hi: number, lo: number, pred: number, seq: number): void {
    let other = table.followerOf(hi, lo);
    if (other === seq) return; // verified before (it was evicted and came back)
    if (other !== other) {
      table.setFollower(hi, lo, seq);
      return;
    }
    if (other > seq) {
      // Re-verifying after an older line arrived late: the earlier follower is the first.
      table.setFollower(hi, lo, seq);
      [other, seq] = [seq, other];
    }
    this.addBreak({
      at: seq,
      streamSeqs: [pred, other, seq].sort((a, b) => a - b),
      message: `stream seqs ${other} and ${seq} both follow stream seq ${pred} (forked chain)`,
    });
  }

  /** One row, in ascending stream sequence after every row verified so far. */
  private verify(row: number): void {
    const s = this.store;
    this.digestOf(row);
    const seq = s.streamSeq[row] as number;
    this.highWater = seq;
    const hi = s.digest[row * 8] as number;
    const lo = s.digest[row * 8 + 1] as number;
    if (this.lines.lineOf(hi, lo) !== this.lines.lineOf(hi, lo)) {
      this.lines.add(hi, lo, seq);
      // Lines that came before their predecessor now have it.
      const key = `${hi}:${lo}`;
      const early = this.waiting.get(key);
      if (early !== undefined) {
        this.waiting.delete(key);
        for (const w of early) {
          this.dropBreak(w);
          this.follow(this.lines, hi, lo, seq, w);
        }
      }
    }
    const f = s.flags[row] as number;
    if ((f & MALFORMED) !== 0) return;
    const lane = s.identity[row] as number;
    // The newest evicted line of the lane counts only when it came before this one.
    const gone = this.goneLastOfLane[lane] ?? NaN;
    const previousInLane = this.lastOfLane[lane] ?? (gone < seq ? gone : NaN);
    this.lastOfLane[lane] = seq;
    if ((f & HAS_PREV_HASH) === 0) return;
    if ((f & PREV_HASH_HEX) !== 0) {
      let genesis = true;
      for (let w = 0; w < 8 && genesis; w++) genesis = s.prevHash[row * 8 + w] === 0;
      if (genesis) return;
      const phi = s.prevHash[row * 8] as number;
      const plo = s.prevHash[row * 8 + 1] as number;
      const pred = this.lines.lineOf(phi, plo);
      if (pred === pred) return this.follow(this.lines, phi, plo, pred, seq);
      const gonePred = this.gone.lineOf(phi, plo);
      if (gonePred === gonePred) return this.follow(this.gone, phi, plo, gonePred, seq);
      const key = `${phi}:${plo}`;
      const list = this.waiting.get(key);
      if (list === undefined) this.waiting.set(key, [seq]);
      else list.push(seq);
    }
    if (previousInLane !== previousInLane) return; // chain began before our first message
    this.addBreak({
      at: seq,
      streamSeqs: [previousInLane, seq],
      message: `prev_hash of stream seq ${seq} matches no line read: a line was lost or altered (lane ${this.laneName(lane)})`,
    });
  }
}
