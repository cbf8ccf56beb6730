import type { Analysis, AnomalyKind } from "@/lib/audit";
import { visible } from "@/lib/text/visible";

const THEN: AnomalyKind[] = [
  "missing-head",
  "duplicate",
  "out-of-order",
  "open-tail",
  "chain-break",
  "bad-signature",
  "malformed",
];

const WORDS: Record<AnomalyKind, [string, string]> = {
  collision: ["collision", "collisions"],
  duplicate: ["duplicate", "duplicates"],
  gap: ["gap", "gaps"],
  "missing-head": ["missing head", "missing heads"],
  "open-tail": ["open tail", "open tails"],
  "out-of-order": ["out of order", "out of order"],
  "chain-break": ["chain break", "chain breaks"],
  "bad-signature": ["bad signature", "bad signatures"],
  malformed: ["malformed", "malformed"],
};

export function countWords(kind: AnomalyKind, n: number): string {
  return `${n} ${WORDS[kind][n === 1 ? 0 : 1]}`;
}

/** One line: `under (correlation_id, task_id): 0 collisions, 1 gap · 2 duplicates`. */
export function AnomalySummary({ analysis }: { analysis: Analysis }) {
  const c = analysis.counts;
  const rest = THEN.filter((k) => (c[k] ?? 0) > 0).map((k) => countWords(k, c[k]));
  return (
    <p
      className="truncate text-sm"
      data-testid="anomaly-summary"
      data-key={analysis.key.id}
      data-collisions={c.collision}
      data-gaps={c.gap}
      aria-live="polite"
    >
      under <span className="font-mono">({visible(analysis.key.fields.join(", "))})</span>:{" "}
      <span className={c.collision > 0 ? "font-semibold text-red-700 dark:text-red-400" : ""}>
        {countWords("collision", c.collision)}
      </span>
      ,{" "}
      <span className={c.gap > 0 ? "font-semibold text-red-700 dark:text-red-400" : ""}>
        {countWords("gap", c.gap)}
      </span>
      {rest.length > 0 && <span className="text-slate-600 dark:text-slate-400"> · {rest.join(", ")}</span>}
      {analysis.noKey > 0 && <span className="text-slate-500"> · {analysis.noKey} events lack a key field</span>}
    </p>
  );
}
