import { formatCount } from "../format";
// Why the stream's own sequence numbers jump (CONTRACT.md, "Holes in the stream
// itself"). The reader sees every stream sequence in order; a jump it did not
// ask for is classified here from what the stream said about itself at that
// moment. These are facts about the transport, kept apart from producers' seq
// anomalies. Pure: the reader gathers the facts, this decides.

export type HoleCause = "expired" | "purged" | "deleted" | "recreated" | "unexplained";

export interface StreamHole {
  /** First and last missing stream sequence (inclusive). */
  from: number;
  to: number;
  cause: HoleCause;
  /** In words, for the banner, the timeline note and the report. */
  detail: string;
  /** Wall-clock ms when the reader found it. */
  at: number;
}

/** What the stream said about itself when the hole was found. */
export interface StreamFacts {
  firstSeq: number;
  lastSeq: number;
  /** Sequences deleted one by one that the stream still reports (`deleted_details`), when known. */
  deleted?: readonly number[];
  /** The stream's retention limits; ≤ 0 means unlimited. */
  maxMsgs: number;
  maxBytes: number;
  /** Nanoseconds, as JetStream reports it. */
  maxAgeNanos: number;
  maxMsgsPerSubject: number;
}

export const HOLE_CAUSE_LABEL: Record<HoleCause, string> = {
  expired: "expired",
  purged: "purged",
  deleted: "deleted",
  recreated: "stream recreated",
  unexplained: "unexplained",
};

/** Splits [from, to] into runs by cause. Returns [] for an empty range. */
export function classifyHole(from: number, to: number, facts: StreamFacts, at: number): StreamHole[] {
  if (to < from) return [];
  const out: StreamHole[] = [];
  const push = (a: number, b: number, cause: HoleCause, detail: string) => {
    const last = out.at(-1);
    if (last && last.cause === cause && last.to === a - 1) last.to = b;
    else out.push({ from: a, to: b, cause, detail, at });
  };
  // Below first_seq: the stream no longer holds them. With limits set, they aged out
  // or were pushed out; without any, only a purge removes the head of a stream.
  const headEnd = Math.min(to, facts.firstSeq - 1);
  if (headEnd >= from) {
    const limits = describeLimits(facts);
    if (limits) push(from, headEnd, "expired", `removed by the stream's limits (${limits}) before this tab read them`);
    else push(from, headEnd, "purged", "the stream has no limits, so they were purged before this tab read them");
  }
  const start = Math.max(from, facts.firstSeq);
  if (start > to) return out;
  const deleted = new Set(facts.deleted ?? []);
  for (let s = start; s <= to;) {
    const isDeleted = deleted.has(s);
    let e = s;
    while (e + 1 <= to && deleted.has(e + 1) === isDeleted) e++;
    if (isDeleted) push(s, e, "deleted", "deleted one by one on the server");
    else
      push(
        s,
        e,
        "unexplained",
        facts.deleted === undefined
          ? "inside the stream's range, and the server did not say they were deleted"
          : "inside the stream's range and not among its deleted messages",
      );
    s = e + 1;
  }
  return out;
}

/** The stream was deleted and created again: its sequences restarted, so the old log is a different stream. */
export function recreatedNotice(previous: { from: number; to: number }, at: number): StreamHole {
  return {
    from: previous.from,
    to: previous.to,
    cause: "recreated",
    detail: `the stream was deleted and created again; its sequences restarted, so this tab started a new log (the old one held stream seq ${formatCount(previous.from)}–${formatCount(previous.to)})`,
    at,
  };
}

export function holeSize(h: StreamHole): number {
  return h.to - h.from + 1;
}

/** Total missing messages by cause (recreations are not counted as missing). */
export function holeTotals(holes: readonly StreamHole[]): Record<HoleCause, number> {
  const t: Record<HoleCause, number> = { expired: 0, purged: 0, deleted: 0, recreated: 0, unexplained: 0 };
  for (const h of holes) if (h.cause !== "recreated") t[h.cause] += holeSize(h);
  return t;
}

/** Holes that overlap [from, to] (an execution's stream-sequence range, for its timeline note). */
export function holesWithin(holes: readonly StreamHole[], from: number, to: number): StreamHole[] {
  return holes.filter((h) => h.cause !== "recreated" && h.from <= to && h.to >= from);
}

function describeLimits(f: StreamFacts): string {
  const parts: string[] = [];
  if (f.maxMsgs > 0) parts.push(`at most ${formatCount(f.maxMsgs)} messages`);
  if (f.maxBytes > 0) parts.push(`at most ${formatCount(f.maxBytes)} bytes`);
  if (f.maxAgeNanos > 0) parts.push(`messages older than ${formatAge(f.maxAgeNanos / 1e6)}`);
  if (f.maxMsgsPerSubject > 0) parts.push(`at most ${formatCount(f.maxMsgsPerSubject)} per subject`);
  return parts.join(", ");
}

function formatAge(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 172_800_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}
