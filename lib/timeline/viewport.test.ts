import { describe, expect, it } from "vitest";
import { windowAround, zoomToArgsFor } from "./viewport";

describe("zoomToArgsFor", () => {
  it("gives the arguments for which zoomTo's air lands exactly on the wanted window", () => {
    for (const w of [
      [10, 20],
      [1_731_492_000_123, 1_731_492_004_500],
      [-0.5, 3.25],
    ] as [number, number][]) {
      const [a, b] = zoomToArgsFor(w);
      const [x0, x1] = windowAround(a, b, [w[0] - 1e9, w[1] + 1e9], 0);
      expect(x0).toBeCloseTo(w[0], 3);
      expect(x1).toBeCloseTo(w[1], 3);
    }
  });
});
