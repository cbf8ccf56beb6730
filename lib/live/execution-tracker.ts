// Follows one execution through a stretch of the stream read in order: which
// messages are its own, and when reading further can stop (its terminal event
// plus a safety margin has gone by). Transport-free, so the stop rule is tested
// on plain messages.
import { contextOfIds, contextOfKey, type ContextRef } from "../audit/context-ref";
import { closesInvocation, closesRun } from "../audit/event-kinds";
import type { RawMessage } from "../audit/types";

export interface StopMargins {
  /** After the terminal event (and the link's hinted end): stop after this many more messages… */
  afterTerminalMessages: number;
  /** …or this much more stream time, whichever comes first (late agent events, redeliveries). */
  afterTerminalMs: number;
  /** No terminal event seen: stop when the execution has been quiet this many messages… */
  quietMessages: number;
  /** …or this much stream time (the engine calls a run stalled after 5 min of silence). */
  quietMs: number;
}

export const DEFAULT_STOP_MARGINS: Readonly<StopMargins> = Object.freeze({
  afterTerminalMessages: 2_000,
  afterTerminalMs: 10_000,
  quietMessages: 100_000,
  quietMs: 5 * 60_000,
});

const decoder = new TextDecoder();

export interface Observation {
  /** The message carries the execution id (an event of it, or a malformed line naming it). */
  mine: boolean;
  /** Everything the execution wrote (and the margin after it) has been read. */
  done: boolean;
}

export class ExecutionTracker {
  private readonly needle: Uint8Array;
  private readonly margins: StopMargins;
  /** What is followed: an execution, or an invocation outside any run (context-ref.ts). */
  private readonly context: ContextRef;
  /** Stream sequence of the first / last message of the execution seen. */
  firstSeq: number | undefined;
  lastSeq: number | undefined;
  terminalSeq: number | undefined;
  /** Messages of the execution seen. */
  count = 0;
  /** The last message the margin is counted from: the execution's latest, or the hint's end. */
  private anchorSeq = -Infinity;
  private anchorMs = -Infinity;

  constructor(
    /** The log's context key (an execution's id, or an invocation's key). */
    readonly executionId: string,
    /** The link's hinted last stream sequence: never stop before it. */
    private readonly hintTo?: number,
    margins: Partial<StopMargins> = {},
  ) {
    // The id as it appears inside a JSON string (escapes included), as UTF-8.
    this.context = contextOfKey(executionId);
    this.needle = new TextEncoder().encode(JSON.stringify(this.context.id).slice(1, -1));
    this.margins = { ...DEFAULT_STOP_MARGINS, ...margins };
  }

  get found(): boolean {
    return this.count > 0;
  }

  observe(msg: RawMessage): Observation {
    const kind = this.classify(msg.data);
    const mine = kind !== "other";
    const seq = msg.streamSeq;
    if (mine) {
      this.count++;
      this.firstSeq ??= seq;
      this.lastSeq = seq;
      if (kind === "terminal") this.terminalSeq ??= seq;
    }
    if (mine || (this.hintTo !== undefined && seq <= this.hintTo)) {
      this.anchorSeq = seq;
      this.anchorMs = msg.receivedMs;
      return { mine, done: false };
    }
    const m = this.margins;
    const since = seq - this.anchorSeq;
    const sinceMs = msg.receivedMs - this.anchorMs;
    // The execution is over (or, with a hint, it never showed where the link said): a short margin.
    if (this.terminalSeq !== undefined || (!this.found && this.hintTo !== undefined)) {
      return { mine, done: since >= m.afterTerminalMessages || sinceMs >= m.afterTerminalMs };
    }
    // Still open: stop once it has been quiet for long; not found yet: keep scanning.
    return { mine, done: this.found && (since >= m.quietMessages || sinceMs >= m.quietMs) };
  }

  private classify(data: Uint8Array): "other" | "mine" | "terminal" {
    // Cheap byte test first: a scan sees every message of the stream, few of them this execution's.
    if (!containsBytes(data, this.needle)) return "other";
    let obj: unknown;
    try {
      obj = JSON.parse(decoder.decode(data));
    } catch {
      return "mine"; // a malformed line naming the execution: kept with the execution's messages
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return "mine";
    const rec = obj as Record<string, unknown>;
    // The id inside some other field, or an invocation's correlation id on an event filed under a run: not its own.
    const ref = contextOfIds(rec.workflow_execution_id, rec.correlation_id);
    if (ref === undefined || ref.kind !== this.context.kind || ref.id !== this.context.id) return "other";
    const closes = this.context.kind === "execution" ? closesRun : closesInvocation;
    return typeof rec.event === "string" && closes(rec.event) ? "terminal" : "mine";
  }
}

/** True when `needle` occurs in `hay`: a native scan for the first byte, then a compare. */
export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const first = needle[0] as number;
  const last = hay.length - n;
  for (let i = hay.indexOf(first); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < n && hay[i + k] === needle[k]) k++;
    if (k === n) return true;
  }
  return false;
}
