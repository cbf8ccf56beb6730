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
