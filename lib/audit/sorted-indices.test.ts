import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortedIndices } from "./sorted-indices";

/** The reference: a comparator sort, ties by index. */
const stable = (key: readonly number[]) =>
  key.map((_, i) => i).sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);

describe("sortedIndices", () => {
  // Packed (whole numbers, quarters), and the comparator's cases: spans too wide to pack, fractions.
  const keys = fc.array(
    fc.oneof(
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: 0, max: 200 }).map((q) => q / 4),
      fc.constantFrom(2 ** 52, Number.MAX_SAFE_INTEGER, -(2 ** 52), 0.1, 1e-9),
    ),
    { maxLength: 300 },
  );
  it("orders indices by key, ties by index, as a comparator sort does", () => {
    fc.assert(
      fc.property(keys, (key) => {
        expect(Array.from(sortedIndices(key))).toEqual(stable(key));
      }),
      { numRuns: 500 },
    );
  });
});
