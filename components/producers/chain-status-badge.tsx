import type { ChainStatus } from "@/lib/audit/process-ledger";

const LOOK: Record<ChainStatus, { text: string; className: string }> = {
  continuous: {
    text: "continuous",
    className: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  },
  breaks: { text: "breaks", className: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" },
  "mid-chain": {
    text: "starts mid-chain",
    className: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  },
  "no-chain": { text: "no chain", className: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300" },
};

export function ChainStatusBadge({ status }: { status: ChainStatus }) {
  const l = LOOK[status];
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ${l.className}`} data-status={status}>
      {l.text}
    </span>
  );
}
