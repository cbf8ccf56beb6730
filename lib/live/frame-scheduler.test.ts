import { describe, expect, it } from "vitest";
import { FrameScheduler, HIDDEN_FLUSH_MS, type FrameHost } from "./frame-scheduler";

/** A host whose frames and timers run only when the test says so. */
function fakeHost() {
  let hidden = false;
  let nextId = 1;
  const frames = new Map<number, () => void>();
  const timers = new Map<number, { run: () => void; at: number }>();
  let now = 0;
  const microtasks: (() => void)[] = [];
  const host: FrameHost = {
    requestFrame: (run) => {
      const id = nextId++;
      frames.set(id, run);
      return id;
    },
    cancelFrame: (id) => void frames.delete(id),
    setTimer: (run, ms) => {
      const id = nextId++;
      timers.set(id, { run, at: now + ms });
      return id as unknown as ReturnType<typeof setTimeout>;
    },
    clearTimer: (id) => void timers.delete(id as unknown as number),
    hidden: () => hidden,
    afterMicrotasks: (run) => void microtasks.push(run),
  };
  /** The microtasks queued so far, and those they queue, as a browser runs them after a task. */
  const drain = () => {
    while (microtasks.length > 0) (microtasks.shift() as () => void)();
  };
  return {
    host,
    setHidden: (h: boolean) => (hidden = h),
    /** Fires the animation frames requested so far (a visible tab's next frame). */
    frame() {
      const due = [...frames.values()];
      frames.clear();
      try {
        for (const run of due) run();
      } finally {
        drain();
      }
    },
    /** Queues a microtask, as React does when a store it reads changes. */
    microtask: (run: () => void) => void microtasks.push(run),
    /** Advances the clock, firing the timers that come due. */
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers]) {
        if (t.at > now) continue;
        timers.delete(id);
        t.run();
      }
    },
    get frames() {
      return frames.size;
    },
    get timers() {
      return timers.size;
    },
  };
}

describe("FrameScheduler", () => {
  it("runs everything asked for in one frame, flushes before paints, each callback once", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    const order: string[] = [];
    const paint = () => order.push("paint");
    s.schedule(paint);
    s.schedule(() => order.push("flush"), "flush");
    s.schedule(paint);
    expect(fake.frames).toBe(1);
    expect(order).toEqual([]);
    fake.frame();
    expect(order).toEqual(["flush", "paint"]);
    fake.frame();
    expect(order).toEqual(["flush", "paint"]);
  });

  it("leaves what is asked for during a frame to the next one", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    const order: string[] = [];
    s.schedule(() => {
      order.push("a");
      s.schedule(() => order.push("b"));
    });
    fake.frame();
    expect(order).toEqual(["a"]);
    expect(fake.frames).toBe(1);
    fake.frame();
    expect(order).toEqual(["a", "b"]);
  });

  it("draws in the same frame what a flush set off in a microtask (React's re-render), not a frame later", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    const order: string[] = [];
    const stale = () => order.push("stale paint");
    const fresh = () => order.push("fresh paint");
    s.schedule(stale);
    s.schedule(() => {
      order.push("flush");
      // As React does: the store's change renders in a microtask, whose effect swaps the paint.
      fake.microtask(() => {
        order.push("render");
        s.cancel(stale);
        s.schedule(fresh);
      });
    }, "flush");
    fake.frame();
    expect(order).toEqual(["flush", "render", "fresh paint"]);
    // The frame the re-render asked for is given back: nothing is left for it.
    expect(fake.frames).toBe(0);
    expect(s.pending).toBe(0);
  });

  it("a paint asked for after the frame settled waits for the next frame", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    let paints = 0;
    s.schedule(() => undefined, "flush");
    fake.frame();
    s.schedule(() => paints++);
    expect(paints).toBe(0);
    expect(fake.frames).toBe(1);
    fake.frame();
    expect(paints).toBe(1);
  });

  it("flushes on a timer while the tab is hidden, and keeps paints for the next real frame", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    const order: string[] = [];
    fake.setHidden(true);
    s.schedule(() => order.push("flush"), "flush");
    s.schedule(() => order.push("paint"));
    fake.advance(HIDDEN_FLUSH_MS - 1);
    expect(order).toEqual([]);
    fake.advance(1);
    expect(order).toEqual(["flush"]);
    // Every flush asked for while hidden gets its timer; none piles up.
    s.schedule(() => order.push("flush 2"), "flush");
    expect(fake.timers).toBe(1);
    fake.advance(HIDDEN_FLUSH_MS);
    expect(order).toEqual(["flush", "flush 2"]);
    fake.setHidden(false);
    fake.frame();
    expect(order).toEqual(["flush", "flush 2", "paint"]);
  });

  it("a frame that comes first takes the flush and drops its timer", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    let flushes = 0;
    fake.setHidden(true);
    s.schedule(() => flushes++, "flush");
    fake.setHidden(false);
    fake.frame();
    expect(flushes).toBe(1);
    expect(fake.timers).toBe(0);
    fake.advance(HIDDEN_FLUSH_MS);
    expect(flushes).toBe(1);
  });

  it("a flush asked for while visible, then hidden before its frame, still runs on a timer if asked again", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    let flushes = 0;
    s.schedule(() => flushes++, "flush");
    fake.setHidden(true); // the frame never comes
    s.schedule(() => flushes++, "flush");
    fake.advance(HIDDEN_FLUSH_MS);
    expect(flushes).toBe(2);
  });

  it("cancel takes a callback back; with nothing left, the frame is given back too", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    let ran = 0;
    const paint = () => ran++;
    s.schedule(paint);
    s.cancel(paint);
    expect(s.pending).toBe(0);
    expect(fake.frames).toBe(0);
    fake.frame();
    expect(ran).toBe(0);
  });

  it("runs every callback of a frame even when one throws, then reports the error", () => {
    const fake = fakeHost();
    const s = new FrameScheduler(fake.host);
    let after = false;
    s.schedule(() => {
      throw new Error("boom");
    }, "flush");
    s.schedule(() => (after = true));
    expect(() => fake.frame()).toThrow("boom");
    expect(after).toBe(true);
  });
});
