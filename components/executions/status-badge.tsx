import type { ExecutionSummary } from "@/lib/audit";

const LOOK: Record<ExecutionSummary["status"], string> = {
  running: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  complete: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  cancelled: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  stalled: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
};

export function StatusBadge({ status }: { status: ExecutionSummary["status"] }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${LOOK[status]}`}>{status}</span>;
}
