import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { FoldedContexts, hash53 } from "./folded-contexts";
import type { AnomalyKind } from "./anomaly";
import type { ExecutionSummary } from "./execution-index";
import { BASE_TS_MS, makeMessage, makeWire } from "./testing";
import type { RawMessage } from "./types";

const RUNS = 2_000;
const PER_RUN = 5;
/** Summaries may take a quarter of it (memory-budget.ts), but at least 500 stay listed: so 500 here. */
const BUDGET = 840_000;

/** Line `i` (0-based) of run `r`: started, three tool calls, and the close (every 10th run fails). */
function line(r: number, i: number, streamSeq: number): RawMessage {
  const fields =
    i === 0
      ? { event: "workflow_started" }
      : i === PER_RUN - 1
        ? { event: "workflow_complete", fields: { status: r % 10 === 0 ? "failed" : "success" } }
        : { event: "tool_exec" };
  const at = BASE_TS_MS + streamSeq * 1000;
  return makeMessage(
    makeWire({ ...fields, workflow_execution_id: `x${r}`, producer: "orch", seq: i + 1, workflow_id: "wf" }, at),
    { streamSeq, receivedMs: at },
  );
}

/** Runs one after another on the stream: run r's lines are stream sequences r*PER_RUN+1 …. */
function stream(runs = RUNS): RawMessage[] {
  const out: RawMessage[] = [];
  for (let r = 0; r < runs; r++) for (let i = 0; i < PER_RUN; i++) out.push(line(r, i, out.length + 1));
  return out;
}

function feed(log: AuditLog, msgs: readonly RawMessage[]): void {
  for (let i = 0; i < msgs.length; i += 500) log.add(msgs.slice(i, i + 500));
}

const statusCount = (list: readonly ExecutionSummary[], s: string) => list.filter((x) => x.status === s).length;

describe("folding summaries into totals", () => {
  it("keeps the summaries within their share of the budget, and every count exact", () => {
    const log = new AuditLog({ budgetBytes: BUDGET });
    feed(log, stream());
    const listed = log.executions();
    const folded = log.folded().execution;
    expect(folded.contexts).toBeGreaterThan(RUNS / 2);
    // Not listed, but counted: every run once, every event once, every failure once.
    expect(listed.length + folded.contexts).toBe(RUNS);
    expect(log.eventCounts().executions).toBe(RUNS * PER_RUN);
    expect(folded.events + listed.reduce((n, x) => n + x.eventCount, 0)).toBe(RUNS * PER_RUN);
    expect((folded.byStatus.failed ?? 0) + statusCount(listed, "failed")).toBe(RUNS / 10);
    expect((folded.byStatus.complete ?? 0) + statusCount(listed, "complete")).toBe(RUNS - RUNS / 10);
    // Anomaly counts under the built-in keys come along (none here: every run counts 1..5).
    expect(Object.keys(folded.anomalies).length).toBeGreaterThan(0);
    expect(Object.values(folded.anomalies).every((k) => Object.values(k).every((n) => n === 0))).toBe(true);
    // The oldest went: the newest run is still listed, the first is not.
    expect(log.execution(`x${RUNS - 1}`)).toBeDefined();
    expect(log.execution("x0")).toBeUndefined();
    expect(folded.firstStreamSeq).toBe(1);
    // Bounded: at most the 500 kept plus what one batch adds.
    expect(listed.length).toBeLessThanOrEqual(500 + 100);
    expect(log.memory().foldedContexts).toBe(folded.contexts);
  });

  it("holds no more after 6 000 runs than after 4 400, give or take 100 bytes a run", () => {
    // By 20 000 lines the capped tables of evicted lines (20 000 at this budget) are full, and their size
    // swings as they halve; what else grows is the summaries: 2 KB a run without folding (3.4 MB for
    // these 1 600), 8 bytes of hash and a released id slot folded.
    const log = new AuditLog({ budgetBytes: BUDGET });
    const msgs = stream(6_000);
    let peak = 0;
    const at = (from: number, to: number) => {
      for (let i = from; i < to; i += 500) {
        log.add(msgs.slice(i, i + 500));
        peak = Math.max(peak, log.memory().heldBytes);
      }
      return peak;
    };
    const early = at(0, 4_400 * PER_RUN);
    const late = at(4_400 * PER_RUN, msgs.length);
    expect(late).toBeLessThan(early + 1_600 * 100);
    expect(log.executions().length + log.folded().execution.contexts).toBe(6_000);
  });

  it("a late line of a folded run makes it anew, marked as partly counted; its re-read moves events, never doubles them", () => {
    const msgs = stream();
    const log = new AuditLog({ budgetBytes: BUDGET });
    feed(log, msgs);
    const total = RUNS * PER_RUN;
    // Where to read it again: the stretch the folded runs lie in.
    expect(log.foldedRange("x0")).toEqual({ from: 1, to: PER_RUN });
    expect(log.foldedRange("x7")).toEqual({ from: 7 * PER_RUN + 1, to: 8 * PER_RUN });
    expect(log.foldedRange(`x${RUNS - 1}`)).toBeUndefined(); // listed
    expect(log.foldedRange("never-seen")).toBeUndefined();
    log.pin("x0"); // as the view that opens it does
    const foldedBefore = log.folded().execution.contexts;
    log.add([line(0, 5, total + 1)]);
    expect(log.foldedRange("x0")).toBeUndefined(); // listed again
    // Listed again, so no longer among the folded: every run still counted once.
    expect(log.folded().execution.contexts).toBe(foldedBefore - 1);
    expect(log.executions().length + log.folded().execution.contexts).toBe(RUNS);
    const x0 = log.execution("x0");
    expect(x0?.folded).toBe(true);
    expect(x0?.eventCount).toBe(1);
    expect(log.eventCounts().executions).toBe(total + 1);
    // Its stretch read again (what opening it does): the five lines leave the totals for the run.
    const before = log.folded().execution.events;
    log.add(msgs.slice(0, PER_RUN).map((m) => ({ ...m, reread: true })));
    expect(log.execution("x0")?.eventCount).toBe(PER_RUN + 1);
    expect(log.events("x0").map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.folded().execution.events).toBe(before - PER_RUN);
    expect(log.eventCounts().executions).toBe(total + 1);
  });

  it("a run made anew and evicted again: a re-read of its folded lines takes them out of the totals, not out of its evicted count", () => {
    const msgs = stream();
    const log = new AuditLog({ budgetBytes: BUDGET });
    feed(log, msgs);
    const total = RUNS * PER_RUN;
    expect(log.foldedRange("x0")).toEqual({ from: 1, to: PER_RUN });
    log.add([line(0, 5, total + 1)]); // made anew, not pinned: it can be evicted again
    expect(log.execution("x0")?.folded).toBe(true);
    // Newer runs until x0 is evicted once more (before it is folded again).
    let next = total + 2;
    for (let r = RUNS; log.execution("x0")?.evicted === undefined; r++) {
      expect(r).toBeLessThan(RUNS + 2_000);
      log.add(Array.from({ length: PER_RUN }, (_, i) => line(r, i, next++)));
    }
    expect(log.execution("x0")?.evicted?.events).toBe(1); // the late line
    log.pin("x0"); // as the view that opens it does
    const foldedEvents = log.folded().execution.events;
    const counted = log.eventCounts().executions;
    // Its folded stretch read again: the five lines come out of the totals; the late line stays evicted.
    log.add(msgs.slice(0, PER_RUN).map((m) => ({ ...m, reread: true })));
    expect(log.folded().execution.events).toBe(foldedEvents - PER_RUN);
    expect(log.execution("x0")?.evicted?.events).toBe(1);
    expect(log.execution("x0")?.eventCount).toBe(PER_RUN + 1);
    expect(log.eventCounts().executions).toBe(counted);
    // And the late line read again: nothing left evicted, nothing counted twice.
    log.add([{ ...line(0, 5, total + 1), reread: true }]);
    expect(log.execution("x0")?.evicted).toBeUndefined();
    expect(log.execution("x0")?.eventCount).toBe(PER_RUN + 1);
    expect(log.folded().execution.events).toBe(foldedEvents - PER_RUN);
    expect(log.events("x0").map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.eventCounts().executions).toBe(counted);
  });

  it("the evicted lines a run made anew keeps count in the memory estimate until it is folded again", () => {
    const msgs = stream();
    const log = new AuditLog({ budgetBytes: BUDGET });
    const execs = (log as unknown as { ing: { execs: { evictedOwnBytes: number } } }).ing.execs;
    feed(log, msgs);
    expect(execs.evictedOwnBytes).toBe(0);
    const total = RUNS * PER_RUN;
    log.add([line(0, 5, total + 1)]); // x0 made anew
    let next = total + 2;
    let r = RUNS;
    for (; log.execution("x0")?.evicted === undefined; r++) {
      expect(r).toBeLessThan(RUNS + 2_000);
      log.add(Array.from({ length: PER_RUN }, (_, i) => line(r, i, next++)));
    }
    const held = execs.evictedOwnBytes;
    expect(held).toBeGreaterThan(0);
    // Folded again in time: its set goes with it.
    for (; log.foldedRange("x0") === undefined; r++) {
      expect(r).toBeLessThan(RUNS + 20_000);
      log.add(Array.from({ length: PER_RUN }, (_, i) => line(r, i, next++)));
    }
    expect(execs.evictedOwnBytes).toBe(0);
  });

  it("a copy of a folded run's line published again is a duplicate, not a new event", () => {
    const msgs = stream();
    const log = new AuditLog({ budgetBytes: BUDGET });
    feed(log, msgs);
    const newest = msgs[msgs.length - 1] as RawMessage;
    const copyOfOld = { ...(msgs[PER_RUN * 1200 + 1] as RawMessage), streamSeq: newest.streamSeq + 1 };
    expect(log.execution("x1200")).toBeUndefined(); // folded
    log.add([copyOfOld]);
    expect(log.eventCounts().executions).toBe(RUNS * PER_RUN);
    expect(log.duplicates().at(-1)?.streamSeq).toBe(copyOfOld.streamSeq);
  });

  it("never folds a run open in a view", () => {
    const msgs = stream();
    const log = new AuditLog({ budgetBytes: BUDGET });
    feed(log, msgs.slice(0, 50 * PER_RUN));
    log.pin("x3");
    feed(log, msgs.slice(50 * PER_RUN));
    expect(log.execution("x3")?.eventCount).toBe(PER_RUN);
    expect(log.execution("x4")).toBeUndefined();
  });

  it("without a budget nothing folds", () => {
    const log = new AuditLog();
    feed(log, stream().slice(0, 500 * PER_RUN));
    expect(log.executions().length).toBe(500);
    expect(log.folded().execution.contexts).toBe(0);
  });
});

describe("FoldedContexts", () => {
  const summary = (id: string): ExecutionSummary => ({
    id,
    kind: "execution",
    name: id,
    producers: [],
    eventCount: 2,
    malformedCount: 1,
    duplicateCount: 0,
    firstTsMs: 10,
    lastTsMs: 20,
    firstStreamSeq: 1,
    lastStreamSeq: 3,
    status: "complete",
  });

  it("knows the keys it folded, and past its cap lets the older generation go", () => {
    const f = new FoldedContexts(4);
    const gaps = { gap: 1 } as Record<AnomalyKind, number>;
    f.fold(["a", "b"].map((id) => ({ summary: summary(id), counts: { k: gaps } })));
    expect([f.has("a"), f.has("b"), f.has("c")]).toEqual([true, true, false]);
    f.fold(["c"].map((id) => ({ summary: summary(id), counts: {} })));
    // 3 > 4 / 2: that generation is now the older one; the next that fills up replaces it.
    f.fold(["d", "e", "g"].map((id) => ({ summary: summary(id), counts: {} })));
    expect([f.has("a"), f.has("c"), f.has("d"), f.has("g")]).toEqual([false, false, true, true]);
    const t = f.totals.execution;
    expect([t.contexts, t.events, t.malformed, t.uncounted, t.byStatus.complete]).toEqual([6, 12, 6, 4, 6]);
    expect(t.anomalies).toEqual({ k: { gap: 2 } });
  });

  it("a context listed again leaves the folded count, by status; folded again, its newer stretch answers", () => {
    const f = new FoldedContexts();
    f.fold([{ summary: summary("a"), counts: {} }]);
    expect(f.relist("a", "execution")).toBe(true);
    expect([f.size, f.totals.execution.byStatus.complete, f.has("a")]).toEqual([0, 0, false]);
    expect(f.relist("a", "execution")).toBe(false); // once
    // Its events folded earlier stay counted until a re-read moves them.
    expect(f.totals.execution.events).toBe(2);
    f.fold([{ summary: { ...summary("a"), firstStreamSeq: 7, lastStreamSeq: 9, status: "failed" }, counts: {} }]);
    expect(f.where("a")).toEqual({ from: 7, to: 9 });
    expect([f.size, f.totals.execution.byStatus.failed]).toEqual([1, 1]);
  });

  it("hash53 is a stable 53-bit integer", () => {
    const h = hash53("wfx-1");
    expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    expect(hash53("wfx-1")).toBe(h);
    expect(hash53("wfx-2")).not.toBe(h);
  });
});
