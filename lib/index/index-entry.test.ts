// The index entry is a function of an execution's set of messages: the same
// whatever the batches, their order, repeats or a reload in between. That is
// what makes an index kept through restarts identical to a rebuilt one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditLog } from "../audit/audit-log";
import { executionOf } from "../audit/execution-of";
import { BUILTIN_KEYS } from "../audit/partition-key";
import { generateWorkload, makeMessage, makeWire, seededRandom } from "../audit/testing";
import type { RawMessage } from "../audit/types";
import { decodeEntry, encodeEntry, entryToSummary, IndexedExecution } from "./index-entry";
import {
  decodeToken,
  encodeToken,
  hoursBetween,
  hourStartMs,
  MAX_TOKEN,
  NO_ORG,
  orgToken,
  parseSummaryKey,
  summaryFilter,
  summaryKey,
} from "./index-keys";

function byExecution(msgs: readonly RawMessage[]): Map<string, RawMessage[]> {
  const out = new Map<string, RawMessage[]>();
  for (const m of msgs) {
    const x = executionOf(m);
    if (x !== undefined) (out.get(x) ?? out.set(x, []).get(x)!).push(m);
  }
  return out;
}

describe("an execution's tenant", () => {
  // run-1: a message with no org_id, then two of acme's; run-2: acme's, then one of globex's.
  const msg = (seq: number, fields: Record<string, unknown>) =>
    makeMessage(makeWire({ workflow_execution_id: fields.x, seq, ...fields }), { streamSeq: seq, receivedMs: seq });

  it("is the one org_id its messages name; none or two or more put it in no tenant's keys", () => {
    const x = new IndexedExecution("run-1");
    x.add([msg(1, { x: "run-1" })]);
    expect(x.org).toBeUndefined();
    expect(x.key()?.startsWith(`${NO_ORG}.`)).toBe(true);
    x.add([msg(2, { x: "run-1", org_id: "acme" }), msg(3, { x: "run-1", org_id: "acme" })]);
    expect(x.org).toBe("acme");
    expect(x.entry()).toMatchObject({ org: "acme" });
    expect(x.entry()?.orgConflict).toBeUndefined();
    expect(x.key()?.startsWith("acme.")).toBe(true);
    // Any key a summary of a prefix of it may have had: either tenant.
    expect(x.possibleKeys().some((k) => k.startsWith(`${NO_ORG}.`))).toBe(true);
    expect(x.possibleKeys()).toContain(x.key());

    const y = new IndexedExecution("run-2");
    y.add([msg(4, { x: "run-2", org_id: "acme" })]);
    y.add([msg(5, { x: "run-2", org_id: "globex" })]);
    expect(y.org).toBeUndefined();
    expect(y.entry()?.org).toBeUndefined();
    expect(y.entry()?.orgConflict).toEqual(["acme", "globex"]);
    expect(y.key()?.startsWith(`${NO_ORG}.`)).toBe(true);
    // The same whatever the order (a function of the set of messages).
    const z = new IndexedExecution("run-2");
    z.add([msg(5, { x: "run-2", org_id: "globex" }), msg(4, { x: "run-2", org_id: "acme" })]);
    expect(encodeEntry(z.entry()!)).toBe(encodeEntry(y.entry()!));
    // An org_id inside fields, or a malformed line, names no tenant.
    const w = new IndexedExecution("run-3");
    w.add([msg(6, { x: "run-3", fields: { org_id: "acme" } }), makeMessage('{"org_id":"acme"', { streamSeq: 7 })]);
    expect(w.org).toBeUndefined();
  });
});

describe("IndexedExecution", () => {
  const { messages } = generateWorkload({ seed: 7, executions: 12, faultRate: 0.08 });
  const groups = byExecution(messages);

  it("makes the same entry whatever the batches, their order and repeats", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const rand = seededRandom(seed);
        for (const [id, msgs] of groups) {
          const whole = new IndexedExecution(id);
          whole.add(msgs);
          const pieces = new IndexedExecution(id);
          const shuffled = [...msgs].sort(() => rand() - 0.5);
          for (let i = 0; i < shuffled.length;) {
            const n = 1 + Math.floor(rand() * 7);
            // A batch, and sometimes a piece of it again (a redelivery after a crash).
            pieces.add(shuffled.slice(i, i + n));
            if (rand() < 0.3) pieces.add(shuffled.slice(Math.max(0, i - 3), i + 1));
            i += n;
          }
          expect(encodeEntry(pieces.entry()!)).toBe(encodeEntry(whole.entry()!));
          expect(pieces.key()).toBe(whole.key());
        }
      }),
      { numRuns: 20 },
    );
  });

  it("counts what the engine counts for the stream's messages, under every built-in key", () => {
    // The stream holds each sequence once; redeliveries are a reader's, not the stream's.
    const once = [...new Map(messages.map((m) => [m.streamSeq, { ...m, deliveryCount: 1 }])).values()];
    expect(once.length).toBeLessThan(messages.length); // the workload redelivers some
    const log = new AuditLog();
    log.add(once);
    for (const [id, msgs] of groups) {
      const x = new IndexedExecution(id);
      x.add(msgs);
      const e = x.entry()!;
      const s = log.execution(id)!;
      expect([e.events, e.malformed, e.duplicates]).toEqual([s.eventCount, s.malformedCount, s.duplicateCount]);
      expect([e.firstSeq, e.lastSeq]).toEqual([s.firstStreamSeq, s.lastStreamSeq]);
      for (const key of BUILTIN_KEYS) {
        const a = log.analyze(key, { executionId: id, chains: false, signatures: false, nowMs: e.lastSeenMs });
        for (const [kind, n] of Object.entries(a.counts)) expect(e.anomalies[key.id]?.[kind as "gap"] ?? 0).toBe(n);
        const perProducer = Object.values(e.byProducer).reduce(
          (sum, keys) => sum + Object.values(keys[key.id] ?? {}).reduce((s2, n) => s2 + n, 0),
          0,
        );
        expect(perProducer).toBe(a.anomalies.length);
      }
    }
    // The workload has anomalies for the index to find.
    const total = [...groups.keys()].map((id) => {
      const x = new IndexedExecution(id);
      x.add(groups.get(id)!);
      return Object.keys(x.entry()!.anomalies).length;
    });
    expect(total.some((n) => n > 0)).toBe(true);
  });

  it("round-trips through its stored form and rejects what is not an entry", () => {
    const [id, msgs] = [...groups][0]!;
    const x = new IndexedExecution(id);
    x.add(msgs);
    const e = x.entry()!;
    expect(decodeEntry(new TextEncoder().encode(encodeEntry(e)))).toEqual(e);
    expect(decodeEntry("not json")).toBeUndefined();
    expect(decodeEntry(JSON.stringify({ ...e, v: 99 }))).toBeUndefined();
    expect(decodeEntry(JSON.stringify({ ...e, events: "3" }))).toBeUndefined();
  });

  it("leaves stalled to the viewer's clock", () => {
    const x = new IndexedExecution("wf-run-1");
    x.add([
      makeMessage(
        { ts: "2025-01-15T10:00:00Z", event: "workflow_started", workflow_execution_id: "wf-run-1", seq: 1 },
        { streamSeq: 1, receivedMs: 1_000 },
      ),
    ]);
    const e = x.entry()!;
    expect(e).toMatchObject({ status: "running", terminal: false, lastSeenMs: 1_000 });
    expect(entryToSummary(e, 2_000, 60_000).status).toBe("running");
    expect(entryToSummary(e, 61_000, 60_000).status).toBe("stalled");
  });
});

describe("index keys", () => {
  it("make any id one bounded token, reversible unless it is too long for one", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (s) => {
        const t = encodeToken(s);
        expect(t).toMatch(/^(?:(?:[A-Za-z0-9_-]|=[0-9A-F]{2})+|=|=H[0-9a-f]{40})$/);
        expect(t.length).toBeLessThanOrEqual(MAX_TOKEN + 2);
        if (!t.startsWith("=H")) expect(decodeToken(t)).toBe(s);
      }),
    );
    expect(encodeToken("wf-exec-42")).toBe("wf-exec-42");
    // An id too long for a subject token: a bounded, stable token (the summary keeps the id itself).
    const huge = "x".repeat(5_000);
    const t = encodeToken(huge);
    expect(t).toMatch(/^=H[0-9a-f]{40}$/);
    expect(encodeToken(huge)).toBe(t);
    expect(encodeToken(`${huge}y`)).not.toBe(t);
    expect(encodeToken("é".repeat(30)).length).toBeLessThanOrEqual(MAX_TOKEN + 2);
    expect(parseSummaryKey(`acme.wf.2026120123.running.${t}`)).toEqual({
      org: "acme",
      workflowId: "wf",
      hour: "2026120123",
      status: "running",
      executionId: undefined,
    });
    expect(encodeToken('"><svg onload=alert(1)>')).not.toMatch(/[.*> ]/);
  });

  it("put tenant, workflow, hour, status and id in separate tokens that filters select", () => {
    const key = summaryKey({
      org: "org acme",
      executionId: "run a.b",
      workflowId: "billing",
      lastSeenMs: Date.UTC(2026, 11, 1, 23, 5),
      status: "failed",
    });
    expect(key).toBe("org=20acme.billing.2026120123.failed.run=20a=2Eb");
    expect(parseSummaryKey(key)).toEqual({
      org: "org acme",
      workflowId: "billing",
      hour: "2026120123",
      status: "failed",
      executionId: "run a.b",
    });
    expect(summaryFilter({ executionId: "run a.b" })).toBe("*.*.*.*.run=20a=2Eb");
    expect(summaryFilter({ workflowId: "billing", status: "running" })).toBe("*.billing.*.running.*");
    expect(summaryFilter({ org: "acme", status: "running" })).toBe("acme.*.*.running.*");
    expect(parseSummaryKey("meta.progress")).toBeUndefined();
    expect(parseSummaryKey("meta.workflows.acme.billing")).toBeUndefined();
    expect(parseSummaryKey("meta.wf.2026120123.running.x")).toBeUndefined();
    expect(parseSummaryKey("_.wf.2026120123.stalled.x")).toBeUndefined();
    expect(summaryKey({ executionId: "x", lastSeenMs: 0, status: "running" })).toBe("_.=.1970010100.running.x");
    expect(parseSummaryKey("_.=.1970010100.running.x")?.org).toBeUndefined();
  });

  it("never give a tenant a token that is not a tenant's", () => {
    // "meta" would be granted meta.> (every tenant's workflow names), "_" the executions of no tenant.
    expect(orgToken("meta")).toBe("=6Deta");
    expect(orgToken("_")).toBe("=5F");
    expect(orgToken(undefined)).toBe(NO_ORG);
    expect(decodeToken(orgToken("meta"))).toBe("meta");
    expect(parseSummaryKey(summaryKey({ org: "meta", executionId: "x", lastSeenMs: 0, status: "running" }))?.org).toBe(
      "meta",
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (org) => {
        const t = orgToken(org);
        expect(t).not.toBe("meta");
        expect(t).not.toBe(NO_ORG);
        if (!t.startsWith("=H")) expect(decodeToken(t)).toBe(org);
      }),
    );
  });

  it("lists the hours of a window newest first, across days", () => {
    const t = Date.UTC(2026, 11, 2, 1, 30);
    expect(hoursBetween(t - 2 * 3_600_000, t)).toEqual(["2026120201", "2026120200", "2026120123"]);
    expect(hoursBetween(t, t - 2 * 3_600_000)).toEqual([]);
    expect(hourStartMs("2026120123")).toBe(Date.UTC(2026, 11, 1, 23));
    expect(hourStartMs("nope")).toBeNaN();
  });
});
