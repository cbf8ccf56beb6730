import { describe, expect, it } from "vitest";
import { ConnectionLog } from "./connection-log";

describe("ConnectionLog", () => {
  it("keeps the newest entries, oldest first, with their time, and counts all", () => {
    let t = 0;
    const log = new ConnectionLog(3, () => ++t);
    log.add("connected");
    log.add("disconnect", "from a");
    log.add("reconnect", "to b");
    log.add("stalled", "12 behind");
    expect(log.entries()).toEqual([
      { at: 2, kind: "disconnect", detail: "from a" },
      { at: 3, kind: "reconnect", detail: "to b" },
      { at: 4, kind: "stalled", detail: "12 behind" },
    ]);
    expect(log.count).toBe(4);
    expect(log.countOf("connected")).toBe(0);
    expect(log.countOf("reconnect")).toBe(1);
  });

  it("folds the same event repeated within a second into one entry with a count", () => {
    let t = 0;
    const log = new ConnectionLog(10, () => t);
    log.add("reconnect", "to a");
    t = 400;
    log.add("reconnect", "to a");
    log.add("reconnect", "to a");
    t = 2_000;
    log.add("reconnect", "to a");
    log.add("reconnect", "to b");
    expect(log.entries()).toEqual([
      { at: 0, kind: "reconnect", detail: "to a", repeat: 3 },
      { at: 2_000, kind: "reconnect", detail: "to a" },
      { at: 2_000, kind: "reconnect", detail: "to b" },
    ]);
    expect(log.count).toBe(5);
  });
});
