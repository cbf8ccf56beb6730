import { describe, expect, it } from "vitest";
import { AuditLog, keyById, type PartitionKey } from "../audit";
import { generateWorkload, makeWire, messagesFrom } from "../audit/testing";
import type { HoleCause, StreamHole } from "../live/stream-holes";
import { messagesNdjson } from "./ndjson";
import { hasInvisible } from "../text/visible";
import { anomalyReport, REPORT_FORMAT, reportJson } from "./report";

const INVOCATION = keyById("invocation") as PartitionKey;
const NATS = { source: "nats", stream: "AUDIT_EVENTS", subject: "auditEvent" } as const;

function makeHole(from: number, to: number, cause: HoleCause = "expired"): StreamHole {
  return { from, to, cause, detail: `${cause} ${from}-${to}`, at: 0 };
}
const NAIVE = keyById("execution") as PartitionKey;

/** An NDJSON export read back the way a file is: stream sequence = line number. */
function reimport(bytes: Uint8Array): AuditLog {
  const log = new AuditLog();
  const lines: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push(bytes.subarray(from, i));
      from = i + 1;
    }
  }
  log.add(messagesFrom(lines, { subject: "file" }));
  return log;
}

/** What a report says that does not depend on stream sequences (a file counts lines instead). */
function comparable(r: ReturnType<typeof anomalyReport>) {
  return {
    counts: r.counts,
    partitions: r.partitions,
    anomalies: r.anomalies.map((a) => ({
      kind: a.kind,
      partition: a.partition,
      seq: a.seq,
      seqRange: a.seqRange,
      message: a.message.replace(/stream seqs? \d+/g, "stream seq N"),
    })),
  };
}

describe("anomalyReport", () => {
  /* A stream with every fault the generator knows, including redeliveries and byte-identical retries. */
  const { messages } = generateWorkload({
    seed: 5,
    executions: 12,
    faultRate: 0.15,
    faults: ["drop", "retry", "redeliver", "malformed", "reorder"],
  });
  const live = new AuditLog();
  live.add(messages.map((m) => ({ ...m, receivedMs: 0 })));

  it("names the execution, the key and the source, with the engine's counts, anomalies and partitions", () => {
    const x = live.executions()[0]!.id;
    const r = anomalyReport(
      live,
      x,
      INVOCATION,
      { source: "nats", stream: "AUDIT_EVENTS", subject: "auditEvent" },
      new Date(0),
    );
    const a = live.analyze(INVOCATION, { executionId: x });
    expect(r).toMatchObject({
      format: REPORT_FORMAT,
      executionId: x,
      key: { id: "invocation", fields: ["correlation_id", "task_id"] },
      generatedFrom: { source: "nats", stream: "AUDIT_EVENTS", streamSeqsAre: "stream sequences" },
      generatedAt: "1970-01-01T00:00:00.000Z",
      counts: a.counts,
      anomalies: a.anomalies,
      partitions: a.partitions,
    });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("an execution's NDJSON export, re-imported as a file, gives the same report (up to stream sequences)", () => {
    let duplicates = 0;
    for (const { id } of live.executions()) {
      const file = reimport(messagesNdjson(live, id));
      for (const key of [INVOCATION, NAIVE]) {
        const want = anomalyReport(live, id, key, { source: "nats", stream: "S", subject: "s" });
        const got = anomalyReport(file, id, key, { source: "file", file: `${id}.ndjson`, bytes: 1 });
        expect(got.generatedFrom.streamSeqsAre).toBe("line numbers");
        // A redelivery (same stream seq) comes back as a byte-identical copy on the next line: same kind, other words.
        const norm = (c: ReturnType<typeof comparable>) => ({
          ...c,
          anomalies: c.anomalies.map((a) => (a.kind === "duplicate" ? { ...a, message: "" } : a)),
        });
        expect(norm(comparable(got))).toEqual(norm(comparable(want)));
        duplicates += want.counts.duplicate;
      }
    }
    expect(duplicates).toBeGreaterThan(0);
  });

  it("lists exactly the stream's holes that overlap the execution's stream-sequence range", () => {
    const x = live.executions()[0]!;
    const { firstStreamSeq: a, lastStreamSeq: b } = live.execution(x.id)!;
    expect(b - a).toBeGreaterThan(4);
    /* The execution spans stream seq a…b. In: one strictly inside, one on each edge, one around it all.
     * Out: one ending just before a, one starting just after b, and a recreation (no message lost). */
    const inside = [
      makeHole(a + 1, a + 2, "deleted"),
      makeHole(a - 3, a, "expired"),
      makeHole(b, b + 2, "unexplained"),
      makeHole(a - 10, b + 10, "purged"),
    ];
    const outside = [makeHole(a - 3, a - 1), makeHole(b + 1, b + 5, "deleted"), makeHole(a, b, "recreated")];
    const holes = [outside[0]!, inside[0]!, outside[1]!, inside[1]!, outside[2]!, inside[2]!, inside[3]!];
    const r = anomalyReport(live, x.id, INVOCATION, NATS, new Date(0), holes);
    expect(r.execution).toMatchObject({ firstStreamSeq: a, lastStreamSeq: b });
    expect(r.streamHoles).toEqual(
      [inside[0]!, inside[1]!, inside[2]!, inside[3]!].map((h) => ({
        from: h.from,
        to: h.to,
        count: h.to - h.from + 1,
        cause: h.cause,
        detail: h.detail,
      })),
    );
    expect(anomalyReport(live, x.id, INVOCATION, NATS).streamHoles).toEqual([]);
    expect(anomalyReport(live, "no-such-execution", INVOCATION, NATS, new Date(0), holes).streamHoles).toEqual([]);
  });
});

describe("reportJson", () => {
  /* One execution whose id and agent carry a right-to-left override; seq 1 then 3, so a gap names them. */
  const id = "wfx\u202Egnp.exe";
  const entity = "agent\u202Egnp.exe";
  const wire = (seq: number) =>
    makeWire({
      workflow_execution_id: id,
      entity_type: "agent",
      entity_id: entity,
      correlation_id: "c",
      task_id: "t",
      seq,
    });

  it("writes bidi characters in ids as escapes, and the raw NDJSON keeps them byte for byte", () => {
    const log = new AuditLog();
    log.add(messagesFrom([wire(1), wire(3)]));
    const report = anomalyReport(log, id, INVOCATION, NATS, new Date(0));
    const text = reportJson(report);
    expect(text).toContain("wfx\\u202egnp.exe");
    expect(hasInvisible(text.replace(/\n/g, ""))).toBe(false);
    // Same values: a script reading the report gets the exact ids.
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(JSON.parse(text).executionId).toBe(id);
    const raw = new TextDecoder().decode(messagesNdjson(log, id));
    expect(raw).toContain(entity);
  });
});
