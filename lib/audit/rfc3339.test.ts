import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRfc3339 } from "./rfc3339";

describe("parseRfc3339", () => {
  it.each([
    ["2025-01-15T10:23:45Z", Date.UTC(2025, 0, 15, 10, 23, 45)],
    ["2025-01-15t10:23:45z", Date.UTC(2025, 0, 15, 10, 23, 45)],
    ["2025-01-15 10:23:45Z", Date.UTC(2025, 0, 15, 10, 23, 45)],
    ["2025-01-15T10:23:45.5Z", Date.UTC(2025, 0, 15, 10, 23, 45, 500)],
    ["2025-01-15T10:23:45.123456Z", Date.UTC(2025, 0, 15, 10, 23, 45, 123) + 0.456],
    ["2025-01-15T12:23:45+02:00", Date.UTC(2025, 0, 15, 10, 23, 45)],
    ["2025-01-15T05:53:45-04:30", Date.UTC(2025, 0, 15, 10, 23, 45)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["1969-12-31T23:59:59Z", -1000],
  ])("%s", (s, ms) => {
    expect(parseRfc3339(s)).toBeCloseTo(ms, 6);
  });

  it.each([
    "2025-01-15",
    "2025-01-15T10:23:45",
    "2025-01-15T10:23Z",
    "2025-13-01T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2025-01-15T24:00:00Z",
    "2025-01-15T10:23:45.Z",
    "2025-01-15T10:23:45+0200",
    "2025-01-15T10:23:45Zjunk",
    "15/01/2025 10:23:45",
    "1736936625",
  ])("rejects %s", (s) => {
    expect(parseRfc3339(s)).toBeUndefined();
  });

  it("agrees with Date on any ISO timestamp", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        expect(parseRfc3339(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });
});
