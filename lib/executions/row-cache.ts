// The list's rows of the contexts the log holds, made again only for those whose
// summary changed (the log hands out the same summary object while nothing
// did). It keeps only the last listing's rows: a context folded or dropped from
// the log leaves the cache with it, so a tab open for days holds no row of the
// hundreds of thousands of runs it has seen, only of those it still lists.
import type { AnomalyKind, ExecutionSummary } from "../audit";
import { toRow, type ExecutionRow } from "./execution-rows";

export class RowCache {
  private byId = new Map<string, { summary: ExecutionSummary; row: ExecutionRow }>();

  /** One row per summary, in order; `countsOf` is asked only of summaries not seen as they are. */
  rows(
    summaries: readonly ExecutionSummary[],
    countsOf: (s: ExecutionSummary) => Record<AnomalyKind, number> | undefined,
  ): ExecutionRow[] {
    const next = new Map<string, { summary: ExecutionSummary; row: ExecutionRow }>();
    const out = new Array<ExecutionRow>(summaries.length);
    for (let i = 0; i < summaries.length; i++) {
      const s = summaries[i] as ExecutionSummary;
      const hit = this.byId.get(s.id);
      const entry = hit?.summary === s ? hit : { summary: s, row: toRow(s, countsOf(s)) };
      next.set(s.id, entry);
      out[i] = entry.row;
    }
    this.byId = next;
    return out;
  }

  /** Rows held. */
  get size(): number {
    return this.byId.size;
  }
}
