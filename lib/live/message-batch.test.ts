import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sha256Words } from "../audit/sha256";
import type { RawMessage } from "../audit/types";
import { mentionsPrevHash, packBatch, unpackBatch } from "./message-batch";

const message = fc.record({
  data: fc.uint8Array({ maxLength: 300 }),
  streamSeq: fc.integer({ min: 1, max: 2 ** 40 }),
  receivedMs: fc.integer({ min: 0, max: 2 ** 42 }),
  deliveryCount: fc.integer({ min: 1, max: 9 }),
  subject: fc.constantFrom("auditEvent", "auditEvent.acme", "other.σ"),
});

/** What a structured clone with transfer does to the batch: the page sees copies, never the worker's arrays. */
function acrossThreads<T>(value: T, transfer: ArrayBuffer[]): T {
  return structuredClone(value, { transfer });
}

describe("message batches between the reader's worker and the page", () => {
  it("give back every message, in order, field for field", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (msgs: RawMessage[]) => {
        const { batch, transfer } = packBatch(msgs);
        const out = unpackBatch(acrossThreads(batch, transfer));
        expect(out.length).toBe(msgs.length);
        out.forEach((m, i) => {
          const want = msgs[i] as RawMessage;
          expect(Array.from(m.data)).toEqual(Array.from(want.data));
          expect([m.streamSeq, m.receivedMs, m.deliveryCount, m.subject]).toEqual([
            want.streamSeq,
            want.receivedMs,
            want.deliveryCount,
            want.subject,
          ]);
        });
      }),
    );
  });

  it("packs payloads that sit in larger shared buffers as their own bytes only", () => {
    const big = new Uint8Array(1_000).map((_, i) => i % 251);
    const msgs: RawMessage[] = [
      { data: big.subarray(10, 20), streamSeq: 1, receivedMs: 5, deliveryCount: 1, subject: "auditEvent" },
      { data: big.subarray(500, 503), streamSeq: 2, receivedMs: 6, deliveryCount: 2, subject: "auditEvent" },
    ];
    const { batch } = packBatch(msgs);
    expect(batch.bytes.byteLength).toBe(13);
    expect(batch.subjects).toEqual(["auditEvent"]);
    const [a, b] = unpackBatch(batch);
    expect(Array.from(a?.data ?? [])).toEqual(Array.from(big.subarray(10, 20)));
    expect(Array.from(b?.data ?? [])).toEqual([500 % 251, 501 % 251, 502 % 251]);
    // Views into the batch's one buffer: the row store keeps that buffer rather than copying each message.
    expect(a?.data.buffer).toBe(batch.bytes);
  });

  it("carries each payload's SHA-256 when asked to hash, and none otherwise", () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 20 }), (msgs: RawMessage[]) => {
        const { batch, transfer } = packBatch(msgs, true);
        const out = unpackBatch(acrossThreads(batch, transfer));
        out.forEach((m, i) => {
          const want = new Int32Array(8);
          sha256Words((msgs[i] as RawMessage).data, want, 0);
          expect(Array.from(m.sha256 ?? [])).toEqual(Array.from(want));
        });
        expect(unpackBatch(packBatch(msgs).batch).every((m) => m.sha256 === undefined)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it("tells a message that carries a prev_hash from one that does not", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(mentionsPrevHash(bytes('{"seq":1,"prev_hash":"00"}'))).toBe(true);
    expect(mentionsPrevHash(bytes('"prev_hash"'))).toBe(true);
    expect(mentionsPrevHash(bytes('{"seq":1,"prev_has":"00","p":"prev_hash'))).toBe(false);
    expect(mentionsPrevHash(bytes(""))).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(mentionsPrevHash(bytes(a + '"prev_hash"' + b))).toBe(true);
        expect(mentionsPrevHash(bytes(a + b))).toBe((a + b).includes('"prev_hash"'));
      }),
    );
    // Near misses: strings of the needle's own characters, where partial matches and overlaps abound.
    const near = fc.string({ unit: fc.constantFrom('"', "p", "r", "e", "v", "_", "h", "a", "s"), maxLength: 40 });
    fc.assert(
      fc.property(near, fc.boolean(), near, (a, put, b) => {
        const s = a + (put ? '"prev_hash"' : "") + b;
        expect(mentionsPrevHash(bytes(s))).toBe(s.includes('"prev_hash"'));
      }),
      { numRuns: 2_000 },
    );
  });
});
