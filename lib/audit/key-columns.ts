// One KeyColumn per partition-key field: the store's own interned columns for
// the built-in fields; any other field is extracted once per row the first
// time a key asks for it (from the event objects), then kept as a column.

import type { KeyColumn } from "./columns";
import { fieldReader, IDENTITY_FIELD } from "./partition-key";
import type { RowStore } from "./row-store";
import { StringTable } from "./string-table";
import type { AuditEvent } from "./types";

interface LazyColumn {
  ids: Int32Array;
  table: StringTable;
  read: (e: AuditEvent) => string | undefined;
}

/** -2 in a lazy column: not extracted yet. */
const PENDING = -2;

export class KeyColumns {
  private readonly lazy = new Map<string, LazyColumn>();

  constructor(
    private readonly store: RowStore,
    private readonly identityNames: readonly string[],
    private readonly eventAt: (row: number) => AuditEvent,
  ) {}

  /** Extracted columns are row-numbered: rows were renumbered, so they are extracted again when asked. */
  clear(): void {
    this.lazy.clear();
  }

  /** Bytes held by extracted columns, for the memory budget. */
  get bytes(): number {
    let n = 0;
    for (const c of this.lazy.values()) n += c.ids.byteLength + c.table.size * 64;
    return n;
  }

  columns(fields: readonly string[], rows: readonly number[]): KeyColumn[] {
    const s = this.store;
    const out: KeyColumn[] = [];
    const pending: LazyColumn[] = [];
    for (const f of fields) {
      switch (f) {
        case "workflow_execution_id":
          out.push({ ids: s.exec, values: s.execs.values });
          continue;
        case "correlation_id":
          out.push({ ids: s.corr, values: s.corrs.values });
          continue;
        case "task_id":
          out.push({ ids: s.task, values: s.tasks.values });
          continue;
        case "entity_type":
          out.push({ ids: s.entityType, values: s.entityTypes.values });
          continue;
        case "entity_id":
          out.push({ ids: s.entityId, values: s.entityIds.values });
          continue;
        case "producer":
          out.push({ ids: s.producer, values: s.producers.values });
          continue;
        case IDENTITY_FIELD:
          out.push({ ids: s.identity, values: this.identityNames });
          continue;
      }
      let col = this.lazy.get(f);
      if (col === undefined) {
        col = { ids: new Int32Array(0), table: new StringTable(), read: fieldReader(f) };
        this.lazy.set(f, col);
      }
      if (col.ids.length < s.n) {
        const ids = new Int32Array(Math.max(s.n, col.ids.length * 2)).fill(PENDING);
        ids.set(col.ids);
        col.ids = ids;
      }
      pending.push(col);
      out.push({ ids: col.ids, values: col.table.values });
    }
    if (pending.length > 0) {
      for (const row of rows) {
        let ev: AuditEvent | undefined;
        for (const col of pending) {
          if (col.ids[row] !== PENDING) continue;
          ev ??= this.eventAt(row);
          const v = col.read(ev);
          col.ids[row] = v === undefined ? -1 : col.table.intern(v);
        }
      }
    }
    return out;
  }
}
