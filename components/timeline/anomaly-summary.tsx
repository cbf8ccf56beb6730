import type { Analysis, AnomalyKind } from "@/lib/audit";

const ORDER: AnomalyKind[] = [
  "collision",
  "gap",
  "missing-head",
  "duplicate",
  "out-of-order",
  "open-tail",
  "chain-break",
  "malformed",
];

/** `under (correlation_id, task_id): 0 collisions, 1 gap, …` */
export function AnomalySummary({ analysis }: { analysis: Analysis }) {
  const parts = ORDER.map((k) => `${analysis.counts[k] ?? 0} ${plural(k, analysis.counts[k] ?? 0)}`);
  return (
    <p className="text-sm" data-testid="anomaly-summary">
      under <span className="font-mono">({analysis.key.fields.join(", ")})</span>: {parts.join(", ")}
      {analysis.noKey > 0 && <span className="text-slate-500"> · {analysis.noKey} events lack a key field</span>}
      {analysis.withoutSeq > 0 && <span className="text-slate-500"> · {analysis.withoutSeq} without seq</span>}
    </p>
  );
}

const WORDS: Record<AnomalyKind, [string, string]> = {
  collision: ["collision", "collisions"],
  duplicate: ["duplicate", "duplicates"],
  gap: ["gap", "gaps"],
  "missing-head": ["missing head", "missing heads"],
  "open-tail": ["open tail", "open tails"],
  "out-of-order": ["out-of-order event", "out-of-order events"],
  "chain-break": ["chain break", "chain breaks"],
  malformed: ["malformed", "malformed"],
};

function plural(kind: AnomalyKind, n: number): string {
  return WORDS[kind][n === 1 ? 0 : 1];
}
