// Messages crossing from the reader's worker to the page: one batch is one
// buffer of payloads back to back plus a column of numbers per field, all
// transferred (not cloned), so a batch costs the page one message event and no
// per-message copy. The page's RawMessages are views into that one buffer: the
// row store keeps such a buffer as it is (it is all payload). A batch may carry
// each payload's SHA-256, hashed in the worker, so the page's chain ledger does
// not hash on the main thread.
import { sha256Words } from "../audit/sha256";
import type { RawMessage } from "../audit/types";

export interface MessageBatch {
  count: number;
  /** Payloads back to back. */
  bytes: ArrayBuffer;
  /** Per message: end offset of its payload in `bytes`, stream sequence, received ms, delivery count. */
  ends: Uint32Array;
  streamSeq: Float64Array;
  receivedMs: Float64Array;
  deliveryCount: Float64Array;
  /** Per message: index into `subjects` (a stream has a handful of subjects). */
  subject: Uint16Array;
  subjects: string[];
  /** Per message, 8 words: its payload's SHA-256 (sha256Words); absent when the batch was not hashed. */
  digests?: Int32Array;
}

/**
 * Packs `msgs` into one batch (with `hash`, each payload's SHA-256 too); `transfer` lists what postMessage
 * should move rather than copy.
 */
export function packBatch(msgs: readonly RawMessage[], hash = false): { batch: MessageBatch; transfer: ArrayBuffer[] } {
  const n = msgs.length;
  let total = 0;
  for (const m of msgs) total += m.data.length;
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(n);
  const streamSeq = new Float64Array(n);
  const receivedMs = new Float64Array(n);
  const deliveryCount = new Float64Array(n);
  const subject = new Uint16Array(n);
  const subjects: string[] = [];
  const subjectIds = new Map<string, number>();
  const digests = hash ? new Int32Array(n * 8) : undefined;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const m = msgs[i] as RawMessage;
    bytes.set(m.data, at);
    at += m.data.length;
    ends[i] = at;
    streamSeq[i] = m.streamSeq;
    receivedMs[i] = m.receivedMs;
    deliveryCount[i] = m.deliveryCount;
    let s = subjectIds.get(m.subject);
    if (s === undefined) {
      s = subjects.length;
      if (s > 0xffff) throw new Error("packBatch: more than 65 536 subjects in one batch");
      subjects.push(m.subject);
      subjectIds.set(m.subject, s);
    }
    subject[i] = s;
    if (digests !== undefined) sha256Words(m.data, digests, i * 8);
  }
  const batch: MessageBatch = {
    count: n,
    bytes: bytes.buffer,
    ends,
    streamSeq,
    receivedMs,
    deliveryCount,
    subject,
    subjects,
  };
  if (digests !== undefined) batch.digests = digests;
  const transfer = [
    bytes.buffer,
    ends.buffer,
    streamSeq.buffer,
    receivedMs.buffer,
    deliveryCount.buffer,
    subject.buffer,
  ];
  if (digests !== undefined) transfer.push(digests.buffer);
  return { batch, transfer };
}

/** The batch's messages again, in order; each payload a view into the batch's one buffer. */
export function unpackBatch(b: MessageBatch): RawMessage[] {
  const out: RawMessage[] = new Array<RawMessage>(b.count);
  let start = 0;
  for (let i = 0; i < b.count; i++) {
    const end = b.ends[i] as number;
    const m: RawMessage = {
      data: new Uint8Array(b.bytes, start, end - start),
      streamSeq: b.streamSeq[i] as number,
      receivedMs: b.receivedMs[i] as number,
      deliveryCount: b.deliveryCount[i] as number,
      subject: b.subjects[b.subject[i] as number] as string,
    };
    if (b.digests !== undefined) m.sha256 = b.digests.subarray(i * 8, i * 8 + 8);
    out[i] = m;
    start = end;
  }
  return out;
}

const PREV_HASH = new TextEncoder().encode('"prev_hash"');

/** Where the search anchors in PREV_HASH: its "_", several times rarer in an audit line than a quote. */
const ANCHOR = 5;

/**
 * The bytes `"prev_hash"` occur in `data`: the reader hashes from then on (a false hit only costs hashing).
 * Asked of every message of a stream that never chains, so it jumps from "_" to "_" (a native indexOf).
 */
export function mentionsPrevHash(data: Uint8Array): boolean {
  const anchor = PREV_HASH[ANCHOR] as number;
  const n = PREV_HASH.length;
  for (let j = data.indexOf(anchor, ANCHOR); j >= 0 && j - ANCHOR + n <= data.length; j = data.indexOf(anchor, j + 1)) {
    const i = j - ANCHOR;
    let k = 0;
    while (k < n && data[i + k] === PREV_HASH[k]) k++;
    if (k === n) return true;
  }
  return false;
}
