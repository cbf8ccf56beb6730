// The header's status is derived from the cursor by one pure rule: "live" only
// while nothing is behind and the server confirmed that recently.
import { describe, expect, it } from "vitest";
import { LIVE_SLACK, statusOf } from "./audit-reader";
import { JetStreamStatusError } from "@nats-io/jetstream/internal";
import { missingResource, type CursorState } from "./resumable-reader";

const cursor = (over: Partial<CursorState> = {}): CursorState => ({
  connected: true,
  held: 100,
  startSeq: 1,
  initialLastSeq: 100,
  streamLastSeq: 100,
  behind: 0,
  lastMessageAt: 1_000,
  verifiedAt: 10_000,
  unverified: false,
  stalled: false,
  sessions: 1,
  paused: false,
  pauses: 0,
  ...over,
});

describe("statusOf", () => {
  it("is live when caught up and confirmed within the window", () => {
    expect(statusOf(cursor(), 12_000, 5_000)).toMatchObject({ phase: "live", behind: 0, lastSeq: 100 });
  });
  it("stops saying live when nobody confirmed it for longer than the window", () => {
    const s = statusOf(cursor(), 16_000, 5_000);
    expect(s.phase).toBe("stalled");
    expect(s.reason).toMatch(/not confirmed for 6 s/);
  });
  it("stays live within one pull batch while messages keep arriving, once it was live", () => {
    const busy = cursor({ behind: 37, lastMessageAt: 11_900, verifiedAt: 11_900 });
    expect(statusOf(busy, 12_000, 5_000, true).phase).toBe("live");
    // Not before it first caught up, not past the slack, not when nothing arrives any more.
    expect(statusOf(busy, 12_000, 5_000, false).phase).toBe("loading");
    expect(statusOf({ ...busy, behind: LIVE_SLACK + 1 }, 12_000, 5_000, true).phase).toBe("loading");
    expect(statusOf(busy, 17_000, 5_000, true).phase).toBe("loading");
  });
  it("is catching up while behind", () => {
    expect(statusOf(cursor({ behind: 12_300 }), 12_000, 5_000)).toMatchObject({ phase: "loading", behind: 12_300 });
  });
  it("paused for the tab to take in what it has: catching up, saying why, never stalled for it", () => {
    // Long past the confirmation window and with nothing arriving: paused by choice, not stuck.
    const s = statusOf(cursor({ behind: 5_000, paused: true, pauses: 3, lastMessageAt: 1_000 }), 60_000, 5_000, true);
    expect(s).toMatchObject({ phase: "loading", behind: 5_000, pauses: 3 });
    expect(s.reason).toMatch(/taking in the messages it was handed/);
  });
  it("says stalled with the lag and what it does about it", () => {
    const s = statusOf(cursor({ behind: 340, stalled: true }), 12_000, 5_000);
    expect(s.phase).toBe("stalled");
    expect(s.reason).toMatch(/340 behind.*recreating the consumer from stream seq 101/);
  });
  it("reconnecting beats stalled; a problem beats both", () => {
    expect(statusOf(cursor({ connected: false, stalled: true }), 12_000).phase).toBe("reconnecting");
    expect(statusOf(cursor({ connected: false, problem: "Stream X does not exist" }), 12_000)).toMatchObject({
      phase: "error",
      reason: "Stream X does not exist",
    });
  });
  it("does not claim live after a reconnect until the server says where the tab stands", () => {
    const s = statusOf(cursor({ unverified: true }), 10_500, 5_000, true);
    expect(s.phase).toBe("loading");
    expect(s.behind).toBeUndefined();
  });
  it("is connecting before the stream was first seen", () => {
    expect(statusOf(cursor({ verifiedAt: undefined }), 12_000).phase).toBe("connecting");
  });
});

describe("missingResource", () => {
  // The client's own errors: the reader must name the same cause whether the status or the error comes first.
  it("names a deleted consumer, a lost consumer and a lost stream from the client's errors", () => {
    expect(missingResource(new JetStreamStatusError("consumer deleted", 409))).toBe("consumer_deleted");
    expect(missingResource(new Error("consumer not found"))).toBe("consumer_not_found");
    expect(missingResource(new Error("stream not found"))).toBe("stream_not_found");
  });
  it("leaves every other failure unnamed", () => {
    expect(missingResource(new JetStreamStatusError("idle heartbeats missed", 409))).toBeUndefined();
    expect(missingResource(new Error("TIMEOUT"))).toBeUndefined();
    expect(missingResource("consumer deleted later")).toBeUndefined();
  });
});
