// An AuditLog's ingest state to plain data and back (the format is in
// snapshot.ts): how a log built in a Web Worker reaches the page. The indexes
// that only add() reads (stream sequences seen, byte fingerprints) are not in
// it; restoreIngest returns a function that rebuilds them, run on first add().

import type { Duplicate } from "./anomaly";
import { contextKey } from "./context-ref";
import { fingerprint } from "./dedupe";
import { Hints, type ExecState } from "./execution-index";
import type { Ingest } from "./ingest";
import {
  packLists,
  SNAPSHOT_FORMAT,
  unpackList,
  type AuditLogSnapshot,
  type ExecutionSnapshot,
  type MalformedSnapshot,
} from "./snapshot";
import type { ProducerIdentity } from "./types";

export function snapshotIngest(ing: Ingest, meta: { quietPeriodMs: number; version: number }): AuditLogSnapshot {
  const dupIndex = new Map<Duplicate, number>();
  const n = ing.dups.length;
  const duplicates = {
    streamSeq: new Float64Array(n),
    of: new Float64Array(n),
    deliveryCount: new Float64Array(n),
    receivedMs: new Float64Array(n),
  };
  ing.dups.forEach((d, i) => {
    dupIndex.set(d, i);
    duplicates.streamSeq[i] = d.streamSeq;
    duplicates.of[i] = d.of;
    duplicates.deliveryCount[i] = d.deliveryCount;
    duplicates.receivedMs[i] = d.receivedMs;
  });
  const copyOf = new Float64Array(ing.copyOf.size * 2);
  let k = 0;
  for (const [from, to] of ing.copyOf) {
    copyOf[k++] = from;
    copyOf[k++] = to;
  }
  const malformed: MalformedSnapshot[] = [];
  for (const [row, rec] of ing.badRecords) {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the bytes are the row's, the kind is implied
    const { raw, kind, ...rest } = rec;
    malformed.push({ ...rest, row });
  }
  const list = ing.execs.list;
  const executions: ExecutionSnapshot[] = list.map((st) => {
    if (st.evicted !== undefined) throw new Error("AuditLog.snapshot: a log that evicted executions cannot be moved");
    const x: ExecutionSnapshot = {
      kind: st.kind,
      name: st.name,
      execIx: st.execIx,
      producers: [...st.producers].map(([identity, p]) => ({
        identity,
        leads: p.leads,
        firstTsMs: p.firstTsMs,
        firstStreamSeq: p.firstStreamSeq,
      })),
      firstTsMs: st.firstTsMs,
      lastTsMs: st.lastTsMs,
      firstStreamSeq: st.firstStreamSeq,
      lastStreamSeq: st.lastStreamSeq,
      firstActivityMs: st.firstActivityMs,
      lastActivityMs: st.lastActivityMs,
      completed: st.completed,
      cancelled: st.cancelled,
      stepFailed: st.stepFailed,
      failedOutcome: st.failedOutcome,
    };
    if (st.workflowId !== undefined) x.workflowId = st.workflowId;
    if (st.tasks !== undefined) x.tasks = [...st.tasks];
    return x;
  });
  return {
    format: SNAPSHOT_FORMAT,
    producerRules: [...ing.rules],
    quietPeriodMs: meta.quietPeriodMs,
    version: meta.version,
    newestMs: ing.newestMs,
    hasChains: ing.hasChains,
    store: ing.store.snapshot(),
    all: Int32Array.from(ing.all),
    bad: Int32Array.from(ing.bad),
    malformed,
    duplicates,
    copyOf,
    identities: ing.identities.list.map((p) => ({ ...p })),
    sources: ing.identities.sources.values,
    executions,
    executionEvents: packLists(list.map((st) => st.events)),
    executionMalformed: packLists(list.map((st) => st.malformed)),
    executionDuplicates: packLists(list.map((st) => st.duplicates.map((d) => dupIndex.get(d) as number))),
  };
}

/** Fills a new Ingest from a snapshot; returns what rebuilds the add()-only indexes. */
export function restoreIngest(ing: Ingest, snap: AuditLogSnapshot): () => void {
  if (snap.format !== SNAPSHOT_FORMAT) {
    throw new Error(`audit log snapshot format ${String(snap.format)}, expected ${SNAPSHOT_FORMAT}`);
  }
  const s = ing.store;
  s.restore(snap.store);
  for (const row of snap.all) {
    ing.all.push(row);
    if ((s.home[row] as number) < 0) ing.outsideEvents++;
  }
  for (const row of snap.bad) ing.bad.push(row);
  for (const { row, ...rest } of snap.malformed) {
    ing.badRecords.set(row, { kind: "malformed", ...rest, raw: s.bytes(row) });
  }
  const d = snap.duplicates;
  for (let i = 0; i < d.streamSeq.length; i++) {
    ing.dups.push({
      streamSeq: d.streamSeq[i] as number,
      of: d.of[i] as number,
      deliveryCount: d.deliveryCount[i] as number,
      receivedMs: d.receivedMs[i] as number,
    });
  }
  for (let i = 0; i + 1 < snap.copyOf.length; i += 2) {
    ing.copyOf.set(snap.copyOf[i] as number, snap.copyOf[i + 1] as number);
  }
  for (const p of snap.identities) ing.identities.add(p);
  ing.identities.sources.load(snap.sources);
  snap.executions.forEach((x, ix) => {
    const st: ExecState = {
      id: contextKey({ kind: x.kind, id: x.name }),
      kind: x.kind,
      name: x.name,
      ix,
      execIx: x.execIx,
      events: unpackList(snap.executionEvents, ix),
      malformed: unpackList(snap.executionMalformed, ix),
      duplicates: unpackList(snap.executionDuplicates, ix).map((i) => ing.dups[i] as Duplicate),
      producers: new Map(
        x.producers.map((p) => [
          p.identity,
          {
            identity: ing.identities.list[p.identity] as ProducerIdentity,
            leads: p.leads,
            firstTsMs: p.firstTsMs,
            firstStreamSeq: p.firstStreamSeq,
          },
        ]),
      ),
      firstTsMs: x.firstTsMs,
      lastTsMs: x.lastTsMs,
      firstStreamSeq: x.firstStreamSeq,
      lastStreamSeq: x.lastStreamSeq,
      firstActivityMs: x.firstActivityMs,
      lastActivityMs: x.lastActivityMs,
      completed: x.completed,
      cancelled: x.cancelled,
      stepFailed: x.stepFailed,
      failedOutcome: x.failedOutcome,
      hints: new Hints(),
      version: 0,
    };
    if (x.workflowId !== undefined) st.workflowId = x.workflowId;
    if (x.tasks !== undefined) st.tasks = new Map(x.tasks);
    ing.execs.byName.set(st.id, st);
    ing.execs.list[ix] = st;
  });
  ing.newestMs = snap.newestMs;
  ing.hasChains = snap.hasChains;
  return () => {
    // Every message ever added became a row (kept, or replaced by an earlier copy) or a duplicate.
    for (let row = 0; row < s.n; row++) ing.seen.add(s.streamSeq[row] as number);
    for (const dup of ing.dups) ing.seen.add(dup.streamSeq);
    rebuildFingerprints(ing);
  };
}

/** The byte-identity index over every held row (after a restore, or rows were renumbered). */
export function rebuildFingerprints(ing: Ingest): void {
  const s = ing.store;
  ing.fingerprints.clear();
  for (const rows of [ing.all, ing.bad]) {
    for (const row of rows) {
      const bytes = s.bytes(row);
      const fp = fingerprint(
        bytes,
        ing.isMalformed(row) ? undefined : { tsMs: s.tsMs[row] as number, seq: s.seq[row] as number },
      );
      if (ing.fingerprints.find(fp, bytes) < 0) ing.fingerprints.add(fp, row);
    }
  }
}
