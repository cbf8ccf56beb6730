// Classifying jumps in stream sequences from what the stream said about itself.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { classifyHole, holeSize, holeTotals, holesWithin, recreatedNotice, type StreamFacts } from "./stream-holes";

const unlimited: StreamFacts = {
  firstSeq: 1,
  lastSeq: 1_000,
  maxMsgs: -1,
  maxBytes: -1,
  maxAgeNanos: 0,
  maxMsgsPerSubject: -1,
};

describe("classifyHole", () => {
  it("calls a hole before first_seq expired when the stream has limits, naming them", () => {
    const [h, ...rest] = classifyHole(51, 250, { ...unlimited, firstSeq: 251, maxMsgs: 100 }, 7);
    expect(rest).toEqual([]);
    expect(h).toMatchObject({ from: 51, to: 250, cause: "expired", at: 7 });
    expect(h?.detail).toContain("at most 100 messages");
  });

  it("calls it purged when the stream has no limits", () => {
    expect(classifyHole(1, 9, { ...unlimited, firstSeq: 10 }, 0).map((h) => h.cause)).toEqual(["purged"]);
  });

  it("names age limits in words", () => {
    const [h] = classifyHole(1, 9, { ...unlimited, firstSeq: 10, maxAgeNanos: 3_600e9 }, 0);
    expect(h?.detail).toContain("older than 60 min");
  });

  it("splits a hole into expired head, deleted runs and unexplained rest", () => {
    const facts = { ...unlimited, firstSeq: 20, maxMsgs: 500, deleted: [22, 23, 30] };
    expect(classifyHole(10, 31, facts, 0).map((h) => [h.from, h.to, h.cause])).toEqual([
      [10, 19, "expired"],
      [20, 21, "unexplained"],
      [22, 23, "deleted"],
      [24, 29, "unexplained"],
      [30, 30, "deleted"],
      [31, 31, "unexplained"],
    ]);
  });

  it("says when the server gave no deleted details", () => {
    const [h] = classifyHole(5, 5, unlimited, 0);
    expect(h?.detail).toMatch(/did not say/);
  });

  it("returns nothing for an empty range", () => {
    expect(classifyHole(5, 4, unlimited, 0)).toEqual([]);
  });

  it("covers every missing sequence exactly once, in order, whatever the facts", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 600 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 600 }), { maxLength: 50 }),
        fc.boolean(),
        (from, len, firstSeq, deleted, limited) => {
          const to = from + len;
          const holes = classifyHole(from, to, { ...unlimited, firstSeq, deleted, maxMsgs: limited ? 10 : -1 }, 0);
          let next = from;
          for (const h of holes) {
            expect(h.from).toBe(next);
            expect(h.to).toBeGreaterThanOrEqual(h.from);
            next = h.to + 1;
          }
          expect(next).toBe(to + 1);
          expect(holes.reduce((n, h) => n + holeSize(h), 0)).toBe(to - from + 1);
          for (const h of holes)
            for (let s = h.from; s <= h.to; s++) {
              if (s < firstSeq) expect(h.cause).toBe(limited ? "expired" : "purged");
              else expect(h.cause).toBe(deleted.includes(s) ? "deleted" : "unexplained");
            }
        },
      ),
    );
  });
});

describe("hole summaries", () => {
  const holes = [
    ...classifyHole(10, 19, { ...unlimited, firstSeq: 20, maxMsgs: 5 }, 0),
    ...classifyHole(40, 41, { ...unlimited, deleted: [40, 41] }, 0),
    recreatedNotice({ from: 1, to: 99 }, 0),
  ];
  it("totals missing messages by cause; a recreation is not a loss", () => {
    expect(holeTotals(holes)).toEqual({ expired: 10, purged: 0, deleted: 2, recreated: 0, unexplained: 0 });
  });
  it("finds the holes inside an execution's range", () => {
    expect(holesWithin(holes, 19, 39).map((h) => h.cause)).toEqual(["expired"]);
    expect(holesWithin(holes, 20, 39)).toEqual([]);
    expect(holesWithin(holes, 41, 50).map((h) => h.cause)).toEqual(["deleted"]);
  });
});
