import { describe, expect, it } from "vitest";
import { formatClock, formatCount, formatDuration, showBytes } from "./format";

describe("format", () => {
  it("prints clock times in UTC with milliseconds", () => {
    expect(formatClock(Date.UTC(2026, 10, 24, 14, 3, 7, 250))).toBe("14:03:07.250");
    expect(formatClock(Number.NaN)).toBe("—");
  });

  it("picks a unit for durations", () => {
    expect(formatDuration(250)).toBe("250 ms");
    expect(formatDuration(1_500)).toBe("1.5 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(-1)).toBe("—");
  });

  it("shows undecodable bytes as escapes instead of replacement characters", () => {
    expect(showBytes(new Uint8Array([0x7b, 0xff, 0x41]))).toBe("{\\xffA");
    expect(showBytes(new TextEncoder().encode("héllo"))).toBe("héllo");
    expect(showBytes(new TextEncoder().encode("abcdef"), 3)).toBe("abc… (6 bytes)");
  });
});

describe("formatCount", () => {
  it("groups thousands the en-US way, whatever the runtime's locale", () => {
    expect([0, 7, 1234, 1_234_567, -4_200, 1.5].map(formatCount)).toEqual([
      "0",
      "7",
      "1,234",
      "1,234,567",
      "-4,200",
      "1.5",
    ]);
  });
});
