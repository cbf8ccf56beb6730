// What the index stores per workflow execution, and how it is made: the list's
// summary plus anomaly counts under every built-in partition key (in all and
// per producer, for the metrics), computed from the execution's own messages
// only. It is a function of that set of messages — not of arrival order, batch
// boundaries or the clock — so an index rebuilt from scratch is identical to
// one kept up to date through restarts. "Stalled" and open tails of a running
// execution depend on the viewer's clock: the entry keeps `lastSeenMs` for that.
//
// An execution's tenant is the `org_id` its messages name (orgOfMessages): messages
// without one join it. Messages that name two or more put the execution in no
// tenant's keys (fail closed: no tenant ever reads another's lines, an admin sees
// it with the orgs in `orgConflict`) — also a function of the set of messages.

import { contextOfKey } from "../audit/context-ref";
import type { AnomalyKind } from "../audit/anomaly";
import { AuditLog, type ExecutionStatus, type ExecutionSummary } from "../audit/audit-log";
import { BUILTIN_KEYS } from "../audit/partition-key";
import { parseMessage } from "../audit/parse";
import type { ProducerIdentity, RawMessage } from "../audit/types";
import { HOUR_MS, KEY_STATUSES, summaryKey } from "./index-keys";

export const ENTRY_VERSION = 1;

export type Counts = Partial<Record<AnomalyKind, number>>;

export interface IndexEntry {
  v: typeof ENTRY_VERSION;
  id: string;
  /** Its tenant: the one org_id its messages name (absent: none, or more than one — see orgConflict). */
  org?: string;
  /** The org_ids when its messages name more than one (sorted): it belongs to no tenant. */
  orgConflict?: string[];
  workflowId?: string;
  /** Never "stalled": that is the viewer's call, from lastSeenMs. */
  status: Exclude<ExecutionStatus, "stalled">;
  terminal: boolean;
  producers: ProducerIdentity[];
  events: number;
  malformed: number;
  duplicates: number;
  firstTsMs: number;
  lastTsMs: number;
  /** Audit-stream sequences of its first and last message. */
  firstSeq: number;
  lastSeq: number;
  /** Server times of its first and last message. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** Non-zero anomaly counts by built-in key id. */
  anomalies: Record<string, Counts>;
  /** The same by producer label (the lane of the anomaly's first event), then key id. */
  byProducer: Record<string, Record<string, Counts>>;
}

/** One execution's messages, held while the indexer works on it. */
export class IndexedExecution {
  private readonly log = new AuditLog();
  private readonly seqs = new Set<number>();
  private firstSeenMs = Infinity;
  private lastSeenMs = -Infinity;
  /** The hours its messages arrived in (each hour's start, ms): where a summary of a prefix of them may lie. */
  private readonly hours = new Set<number>();
  /** The org_ids its messages name. */
  private readonly orgs = new Set<string>();
  /** What it holds, in the order added (a tenant change files them all again under the new tenant). */
  private readonly held: RawMessage[] = [];

  constructor(readonly id: string) {}

  /** Its tenant now: the one org_id its messages name; undefined for none or a conflict. */
  get org(): string | undefined {
    return orgOfMessages(this.orgs);
  }

  /** Every message it holds. */
  messages(): readonly RawMessage[] {
    return this.held;
  }

  get size(): number {
    return this.seqs.size;
  }

  has(streamSeq: number): boolean {
    return this.seqs.has(streamSeq);
  }

  /**
   * Adds messages not held yet, by audit-stream sequence; returns how many were new. A redelivery
   * (the same sequence again) is the indexer's consumer talking, not the stream: it is not a duplicate.
   */
  add(msgs: readonly RawMessage[]): number {
    const fresh: RawMessage[] = [];
    for (const m of msgs) {
      if (this.seqs.has(m.streamSeq)) continue;
      this.seqs.add(m.streamSeq);
      fresh.push(m.deliveryCount === 1 ? m : { ...m, deliveryCount: 1 });
      if (m.receivedMs < this.firstSeenMs) this.firstSeenMs = m.receivedMs;
      if (m.receivedMs > this.lastSeenMs) this.lastSeenMs = m.receivedMs;
      this.hours.add(m.receivedMs - (m.receivedMs % HOUR_MS));
      const org = orgOfMessage(m);
      if (org !== undefined) this.orgs.add(org);
      this.held.push(m);
    }
    // Stream order, whatever order they came in (a reload, then a batch): the log files them as the stream has them.
    fresh.sort((a, b) => a.streamSeq - b.streamSeq);
    if (fresh.length > 0) this.log.add(fresh);
    return fresh.length;
  }

  /** Its summary key (its workflow, the hour it was last active in, its status); undefined while it holds nothing. */
  key(): string | undefined {
    const s = this.log.execution(this.id, { nowMs: -Infinity });
    if (s === undefined) return undefined;
    return summaryKey({
      org: this.org,
      executionId: this.id,
      workflowId: s.workflowId,
      lastSeenMs: this.lastSeenMs,
      status: s.status === "stalled" ? "running" : s.status,
    });
  }

  /**
   * Every key a summary of it may have been written under, its current one included: a summary is written for
   * the messages indexed so far, so its key has the hour of one of its messages, any status, its workflow or
   * none yet, and one of its orgs or none. A holder killed between writing a moved summary and deleting the
   * old key leaves one of these.
   */
  possibleKeys(): string[] {
    const s = this.log.execution(this.id, { nowMs: -Infinity });
    if (s === undefined) return [];
    const out = new Set<string>();
    for (const org of [undefined, ...this.orgs])
      for (const workflowId of new Set([undefined, s.workflowId]))
        for (const hour of this.hours)
          for (const status of KEY_STATUSES)
            out.add(summaryKey({ org, executionId: this.id, workflowId, lastSeenMs: hour, status }));
    return [...out];
  }

  entry(): IndexEntry | undefined {
    const s = this.log.execution(this.id, { nowMs: -Infinity });
    if (s === undefined) return undefined;
    const anomalies: Record<string, Counts> = {};
    const byProducer: Record<string, Record<string, Counts>> = {};
    const laneOf = (q: number) => this.log.producerAt(q)?.label;
    for (const key of BUILTIN_KEYS) {
      const a = this.log.analyze(key, {
        executionId: this.id,
        nowMs: this.lastSeenMs,
        chains: false,
        signatures: false,
      });
      const counts = nonZero(a.counts);
      if (counts !== undefined) anomalies[key.id] = counts;
      for (const an of a.anomalies) {
        let label = "(no event)";
        for (const q of an.streamSeqs) {
          const l = laneOf(q);
          if (l !== undefined) {
            label = l;
            break;
          }
        }
        const perKey = (byProducer[label] ??= {});
        const c = (perKey[key.id] ??= {});
        c[an.kind] = (c[an.kind] ?? 0) + 1;
      }
    }
    const status = s.status === "stalled" ? "running" : s.status;
    const org = this.org;
    return {
      v: ENTRY_VERSION,
      id: this.id,
      ...(org === undefined ? {} : { org }),
      ...(this.orgs.size > 1 ? { orgConflict: [...this.orgs].sort() } : {}),
      ...(s.workflowId === undefined ? {} : { workflowId: s.workflowId }),
      status,
      terminal: status !== "running",
      producers: s.producers.map((p) => ({ id: p.id, label: p.label, rule: p.rule, orchestrator: p.orchestrator })),
      events: s.eventCount,
      malformed: s.malformedCount,
      duplicates: s.duplicateCount,
      firstTsMs: s.firstTsMs,
      lastTsMs: s.lastTsMs,
      firstSeq: s.firstStreamSeq,
      lastSeq: s.lastStreamSeq,
      firstSeenMs: this.firstSeenMs,
      lastSeenMs: this.lastSeenMs,
      anomalies,
      byProducer,
    };
  }
}

function nonZero(counts: Readonly<Record<AnomalyKind, number>>): Counts | undefined {
  let out: Counts | undefined;
  for (const [k, n] of Object.entries(counts) as [AnomalyKind, number][]) if (n > 0) (out ??= {})[k] = n;
  return out;
}

/** The key an entry is stored under (what IndexedExecution.key() says of the execution it was made from). */
export function entryKey(e: Pick<IndexEntry, "id" | "org" | "workflowId" | "lastSeenMs" | "status">): string {
  return summaryKey({
    org: e.org,
    executionId: e.id,
    workflowId: e.workflowId,
    lastSeenMs: e.lastSeenMs,
    status: e.status,
  });
}

/** An execution's tenant from the org_ids its messages name: exactly one, or none (none named, or a conflict). */
export function orgOfMessages(orgs: ReadonlySet<string>): string | undefined {
  return orgs.size === 1 ? (orgs.values().next().value as string) : undefined;
}

const ORG_ID = new TextEncoder().encode('"org_id"');

/**
 * The org_id a message names, as the contract reads it (a string; empty counts as none); undefined for a
 * malformed one. Parsed only when its bytes hold `"org_id"`: the indexer's path, once per message.
 */
export function orgOfMessage(m: RawMessage): string | undefined {
  if (!holds(m.data, ORG_ID)) return undefined;
  const p = parseMessage(m);
  if (p.kind !== "event") return undefined;
  const org = p.org_id;
  return typeof org === "string" && org !== "" ? org : undefined;
}

function holds(data: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0] as number;
  outer: for (
    let i = data.indexOf(first);
    i !== -1 && i <= data.length - needle.length;
    i = data.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (data[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** An entry as stored (JSON); undefined when the bytes are not one this version reads. */
export function decodeEntry(data: Uint8Array | string): IndexEntry | undefined {
  let o: unknown;
  try {
    o = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof o !== "object" || o === null) return undefined;
  const e = o as Partial<IndexEntry>;
  const nums = [e.events, e.malformed, e.duplicates, e.firstSeq, e.lastSeq, e.firstSeenMs, e.lastSeenMs];
  if (e.v !== ENTRY_VERSION || typeof e.id !== "string" || !nums.every((n) => typeof n === "number")) return undefined;
  if (!Array.isArray(e.producers) || typeof e.anomalies !== "object" || e.anomalies === null) return undefined;
  return e as IndexEntry;
}

export function encodeEntry(e: IndexEntry): string {
  return JSON.stringify(e);
}

/** An indexed execution's status at `nowMs`: a running one quiet for the quiet period is stalled. */
export function statusAt(
  e: Pick<IndexEntry, "terminal" | "status" | "lastSeenMs">,
  nowMs: number,
  quietPeriodMs: number,
): ExecutionStatus {
  return !e.terminal && nowMs - e.lastSeenMs >= quietPeriodMs ? "stalled" : e.status;
}

/** The list's summary for an indexed execution, judged at `nowMs` (stalled after a quiet period). */
export function entryToSummary(e: IndexEntry, nowMs: number, quietPeriodMs: number): ExecutionSummary {
  const status = statusAt(e, nowMs, quietPeriodMs);
  // The entry's id is the log's context key: an execution's id, or an invocation's key.
  const ref = contextOfKey(e.id);
  return {
    id: e.id,
    kind: ref.kind,
    name: ref.id,
    ...(e.workflowId === undefined ? {} : { workflowId: e.workflowId }),
    producers: e.producers,
    eventCount: e.events,
    malformedCount: e.malformed,
    duplicateCount: e.duplicates,
    firstTsMs: e.firstTsMs,
    lastTsMs: e.lastTsMs,
    firstStreamSeq: e.firstSeq,
    lastStreamSeq: e.lastSeq,
    status,
  };
}
