import { describe, expect, it } from "vitest";
import { AuditLog } from "../audit/audit-log";
import { HashChain } from "../sim/chain";
import { BASE_TS_MS, makeMessage, makeWire } from "../audit/testing";
import { processLedgerJson, processLedgerReport, verificationSummary } from "./process-ledger";

const enc = new TextEncoder();

/** Agent "a\u202e" (a bidi override in its id) writes 5 chained lines; the 3rd never reaches the stream. */
function logWithLostLine(): AuditLog {
  const chain = new HashChain();
  const lines = [1, 2, 3, 4, 5].map((i) => {
    const w = makeWire(
      {
        entity_type: "agent",
        entity_id: "a\u202e",
        seq: i,
        workflow_execution_id: `x${i % 2}`,
        prev_hash: chain.prevHash,
      },
      BASE_TS_MS + i * 1000,
    );
    const bytes = enc.encode(JSON.stringify(w));
    chain.advance(bytes);
    return bytes;
  });
  lines.splice(2, 1);
  const log = new AuditLog();
  log.add(lines.map((d, i) => makeMessage(d, { streamSeq: 100 + i })));
  return log;
}

describe("processLedgerReport", () => {
  it("says what was requested and verified, N of M lines, K breaks, J bad signatures, each break's position", () => {
    const log = logWithLostLine();
    const ledger = log.processLedger();
    const p = ledger.processes[0]!;
    expect(verificationSummary(p, log.processSignatures(p.id))).toBe(
      "3 of 4 lines verified, 1 break, 0 bad signatures",
    );
    const r = processLedgerReport(
      ledger,
      (id) => log.processSignatures(id),
      { source: "nats", stream: "AUDIT_EVENTS", subject: "auditEvent" },
      new Date(0),
    );
    expect(r.rangeRequested).toEqual({
      first: { streamSeq: 100, ts: new Date(BASE_TS_MS + 1000).toISOString() },
      last: { streamSeq: 103, ts: new Date(BASE_TS_MS + 5000).toISOString() },
      lines: 4,
    });
    expect(r.summary).toEqual({ processes: 1, lines: 4, verified: 3, breaks: 1, badSignatures: 0 });
    const rp = r.processes[0]!;
    expect(rp.rangeVerified.first.streamSeq).toBe(100);
    expect(rp.executions).toEqual(["x1", "x0"]);
    expect(rp.chain).toMatchObject({ status: "breaks", text: "breaks at stream seq 102" });
    expect(rp.breaks).toEqual([
      expect.objectContaining({
        at: { streamSeq: 102, ts: new Date(BASE_TS_MS + 4000).toISOString() },
        kind: "missing",
        after: { streamSeq: 101, ts: new Date(BASE_TS_MS + 2000).toISOString() },
        missingBetween: expect.objectContaining({ afterStreamSeq: 101, beforeStreamSeq: 102 }) as unknown,
      }),
    ]);
    const json = processLedgerJson(r);
    expect(json).toContain("a\\u202e");
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it("exports only the processes asked for", () => {
    const log = logWithLostLine();
    const r = processLedgerReport(
      log.processLedger(),
      () => undefined,
      { source: "file", file: "x.ndjson", bytes: 1 },
      new Date(0),
      ["nobody"],
    );
    expect(r.processes).toEqual([]);
    expect(r.generatedFrom.streamSeqsAre).toBe("line numbers");
  });
});
