import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { BUILTIN_KEYS, customKey, IDENTITY_FIELD, type PartitionKey } from "./partition-key";
import { sha256Hex } from "./sha256";
import { snapshotTransferables, type AuditLogSnapshot } from "./snapshot";
import { generateWorkload, makeMessage } from "./testing";
import type { RawMessage } from "./types";

const KEYS: PartitionKey[] = [
  ...BUILTIN_KEYS,
  customKey([IDENTITY_FIELD]),
  customKey(["workflow_execution_id", "step_id"]),
  customKey(["no_such_field"]),
];

/**
 * Messages as a file or socket reader hands them out: views into large read
 * buffers (which the store keeps by reference) mixed with small separate
 * buffers (copied into its arenas).
 */
function asReadBuffers(msgs: readonly RawMessage[], perBuffer: number): RawMessage[] {
  const out: RawMessage[] = [];
  for (let i = 0; i < msgs.length; i += perBuffer) {
    const group = msgs.slice(i, i + perBuffer);
    const size = group.reduce((n, m) => n + m.data.length, 0);
    const buf = new Uint8Array(size);
    let at = 0;
    for (const m of group) {
      buf.set(m.data, at);
      out.push({ ...m, data: buf.subarray(at, at + m.data.length) });
      at += m.data.length;
    }
  }
  return out;
}

function workload(seed: number): RawMessage[] {
  const { messages } = generateWorkload({ seed, executions: 60, faultRate: 0.08, hash: (b) => sha256Hex(b) });
  return asReadBuffers(messages, 97);
}

/** Every public query of the log, as plain data. */
function observe(log: AuditLog, streamSeqs: readonly number[]) {
  const ids = log.executions().map((x) => x.id);
  const pick = [...ids.slice(0, 3), ids[ids.length - 1] ?? "", "wfx-unknown"];
  const analyses: unknown[] = [];
  for (const key of KEYS) {
    analyses.push(log.analyze(key));
    analyses.push(log.analyze(key, { chains: false, nowMs: 0 }));
    for (const x of pick) analyses.push(log.analyze(key, { executionId: x }));
  }
  return {
    size: log.size,
    version: log.version,
    executions: log.executions(),
    executionsAt0: log.executions({ nowMs: 0 }),
    execution: pick.map((x) => log.execution(x)),
    events: log.events(),
    eventsOf: pick.map((x) => log.events(x)),
    malformed: log.malformed(),
    malformedOf: pick.map((x) => log.malformed(x)),
    duplicates: log.duplicates(),
    duplicatesOf: pick.map((x) => log.duplicates(x)),
    records: streamSeqs.map((s) => log.recordAt(s)),
    chainBreaks: log.chainBreaks(),
    analyses,
  };
}

/** A snapshot moved the way a worker moves it: structured clone with every buffer transferred. */
function transfer(snap: AuditLogSnapshot): AuditLogSnapshot {
  return structuredClone(snap, { transfer: snapshotTransferables(snap) });
}

describe("AuditLog snapshot", () => {
  it("round-trips: every public method answers the same after snapshot → transfer → fromSnapshot", () => {
    // Each log gets its own buffers: transferring the moved log's detaches them.
    const msgs = workload(11);
    const copy = workload(11);
    const original = new AuditLog();
    const moved = new AuditLog();
    for (let i = 0; i < msgs.length; i += 500) {
      original.add(msgs.slice(i, i + 500));
      moved.add(copy.slice(i, i + 500));
    }
    const restored = AuditLog.fromSnapshot(transfer(moved.snapshot()));
    const seqs = [...msgs.map((m) => m.streamSeq), 0, 10 ** 9];
    const want = observe(original, seqs);
    expect(want.malformed.length).toBeGreaterThan(0);
    expect(want.duplicates.length).toBeGreaterThan(0);
    expect(want.chainBreaks.length).toBeGreaterThan(0);
    expect(observe(restored, seqs)).toEqual(want);
  });

  it("the restored log carries on: later messages, copies and late earlier copies give the same result", () => {
    const msgs = workload(12);
    const cut = Math.floor(msgs.length * 0.7);
    const original = new AuditLog();
    const moved = new AuditLog();
    original.add(msgs.slice(0, cut));
    moved.add(workload(12).slice(0, cut));
    const restored = AuditLog.fromSnapshot(transfer(moved.snapshot()));
    const last = msgs[msgs.length - 1] as RawMessage;
    const early = msgs[3] as RawMessage;
    const later: RawMessage[] = [
      ...msgs.slice(cut),
      // A redelivery of a kept message, a byte-identical retry under a new stream sequence,
      { ...early, deliveryCount: 2 },
      { ...early, streamSeq: last.streamSeq + 10 },
      // and a copy under an earlier stream sequence than the kept one (it becomes the kept copy).
      { ...(msgs[cut + 5] as RawMessage), streamSeq: 0.5 },
      makeMessage("not json", { streamSeq: last.streamSeq + 11 }),
    ];
    original.add(later);
    restored.add(later);
    const seqs = [...later.map((m) => m.streamSeq), ...msgs.slice(0, 50).map((m) => m.streamSeq)];
    expect(observe(restored, seqs)).toEqual(observe(original, seqs));
  });

  it("an empty log round-trips", () => {
    const restored = AuditLog.fromSnapshot(transfer(new AuditLog().snapshot()));
    expect(observe(restored, [1])).toEqual(observe(new AuditLog(), [1]));
  });

  it("transfers, not copies, the columns and bytes", () => {
    const log = new AuditLog();
    log.add(workload(13));
    const snap = log.snapshot();
    const buffers = snapshotTransferables(snap);
    expect(buffers).toContain(snap.store.streamSeq.buffer);
    for (const c of snap.store.chunks) if (c !== undefined) expect(buffers).toContain(c.buffer);
    structuredClone(snap, { transfer: buffers });
    expect(snap.store.streamSeq.byteLength).toBe(0); // detached
  });

  it("refuses a snapshot of another format", () => {
    const snap = new AuditLog().snapshot();
    expect(() => AuditLog.fromSnapshot({ ...snap, format: 99 as unknown as typeof snap.format })).toThrow(/format 99/);
  });
});
