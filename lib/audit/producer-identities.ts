// Resolved producer identities (the lanes), each stored once and referred to
// by index. resolveProducer runs only when the id tuple it reads changed from
// the last event of the same context: events come in streaks.

import type { Hints } from "./execution-index";
import { resolveProducer } from "./producer";
import type { Scanned } from "./scan";
import { StringTable } from "./string-table";
import type { ProducerIdentity, ProducerRule } from "./types";

export class ProducerIdentities {
  readonly list: ProducerIdentity[] = [];
  /** Ids by index: the lane names chain verification and the identity key read. */
  readonly names: string[] = [];
  private readonly ix = new Map<string, number>();
  /** Interned `source` values: only this cache compares them, no column keeps them. */
  readonly sources = new StringTable();

  constructor(private readonly rules: readonly ProducerRule[]) {}

  at(ix: number): ProducerIdentity {
    return this.list[ix] as ProducerIdentity;
  }

  add(identity: ProducerIdentity): number {
    let ix = this.ix.get(identity.id);
    if (ix === undefined) {
      ix = this.list.length;
      this.list.push(identity);
      this.names.push(identity.id);
      this.ix.set(identity.id, ix);
    }
    return ix;
  }

  /**
   * Index of the scanned event's identity. `producer`, `entityType`, `entityId`,
   * `exec` (its run): its interned ids (-1: none); `workflow`: non-zero for a
   * workflow_* event.
   */
  of(
    h: Hints,
    e: Scanned,
    producer: number,
    entityType: number,
    entityId: number,
    exec: number,
    workflow: number,
  ): number {
    // resolveProducer reads exactly these; the run id only for a workflow_* event.
    const source = e.source !== undefined && e.source !== "" ? h.source.intern(this.sources, e.source) : -1;
    const slot = workflow !== 0 ? h.workflowIdentity : h.identity;
    const run = workflow !== 0 ? exec : -1;
    if (
      producer === slot.producer &&
      source === slot.source &&
      entityType === slot.entityType &&
      entityId === slot.entityId &&
      run === slot.exec
    ) {
      return slot.ix;
    }
    const ix = this.add(resolveProducer(e, this.rules));
    slot.producer = producer;
    slot.source = source;
    slot.entityType = entityType;
    slot.entityId = entityId;
    slot.exec = run;
    slot.ix = ix;
    return ix;
  }
}
