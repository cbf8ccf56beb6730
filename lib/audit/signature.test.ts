import { describe, expect, it } from "vitest";
import { runSimulation, type SimLine } from "../sim/simulator";
import { AuditLog } from "./audit-log";
import { BUILTIN_KEYS, type PartitionKey } from "./partition-key";
import { decodeBase64url, type Jwks } from "./signature";
import { messagesFrom } from "./testing";
import type { RawMessage } from "./types";

const KEY = BUILTIN_KEYS[0] as PartitionKey;
const dec = new TextDecoder();
const enc = new TextEncoder();

const messages = (lines: readonly SimLine[]): RawMessage[] => messagesFrom(lines.map((l) => l.bytes));

/** A signed line inside an execution: its index, execution and kid. */
function signedLine(lines: readonly SimLine[]): { i: number; x: string; kid: string } {
  for (let i = 0; i < lines.length; i++) {
    const text = dec.decode((lines[i] as SimLine).bytes);
    if (!text.includes('"sig"') || !text.includes('"schema_version":"1.0"')) continue;
    const o = JSON.parse(text) as { workflow_execution_id?: string; kid: string };
    if (o.workflow_execution_id) return { i, x: o.workflow_execution_id, kid: o.kid };
  }
  throw new Error("no signed line in an execution");
}

/** `lines` with line i rewritten by `edit` (text in, text out; must stay JSON). */
function withLine(lines: readonly SimLine[], i: number, edit: (text: string) => string): RawMessage[] {
  const msgs = messages(lines);
  const m = msgs[i] as RawMessage;
  const text = edit(dec.decode(m.data));
  JSON.parse(text);
  msgs[i] = { ...m, data: enc.encode(text) };
  return msgs;
}

function logOf(msgs: RawMessage[], jwks?: Jwks): AuditLog {
  const log = new AuditLog({ jwks });
  log.add(msgs);
  return log;
}

function bad(log: AuditLog, opts: { executionId?: string; signatures?: boolean }) {
  return log.analyze(KEY, opts).anomalies.filter((a) => a.kind === "bad-signature");
}

describe("bad signatures", () => {
  const { lines, jwks } = runSimulation({ seed: 7, executions: 3, sign: true });
  const target = signedLine(lines);
  // Flip one byte inside a string value: "schema_version":"1.0" → "1.1".
  const tampered = withLine(lines, target.i, (t) => t.replace('"schema_version":"1.0"', '"schema_version":"1.1"'));

  it("finds none in an untouched signed run", () => {
    expect(jwks.keys.length).toBeGreaterThan(0);
    const log = logOf(messages(lines), jwks);
    expect(bad(log, { signatures: true })).toEqual([]);
    for (const x of log.executions()) expect(bad(log, { executionId: x.id })).toEqual([]);
    expect(log.analyze(KEY, { signatures: true }).counts["bad-signature"]).toBe(0);
  });

  it("reports exactly the altered event", () => {
    const log = logOf(tampered, jwks);
    const found = bad(log, { executionId: target.x });
    expect(found).toHaveLength(1);
    expect(found[0]?.streamSeqs).toEqual([target.i + 1]);
    expect(found[0]?.message).toBe(`signature does not verify with kid ${target.kid}`);
    expect(log.analyze(KEY, { executionId: target.x }).counts["bad-signature"]).toBe(1);
    expect(bad(log, { signatures: true }).map((a) => a.streamSeqs)).toEqual([[target.i + 1]]);
  });

  it("checks the whole log only when asked, and an execution unless told not to", () => {
    const log = logOf(tampered, jwks);
    expect(bad(log, {})).toEqual([]);
    expect(bad(log, { executionId: target.x, signatures: false })).toEqual([]);
    expect(bad(log, { signatures: true })).toHaveLength(1);
  });

  it("names a kid missing from the JWKS", () => {
    const without = { keys: jwks.keys.filter((k) => k.kid !== target.kid) };
    const log = logOf(messages(lines), without);
    const found = bad(log, { executionId: target.x });
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((a) => a.message)).toContain(`kid ${target.kid} is not in the JWKS`);
    expect(found.every((a) => a.message === `kid ${target.kid} is not in the JWKS`)).toBe(true);
  });

  it("checks nothing without a JWKS", () => {
    const log = logOf(tampered);
    expect(bad(log, { executionId: target.x })).toEqual([]);
    expect(bad(log, { signatures: true })).toEqual([]);
  });

  it("says when sigp is unsupported or sig cannot be decoded", () => {
    const sigp = logOf(
      withLine(lines, target.i, (t) => t.replace('"sigp":"jcs-1"', '"sigp":"jcs-9"')),
      jwks,
    );
    expect(bad(sigp, { executionId: target.x }).map((a) => a.message)).toEqual(['unsupported sigp "jcs-9"']);
    const sig = logOf(
      withLine(lines, target.i, (t) => t.replace(/"sig":"[^"]*"/, '"sig":"not base64!"')),
      jwks,
    );
    expect(bad(sig, { executionId: target.x }).map((a) => a.message)).toEqual([
      "sig is not a base64url Ed25519 signature",
    ]);
  });

  it("decodes base64url strictly", () => {
    expect(Array.from(decodeBase64url("AQID") ?? [])).toEqual([1, 2, 3]);
    expect(Array.from(decodeBase64url("AQI") ?? [])).toEqual([1, 2]);
    expect(decodeBase64url("AQJ")).toBeUndefined(); // stray bits
    expect(decodeBase64url("AQ==")).toBeUndefined(); // padding
    expect(decodeBase64url("A")).toBeUndefined();
    expect(decodeBase64url("ab+/")).toBeUndefined(); // base64, not base64url
    expect(Array.from(decodeBase64url("-_8") ?? [])).toEqual([251, 255]);
  });
});
