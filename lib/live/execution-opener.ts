// Opens one execution that may lie outside the tab's loaded history (an old
// run, opened from a link). With the link's hint — the stream sequences where
// the execution's events lie — it reads just that stretch with a second,
// bounded ordered consumer; without one it scans the part of the stream the
// tab has not loaded, oldest first, and stops at the execution's terminal
// event plus a margin. Either way the messages go into the same AuditLog as the
// live feed (the log is a set: order and repeats do not matter).
//
// The execution's stretch is read whole — other executions' messages in it
// too — so hash chains through it verify exactly as for a reader that had the
// whole stream; before the execution's first message a scan keeps nothing.
import type { RawMessage } from "../audit/types";
import type { RangeReadResult, StreamBounds } from "../nats/range-reader";
import { ExecutionTracker, type StopMargins } from "./execution-tracker";
import { formatCount } from "../format";

export interface ExecutionHint {
  /** First and last stream sequence of the execution's messages, as the link's sender saw them. */
  from: number;
  to: number;
}

export type OpenPhase = "waiting" | "reading" | "found" | "not-found" | "cancelled" | "error";
export type OpenMode = "history" | "hint" | "scan" | "index";

export interface SearchedRange {
  from: number;
  to: number;
  how: OpenMode;
}

export interface OpenState {
  executionId: string;
  phase: OpenPhase;
  mode: OpenMode;
  hint?: ExecutionHint;
  /** The stretch being read: [from, to] (stream sequences). */
  from: number;
  to: number;
  /** Messages read in it so far. */
  read: number;
  /** Messages per second over the read so far. */
  rate: number;
  elapsedMs: number;
  /** What has been searched, for "not found" to say so. */
  searched: SearchedRange[];
  stream?: StreamBounds;
  /** Messages of the execution seen by this open (its own reads; the history's are in the log). */
  seen: number;
  /** Words for not-found, cancelled or error. */
  reason?: string;
}

export interface HistoryRange {
  /** First stream sequence of the main reader's history and the last one it loads before going live. */
  startSeq: number;
  targetSeq: number;
}

/** What the opener needs from the live feed; injected so the logic is tested without NATS. */
export interface OpenerDeps {
  bounds(): Promise<StreamBounds>;
  /** Resolves once the main reader knows where its history starts. */
  history(): Promise<HistoryRange>;
  /** Resolves once the main reader has delivered every message up to `seq` (or is live). */
  historyLoaded(seq: number): Promise<void>;
  readRange(opts: {
    startSeq: number;
    endSeq: number;
    onMessage(msg: RawMessage): boolean | void;
    signal: AbortSignal;
  }): Promise<RangeReadResult>;
  /** Hands a message to the log (batched by the feed). */
  add(msg: RawMessage): void;
  /** Resolves once every message handed over is in the log. */
  flushed(): Promise<void>;
  known(executionId: string): boolean;
  /**
   * Reads the execution's own messages through the stream's index, handing each to `add` (undefined:
   * nobody indexes this stream). `read` 0: the index does not have it (yet).
   */
  fromIndex?(executionId: string, signal: AbortSignal): Promise<{ read: number; from: number; to: number } | undefined>;
  /**
   * The index is all the tab may read (a tenant's credential): what it lacks is not found, not searched for.
   * Asked when needed: an opener made before the tab connected learns it once it has.
   */
  indexOnly?(): boolean;
  /**
   * Where this execution lay when the log folded it (memory budget): not known, yet read before, so that
   * stretch is read again, its messages marked as re-reads.
   */
  folded?(executionId: string): { from: number; to: number } | undefined;
  now?(): number;
}

const PROGRESS_EVERY_MS = 100;

export class ExecutionOpener {
  private state: OpenState;
  private readonly initial: OpenState;
  private readonly listeners = new Set<() => void>();
  private controller = new AbortController();
  private readonly now: () => number;
  private lastEmit = 0;
  /** Messages read by the current stretch: exact, where the state's count is throttled. */
  private readNow = 0;

  constructor(
    private readonly deps: OpenerDeps,
    executionId: string,
    hint?: ExecutionHint,
    private readonly margins: Partial<StopMargins> = {},
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.initial = this.state = {
      executionId,
      phase: "waiting",
      mode: hint ? "hint" : "history",
      from: hint?.from ?? 0,
      to: hint?.to ?? 0,
      read: 0,
      rate: 0,
      elapsedMs: 0,
      searched: [],
      seen: 0,
      ...(hint ? { hint } : {}),
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): OpenState => this.state;

  cancel(): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    const s = this.state;
    if (s.phase === "waiting" || s.phase === "reading") {
      this.set({
        phase: "cancelled",
        read: this.readNow,
        reason: `Stopped after ${formatCount(this.readNow)} of ${formatCount(span(s.from, s.to))} messages.`,
      });
    }
  }

  /**
   * Runs the open from the start (again, after a cancel) to its end; never
   * throws (failures become the `error` phase).
   */
  async run(): Promise<OpenState> {
    this.controller.abort();
    this.controller = new AbortController();
    this.state = this.initial;
    this.emit();
    const signal = this.controller.signal;
    try {
      await this.open(signal);
    } catch (e) {
      this.update(signal, { phase: "error", reason: e instanceof Error ? e.message : String(e) });
    }
    return this.state;
  }

  private async open(signal: AbortSignal): Promise<void> {
    const { executionId: id, hint } = this.state;
    if (this.deps.indexOnly?.() && this.deps.known(id)) return this.update(signal, { phase: "found", mode: "index" });
    // Through the index: just its messages, wherever they lie, link hint or not.
    if (this.deps.fromIndex !== undefined && !this.deps.known(id)) {
      this.update(signal, { phase: "reading", mode: "index" });
      const r = await this.deps.fromIndex(id, signal);
      if (signal.aborted) return;
      if (r !== undefined && r.read > 0) {
        await this.deps.flushed();
        return this.update(signal, {
          phase: "found",
          mode: "index",
          from: r.from,
          to: r.to,
          read: r.read,
          seen: r.read,
        });
      }
      if (this.deps.indexOnly?.()) {
        return this.update(signal, {
          phase: "not-found",
          mode: "index",
          reason: "not in the part of the index this tab may read (or not indexed yet)",
        });
      }
      // Not indexed (yet: the indexer may be behind): look for it the way a tab without an index does.
      this.update(signal, { phase: "waiting", mode: hint ? "hint" : "history" });
    }
    const history = await this.deps.history();
    const stream = await this.deps.bounds();
    if (signal.aborted) return;
    this.update(signal, { stream });

    if (hint !== undefined) {
      if (hint.to < stream.firstSeq) {
        this.update(signal, {
          phase: "not-found",
          mode: "hint",
          reason: `The link places it at stream sequences ${formatCount(hint.from)}–${formatCount(hint.to)}, but the stream now begins at ${formatCount(stream.firstSeq)}: those messages have expired.`,
        });
        return;
      }
      if (hint.from >= history.startSeq) {
        // Inside the history the tab loads anyway: wait for the main reader to get there.
        await this.fromHistory(signal, Math.min(hint.to, history.targetSeq), history);
        if (signal.aborted) return;
        if (this.deps.known(id)) return this.update(signal, { phase: "found" });
      } else {
        const found = await this.readStretch(signal, "hint", Math.max(hint.from, stream.firstSeq), history, hint.to);
        if (signal.aborted) return;
        if (found) return;
      }
      // Not where the link said (a wrong id, a recreated stream): search the rest the ordinary way.
    }

    await this.fromHistory(signal, history.targetSeq, history);
    if (signal.aborted) return;
    if (this.deps.known(id)) return this.update(signal, { phase: "found" });
    const folded = this.deps.folded?.(id);
    if (folded !== undefined) {
      // Read before and folded into the totals: its stretch again (inside the history, which has it no more).
      const from = Math.max(folded.from, stream.firstSeq);
      const to = Math.min(folded.to, history.targetSeq);
      if (to >= from && (await this.readStretch(signal, "scan", from, history, undefined, { to, reread: true })))
        return;
      if (signal.aborted) return;
    }
    if (history.startSeq > stream.firstSeq && (await this.readStretch(signal, "scan", stream.firstSeq, history)))
      return;
    if (signal.aborted) return;
    this.update(signal, { phase: "not-found", reason: describeSearch(this.state) });
  }

  private async fromHistory(signal: AbortSignal, upTo: number, history: HistoryRange): Promise<void> {
    this.update(signal, { phase: "waiting", mode: "history", from: history.startSeq, to: history.targetSeq });
    await this.deps.historyLoaded(upTo);
    await this.deps.flushed();
    this.addSearched(signal, { from: history.startSeq, to: history.targetSeq, how: "history" });
  }

  /**
   * Reads [start, history start − 1] (the main reader has the rest) until the
   * tracker says the execution and its margin are read. A scan keeps messages
   * from the execution's first one on; a hinted read starts there already.
   */
  private async readStretch(
    signal: AbortSignal,
    how: "hint" | "scan",
    start: number,
    history: HistoryRange,
    hintTo?: number,
    again?: { to: number; reread: true },
  ) {
    const id = this.state.executionId;
    const end = again?.to ?? history.startSeq - 1;
    const tracker = new ExecutionTracker(id, hintTo, this.margins);
    const t0 = this.now();
    this.update(signal, { phase: "reading", mode: how, from: start, to: end, read: 0, rate: 0, elapsedMs: 0, seen: 0 });
    let read = (this.readNow = 0);
    const result = await this.deps.readRange({
      startSeq: start,
      endSeq: end,
      signal,
      onMessage: (msg) => {
        this.readNow = ++read;
        const o = tracker.observe(msg);
        if (how === "hint" || tracker.found) this.deps.add(again === undefined ? msg : { ...msg, reread: true });
        const t = this.now();
        if (t - this.lastEmit >= PROGRESS_EVERY_MS) this.progress(signal, read, t - t0, tracker.count);
        return !o.done;
      },
    });
    this.progress(signal, read, this.now() - t0, tracker.count);
    this.addSearched(signal, { from: start, to: Math.max(start - 1, result.lastSeq), how });
    if (signal.aborted || !tracker.found) return false;
    // Ran into the history without the execution ending: the main reader holds the rest of it.
    if (result.end !== "stopped" && again === undefined) await this.deps.historyLoaded(history.targetSeq);
    await this.deps.flushed();
    if (signal.aborted) return false;
    this.update(signal, { phase: "found" });
    return true;
  }

  private progress(signal: AbortSignal, read: number, elapsedMs: number, seen: number) {
    this.lastEmit = this.now();
    this.update(signal, { read, elapsedMs, seen, rate: elapsedMs > 0 ? (read * 1000) / elapsedMs : 0 });
  }

  private addSearched(signal: AbortSignal, r: SearchedRange) {
    const seen = this.state.searched.some((x) => x.from === r.from && x.to === r.to && x.how === r.how);
    if (r.to >= r.from && !seen) this.update(signal, { searched: [...this.state.searched, r] });
  }

  /** A run's update; dropped once that run was cancelled or restarted. */
  private update(signal: AbortSignal, patch: Partial<OpenState>) {
    if (!signal.aborted) this.set(patch);
  }

  private set(patch: Partial<OpenState>) {
    this.state = { ...this.state, ...patch };
    this.emit();
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}

function span(a: number, b: number): number {
  return Math.max(0, b - a + 1);
}

/** "stream sequences 1–10,000 (scanned) and 10,001–210,000 (loaded history)": what not-found searched. */
export function describeSearch(s: OpenState): string {
  const how = {
    history: "loaded as history",
    hint: "read where the link pointed",
    scan: "scanned",
    index: "looked up in the index",
  } as const;
  const parts = [...s.searched]
    .sort((a, b) => a.from - b.from)
    .map((r) => `${formatCount(r.from)}–${formatCount(r.to)} (${how[r.how]})`);
  const total = s.stream
    ? ` The stream holds ${formatCount(s.stream.messages)} messages, sequences ${formatCount(s.stream.firstSeq)}–${formatCount(s.stream.lastSeq)}.`
    : "";
  return `Searched stream sequences ${parts.length > 0 ? parts.join(", ") : "none"}.${total}`;
}
