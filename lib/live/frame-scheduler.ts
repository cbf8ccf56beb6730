// One redraw scheduler for the page, like perfetto's raf_scheduler: whatever
// wants the next frame registers a callback, and one animation-frame callback
// runs them all, the feed's flushes first (new messages into the log) and the
// paints after (so a frame draws what just arrived). A callback registered
// twice before its frame runs once.
//
// A hidden tab gets no animation frames, so while document.visibilityState is
// "hidden" a flush also arms a timer (HIDDEN_FLUSH_MS): messages keep going
// into the log, as they always have. Paints wait for a real frame: nothing
// needs drawing where nobody can see it, and the frame that comes when the tab
// shows again draws the current state.
//
// A paint asked for while a frame settles — by what its flushes set off in
// the microtasks after them (React renders an external store's change in a
// microtask, with its effects) — runs in that same frame, before the browser
// draws it: otherwise every batch would reach the screen a frame late.

export type FramePhase = "flush" | "paint";

/** What the scheduler needs from its host; tests hand in fakes. */
export interface FrameHost {
  requestFrame(run: () => void): number;
  cancelFrame(id: number): void;
  setTimer(run: () => void, ms: number): ReturnType<typeof setTimeout>;
  clearTimer(id: ReturnType<typeof setTimeout>): void;
  hidden(): boolean;
  /** Runs `run` once the current task's microtasks so far have run (queueMicrotask). */
  afterMicrotasks(run: () => void): void;
}

/** How soon a hidden tab's flush runs (its timers may be throttled further by the browser). */
export const HIDDEN_FLUSH_MS = 250;

export class FrameScheduler {
  private readonly queued: Record<FramePhase, Set<() => void>> = { flush: new Set(), paint: new Set() };
  private frame: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Between a frame's callbacks and the end of the microtasks they queued. */
  private settling = false;

  constructor(private readonly host: FrameHost) {}

  /** Runs `callback` in the next frame (flushes before paints); while hidden, a flush runs on a timer too. */
  schedule(callback: () => void, phase: FramePhase = "paint"): void {
    this.queued[phase].add(callback);
    if (this.frame === undefined) {
      this.frame = this.host.requestFrame(() => {
        this.frame = undefined;
        this.run(true);
      });
    }
    if (phase === "flush" && this.timer === undefined && this.host.hidden()) {
      this.timer = this.host.setTimer(() => {
        this.timer = undefined;
        this.run(false);
      }, HIDDEN_FLUSH_MS);
    }
  }

  /** Takes back a callback that has not run yet (either phase). */
  cancel(callback: () => void): void {
    this.queued.flush.delete(callback);
    this.queued.paint.delete(callback);
    if (this.queued.flush.size === 0 && this.timer !== undefined) {
      this.host.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (this.pending === 0 && this.frame !== undefined) {
      this.host.cancelFrame(this.frame);
      this.frame = undefined;
    }
  }

  /** Callbacks waiting for their frame (or timer). */
  get pending(): number {
    return this.queued.flush.size + this.queued.paint.size;
  }

  private run(inFrame: boolean): void {
    const flushes = [...this.queued.flush];
    this.queued.flush.clear();
    if (inFrame && this.timer !== undefined) {
      this.host.clearTimer(this.timer);
      this.timer = undefined;
    }
    const failure = runEach(flushes);
    // The paints wait for what the flushes set off (a re-render that replaces them), still in this frame.
    if (inFrame && !this.settling) {
      this.settling = true;
      this.host.afterMicrotasks(() => this.settle());
    }
    if (failure !== undefined) throw failure.error;
  }

  /** The frame's paints, those its flushes' microtasks asked for included; their frame is then not needed. */
  private settle(): void {
    this.settling = false;
    const paints = [...this.queued.paint];
    this.queued.paint.clear();
    if (this.pending === 0 && this.frame !== undefined) {
      this.host.cancelFrame(this.frame);
      this.frame = undefined;
    }
    const failure = runEach(paints);
    if (failure !== undefined) throw failure.error;
  }
}

/** Runs every callback: one failing must not starve the others of their frame; the first error is returned. */
function runEach(callbacks: readonly (() => void)[]): { error: unknown } | undefined {
  let failure: { error: unknown } | undefined;
  for (const cb of callbacks) {
    try {
      cb();
    } catch (error) {
      failure ??= { error };
    }
  }
  return failure;
}

const browserHost: FrameHost = {
  requestFrame: (run) => requestAnimationFrame(run),
  cancelFrame: (id) => cancelAnimationFrame(id),
  setTimer: (run, ms) => setTimeout(run, ms),
  clearTimer: (id) => clearTimeout(id),
  hidden: () => typeof document !== "undefined" && document.visibilityState === "hidden",
  afterMicrotasks: (run) => queueMicrotask(run),
};

/** The page's scheduler: the live feed's flushes and the timeline's paints share its frames. */
export const frameScheduler = new FrameScheduler(browserHost);
