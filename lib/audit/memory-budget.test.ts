import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { fingerprint, FingerprintIndex, sameBytes } from "./dedupe";
import { DigestTable } from "./digest-table";
import { ExecutionIndex, newExecState } from "./execution-index";
import { StringTable } from "./string-table";
import { sha256Hex } from "./sha256";
import { BASE_TS_MS, generateWorkload, makeMessage, makeWire } from "./testing";
import type { RawMessage } from "./types";

const enc = new TextEncoder();

/** `runs` executions of `perRun` lines each, one long-lived process chaining every line (prev_hash). */
function chainedRuns(runs: number, perRun: number): RawMessage[] {
  const out: RawMessage[] = [];
  let prev = "0".repeat(64);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < perRun; i++) {
      const n = out.length + 1;
      const last = i === perRun - 1;
      const wire = makeWire(
        {
          event: last ? "workflow_complete" : "tool_exec",
          workflow_execution_id: `x${r}`,
          producer: "p",
          seq: i + 1,
          prev_hash: prev,
        },
        BASE_TS_MS + n * 1000,
      );
      const data = enc.encode(JSON.stringify(wire));
      prev = sha256Hex(data);
      out.push(makeMessage(data, { streamSeq: n, receivedMs: BASE_TS_MS + n * 1000 }));
    }
  }
  return out;
}

function feed(log: AuditLog, msgs: readonly RawMessage[]): void {
  for (let i = 0; i < msgs.length; i += 1_000) log.add(msgs.slice(i, i + 1_000));
}

describe("memory budget", () => {
  it("what evicted lines leave behind does not grow with the stream", () => {
    // Budget 1 byte: every finished execution goes at once, so what stays is only what eviction leaves.
    const msgs = chainedRuns(16, 7_500);
    const log = new AuditLog({ budgetBytes: 1 });
    feed(log, msgs);
    const m = log.memory();
    expect(m.evictedMessages).toBe(120_000);
    expect(log.eventCounts().executions).toBe(120_000);
    expect(log.chainBreaks()).toEqual([]); // every line still finds its predecessor across evictions
    // The content ids and chain digests of evicted lines are capped (the newest 20 000 lines at this budget),
    // each in a table of at most 4 slots a line, 24 bytes a slot; 16 summaries and an empty store take little.
    // Keeping a digest per line ever read would take 120 000 lines' worth.
    const capped = 2 * 4 * 20_000 * 24;
    expect(m.heldBytes).toBeLessThan(capped + 2 ** 20);
  });
});

describe("ids of evicted executions", () => {
  const line = (x: string, corr: string, n: number, extra = {}) =>
    makeMessage(
      makeWire(
        {
          workflow_execution_id: x,
          correlation_id: corr,
          task_id: `task-${corr}`,
          entity_id: `agent-${corr}`,
          ...extra,
        },
        BASE_TS_MS + n * 1000,
      ),
      { streamSeq: n, receivedMs: BASE_TS_MS + n * 1000 },
    );
  const done = (x: string, n: number) =>
    makeMessage(makeWire({ event: "workflow_complete", workflow_execution_id: x }, BASE_TS_MS + n * 1000), {
      streamSeq: n,
      receivedMs: BASE_TS_MS + n * 1000,
    });

  it("are let go with its rows, and a late line of it reads its own ids, not another's", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    log.add([line("x", "c1", 1), line("x", "c2", 2), done("x", 3)]); // x complete: evicted, c1 and c2 released
    log.add([line("y", "c3", 4)]); // y runs: held, its ids interned after the released ones
    log.add([line("x", "c1", 5, { seq: 9 })]); // late for x: c1 interned anew, then released again
    log.add([line("x", "c1", 6, { seq: 10 })]); // the shared hint of evicted runs must not hand out that id
    log.pin("x");
    const again = [
      line("x", "c1", 1),
      line("x", "c2", 2),
      done("x", 3),
      line("x", "c1", 5, { seq: 9 }),
      line("x", "c1", 6, { seq: 10 }),
    ];
    log.add(again.map((m) => ({ ...m, reread: true }))); // x is evicted again after the late line: read it back
    const fields = (x: string) => log.events(x).map((e) => [e.correlation_id, e.task_id, e.entity_id]);
    expect(fields("y")).toEqual([["c3", "task-c3", "agent-c3"]]);
    expect(fields("x")).toEqual([
      ["c1", "task-c1", "agent-c1"],
      ["c2", "task-c2", "agent-c2"],
      [undefined, undefined, undefined],
      ["c1", "task-c1", "agent-c1"],
      ["c1", "task-c1", "agent-c1"],
    ]);
    expect(log.related("x")).toEqual(["c1", "c2"]);
    // A snapshot keeps released slots in place: y's ids still read y's strings.
    const back = AuditLog.fromSnapshot(log.snapshot());
    expect(back.events("y").map((e) => e.correlation_id)).toEqual(["c3"]);
  });

  it("a process's invocations are counted once when a late line interns one anew", () => {
    const log = new AuditLog({ budgetBytes: 1 });
    log.add([line("x", "c1", 1, { producer: "p" })]);
    expect(log.processLedger().processes[0]?.invocations).toEqual(["c1"]); // asked: kept up to date from now
    log.add([done("x", 2)]); // evicted, c1 released
    log.add([line("x", "c1", 3, { producer: "p", seq: 2 })]);
    expect(log.processLedger().processes.find((p) => p.events === 2)?.invocations).toEqual(["c1"]);
  });
});

describe("StringTable.release", () => {
  it("frees what is unused, never hands an id out twice, and a snapshot of it loads in place", () => {
    const t = new StringTable();
    for (const v of ["a", "b", "c"]) t.intern(v);
    t.release([1, 1]); // twice: counted once
    expect([t.live, t.size, t.lookup("b")]).toEqual([2, 3, -1]);
    expect(t.intern("b")).toBe(3);
    expect(t.intern("c")).toBe(2);
    const u = new StringTable();
    u.load(t.values);
    expect([u.lookup("a"), u.lookup("b"), u.lookup("c"), u.live]).toEqual([0, 3, 2, 3]);
  });
});

describe("DigestTable.keepWhere", () => {
  it("keeps exactly the chosen lines, with their followers, in a table sized for them", () => {
    const t = new DigestTable();
    for (let i = 0; i < 10_000; i++) t.add(i, ~i, i + 1, i + 2);
    const before = t.bytes;
    t.keepWhere((line) => line % 100 === 0);
    expect(t.size).toBe(100);
    expect(t.bytes).toBeLessThan(before / 50);
    for (let i = 0; i < 10_000; i++) {
      const kept = (i + 1) % 100 === 0;
      expect(t.lineOf(i, ~i)).toBe(kept ? i + 1 : NaN);
      expect(t.followerOf(i, ~i)).toBe(kept ? i + 2 : NaN);
    }
  });
});

describe("DigestTable.deleteLine", () => {
  it("removes exactly the lines let go, however their probe runs interleave, and shrinks once sparse", () => {
    // A table past 1 000 entries holds long probe runs that wrap: deleting shifts entries back into holes.
    const t = new DigestTable();
    const n = 4_000;
    const hi = (i: number) => Math.imul(i, 0x2545f491) | 0;
    for (let i = 0; i < n; i++) t.add(hi(i), i & 7, i + 1, -i);
    const full = t.bytes;
    for (let i = 0; i < n; i += 3) t.deleteLine(hi(i), i & 7, i + 1);
    t.deleteLine(hi(1), 1, 999_999); // another line's digest names it: kept
    for (let i = 0; i < n; i++) {
      const kept = i % 3 !== 0;
      expect([i, t.lineOf(hi(i), i & 7)]).toEqual([i, kept ? i + 1 : NaN]);
      if (kept) expect(t.followerOf(hi(i), i & 7)).toBe(-i);
    }
    expect(t.size).toBe(n - Math.ceil(n / 3));
    for (let i = 0; i < n; i++) if (i % 3 !== 0 && i % 10 !== 1) t.deleteLine(hi(i), i & 7, i + 1);
    t.shrinkIfSparse();
    expect(t.bytes).toBeLessThan(full / 4);
    for (let i = 1; i < n; i += 10) if (i % 3 !== 0) expect(t.lineOf(hi(i), i & 7)).toBe(i + 1);
  });
});

describe("FingerprintIndex.remap", () => {
  it("follows renumbered rows and forgets dropped ones, reading no payload", () => {
    const payload = (row: number) => Uint8Array.of(row & 255, row >> 8);
    let rows = 3_000;
    let bytesOf = payload;
    const ix = new FingerprintIndex((row, data) => sameBytes(bytesOf(row), data));
    for (let r = 0; r < rows; r++) {
      const d = payload(r);
      expect(ix.find(fingerprint(d, undefined), d)).toBe(-1);
      ix.add(fingerprint(d, undefined), r);
    }
    // Every other row goes; the rest become 0, 1, 2, …
    const remap = new Int32Array(rows).map((_, r) => (r % 2 === 0 ? -1 : (r - 1) / 2));
    ix.remap(remap);
    rows = 1_500;
    bytesOf = (row) => payload(row * 2 + 1);
    for (let r = 0; r < 3_000; r++) {
      const d = payload(r);
      expect([r, ix.find(fingerprint(d, undefined), d)]).toEqual([r, r % 2 === 0 ? -1 : (r - 1) / 2]);
    }
    expect(ix.bytes).toBeLessThanOrEqual(2 * 4 * 4_096);
  });
});

describe("ExecutionIndex.holding", () => {
  it("lists the contexts rows came for, drops those an eviction emptied, and finds restored ones", () => {
    const ix = new ExecutionIndex();
    const a = ix.ensure("execution", "a");
    const b = ix.ensure("execution", "b");
    ix.ensure("execution", "c"); // made, nothing filed yet
    for (const st of [a, b, a]) {
      st.events.push(st.events.length);
      ix.touch(st, 1, 1);
    }
    expect(ix.holding().map((st) => st.name)).toEqual(["a", "b"]);
    b.events = []; // evicted
    ix.settleHolding();
    expect(ix.holding().map((st) => st.name)).toEqual(["a"]);
    // A snapshot puts contexts in the list directly, rows and all: the next call looks at them once.
    const restored = newExecState("execution", "r", ix.list.length);
    restored.events.push(9);
    ix.list.push(restored);
    expect(ix.holding().map((st) => st.name)).toEqual(["a", "r"]);
  });
});

describe("eviction over read buffers", () => {
  it("held messages read their own bytes after evictions that keep some buffers and copy out of others", () => {
    // As a socket reader hands them out: views into 64 KiB buffers, which the store keeps by reference.
    const { messages } = generateWorkload({
      seed: 7,
      executions: 300,
      concurrency: 16,
      faultRate: 0.05,
      hash: sha256Hex,
    });
    const packed: RawMessage[] = [];
    let buf = new Uint8Array(64 << 10);
    let at = 0;
    for (const m of messages) {
      if (at + m.data.length > buf.length) [buf, at] = [new Uint8Array(64 << 10), 0];
      buf.set(m.data, at);
      packed.push({ ...m, data: buf.subarray(at, at + m.data.length) });
      at += m.data.length;
    }
    const budgeted = new AuditLog({ budgetBytes: 6_000_000 });
    const full = new AuditLog();
    feed(budgeted, packed);
    feed(full, packed);
    expect(budgeted.memory().evictedExecutions).toBeGreaterThan(50);
    const held = budgeted.executions().filter((x) => x.evicted === undefined);
    expect(held.length).toBeGreaterThan(20);
    for (const x of held) {
      expect(budgeted.events(x.id)).toEqual(full.events(x.id));
      expect(budgeted.malformed(x.id)).toEqual(full.malformed(x.id));
    }
  });
});
