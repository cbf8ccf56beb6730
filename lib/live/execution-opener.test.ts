// The opener's decisions with the stream faked: an expired hint, a hint inside
// the loaded history, a cancelled scan.
import { describe, expect, it } from "vitest";
import { makeMessage } from "../audit/testing";
import { ExecutionOpener, type OpenerDeps } from "./execution-opener";

function deps(over: Partial<OpenerDeps> = {}): OpenerDeps {
  return {
    bounds: async () => ({ firstSeq: 5_000, lastSeq: 10_000, messages: 5_001 }),
    history: async () => ({ startSeq: 9_001, targetSeq: 10_000 }),
    historyLoaded: async () => undefined,
    readRange: async () => ({ lastSeq: 0, end: "range-end" }),
    add: () => undefined,
    flushed: async () => undefined,
    known: () => false,
    ...over,
  };
}

describe("ExecutionOpener", () => {
  it("says plainly that a hinted stretch has expired, without scanning", async () => {
    let reads = 0;
    const o = new ExecutionOpener(
      deps({ readRange: async () => (reads++, { lastSeq: 0, end: "range-end" }) }),
      "wfx-1",
      {
        from: 100,
        to: 200,
      },
    );
    const s = await o.run();
    expect(s.phase).toBe("not-found");
    expect(s.reason).toBe(
      "The link places it at stream sequences 100–200, but the stream now begins at 5,000: those messages have expired.",
    );
    expect(reads).toBe(0);
  });

  it("waits for the main reader when the hint lies inside the loaded history", async () => {
    const waited: number[] = [];
    const o = new ExecutionOpener(
      deps({ historyLoaded: async (seq) => void waited.push(seq), known: () => true }),
      "wfx-1",
      { from: 9_500, to: 9_600 },
    );
    expect((await o.run()).phase).toBe("found");
    expect(waited).toEqual([9_600]);
  });

  it("reads a folded execution's stretch again, its messages marked as re-reads", async () => {
    const enc = new TextEncoder();
    const line = (seq: number, x: string, event = "tool_exec") =>
      makeMessage(enc.encode(JSON.stringify({ event, workflow_execution_id: x, seq: 1 })), {
        streamSeq: seq,
        receivedMs: seq,
      });
    const stream = new Map([
      [9_100, line(9_100, "wfx-other")],
      [9_101, line(9_101, "wfx-1")],
      [9_102, line(9_102, "wfx-1", "workflow_complete")],
    ]);
    const ranges: [number, number][] = [];
    const added: { seq: number; reread: boolean }[] = [];
    let known = false;
    const readRange: OpenerDeps["readRange"] = async ({ startSeq, endSeq, onMessage }) => {
      ranges.push([startSeq, endSeq]);
      let last = startSeq - 1;
      for (let seq = startSeq; seq <= endSeq; seq++) {
        const m = stream.get(seq);
        last = seq;
        if (m !== undefined && onMessage(m) === false) break;
      }
      return { lastSeq: last, end: "range-end" };
    };
    const o = new ExecutionOpener(
      deps({
        readRange,
        add: (m) => {
          added.push({ seq: m.streamSeq, reread: m.reread === true });
          known = true;
        },
        known: () => known,
        // It lay in 9 050–9 300 when folded, inside the loaded history (9 001–10 000).
        folded: (id) => (id === "wfx-1" ? { from: 9_050, to: 9_300 } : undefined),
      }),
      "wfx-1",
    );
    const s = await o.run();
    expect(s.phase).toBe("found");
    expect(ranges[0]).toEqual([9_050, 9_300]);
    // From its first message on, each handed over as a re-read (the log takes it back, not a redelivery).
    expect(added.slice(0, 2)).toEqual([
      { seq: 9_101, reread: true },
      { seq: 9_102, reread: true },
    ]);
  });

  it("a cancelled scan stops reading and says how far it got", async () => {
    const ref: { o?: ExecutionOpener } = {};
    const data = new TextEncoder().encode("{}");
    const readRange: OpenerDeps["readRange"] = async ({ startSeq, onMessage, signal }) => {
      let seq = startSeq;
      for (; !signal.aborted; seq++) {
        onMessage(makeMessage(data, { streamSeq: seq, receivedMs: seq }));
        if (seq === startSeq + 41) ref.o?.cancel();
        await Promise.resolve();
      }
      return { lastSeq: seq - 1, end: "aborted" };
    };
    const o = (ref.o = new ExecutionOpener(deps({ readRange }), "wfx-1"));
    const s = await o.run();
    expect(s.phase).toBe("cancelled");
    expect(s.reason).toBe("Stopped after 42 of 4,001 messages.");
    // Running it again starts over.
    const again = new ExecutionOpener(deps(), "wfx-1");
    expect((await again.run()).phase).toBe("not-found");
  });

  it("through the index: reads just the execution, hint or not, and never scans", async () => {
    let reads = 0;
    let waitedForHistory = 0;
    const o = new ExecutionOpener(
      deps({
        readRange: async () => (reads++, { lastSeq: 0, end: "range-end" }),
        historyLoaded: async () => void waitedForHistory++,
        fromIndex: async (id) => (id === "wfx-1" ? { read: 40, from: 120, to: 7_000 } : undefined),
      }),
      "wfx-1",
    );
    expect(await o.run()).toMatchObject({ phase: "found", mode: "index", read: 40, from: 120, to: 7_000 });
    expect([reads, waitedForHistory]).toEqual([0, 0]);
  });

  it("when the index does not have it (yet), looks where a tab without an index would", async () => {
    const looked: string[] = [];
    const o = new ExecutionOpener(
      deps({
        fromIndex: async () => (looked.push("index"), { read: 0, from: 0, to: 0 }),
        historyLoaded: async () => void looked.push("history"),
        known: () => looked.includes("history"),
      }),
      "wfx-2",
    );
    expect(await o.run()).toMatchObject({ phase: "found", mode: "history" });
    expect(looked).toEqual(["index", "history"]);
  });

  it("index only (a tenant's tab): what the index lacks is not found, and nothing else is read or waited for", async () => {
    const looked: string[] = [];
    const only: Partial<OpenerDeps> = {
      indexOnly: () => true,
      bounds: async () => (looked.push("bounds"), { firstSeq: 1, lastSeq: 10, messages: 10 }),
      history: async () => (looked.push("history"), { startSeq: 1, targetSeq: 10 }),
      readRange: async () => (looked.push("range"), { lastSeq: 0, end: "range-end" }),
      fromIndex: async (id) => (
        looked.push(`index ${id}`),
        id === "a-1" ? { read: 3, from: 4, to: 9 } : { read: 0, from: 0, to: 0 }
      ),
    };
    expect(await new ExecutionOpener(deps(only), "a-1").run()).toMatchObject({
      phase: "found",
      mode: "index",
      read: 3,
    });
    const missing = await new ExecutionOpener(deps(only), "g-1").run();
    expect(missing).toMatchObject({ phase: "not-found", mode: "index" });
    expect(missing.reason).toMatch(/part of the index this tab may read/);
    // Held already: found without asking again.
    expect(await new ExecutionOpener(deps({ ...only, known: () => true }), "a-1").run()).toMatchObject({
      phase: "found",
    });
    expect(looked).toEqual(["index a-1", "index g-1"]);
  });
});
