import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONTRACT_FIELDS, parseMessage } from "./parse";
import { newScanned, scanParsed, type Scanned } from "./scan";
import { makeMessage } from "./testing";
import type { AuditEvent } from "./types";

/** What parseMessage decides about `text`, and the fields the log's columns would take from it. */
function viaParseMessage(text: string): Partial<Scanned> | "malformed" {
  const rec = parseMessage(makeMessage(text));
  if (rec.kind === "malformed") return "malformed";
  return pick(rec);
}

function viaScan(text: string): Partial<Scanned> | "malformed" {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return "malformed";
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return "malformed";
  const out = newScanned();
  return scanParsed(o, out) ? pick(out) : "malformed";
}

function pick(e: AuditEvent | Scanned): Partial<Scanned> {
  return {
    tsMs: e.tsMs,
    event: e.event,
    seq: e.seq ?? 0,
    workflow_execution_id: e.workflow_execution_id,
    workflow_id: e.workflow_id,
    correlation_id: e.correlation_id,
    task_id: e.task_id,
    entity_type: e.entity_type,
    entity_id: e.entity_id,
    producer: e.producer,
    source: e.source,
    prev_hash: e.prev_hash,
    status: "status" in e ? e.status : (e as AuditEvent).fields?.status,
  };
}

// Values of every JSON type, including the edges the contract's checks draw lines at.
const anyValue = fc.oneof(
  fc.constantFrom(
    "",
    "x",
    "2025-01-15T10:00:00Z",
    "2025-01-15T10:00:00.5+02:00",
    "2025-13-01T00:00:00Z",
    0,
    1,
    -1,
    1.5,
    2 ** 53,
    2 ** 53 + 2,
    1e308,
    true,
    false,
    null,
    {},
    { status: "failed" },
    [],
    [1],
  ),
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const fieldName = fc.oneof(
  fc.constantFrom(...Object.keys(CONTRACT_FIELDS)),
  fc.constantFrom("kind", "raw", "__proto__", "constructor", "unknown_field"),
);

describe("scanParsed", () => {
  it("accepts exactly what parseMessage accepts, and reads the same fields", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fieldName, anyValue, { maxKeys: 12 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 50 }),
        (wire, valid, seq) => {
          // Half the cases start from a valid event, so acceptance is exercised as much as rejection.
          const o = valid ? { ts: "2025-01-15T10:00:00Z", event: "workflow_complete", seq, ...wire } : wire;
          const text = JSON.stringify(o);
          expect(viaScan(text)).toEqual(viaParseMessage(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    '{"ts":"2025-01-15T10:00:00Z","event":"e","seq":1e400}',
    '{"ts":"2025-01-15T10:00:00Z","event":"e","duration_ms":1e400}',
    '{"ts":"2025-01-15T10:00:00Z","event":"e","seq":1.0}',
    '{"ts":"2025-01-15T10:00:00Z","event":"e","seq":9007199254740993}',
    '{"ts":"2025-01-15T10:00:00Z","event":"e","seq":2,"seq":"2"}',
    '{"ts":"2025-01-15T10:00:00Z","event":"e","__proto__":{"seq":"x"}}',
    '{"ts":"2025-01-15T10:00:00Z","event":"e","fields":null,"producer":null}',
    '{"ts":null,"event":"e"}',
    '{"event":"e"}',
  ])("agrees with parseMessage on %s", (text) => {
    expect(viaScan(text)).toEqual(viaParseMessage(text));
  });
});
