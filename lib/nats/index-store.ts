// The index's home on NATS (one façade for it): a KV bucket of execution
// summaries, a KV bucket for the active indexer's lease, and a stream that holds
// every audit message again on a subject per execution, so one execution's
// messages are read without a scan. Each copy keeps where it lies in the audit
// stream (sequence, server time, subject) in headers; the log sees the
// original. Names come from lib/index/index-keys.
//
// A store opened for one tenant (`open(nc, stream, { org })`) reads only that
// tenant's keys and copies, with requests a tenant's credential may make
// (lib/config/reader-permissions.ts tenantReaderPermissions): consumers whose
// filter is in the create subject, direct gets by subject — never stream info
// (its subjects_filter lists every key) nor a get by sequence.
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { headers, nanos, NoRespondersError, nuid } from "@nats-io/nats-core";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type Consumer,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { Kvm, KvWatchInclude, type KV } from "@nats-io/kv";
import type { RawMessage } from "../audit/types";
import { decodeEntry, type IndexEntry } from "../index/index-entry";
import {
  decodeLedgerEntry,
  decodeProcessEntry,
  LEDGER_KEY,
  PROCESSES_FILTER,
  type LedgerEntry,
  type ProcessEntry,
} from "../index/process-entry";
import {
  executionSubject,
  H_BY_REFERENCE,
  H_STREAM_SEQ,
  H_STREAM_TIME,
  H_SUBJECT,
  indexNames,
  META_PROGRESS,
  orgToken,
  summaryFilter,
  workflowKey,
  workflowsFilter,
  type IndexNames,
} from "../index/index-keys";
import { ResumableReader } from "./resumable-reader";
import { isStreamNotFound } from "./stream";

/** The whole stream's per-process ledger as the indexer keeps it; no `head` until its first write. */
export interface IndexLedger {
  head?: LedgerEntry;
  processes: ProcessEntry[];
}

/** How long a lease lives without renewal: a standby indexer takes over this long after the active one died. */
export const LEASE_TTL_MS = 10_000;

export class IndexStore {
  /** The copies stream's last sequence after this store's last batch of copies (undefined: ask it). */
  private copiesLastSeq: number | undefined;

  private constructor(
    readonly names: IndexNames,
    readonly nc: NatsConnection,
    readonly kv: KV,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    /** The tenant this store reads for (undefined: unrestricted, every tenant's). */
    readonly org?: string,
  ) {}

  /** Creates what is missing (the indexer); replicas as the audit stream has. */
  static async ensure(nc: NatsConnection, stream: string): Promise<IndexStore> {
    const names = indexNames(stream);
    const jsm = await jetstreamManager(nc);
    const audit = await jsm.streams.info(stream);
    const replicas = audit.config.num_replicas;
    const kvm = new Kvm(nc);
    // Direct gets (by subject, so permissions can scope them to a tenant's keys) on both of the index's streams.
    const kv = await kvm.create(names.bucket, { history: 1, replicas, storage: StorageType.File, allow_direct: true });
    await kvm.create(names.leaseBucket, { history: 1, replicas, ttl: LEASE_TTL_MS, storage: StorageType.Memory });
    try {
      await jsm.streams.info(names.byExecution);
    } catch (e) {
      if (!isStreamNotFound(e)) throw e;
      await jsm.streams.add({
        name: names.byExecution,
        subjects: [`${names.subjectPrefix}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        num_replicas: replicas,
        allow_direct: true,
        // The audit stream's limits apply to its copies too.
        max_age: audit.config.max_age,
        max_bytes: audit.config.max_bytes,
        max_msgs: audit.config.max_msgs,
      });
    }
    return new IndexStore(names, nc, kv, jetstream(nc), jsm);
  }

  /**
   * The index of `stream` if one exists (a reader: creates nothing); undefined when nobody indexes it. With
   * `org`, a store of that tenant's part only, for a credential restricted to it (its progress record tells
   * that the index exists: stream info is not a tenant's).
   */
  static async open(nc: NatsConnection, stream: string, opts: { org?: string } = {}): Promise<IndexStore | undefined> {
    const names = indexNames(stream);
    const jsm = await jetstreamManager(nc);
    if (opts.org !== undefined) {
      const kv = await new Kvm(nc).open(names.bucket, { allow_direct: true });
      try {
        if ((await kv.get(META_PROGRESS)) === null) return undefined;
      } catch (e) {
        if (isStreamNotFound(e) || e instanceof NoRespondersError || /no responders/i.test(String(e))) return undefined;
        throw e;
      }
      return new IndexStore(names, nc, kv, jetstream(nc), jsm, opts.org);
    }
    let direct: boolean | undefined;
    try {
      direct = (await jsm.streams.info(`KV_${names.bucket}`)).config.allow_direct;
      await jsm.streams.info(names.byExecution);
    } catch (e) {
      if (isStreamNotFound(e)) return undefined;
      throw e;
    }
    const kv = await new Kvm(nc).open(names.bucket, { allow_direct: direct === true });
    return new IndexStore(names, nc, kv, jetstream(nc), jsm);
  }

  /** Removes every part of the index (a rebuild starts from nothing). */
  static async destroy(nc: NatsConnection, stream: string): Promise<void> {
    const names = indexNames(stream);
    const jsm = await jetstreamManager(nc);
    for (const s of [names.byExecution, `KV_${names.bucket}`]) {
      try {
        await jsm.streams.delete(s);
      } catch (e) {
        if (!isStreamNotFound(e)) throw e;
      }
    }
  }

  /**
   * Sends a copy of each audit message under its execution; `stored` resolves once the server has them all.
   * All but the last go out as plain publishes and the last is acknowledged: the stream stores one
   * connection's messages in order, so if its sequence moved by exactly the batch's size, every copy
   * is in (5–7× the rate of acknowledging each). Otherwise (copies the dedupe window dropped after a
   * crash, another writer) each is published again with its own ack; the Nats-Msg-Id keeps one copy.
   * A next call may come before `stored` settles (the indexer's pipeline): it is checked against the
   * sequence this one is expected to end at, and a wrong expectation only costs the slow path.
   */
  async copyAll(
    items: readonly { executionId: string; org: string | undefined; msg: RawMessage }[],
    streamCreated: string,
  ): Promise<{ stored: Promise<void> }> {
    if (items.length === 0) return { stored: Promise.resolve() };
    const before = this.copiesLastSeq ?? (await this.jsm.streams.info(this.names.byExecution)).state.last_seq;
    const expected = before + items.length;
    this.copiesLastSeq = expected;
    const last = items.length - 1;
    for (let i = 0; i < last; i++) {
      const { executionId, org, msg } = items[i] as (typeof items)[number];
      this.nc.publish(executionSubject(this.names, executionId, org), this.body(msg), {
        headers: this.copyHeaders(msg, org, streamCreated),
      });
    }
    const tail = items[last] as (typeof items)[number];
    const stored = this.js
      .publish(executionSubject(this.names, tail.executionId, tail.org), this.body(tail.msg), {
        headers: this.copyHeaders(tail.msg, tail.org, streamCreated),
      })
      .then(async (ack) => {
        if (!ack.duplicate && ack.seq === expected) return;
        this.copiesLastSeq = undefined;
        await Promise.all(
          items.map(({ executionId, org, msg }) =>
            this.js.publish(executionSubject(this.names, executionId, org), this.body(msg), {
              headers: this.copyHeaders(msg, org, streamCreated),
            }),
          ),
        );
      });
    stored.catch(() => (this.copiesLastSeq = undefined));
    return { stored };
  }

  /** A message too big to carry again with the copy's headers is copied by reference (empty body). */
  private byReference(m: RawMessage): boolean {
    return m.data.length > (this.nc.info?.max_payload ?? 1_048_576) - 4_096;
  }

  private body(m: RawMessage): Uint8Array {
    return this.byReference(m) ? new Uint8Array(0) : m.data;
  }

  /**
   * Where a copy's audit message lies, and its dedupe id: one copy per audit message and tenant within the
   * window (an execution whose tenant changes has its messages filed again under the new one).
   */
  private copyHeaders(m: RawMessage, org: string | undefined, streamCreated: string): MsgHdrs {
    const h = headers();
    h.set(H_STREAM_SEQ, String(m.streamSeq));
    h.set(H_STREAM_TIME, String(m.receivedMs));
    h.set(H_SUBJECT, m.subject);
    h.set("Nats-Msg-Id", `${streamCreated}/${orgToken(org)}/${m.streamSeq}`);
    if (this.byReference(m)) h.set(H_BY_REFERENCE, "1");
    return h;
  }

  /** The summary of one execution, found by id alone (`<org or *>.*.*.*.<id>`). */
  async entry(executionId: string): Promise<{ key: string; entry: IndexEntry; revision: number } | undefined> {
    const keys = await this.kv.keys(summaryFilter({ org: this.org, executionId }));
    for await (const key of keys) {
      const e = await this.kv.get(key);
      if (e === null || e.operation !== "PUT") continue;
      const entry = decodeEntry(e.value);
      if (entry !== undefined && entry.id === executionId) return { key, entry, revision: e.revision };
    }
    return undefined;
  }

  /**
   * Follows the summaries under `filter` (default: all this store reads): each one now, then every change (only the changes
   * with `updatesOnly`, from `onReady` on), until `signal` aborts. `undefined` for a summary deleted (moved
   * to another key) or one this version cannot read; `revision` orders what two reads say of one execution.
   */
  async watch(
    onChange: (key: string, entry: IndexEntry | undefined, revision: number) => void,
    signal: AbortSignal,
    filter = summaryFilter({ org: this.org }),
    opts: { updatesOnly?: boolean; onReady?: () => void } = {},
  ): Promise<void> {
    const w = await this.kv.watch({
      key: filter,
      ...(opts.updatesOnly ? { include: KvWatchInclude.UpdatesOnly } : {}),
    });
    // Its consumer exists on the server from here: a change written after this is seen.
    opts.onReady?.();
    const stop = () => w.stop();
    signal.addEventListener("abort", stop, { once: true });
    try {
      for await (const e of w) onChange(e.key, e.operation === "PUT" ? decodeEntry(e.value) : undefined, e.revision);
    } finally {
      signal.removeEventListener("abort", stop);
    }
  }

  /**
   * The summaries under `filter` as they are now, once (no following): the list's history, an hour at a
   * time. Resolves with how many it read; throws when aborted, so a partial read never passes for whole.
   */
  async readSummaries(
    filter: string,
    onEntry: (key: string, entry: IndexEntry | undefined, revision: number) => void,
    signal: AbortSignal,
  ): Promise<number> {
    return this.readLast(filter, (key, data, revision) => onEntry(key, data && decodeEntry(data), revision), signal);
  }

  /** The workflows the index has seen (its `meta.workflows.<org>.*` keys, this store's tenants): the list's choices. */
  async workflows(signal: AbortSignal): Promise<string[]> {
    const out = new Set<string>();
    await this.readLast(
      workflowsFilter(this.org),
      (_key, data) => {
        if (data !== undefined) out.add(new TextDecoder().decode(data));
      },
      signal,
    );
    return [...out].sort();
  }

  /**
   * The per-process ledger of the whole stream (lib/index/process-entry.ts), once; throws when aborted. The
   * range first, then the processes: the indexer writes the range last, so every process of that range is
   * among those read (some may be newer). Two reads, one filter each — a consumer with a list of filters
   * needs nats-server 2.10. Values this version cannot read are left out. Not a tenant's to read: its keys
   * lie outside every tenant's part (the server refuses the consumer).
   */
  async readLedger(signal: AbortSignal): Promise<IndexLedger> {
    let head: LedgerEntry | undefined;
    await this.readLast(LEDGER_KEY, (_key, data) => void (head = data && decodeLedgerEntry(data)), signal);
    const processes: ProcessEntry[] = [];
    await this.readLast(
      PROCESSES_FILTER,
      (_key, data) => {
        const entry = data && decodeProcessEntry(data);
        if (entry !== undefined) processes.push(entry);
      },
      signal,
    );
    return head === undefined ? { processes } : { head, processes };
  }

  /** Records that the index has seen a workflow in a tenant's executions (idempotent). */
  async recordWorkflow(org: string | undefined, workflowId: string): Promise<void> {
    await this.kv.put(workflowKey(org, workflowId), workflowId);
  }

  /**
   * A consumer of `stream` under `filter`, made with the filter in the create request's subject (what a
   * tenant's permissions match; the server refuses a config whose filter differs) and no stream info first.
   * It ends by itself when idle (a reader may not delete consumers).
   */
  private async pullConsumer(stream: string, filter: string, opts: Partial<ConsumerConfig>): Promise<Consumer> {
    const ci = await this.jsm.consumers.add(stream, {
      name: nuid.next(),
      filter_subject: filter,
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(30_000),
      mem_storage: true,
      num_replicas: 1,
      ...opts,
    });
    return this.js.consumers.getConsumerFromInfo(ci);
  }

  /** The last value of each key under `filter` (undefined: deleted), once; throws when aborted. */
  private async readLast(
    filter: string,
    onValue: (key: string, data: Uint8Array | undefined, revision: number) => void,
    signal: AbortSignal,
  ): Promise<number> {
    const stream = `KV_${this.names.bucket}`;
    const prefix = `$KV.${this.names.bucket}.`;
    const c = await this.pullConsumer(stream, `${prefix}${filter}`, { deliver_policy: DeliverPolicy.LastPerSubject });
    let pending = (await c.info(true)).num_pending;
    let read = 0;
    while (pending > 0) {
      if (signal.aborted) throw new Error("Reading the index was stopped.");
      const batch = await c.fetch({ max_messages: Math.min(pending, 2_000), expires: 5_000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        read++;
        pending = m.info.pending;
        const op = m.headers?.get("KV-Operation");
        onValue(m.subject.slice(prefix.length), op === "DEL" || op === "PURGE" ? undefined : m.data, m.seq);
      }
      if (got === 0) throw new Error(`Reading the index under ${filter} returned nothing with ${pending} left.`);
    }
    return read;
  }

  /**
   * A server time no summary of the index is older than: where the list's history walk ends. Every message
   * came after its stream was created (a recreated stream gets its index rebuilt), so that is the bound; the
   * oldest summary still stored (the indexer writes in stream order) and the oldest message are checked too.
   */
  async oldestMs(): Promise<number> {
    if (this.org !== undefined) return this.progressCreatedMs();
    const kvStream = `KV_${this.names.bucket}`;
    const [audit, kv] = await Promise.all([
      this.jsm.streams.info(this.names.audit).catch(() => undefined),
      this.jsm.streams.info(kvStream),
    ]);
    let oldest = Date.now();
    if (audit !== undefined) {
      oldest = Math.min(oldest, Date.parse(audit.created));
      if (audit.state.messages > 0) oldest = Math.min(oldest, Date.parse(audit.state.first_ts));
    }
    // The first few records may be meta keys or deletes.
    for (let seq = kv.state.first_seq, n = 0; n < 8 && seq <= kv.state.last_seq; seq++, n++) {
      const m = await this.jsm.streams.getMessage(kvStream, { seq }).catch(() => null);
      const e = m === null ? undefined : decodeEntry(m.data);
      if (e === undefined) continue;
      oldest = Math.min(oldest, e.lastSeenMs);
      break;
    }
    return Number.isFinite(oldest) ? oldest : Date.now();
  }

  /** For a tenant: the audit stream's creation, from the progress record (no stream info), else now. */
  private async progressCreatedMs(): Promise<number> {
    const p = await this.kv.get(META_PROGRESS).catch(() => null);
    let created = NaN;
    try {
      if (p?.operation === "PUT") created = Date.parse((p.json() as { streamCreated?: string }).streamCreated ?? "");
    } catch {
      // Not a record this version reads: no bound but now.
    }
    return Number.isFinite(created) ? Math.min(created, Date.now()) : Date.now();
  }

  /**
   * Every message of one execution, in audit-stream order, each once, as the audit stream holds it.
   * Reads only its subject — a tenant's store its tenant's, an unrestricted one every tenant's (an execution
   * whose tenant changed was filed again; its copies are read once each) — and resumes after faults like any
   * read; nothing to read is one request.
   */
  async readExecution(executionId: string, signal: AbortSignal): Promise<RawMessage[]> {
    const subject = executionSubject(this.names, executionId, this.org ?? "*");
    let last: number;
    try {
      const sm =
        this.org === undefined
          ? await this.jsm.streams.getMessage(this.names.byExecution, { last_by_subj: subject })
          : await this.jsm.direct.getMessage(this.names.byExecution, { last_by_subj: subject });
      if (sm === null) return [];
      last = sm.seq;
    } catch (e) {
      if (/no message found/i.test(e instanceof Error ? e.message : String(e))) return [];
      throw e;
    }
    const bySeq = new Map<number, RawMessage>();
    const byReference = new Set<number>();
    const toMessage = (m: JsMsg) => {
      const r = fromCopy(m);
      if (m.headers?.get(H_BY_REFERENCE)) byReference.add(r.streamSeq);
      return r;
    };
    if (this.org !== undefined) await this.readTenantCopies(executionId, subject, last, toMessage, bySeq, signal);
    else await this.readCopies(executionId, subject, last, toMessage, bySeq, signal);
    // Copies by reference: the message itself, from the audit stream (gone there too: gone). Not for a
    // tenant: a read of the audit stream by sequence is not scoped to one, so it is not allowed one.
    for (const seq of byReference) {
      const sm =
        this.org === undefined ? await this.jsm.streams.getMessage(this.names.audit, { seq }).catch(() => null) : null;
      const m = bySeq.get(seq) as RawMessage;
      if (sm === null) bySeq.delete(seq);
      else bySeq.set(seq, { ...m, data: sm.data });
    }
    return [...bySeq.values()].sort((a, b) => a.streamSeq - b.streamSeq);
  }

  /** The copies under `subject` up to copy `last`, through the ordered reader that resumes after faults. */
  private async readCopies(
    executionId: string,
    subject: string,
    last: number,
    toMessage: (m: JsMsg) => RawMessage,
    bySeq: Map<number, RawMessage>,
    signal: AbortSignal,
  ): Promise<void> {
    // Read until the last copy known to exist: a heartbeat or a 0 pending count on a filtered read of a big
    // stream can come before the server has found the rest (seen on a cluster). A read that ends short is
    // resumed; one that cannot move on, or is aborted, fails — a partial execution must never pass for whole.
    let from = 1;
    for (let stuck = 0; from <= last;) {
      if (signal.aborted) throw new Error(`Reading execution ${executionId} through the index was stopped.`);
      const start = from;
      const reader = new ResumableReader(this.nc, {
        stream: this.names.byExecution,
        filterSubject: subject,
        startAt: () => start,
        endSeq: last,
        untilCaughtUp: true,
        maxMessages: 5_000,
        toMessage,
        onMessage: (m) => void bySeq.set(m.streamSeq, m),
        onRecreated: () => false,
        signal,
      });
      const r = await reader.run();
      if (r.end === "recreated")
        throw new Error(`The index stream ${this.names.byExecution} was recreated during the read.`);
      if (r.end === "aborted" || signal.aborted)
        throw new Error(`Reading execution ${executionId} through the index was stopped.`);
      if (r.lastSeq >= last) break;
      if (r.lastSeq < from) stuck++;
      else stuck = 0;
      if (stuck >= 3)
        throw new Error(
          `Reading execution ${executionId} through the index stopped at copy ${r.lastSeq} of ${last}: the rest is missing.`,
        );
      from = Math.max(from, r.lastSeq + 1);
    }
  }

  /**
   * The same for a tenant: the ordered reader asks for stream info first, which a tenant may not, so plain
   * consumers made from the next copy on, until copy `last`; one that cannot move on three times fails.
   */
  private async readTenantCopies(
    executionId: string,
    subject: string,
    last: number,
    toMessage: (m: JsMsg) => RawMessage,
    bySeq: Map<number, RawMessage>,
    signal: AbortSignal,
  ): Promise<void> {
    const stopped = () => new Error(`Reading execution ${executionId} through the index was stopped.`);
    for (let from = 1, stuck = 0; from <= last;) {
      if (signal.aborted) throw stopped();
      const c = await this.pullConsumer(this.names.byExecution, subject, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: from,
      });
      const start = from;
      for (;;) {
        if (signal.aborted) throw stopped();
        const batch = await c.fetch({ max_messages: 1_000, expires: 2_000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          const r = toMessage(m);
          bySeq.set(r.streamSeq, r);
          from = m.seq + 1;
        }
        if (got === 0 || from > last) break;
      }
      stuck = from === start ? stuck + 1 : 0;
      if (stuck >= 3)
        throw new Error(
          `Reading execution ${executionId} through the index stopped at copy ${from - 1} of ${last}: the rest is missing.`,
        );
    }
  }
}

/** A copy in the per-execution stream, as the audit message it copies. */
export function fromCopy(m: JsMsg): RawMessage {
  const h = m.headers as MsgHdrs | undefined;
  const seq = Number(h?.get(H_STREAM_SEQ));
  const time = Number(h?.get(H_STREAM_TIME));
  return {
    data: m.data,
    streamSeq: Number.isFinite(seq) && seq > 0 ? seq : m.seq,
    receivedMs: Number.isFinite(time) ? time : Math.floor(m.info.timestampNanos / 1e6),
    deliveryCount: 1,
    subject: h?.get(H_SUBJECT) || m.subject,
  };
}
