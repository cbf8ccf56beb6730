// Interning: each distinct string once, events refer to it by a small integer.

/** What a released id reads as: the tables that release ids never intern "" (an empty id is an absent one). */
const RELEASED = "";

export class StringTable {
  private readonly ids = new Map<string, number>();
  /** id → string; append-only (a released id keeps its slot, reading RELEASED). */
  readonly values: string[] = [];
  private released = 0;

  intern(v: string): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(v, id);
      this.values.push(v);
    }
    return id;
  }

  /** The id of `v`, or -1 when it was never interned (or released). */
  lookup(v: string): number {
    return this.ids.get(v) ?? -1;
  }

  /** Ids handed out, released or not. */
  get size(): number {
    return this.values.length;
  }

  /** Ids still holding their string. */
  get live(): number {
    return this.values.length - this.released;
  }

  /**
   * Lets go of the strings of these ids (nothing refers to them any more): the string and its map entry go,
   * the id is never handed out again, and interning the string again gives a new id. Costs what is released,
   * not a pass over every id ever handed out.
   */
  release(ids: Iterable<number>): void {
    for (const id of ids) {
      const v = this.values[id];
      if (v === undefined || v === RELEASED) continue;
      this.ids.delete(v);
      this.values[id] = RELEASED;
      this.released++;
    }
  }

  /** Replaces an empty table's content with `values` (a restored snapshot); the ids are their positions. */
  load(values: readonly string[]): void {
    if (this.values.length > 0) throw new Error("StringTable.load: the table is not empty");
    for (const v of values) {
      if (v === RELEASED) this.released++;
      else this.ids.set(v, this.values.length);
      this.values.push(v);
    }
  }
}

/**
 * A one-entry cache in front of a table. Events of one run or invocation come
 * in streaks with the same ids, so comparing against the last string (no
 * hashing) answers most lookups.
 */
export class Hint {
  s = "";
  id = -1;

  /** The table released ids: this one may be among them. */
  forget(): void {
    this.s = "";
    this.id = -1;
  }

  intern(table: StringTable, v: string): number {
    if (v === this.s && this.id >= 0) return this.id;
    const id = table.intern(v);
    this.s = table.values[id] as string;
    this.id = id;
    return id;
  }
}

/** Open-addressing map from a pair of non-negative int32 to an int32, in typed arrays. */
export class IntPairMap {
  private a: Int32Array;
  private b: Int32Array;
  private v: Int32Array;
  private count = 0;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.a = new Int32Array(cap).fill(-1);
    this.b = new Int32Array(cap);
    this.v = new Int32Array(cap);
  }

  /** The value under (x, y), or -1. */
  get(x: number, y: number): number {
    const mask = this.a.length - 1;
    for (let i = hashPair(x, y) & mask; ; i = (i + 1) & mask) {
      const k = this.a[i] as number;
      if (k < 0) return -1;
      if (k === x && this.b[i] === y) return this.v[i] as number;
    }
  }

  /** Sets (x, y) → value; (x, y) must not be present. */
  add(x: number, y: number, value: number): void {
    if ((this.count + 1) * 2 > this.a.length) this.grow();
    this.place(x, y, value);
    this.count++;
  }

  private place(x: number, y: number, value: number): void {
    const mask = this.a.length - 1;
    let i = hashPair(x, y) & mask;
    while ((this.a[i] as number) >= 0) i = (i + 1) & mask;
    this.a[i] = x;
    this.b[i] = y;
    this.v[i] = value;
  }

  private grow(): void {
    const { a, b, v } = this;
    this.a = new Int32Array(a.length * 2).fill(-1);
    this.b = new Int32Array(a.length * 2);
    this.v = new Int32Array(a.length * 2);
    for (let i = 0; i < a.length; i++)
      if ((a[i] as number) >= 0) this.place(a[i] as number, b[i] as number, v[i] as number);
  }
}

function hashPair(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ y;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
