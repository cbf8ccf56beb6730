import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countSuffixWidth, labelsTouch, layoutLabels, type LabelItem } from "./label-layout";

const label = (x: number, y = 10, width = 60, height = 12): LabelItem => ({ x, y, width, height });

describe("layoutLabels", () => {
  it("keeps labels that do not touch as they are", () => {
    const out = layoutLabels([label(0), label(100), label(0, 40)], 1, 4);
    expect(out.map((l) => l.members)).toEqual([[0], [2], [1]]);
    expect(out[0]).toMatchObject({ left: -30, top: 4, width: 60, height: 12 });
  });

  it("merges a label into the one on its left when they would touch, counting it", () => {
    // Two gap labels 50 px apart: 60 px wide each, they overlap by 10 px.
    const out = layoutLabels([label(50), label(0)], 1, 4);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ first: 1, members: [1, 0], width: 60 + countSuffixWidth(1) });
  });

  it("merges again when a merged label grows into the next one", () => {
    // A wide label, a narrow one touching it, and a third that only the widened "… +1" reaches.
    const out = layoutLabels([label(0), label(35, 10, 8), label(50 + 30)], 1, 4);
    expect(out.map((l) => l.members)).toEqual([[0, 1, 2]]);
    expect(layoutLabels([label(0), label(50 + 30)], 1, 4)).toHaveLength(2);
  });

  it("depends on the zoom, not on where the window is", () => {
    const items = [label(10), label(20), label(30)];
    expect(layoutLabels(items, 1, 4)).toHaveLength(1);
    expect(layoutLabels(items, 5, 4)).toHaveLength(2);
    expect(layoutLabels(items, 100, 4)).toHaveLength(3);
    const shifted = items.map((it) => ({ ...it, x: it.x + 1_000 }));
    expect(layoutLabels(shifted, 10, 4).map((l) => l.members)).toEqual(
      layoutLabels(items, 10, 4).map((l) => l.members),
    );
  });

  it("never overlaps two labels, and draws or counts every item exactly once (random labels)", () => {
    const item = fc.record({
      x: fc.double({ min: -500, max: 500, noNaN: true }),
      dx: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }),
      // Rows 26 px apart, with labels sometimes between rows (a collision badge).
      y: fc.oneof(
        fc.integer({ min: 0, max: 12 }).map((r) => r * 26),
        fc.integer({ min: 0, max: 300 }),
      ),
      width: fc.integer({ min: 8, max: 140 }),
      height: fc.constantFrom(12, 14),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 80 }),
        fc.constantFrom(0.01, 0.5, 1, 3, 40),
        fc.integer({ min: 0, max: 12 }),
        (items, pxPerUnit, gap) => {
          const out = layoutLabels(items, pxPerUnit, gap);
          for (let a = 0; a < out.length; a++)
            for (let b = a + 1; b < out.length; b++) expect(labelsTouch(out[a]!, out[b]!, gap)).toBe(false);
          const seen = out.flatMap((l) => l.members).sort((p, q) => p - q);
          expect(seen).toEqual(items.map((_, i) => i));
          for (const l of out) {
            const first = items[l.first]!;
            expect(l.members[0]).toBe(l.first);
            expect(l.left).toBeCloseTo(first.x * pxPerUnit + (first.dx ?? 0) - first.width / 2, 6);
            expect(l.width).toBeCloseTo(
              first.width + (l.members.length > 1 ? countSuffixWidth(l.members.length - 1) : 0),
              6,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
