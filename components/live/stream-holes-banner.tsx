"use client";

import { useAuditFeed } from "@/hooks/use-audit-feed";
import {
  HOLE_CAUSE_LABEL,
  holeSize,
  holeTotals,
  holesWithin,
  type HoleCause,
  type StreamHole,
} from "@/lib/live/stream-holes";
import { localClock } from "./connection-log-panel";
import { formatCount } from "@/lib/format";

/** What each cause means, in the banner's one sentence (each hole's own detail is in the list). */
const MEANING: Record<Exclude<HoleCause, "recreated">, string> = {
  expired: "removed by the stream's limits before this tab read them",
  purged: "purged from the stream",
  deleted: "deleted one by one on the server",
  unexplained: "inside the stream's range, with no reason the server gave",
};
const MISSING_CAUSES = Object.keys(MEANING) as (keyof typeof MEANING)[];

/** `1–5` or `7`. */
function seqRange(from: number, to: number): string {
  return from === to ? formatCount(from) : `${formatCount(from)}–${formatCount(to)}`;
}

/** The list page's notice of the stream's own holes, from the tab's feed. */
export function StreamHolesBanner() {
  const { holes } = useAuditFeed();
  return <StreamHolesNotice holes={holes} />;
}

/** Holes in the stream's sequence: what the transport lost, said apart from what producers got wrong. */
export function StreamHolesNotice({ holes }: { holes: readonly StreamHole[] }) {
  if (holes.length === 0) return null;
  const recreated = holes.filter((h) => h.cause === "recreated");
  const missing = holes.filter((h) => h.cause !== "recreated");
  const totals = holeTotals(missing);
  const total = MISSING_CAUSES.reduce((n, c) => n + totals[c], 0);
  const parts = MISSING_CAUSES.filter((c) => totals[c] > 0).map(
    (c) => `${formatCount(totals[c])} ${c} (${MEANING[c]})`,
  );
  return (
    <div
      className="my-3 space-y-1 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100"
      role="note"
      data-testid="stream-holes-banner"
    >
      {recreated.map((h) => (
        <p key={`${h.from}-${h.to}-${h.at}`} data-testid="stream-hole" data-cause={h.cause}>
          The stream was recreated at {localClock(h.at).slice(0, 5)}: its sequences restarted, so this tab started a new
          log (the old one held stream seq {seqRange(h.from, h.to)}).
        </p>
      ))}
      {missing.length > 0 && (
        <>
          <p>
            The stream itself is missing {formatCount(total)} message{total === 1 ? "" : "s"} this tab never received:{" "}
            {parts.join(", ")}. These are facts about the transport, not producer anomalies.
          </p>
          <details>
            <summary className="cursor-pointer text-xs font-medium">
              {missing.length === 1 ? "The hole" : `The ${formatCount(missing.length)} holes`}: where, why, when found
            </summary>
            <ul className="mt-1 space-y-0.5 text-xs">
              {missing.slice(-200).map((h) => (
                <li key={`${h.cause}-${h.from}-${h.to}`} data-testid="stream-hole" data-cause={h.cause}>
                  <span className="font-mono">stream seq {seqRange(h.from, h.to)}</span> ({formatCount(holeSize(h))}) ·{" "}
                  <span className="font-medium">{HOLE_CAUSE_LABEL[h.cause]}</span> · {h.detail} · found{" "}
                  {localClock(h.at)}
                </li>
              ))}
            </ul>
            {missing.length > 200 && <p className="mt-1 text-xs">Showing the newest 200.</p>}
          </details>
        </>
      )}
    </div>
  );
}

/** Ranges the one-line note names before it says "and N more". */
const NOTE_RANGES = 4;

export interface IntegrityNoteProps {
  holes: readonly StreamHole[];
  /** The execution's stream-sequence range. */
  from: number;
  to: number;
}

/** One line above a timeline whose stream-sequence range has holes: its events may be among the lost. */
export function IntegrityNote({ holes, from, to }: IntegrityNoteProps) {
  const inside = holesWithin(holes, from, to).map((h) => ({
    from: Math.max(h.from, from),
    to: Math.min(h.to, to),
    cause: h.cause,
  }));
  if (inside.length === 0) return null;
  const lost = inside.reduce((n, h) => n + h.to - h.from + 1, 0);
  const shown = inside.slice(0, NOTE_RANGES).map((h) => `${seqRange(h.from, h.to)}: ${HOLE_CAUSE_LABEL[h.cause]}`);
  const more = inside.length - shown.length;
  const where = shown.join("; ") + (more > 0 ? `; and ${formatCount(more)} more` : "");
  return (
    <p
      className="mb-2 rounded border border-amber-300 bg-amber-50 px-3 py-1.5 text-xs text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100"
      role="note"
      data-testid="integrity-note"
      data-lost={lost}
    >
      <span className="font-medium">Integrity:</span> the stream lost {formatCount(lost)} message{lost === 1 ? "" : "s"}{" "}
      inside this execution&apos;s range (stream seq {where}). Events of this execution may be among them.
    </p>
  );
}
