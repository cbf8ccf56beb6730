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

function plural(kind: AnomalyKind, n: number): string {
  const word = kind.replace(/-/g, " ");
  return n === 1 ? word : `${word}s`;
}
