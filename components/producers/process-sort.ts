import type { ProducerProcess } from "@/lib/audit/process-ledger";

export type ProcessSortColumn = "producer" | "status" | "events" | "executions" | "breaks" | "first" | "last";

export interface ProcessSort {
  by: ProcessSortColumn;
  desc: boolean;
}

/** Most recently active first: on a live stream the processes writing now are the ones on top. */
export const DEFAULT_PROCESS_SORT: ProcessSort = { by: "last", desc: true };

/** Worst first when sorted by status descending. */
const STATUS_RANK: Record<ProducerProcess["status"], number> = {
  continuous: 0,
  "no-chain": 1,
  "mid-chain": 2,
  breaks: 3,
};

/** How many executions a process served (an index entry's list is cut: its count is not). */
export type ExecutionsOf = (p: ProducerProcess) => number;

const listed: ExecutionsOf = (p) => p.executions.length;

function value(p: ProducerProcess, by: ProcessSortColumn, executionsOf: ExecutionsOf): number | string {
  switch (by) {
    case "producer":
      return p.identity.label;
    case "status":
      return STATUS_RANK[p.status];
    case "events":
      return p.events;
    case "executions":
      return executionsOf(p);
    case "breaks":
      return p.breaks.length;
    case "first":
      return p.first.streamSeq;
    case "last":
      return p.last.streamSeq;
  }
}

/** The processes in the order asked; ties by first line, so the order is total and stable. */
export function sortProcesses(
  list: readonly ProducerProcess[],
  sort: ProcessSort,
  executionsOf: ExecutionsOf = listed,
): ProducerProcess[] {
  const dir = sort.desc ? -1 : 1;
  return [...list].sort((a, b) => {
    const x = value(a, sort.by, executionsOf);
    const y = value(b, sort.by, executionsOf);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c * dir || a.first.streamSeq - b.first.streamSeq;
  });
}
