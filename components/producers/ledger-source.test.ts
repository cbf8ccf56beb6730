import { describe, expect, it } from "vitest";
import { AuditLog } from "@/lib/audit/audit-log";
import type { LedgerRange } from "@/lib/audit/process-ledger";
import { sha256Hex } from "@/lib/audit/sha256";
import { generateWorkload } from "@/lib/audit/testing";
import type { RawMessage } from "@/lib/audit/types";
import { processLedgerJson } from "@/lib/export/process-ledger";
import {
  decodeLedgerEntry,
  decodeProcessEntry,
  LEDGER_KEY,
  MAX_SERVED,
  processEntries,
  type LedgerEntry,
  type ProcessEntry,
} from "@/lib/index/process-entry";
import {
  defaultLedgerSource,
  indexLedgerReport,
  indexProcessLedger,
  indexProcessOf,
  servedCounts,
  tabProcessOf,
} from "./ledger-source";

function range(first: number, last: number): LedgerRange {
  return { first: { streamSeq: first, tsMs: 0 }, last: { streamSeq: last, tsMs: 0 }, lines: last - first + 1 };
}

const head = (first: number, last: number): LedgerEntry => ({
  v: 1,
  range: range(first, last),
  processes: 1,
  malformed: 0,
});

/** The index's ledger over `msgs`, as a reader gets it back from the KV (lib/index/process-entry.ts). */
function indexOf(msgs: readonly RawMessage[]): { head: LedgerEntry; entries: ProcessEntry[] } {
  const log = new AuditLog();
  log.add(msgs);
  const stored = processEntries(log.processLedger());
  const entries = [...stored].filter(([k]) => k !== LEDGER_KEY).map(([, v]) => decodeProcessEntry(v)!);
  return { head: decodeLedgerEntry(stored.get(LEDGER_KEY)!)!, entries };
}

describe("defaultLedgerSource", () => {
  it("opens on the index when the tab holds only the stream's tail, or nothing yet", () => {
    expect(defaultLedgerSource(range(901, 1_000), head(1, 1_000))).toBe("index");
    expect(defaultLedgerSource(undefined, head(1, 1_000))).toBe("index");
  });
  it("opens on the tab when it holds the stream from where the index starts (it has the lines too)", () => {
    expect(defaultLedgerSource(range(1, 1_000), head(1, 990))).toBe("tab");
    // The oldest lines expired: both start at the stream's first.
    expect(defaultLedgerSource(range(50, 1_000), head(50, 1_000))).toBe("tab");
  });
  it("opens a linked process on the ledger that has it, when only one does", () => {
    expect(defaultLedgerSource(range(1, 1_000), head(1, 1_000), { inTab: false, inIndex: true })).toBe("index");
    expect(defaultLedgerSource(range(901, 1_000), head(1, 1_000), { inTab: true, inIndex: false })).toBe("tab");
    expect(defaultLedgerSource(range(901, 1_000), head(1, 1_000), { inTab: true, inIndex: true })).toBe("index");
  });
});

describe("tabProcessOf / indexProcessOf", () => {
  // A chained stream of 40 runs; the tab holds its last third, so its processes start mid-chain under other ids
  // (the orchestrator even under another identity: it is named for the run of its first line held).
  const { messages } = generateWorkload({ seed: 7, executions: 40, faultRate: 0, hash: sha256Hex });
  const msgs = [...new Map(messages.map((m) => [m.streamSeq, m])).values()];
  const tail = msgs.slice(Math.floor((msgs.length * 2) / 3));
  const from = tail[0]!.streamSeq;
  const whole = new AuditLog();
  whole.add(msgs);
  const tab = new AuditLog();
  tab.add(tail);
  const tabLedger = tab.processLedger();
  const index = indexOf(msgs);
  const indexLedger = indexProcessLedger(index.head, index.entries);
  const linesOf = (id: string) => tab.processTimeline(id)?.streamSeq;
  const wholeLines = (id: string) => new Set(whole.processTimeline(id)!.streamSeq);

  it("finds, for each of the tab's processes, the index's process that wrote its lines", () => {
    expect(tabLedger.processes.some((p) => p.status === "mid-chain")).toBe(true);
    expect(tabLedger.processes.some((p) => indexLedger.processes.every((q) => q.identity.id !== p.identity.id))).toBe(
      true,
    );
    for (const p of tabLedger.processes) {
      const there = indexProcessOf(p, indexLedger.processes, linesOf);
      expect(there, p.id).toBeDefined();
      const lines = wholeLines(there!.id);
      for (const seq of linesOf(p.id)!) expect(lines.has(seq), `${p.id} ${seq}`).toBe(true);
    }
  });
  it("and back: the tab's process holding its lines, the same id where the tab read it from its first line", () => {
    for (const p of indexLedger.processes) {
      const here = tabProcessOf(p, tabLedger.processes, linesOf);
      if (p.last.streamSeq < from) {
        expect(here, p.id).toBeUndefined();
        continue;
      }
      if (p.first.streamSeq >= from) expect(here?.id).toBe(p.id);
      const lines = wholeLines(p.id);
      for (const seq of linesOf(here!.id)!) expect(lines.has(seq), `${p.id} ${seq}`).toBe(true);
    }
  });
});

describe("the index's ledger as the page reads it", () => {
  // The workload's one orchestrator process serves every run: more than an entry names, its counts stay whole.
  const { messages } = generateWorkload({ seed: 3, executions: MAX_SERVED + 20, faultRate: 0, hash: sha256Hex });
  const index = indexOf(messages);
  const ledger = indexProcessLedger(index.head, index.entries);
  const served = servedCounts(index.entries);

  it("is the head's range and malformed count with the entries' processes", () => {
    expect(ledger.requested).toEqual(index.head.range);
    expect(ledger.processes.map((p) => p.id)).toEqual(index.entries.map((e) => e.process.id));
    expect(ledger.malformed).toBe(index.head.malformed);
  });
  it("exports the tab's report format with full served counts and no signatures", () => {
    expect(index.entries.some((e) => e.executionCount > e.process.executions.length)).toBe(true);
    const report = indexLedgerReport(ledger, served, { source: "nats", stream: "S", subject: "s" }, new Date(0));
    expect(report.ledger).toBe("index");
    expect(report.rangeRequested?.lines).toBe(index.head.range.lines);
    for (const p of report.processes) {
      const e = index.entries.find((x) => x.process.id === p.id)!;
      expect(p.executionsServed).toBe(e.executionCount);
      expect(p.invocationsServed).toBe(e.invocationCount);
      expect(p.executions.length).toBeLessThanOrEqual(MAX_SERVED);
      expect(p.signatures).toBeNull();
    }
    expect(JSON.parse(processLedgerJson(report)).format).toBe("seqscope-process-ledger/1");
  });
});
