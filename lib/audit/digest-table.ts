// Line digests by their first 64 bits, in typed arrays (24 bytes a slot, no
// object per line): the stream sequence of the first line with that digest and
// of its first follower in a hash chain. 64 bits make an accidental match about
// as likely as a SHA-256 collision is for our purposes (2^-64 per pair).

export class DigestTable {
  // Small at first: a log per execution (the indexer holds thousands) has several; they double as they fill.
  private hi!: Int32Array;
  private lo!: Int32Array;
  private line!: Float64Array;
  private follower!: Float64Array;
  private count = 0;

  constructor() {
    this.alloc(16);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held, for the memory budget. */
  get bytes(): number {
    return this.hi.length * 24;
  }

  /** Slot of the digest, or the empty slot where it would go. */
  private slot(hi: number, lo: number): number {
    const mask = this.hi.length - 1;
    for (let i = homeSlot(hi, lo, mask); ; i = (i + 1) & mask) {
      const s = this.line[i] as number;
      if (s !== s || (this.hi[i] === hi && this.lo[i] === lo)) return i;
    }
  }

  /** Stream sequence of the first line with this digest, or NaN. */
  lineOf(hi: number, lo: number): number {
    return this.line[this.slot(hi, lo)] as number;
  }

  followerOf(hi: number, lo: number): number {
    return this.follower[this.slot(hi, lo)] as number;
  }

  setFollower(hi: number, lo: number, seq: number): void {
    const i = this.slot(hi, lo);
    if (this.line[i] === this.line[i]) this.follower[i] = seq;
  }

  /** Records a line; an existing entry keeps the lower stream sequence. */
  add(hi: number, lo: number, seq: number, follower = NaN): void {
    let i = this.slot(hi, lo);
    const old = this.line[i] as number;
    if (old === old) {
      if (seq < old) this.line[i] = seq;
      if (follower === follower && !((this.follower[i] as number) <= follower)) this.follower[i] = follower;
      return;
    }
    if ((this.count + 1) * 2 > this.hi.length) {
      this.resize(this.hi.length * 2);
      i = this.slot(hi, lo);
    }
    this.count++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.line[i] = seq;
    this.follower[i] = follower;
  }

  /**
   * Removes the entry of this digest if its line is `seq` (a line let go). Backward-shift deletion: the
   * entries after it in its probe run move up, so lookups stay exact with no tombstones.
   */
  deleteLine(hi: number, lo: number, seq: number): void {
    let i = this.slot(hi, lo);
    if (this.line[i] !== seq) return;
    const mask = this.hi.length - 1;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const s = this.line[j] as number;
      if (s !== s) break;
      const home = homeSlot(this.hi[j] as number, this.lo[j] as number, mask);
      // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
      this.hi[i] = this.hi[j] as number;
      this.lo[i] = this.lo[j] as number;
      this.line[i] = s;
      this.follower[i] = this.follower[j] as number;
      i = j;
    }
    this.line[i] = NaN;
    this.follower[i] = NaN;
    this.count--;
  }

  /** Every entry, for moving between tables. */
  forEach(f: (hi: number, lo: number, line: number, follower: number) => void): void {
    for (let i = 0; i < this.hi.length; i++) {
      const s = this.line[i] as number;
      if (s === s) f(this.hi[i] as number, this.lo[i] as number, s, this.follower[i] as number);
    }
  }

  /** Keeps only lines at or after stream sequence `from` (the oldest are let go first). */
  keepFrom(from: number): void {
    this.keepWhere((line) => line >= from);
  }

  /** Keeps only the lines `keep` says yes to, in a table sized for them (memory is given back). */
  keepWhere(keep: (line: number) => boolean): void {
    const old = { hi: this.hi, lo: this.lo, line: this.line, follower: this.follower };
    let n = 0;
    for (let i = 0; i < old.hi.length; i++) {
      const s = old.line[i] as number;
      if (s === s && keep(s)) n++;
    }
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.count = 0;
    this.alloc(cap);
    for (let i = 0; i < old.hi.length; i++) {
      const s = old.line[i] as number;
      if (s === s && keep(s)) this.add(old.hi[i] as number, old.lo[i] as number, s, old.follower[i] as number);
    }
  }

  /** Gives memory back once at most an eighth of the slots are in use (deleteLine never does). */
  shrinkIfSparse(): void {
    if (this.hi.length > 16 && this.count * 8 <= this.hi.length) this.keepWhere(() => true);
  }

  /** The stream sequence below which the older half of the entries lie. */
  median(): number {
    const seqs = new Float64Array(this.count);
    let n = 0;
    this.forEach((_h, _l, s) => (seqs[n++] = s));
    seqs.sort(); // numeric, native: no comparator call per pair
    return seqs[n >>> 1] ?? 0;
  }

  clear(): void {
    this.count = 0;
    this.alloc(16);
  }

  private alloc(cap: number): void {
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.line = new Float64Array(cap).fill(NaN);
    this.follower = new Float64Array(cap).fill(NaN);
  }

  private resize(cap: number): void {
    const old = { hi: this.hi, lo: this.lo, line: this.line, follower: this.follower };
    this.count = 0;
    this.alloc(cap);
    for (let i = 0; i < old.hi.length; i++) {
      const s = old.line[i] as number;
      if (s === s) this.add(old.hi[i] as number, old.lo[i] as number, s, old.follower[i] as number);
    }
  }
}

/** Where a digest's probe run starts. */
function homeSlot(hi: number, lo: number, mask: number): number {
  return (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
}
