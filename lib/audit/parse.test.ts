import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMessage } from "./parse";
import { makeMessage } from "./testing";
import type { AuditEvent, Malformed } from "./types";

const TS = "2025-01-15T10:00:00Z";

function parse(payload: object | string | Uint8Array) {
  return parseMessage(
    makeMessage(payload, { streamSeq: 7, receivedMs: 1234, deliveryCount: 2, subject: "auditEvent" }),
  );
}

function reasonOf(payload: object | string | Uint8Array): string {
  const m = parse(payload);
  expect(m.kind).toBe("malformed");
  return (m as Malformed).reason;
}

describe("parseMessage", () => {
  it("types every contract field and keeps delivery metadata and raw bytes", () => {
    const wire = {
      ts: "2025-01-15T10:00:00.250Z",
      event: "llm_call",
      schema_version: "1.0",
      seq: 3,
      correlation_id: "c1",
      task_id: "t1",
      workflow_execution_id: "x1",
      entity_type: "agent",
      entity_id: "billing",
      input_tokens: 10,
      tokens_unavailable: false,
      fields: { tool: "http" },
    };
    const msg = makeMessage(wire, { streamSeq: 7, receivedMs: 1234, deliveryCount: 2 });
    const ev = parseMessage(msg) as AuditEvent;
    expect(ev).toMatchObject({ ...wire, kind: "event", streamSeq: 7, receivedMs: 1234, deliveryCount: 2 });
    expect(ev.tsMs).toBe(Date.UTC(2025, 0, 15, 10, 0, 0, 250));
    expect(ev.raw).toBe(msg.data);
    expect(ev.identity.id).toBe("agent:billing");
    expect(Object.keys(ev.unknown)).toEqual([]);
  });

  it("keeps unknown fields, even ones named like ours", () => {
    const ev = parse({ ts: TS, event: "x", kind: "sneaky", raw: 1, extra: { a: [1] } }) as AuditEvent;
    expect(ev.kind).toBe("event");
    expect(ev.raw).toBeInstanceOf(Uint8Array);
    expect(ev.unknown).toEqual({ kind: "sneaky", raw: 1, extra: { a: [1] } });
    expect(Object.getPrototypeOf(ev.unknown)).toBeNull();
  });

  it("does not pollute prototypes through __proto__ or constructor keys", () => {
    const text = `{"ts":"${TS}","event":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"fields":{"__proto__":{"polluted":true}}}`;
    const ev = parse(text) as AuditEvent;
    expect(ev.kind).toBe("event");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((ev as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(ev.unknown).sort()).toEqual(["__proto__", "constructor"]);
    expect(ev.unknown["__proto__"]).toEqual({ polluted: true });
  });

  it("treats null on an optional field as absent", () => {
    const ev = parse({ ts: TS, event: "x", seq: null, correlation_id: null }) as AuditEvent;
    expect(ev.kind).toBe("event");
    expect(ev.seq).toBeUndefined();
    expect(ev.correlation_id).toBeUndefined();
  });

  it.each<[string, object | string | Uint8Array, string]>([
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "not UTF-8"],
    ["empty", "", "empty message"],
    ["broken JSON", '{"ts": "x", "seq": }', 'not JSON: Unexpected token "}" at 19'],
    ["truncated JSON", '{"ts": "x"', "not JSON: Unexpected end at 10"],
    ["an array", "[1,2]", "JSON array, expected object"],
    ["null", "null", "JSON null, expected object"],
    ["a string", '"hi"', "JSON string, expected object"],
    ["seq as a string", { ts: TS, event: "x", seq: "3" }, 'seq must be a positive integer, got "3"'],
    ["seq zero", { ts: TS, event: "x", seq: 0 }, "seq must be a positive integer, got 0"],
    ["seq fractional", { ts: TS, event: "x", seq: 2.5 }, "seq must be a positive integer, got 2.5"],
    ["seq 1e300", `{"ts":"${TS}","event":"x","seq":1e300}`, "seq 1e300 is beyond 2^53"],
    ["seq 2^53+1", `{"ts":"${TS}","event":"x","seq":9007199254740993}`, "seq 9007199254740993 is beyond 2^53"],
    ["ts missing", { event: "x" }, "ts is missing"],
    ["ts not RFC 3339", { ts: "yesterday", event: "x" }, 'ts is not RFC 3339: "yesterday"'],
    ["ts a number", { ts: 1736935200, event: "x" }, "ts must be a string, got 1736935200"],
    ["event missing", { ts: TS }, "event is missing"],
    ["event empty", { ts: TS, event: "" }, 'event must be a non-empty string, got ""'],
    [
      "a string field with a number",
      { ts: TS, event: "x", correlation_id: 42 },
      "correlation_id must be a string, got 42",
    ],
    ["tokens as a string", { ts: TS, event: "x", input_tokens: "10" }, 'input_tokens must be a number, got "10"'],
    ["fields as an array", { ts: TS, event: "x", fields: [1] }, "fields must be an object, got array"],
  ])("reports %s", (_, payload, reason) => {
    expect(reasonOf(payload)).toBe(reason);
  });

  it("keeps raw bytes, metadata and the run id on a malformed message", () => {
    const msg = makeMessage({ ts: "bad", event: "x", workflow_execution_id: "x1" }, { streamSeq: 9, receivedMs: 5 });
    const m = parseMessage(msg) as Malformed;
    expect(m).toMatchObject({ kind: "malformed", streamSeq: 9, receivedMs: 5, workflow_execution_id: "x1" });
    expect(m.raw).toBe(msg.data);
  });

  it("never throws, whatever the bytes", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map((j) => new TextEncoder().encode(j)),
        ),
        (data) => {
          const m = parseMessage(makeMessage(data));
          expect(["event", "malformed"]).toContain(m.kind);
          expect(m.raw).toBe(data);
        },
      ),
    );
  });
});
