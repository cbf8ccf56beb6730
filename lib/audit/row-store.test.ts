import { describe, expect, it } from "vitest";
import { RowStore } from "./row-store";

/** A 64 KiB read buffer holding `count` payloads of `size` bytes, row i filled with byte i. */
function readBuffer(count: number, size: number, first: number): Uint8Array[] {
  const buf = new Uint8Array(64 << 10);
  return Array.from({ length: count }, (_, i) => {
    const view = buf.subarray(i * size, (i + 1) * size);
    view.fill((first + i) & 255);
    return view;
  });
}

describe("RowStore.compact", () => {
  it("keeps a chunk still mostly held in place, copies the rest out of a sparse one, renumbers in order", () => {
    // Two read buffers of 120 rows each (kept: mostly payload). Rows 0–119 lose 1 in 10; rows 120–239 keep
    // 1 in 10, so only those 12 rows' bytes are copied and the second buffer is let go.
    const s = new RowStore();
    const views = [...readBuffer(120, 500, 0), ...readBuffer(120, 500, 120)];
    for (const v of views) s.streamSeq[s.append(v)] = 0;
    for (let row = 0; row < s.n; row++) s.streamSeq[row] = row + 1;
    s.endBatch();
    const before = s.bytesHeld;
    const kept = views.map((_, row) => row).filter((row) => (row < 120 ? row % 10 !== 3 : row % 10 === 3));
    const remap = s.compact(Int32Array.from(kept));
    expect(s.n).toBe(kept.length);
    kept.forEach((row, i) => {
      expect(remap[row]).toBe(i);
      expect(s.streamSeq[i]).toBe(row + 1);
      expect(s.bytes(i)).toEqual(views[row]);
    });
    expect(s.bytes(0).buffer).toBe((views[0] as Uint8Array).buffer); // dense: not copied
    expect(s.bytes(kept.length - 1).buffer).not.toBe((views[239] as Uint8Array).buffer); // sparse: copied out
    expect(s.bytesHeld).toBeLessThan(before); // the sparse buffer went, a small arena chunk came
    // Rows appended after a compaction still read their own bytes.
    const more = readBuffer(3, 500, 7);
    for (const v of more) s.append(v);
    more.forEach((v, i) => expect(s.bytes(kept.length + i)).toEqual(v));
  });
});

describe("RowStore.releaseUnusedIds", () => {
  it("lets go of the evicted rows' ids that no held row uses, and looks at no other id", () => {
    // Rows 0–2 use corr a, b, c; row 3 uses a again. Rows 0 and 1 go: b is released, a stays (row 3).
    // d was interned with no row (never the case in a log): not a candidate, so it stays too.
    const s = new RowStore();
    const corr = ["a", "b", "c", "a"];
    corr.forEach((c, i) => {
      const row = s.append(Uint8Array.of(i));
      s.corr[row] = s.corrs.intern(c);
      s.task[row] = -1;
      s.entityId[row] = s.entityIds.intern("agent");
    });
    s.corrs.intern("d");
    const ids = s.idsOf([0, 1]);
    expect([...ids.corr].sort()).toEqual([0, 1]);
    s.compact(Int32Array.of(2, 3));
    s.releaseUnusedIds(ids);
    expect(["a", "b", "c", "d"].map((c) => s.corrs.lookup(c))).toEqual([0, -1, 2, 3]);
    expect([s.corrs.live, s.entityIds.lookup("agent")]).toEqual([3, 0]);
    expect(s.corrs.intern("b")).toBe(4); // a released id is never handed out again
  });
});

describe("RowStore columns", () => {
  const row = (s: RowStore, i: number) => {
    const r = s.append(new Uint8Array([i & 255]));
    s.streamSeq[r] = i + 1;
    s.prevHash[r * 8 + 7] = i;
    return r;
  };

  it("grow in place while their reserve lasts, then move once, and keep every row either way", () => {
    const s = new RowStore();
    for (let i = 0; i < 64; i++) row(s, i);
    const first = s.streamSeq;
    const firstHash = s.prevHash;
    // 64 → 128 → … → 1 024 rows: within the 16× reserve, the same arrays.
    for (let i = 64; i < 1_024; i++) row(s, i);
    expect(s.streamSeq).toBe(first);
    expect(s.prevHash).toBe(firstHash);
    expect(s.streamSeq.length).toBe(1_024);
    // Past it, new arrays.
    row(s, 1_024);
    expect(s.streamSeq).not.toBe(first);
    for (let i = 0; i <= 1_024; i++) {
      expect(s.streamSeq[i]).toBe(i + 1);
      expect(s.prevHash[i * 8 + 7]).toBe(i);
    }
  });

  it("shrink after compaction to what is held, rows intact", () => {
    const s = new RowStore();
    for (let i = 0; i < 5_000; i++) row(s, i);
    const keep = Int32Array.from({ length: 100 }, (_, k) => k * 50);
    s.compact(keep);
    expect(s.n).toBe(100);
    expect(s.streamSeq.length).toBeLessThan(5_000);
    for (let k = 0; k < 100; k++) expect(s.streamSeq[k]).toBe(k * 50 + 1);
  });
});
