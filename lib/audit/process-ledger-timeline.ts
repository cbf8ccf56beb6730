// A process timeline: every line one producer process wrote, across all the
// executions and invocations it served, placed by stream sequence, with its
// chain's breaks. Pure: columns in, plain arrays out; a canvas draws it
// (components/producers/process-timeline.tsx).
import type { ProducerProcess } from "./process-ledger";

export interface ProcessLinesColumns {
  streamSeq: Float64Array;
  tsMs: Float64Array;
  exec: Int32Array;
  execNames: readonly string[];
}

export interface ProcessTimelineModel {
  /** Stream sequence of each held line, ascending. */
  streamSeq: Float64Array;
  tsMs: Float64Array;
  /** Index into `executions` per line; -1: no execution (a standalone invocation or a process-level line). */
  execution: Int32Array;
  /** The executions, in the order the process first served them. */
  executions: string[];
  /** Where the chain breaks: the breaking line and the line before it. */
  breaks: { at: number; after: number }[];
  /** The stream-sequence span drawn (the process's first to last line, evicted ones included). */
  from: number;
  to: number;
}

/** The model of one process's held lines (`rows`: AuditLog's rowsOf for it). */
export function processTimelineModel(
  p: ProducerProcess,
  rows: readonly number[],
  c: ProcessLinesColumns,
): ProcessTimelineModel {
  const n = rows.length;
  const streamSeq = new Float64Array(n);
  const tsMs = new Float64Array(n);
  const execution = new Int32Array(n);
  const ix = new Map<number, number>();
  const executions: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = rows[i] as number;
    streamSeq[i] = c.streamSeq[row] as number;
    tsMs[i] = c.tsMs[row] as number;
    const x = c.exec[row] as number;
    if (x < 0) {
      execution[i] = -1;
      continue;
    }
    let j = ix.get(x);
    if (j === undefined) {
      j = executions.length;
      ix.set(x, j);
      executions.push(c.execNames[x] as string);
    }
    execution[i] = j;
  }
  return {
    streamSeq,
    tsMs,
    execution,
    executions,
    breaks: p.breaks.map((b) => ({ at: b.at, after: b.after })),
    from: p.first.streamSeq,
    to: p.last.streamSeq,
  };
}

/** x of a stream sequence in a strip `width` wide (a single line sits in the middle). */
export function xOfStreamSeq(m: Pick<ProcessTimelineModel, "from" | "to">, width: number, streamSeq: number): number {
  if (m.to <= m.from) return width / 2;
  return ((streamSeq - m.from) / (m.to - m.from)) * (width - 1);
}

/** The line nearest x (index into the model), or -1 when there is none. */
export function lineNearX(m: ProcessTimelineModel, width: number, x: number): number {
  const n = m.streamSeq.length;
  if (n === 0) return -1;
  const span = m.to - m.from;
  const target = span <= 0 ? m.from : m.from + (x / Math.max(1, width - 1)) * span;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((m.streamSeq[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && target - (m.streamSeq[lo - 1] as number) < (m.streamSeq[lo] as number) - target) return lo - 1;
  return lo;
}
