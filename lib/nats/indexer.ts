// The indexer: reads the audit stream with a durable consumer and keeps the
// index (index-store.ts) up to date. Per batch: each touched execution is
// brought into memory (from its per-execution copies when it is not held),
// the batch's messages are copied under their executions, the executions'
// summaries are written to KV, and only then is the batch acknowledged. A
// crash at any point replays unacknowledged messages; copies are deduplicated
// by the audit sequence, and a summary is a function of the execution's
// messages (index-entry.ts), so replaying converges on the same index as a
// rebuild. One indexer is active at a time: it holds a lease in a KV bucket
// whose entries expire; others stand by and take over when it lapses.
// Copies and summaries are filed under the execution's tenant (index-entry.ts):
// when a batch changes it (its first org_id arrives, or a second one), what the
// execution holds is filed again under the new tenant and its summary moves.
import type { NatsConnection } from "@nats-io/nats-core";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type JsMsg } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { executionOf } from "../audit/execution-of";
import type { RawMessage } from "../audit/types";
import { encodeEntry, entryKey, IndexedExecution } from "../index/index-entry";
import { indexNames, KEY_LAYOUT, LEASE_KEY, META_PROGRESS, workflowKey } from "../index/index-keys";
import { IndexStore } from "./index-store";
import { ProcessIndex } from "./process-index";
import { toRawMessage } from "./resumable-reader";
import { isStreamNotFound } from "./stream";

export interface IndexerOptions {
  stream: string;
  /** Messages per batch at most. */
  batch?: number;
  /** Audit messages held in memory across executions; past it the least recently touched go (and reload). */
  maxHeldMessages?: number;
  /** Rebuild: remove the index and the durable consumer first, and index the stream from its start. */
  rebuild?: boolean;
  /** Who this is, in the lease (default: a random id). */
  holder?: string;
  onLog?(line: string): void;
  /** Bytes the per-process ledger's log may hold (process-index.ts; default 128 MiB). */
  ledgerBudgetBytes?: number;
  /** Least time between two writes of the per-process ledger (default 2 s). */
  ledgerFlushMs?: number;
}

export interface IndexerStats {
  active: boolean;
  messagesIndexed: number;
  executionsWritten: number;
  outsideExecutions: number;
  batches: number;
  /** Messages the durable consumer has not had acknowledged (pending + in flight), as last asked. */
  lagMessages: number;
  /** Seconds since the index was last caught up (0 while it is). */
  lagSeconds: number;
  lastSeq: number;
  reloads: number;
}

interface Held {
  x: IndexedExecution;
  key?: string;
  revision?: number;
  /** Staged batches touching it that are not committed yet. */
  pinned: number;
  /** Keys of it a killed holder left behind (see load). */
  stale?: string[];
}

interface Write {
  h: Held;
  key: string;
  value: string;
  org: string | undefined;
  workflowId: string | undefined;
}

interface Staged {
  batch: JsMsg[];
  raws: RawMessage[];
  outside: number;
  stored: Promise<void>;
  writes: Write[];
  touched: Held[];
}

export class Indexer {
  readonly stats: IndexerStats = {
    active: false,
    messagesIndexed: 0,
    executionsWritten: 0,
    outsideExecutions: 0,
    batches: 0,
    lagMessages: 0,
    lagSeconds: 0,
    lastSeq: 0,
    reloads: 0,
  };
  private readonly names;
  private readonly held = new Map<string, Held>();
  /** Tenants' workflows recorded in the index this session (IndexStore.recordWorkflow), by workflowKey. */
  private readonly workflows = new Set<string>();
  private heldMessages = 0;
  /** The per-process ledger while the lease is held. */
  private processes: ProcessIndex | undefined;
  private caughtUpAt = Date.now();
  private readonly holder: string;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: IndexerOptions,
  ) {
    this.names = indexNames(opts.stream);
    this.holder = opts.holder ?? `indexer-${Math.random().toString(36).slice(2, 10)}`;
  }

  private log(line: string) {
    this.opts.onLog?.(line);
  }

  /** Runs until `signal` aborts: stands by until it holds the lease, then indexes while it keeps it. */
  async run(signal: AbortSignal): Promise<void> {
    let rebuild = this.opts.rebuild === true;
    while (!signal.aborted && !this.nc.isClosed()) {
      try {
        const lease = await this.acquireLease(signal);
        if (lease === undefined) return;
        this.stats.active = true;
        this.log(`active (lease ${this.holder})`);
        try {
          await this.indexWhileHeld(lease, rebuild);
          rebuild = false;
        } finally {
          this.stats.active = false;
          lease.release();
        }
      } catch (e) {
        if (signal.aborted) return;
        this.log(`indexing stopped: ${e instanceof Error ? e.message : String(e)}; starting over`);
        await sleep(1_000, signal);
      }
    }
  }

  /** Waits until this indexer holds the lease; renews it until it is lost or released. */
  private async acquireLease(signal: AbortSignal): Promise<Lease | undefined> {
    const jsm = await jetstreamManager(this.nc);
    // The audit stream must exist before there is anything to index.
    for (let said = false; !signal.aborted; said = true) {
      try {
        await jsm.streams.info(this.opts.stream);
        break;
      } catch (e) {
        if (!isStreamNotFound(e)) throw e;
        if (!said) this.log(`stream ${this.opts.stream} does not exist yet; waiting for it`);
        await sleep(2_000, signal);
      }
    }
    await IndexStore.ensure(this.nc, this.opts.stream);
    const kv = await new Kvm(this.nc).open(this.names.leaseBucket);
    const value = JSON.stringify({ holder: this.holder, since: new Date().toISOString() });
    for (let said = false; !signal.aborted; said = true) {
      try {
        const rev = await kv.create(LEASE_KEY, value);
        return new Lease(kv, value, rev, signal, (why) => this.log(`lease lost: ${why}`));
      } catch {
        if (!said) this.log("another indexer holds the lease; standing by");
        await sleep(2_000, signal);
      }
    }
    return undefined;
  }

  private async indexWhileHeld(lease: Lease, rebuild: boolean): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const audit = await jsm.streams.info(this.opts.stream);
    let store = await IndexStore.ensure(this.nc, this.opts.stream);
    const progress = await store.kv.get(META_PROGRESS);
    const was =
      progress?.operation === "PUT"
        ? (JSON.parse(progress.string()) as { streamCreated?: string; layout?: number })
        : {};
    if (!rebuild && was.streamCreated !== undefined && was.streamCreated !== audit.created) {
      this.log(`stream ${this.opts.stream} was created again (${audit.created}): rebuilding the index`);
      rebuild = true;
    }
    if (!rebuild && was.streamCreated !== undefined && was.layout !== KEY_LAYOUT) {
      this.log(`the index was made by an earlier version (key layout ${was.layout ?? 1}): rebuilding it`);
      rebuild = true;
    }
    if (rebuild) {
      this.log("rebuilding: removing the index and the indexer's consumer");
      await jsm.consumers.delete(this.opts.stream, this.names.durable).catch(() => undefined);
      await IndexStore.destroy(this.nc, this.opts.stream);
      store = await IndexStore.ensure(this.nc, this.opts.stream);
      this.held.clear();
      this.heldMessages = 0;
    }
    await store.kv.put(
      META_PROGRESS,
      JSON.stringify({ streamCreated: audit.created, stream: this.opts.stream, layout: KEY_LAYOUT }),
    );
    await this.ensureConsumer();
    // What another indexer held may have changed while this one stood by: start from the store.
    this.held.clear();
    this.workflows.clear();
    this.heldMessages = 0;
    const consumer = await jetstream(this.nc).consumers.get(this.opts.stream, this.names.durable);
    // The per-process ledger reads what the consumer has behind it from the stream; the batches bring the rest.
    const processes = new ProcessIndex(store.kv, {
      budgetBytes: this.opts.ledgerBudgetBytes,
      flushEveryMs: this.opts.ledgerFlushMs,
    });
    const ci = await jsm.consumers.info(this.opts.stream, this.names.durable);
    const behind = Math.max(ci.ack_floor.stream_seq, (ci.config.opt_start_seq ?? 1) - 1);
    // Read in the background: indexing starts at once (a takeover must not wait on a read of the whole stream).
    this.processes = processes;
    const reading = processes
      .catchUp(this.nc, this.opts.stream, behind, lease.signal)
      .then(() => this.log(`per-process ledger: read stream seqs 1–${behind}`))
      .catch((e) => {
        if (!lease.signal.aborted) this.log(`per-process ledger: reading the stream failed: ${String(e)}`);
      });
    let flushing: Promise<void> = Promise.resolve();
    const ledger = setInterval(() => {
      flushing = flushing.then(() => processes.flush()).catch((e) => this.log(`ledger write failed: ${String(e)}`));
    }, processes.flushEveryMs);
    const max = this.opts.batch ?? 1_000;
    const lag = setInterval(() => void this.measureLag(), 2_000);
    try {
      while (!lease.lost && !lease.signal.aborted) await this.session(consumer, store, audit.created, lease, max);
    } finally {
      clearInterval(lag);
      clearInterval(ledger);
      this.processes = undefined;
      await reading;
      await flushing;
    }
  }

  /**
   * One continuous pull until something ends it. Messages that arrive while a batch is indexed wait in
   * the client (a pull left early would let the server's delivery of the rest go nowhere, unacknowledged
   * until the ack wait). A reconnect or missed heartbeats end it: after a reconnect the client's pull
   * budget can be stale (issue 10), so a fresh pull is the only safe resume; the durable keeps the place.
   */
  private async session(consumer: Consumer, store: IndexStore, created: string, lease: Lease, max: number) {
    const messages = await consumer.consume({ max_messages: Math.max(max, 100) * 2, expires: 5_000 });
    const end = () => void messages.close();
    lease.signal.addEventListener("abort", end, { once: true });
    const status = this.nc.status();
    void (async () => {
      for await (const s of status) if (s.type === "reconnect") end();
    })().catch(() => undefined);
    void (async () => {
      for await (const n of messages.status())
        if (n.type === "heartbeats_missed" || n.type === "consumer_deleted") end();
    })().catch(() => undefined);
    let batch: JsMsg[] = [];
    // Two batches in flight: one being committed (its summaries written, then acked) while the next is
    // staged (routed, added in memory, its copies sent). Commits run one after another, in order.
    let committing: Promise<void> | undefined;
    const stageAndCommit = async (msgs: JsMsg[]) => {
      const staged = await this.stage(store, msgs, created, lease);
      if (committing !== undefined) await committing;
      committing = this.commit(store, staged, lease);
      committing.catch(() => undefined); // awaited below or before the next commit
    };
    try {
      for await (const m of messages) {
        batch.push(m);
        // Nothing more waiting on the server, or a full batch: index what came.
        if (m.info.pending > 0 && batch.length < max) continue;
        const msgs = batch;
        batch = [];
        await stageAndCommit(msgs);
      }
      if (committing !== undefined) await committing;
    } finally {
      lease.signal.removeEventListener("abort", end);
      (status as { stop?: () => void }).stop?.();
      await messages.close().catch(() => undefined);
    }
    // Taken but not indexed when the session ended: index them now if the lease still holds (else they come again).
    if (batch.length > 0 && !lease.lost && !lease.signal.aborted) {
      await stageAndCommit(batch);
      await committing;
    }
  }

  /**
   * The durable consumer, positioned after the last message acknowledged in order. Messages a previous
   * holder took and never acknowledged (it was killed) would come back only after the ack wait: the
   * consumer is made again from its ack floor instead, so a takeover resumes at once (what was acknowledged
   * past the floor is indexed again, which changes nothing).
   */
  private async ensureConsumer(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    let from = 1;
    try {
      const ci = await jsm.consumers.info(this.opts.stream, this.names.durable);
      if (ci.num_ack_pending === 0) return;
      // A consumer made from a floor before has acknowledged nothing yet: its floor reads 0, its start holds.
      from = Math.max(ci.ack_floor.stream_seq + 1, ci.config.opt_start_seq ?? 1);
      this.log(`${ci.num_ack_pending} messages were in flight at the last holder; resuming at stream seq ${from}`);
      await jsm.consumers.delete(this.opts.stream, this.names.durable);
    } catch (e) {
      if (!/consumer not found/i.test(e instanceof Error ? e.message : String(e))) throw e;
    }
    await jsm.consumers.add(this.opts.stream, {
      durable_name: this.names.durable,
      ack_policy: AckPolicy.Explicit,
      ...(from > 1
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from }
        : { deliver_policy: DeliverPolicy.All }),
      max_ack_pending: 20_000,
      ack_wait: 30_000_000_000,
    });
  }

  /**
   * A batch made ready to commit: what it touches brought into memory, its messages added there, each
   * touched execution's new summary computed, and its copies sent. Touched executions stay held (not let
   * go by trim) until the batch is committed, so a later batch never reloads one whose copies are in flight.
   */
  private async stage(store: IndexStore, batch: JsMsg[], created: string, lease: Lease): Promise<Staged> {
    const byExec = new Map<string, RawMessage[]>();
    const raws: RawMessage[] = [];
    let outside = 0;
    for (const m of batch) {
      const raw = toRawMessage(m);
      raws.push(raw);
      const x = executionOf(raw);
      if (x === undefined) outside++;
      else (byExec.get(x) ?? byExec.set(x, []).get(x)!).push(raw);
    }
    // Everything the batch touches, in memory, with what the store already holds of it.
    await Promise.all(
      [...byExec.keys()].filter((id) => !this.held.has(id)).map((id) => this.load(store, id, lease.signal)),
    );
    const writes: Write[] = [];
    const touched: Held[] = [];
    const copies: { executionId: string; org: string | undefined; msg: RawMessage }[] = [];
    for (const [id, msgs] of byExec) {
      const h = this.held.get(id) as Held;
      const before = h.x.size === 0 ? undefined : { org: h.x.org };
      this.heldMessages += h.x.add(msgs);
      const org = h.x.org;
      // Its tenant changed: everything it holds goes under the new one (what it held was filed under the old).
      const file = before !== undefined && before.org !== org ? h.x.messages() : msgs;
      for (const m of file) copies.push({ executionId: id, org, msg: m });
      this.touch(id, h);
      h.pinned++;
      touched.push(h);
      const entry = h.x.entry();
      if (entry !== undefined)
        writes.push({ h, key: entryKey(entry), value: encodeEntry(entry), org, workflowId: entry.workflowId });
    }
    const { stored } = await store.copyAll(copies, created);
    return { batch, raws, outside, stored, writes, touched };
  }

  /** Stores a staged batch: its copies confirmed, then its summaries written, and only then its messages acknowledged. */
  private async commit(store: IndexStore, s: Staged, lease: Lease): Promise<void> {
    try {
      await s.stored;
      if (lease.lost || lease.signal.aborted) throw new Error("stopped mid-batch (the lease lost, or told to stop)");
      await Promise.all(s.writes.map((w) => this.write(store, w)));
      if (lease.lost || lease.signal.aborted) throw new Error("stopped mid-batch (the lease lost, or told to stop)");
    } finally {
      for (const h of s.touched) h.pinned--;
    }
    for (const m of s.batch) m.ack();
    this.processes?.add(s.raws);
    this.stats.messagesIndexed += s.batch.length;
    this.stats.outsideExecutions += s.outside;
    this.stats.batches++;
    const last = s.batch[s.batch.length - 1] as JsMsg;
    this.stats.lastSeq = last.seq;
    if (last.info.pending === 0) this.caughtUpAt = Date.now();
    this.trim();
  }

  /** An execution not held: what its copies say so far, and the revision of its summary. */
  private async load(store: IndexStore, id: string, signal: AbortSignal): Promise<void> {
    const x = new IndexedExecution(id);
    const msgs = await store.readExecution(id, signal);
    const h: Held = { x, pinned: 0 };
    if (msgs.length > 0) {
      this.stats.reloads++;
      this.heldMessages += x.add(msgs);
      h.key = x.key();
      const e = h.key === undefined ? null : await store.kv.get(h.key);
      if (e !== null && e !== undefined && e.operation === "PUT") h.revision = e.revision;
      // A holder killed between writing a moved summary and deleting its old key left that key behind: it goes
      // once this one's summary is written. Looked for by direct gets of the few keys it can be (no consumer).
      const others = x.possibleKeys().filter((k) => k !== h.key);
      const found = await Promise.all(others.map((k) => store.kv.get(k)));
      for (const [i, f] of found.entries()) if (f !== null && f.operation === "PUT") (h.stale ??= []).push(others[i]!);
    }
    this.held.set(id, h);
  }

  /** Writes an execution's summary: compare-and-set on the revision it last saw, moving it if its key changed. */
  private async write(store: IndexStore, { h, key, value, org, workflowId }: Write): Promise<void> {
    // The list's workflow choices: each tenant's workflow recorded once per session, before a summary names it.
    const wk = workflowId === undefined ? undefined : workflowKey(org, workflowId);
    if (wk !== undefined && !this.workflows.has(wk)) {
      await store.recordWorkflow(org, workflowId as string);
      this.workflows.add(wk);
    }
    const moved = h.key !== undefined && h.key !== key;
    const known = moved ? undefined : h.revision;
    try {
      h.revision = known === undefined ? await store.kv.create(key, value) : await store.kv.update(key, value, known);
    } catch {
      // Written by someone else since (an indexer before a takeover, or a crash after the write): ours is
      // made from every message the store holds of it, so it replaces theirs.
      const cur = await store.kv.get(key);
      h.revision =
        cur === null || cur.operation !== "PUT"
          ? await store.kv.put(key, value)
          : await store.kv.update(key, value, cur.revision);
    }
    if (moved) await store.kv.delete(h.key as string);
    for (const k of h.stale ?? []) if (k !== key) await store.kv.delete(k);
    h.stale = undefined;
    h.key = key;
    this.stats.executionsWritten++;
  }

  private touch(id: string, h: Held) {
    this.held.delete(id);
    this.held.set(id, h);
  }

  /** Lets the least recently touched executions go past the memory limit (they reload when touched again). */
  private trim() {
    const max = this.opts.maxHeldMessages ?? 500_000;
    for (const [id, h] of this.held) {
      if (this.heldMessages <= max) break;
      if (h.pinned > 0) continue;
      this.held.delete(id);
      this.heldMessages -= h.x.size;
    }
  }

  private async measureLag(): Promise<void> {
    try {
      const jsm = await jetstreamManager(this.nc, { checkAPI: false });
      const ci = await jsm.consumers.info(this.opts.stream, this.names.durable);
      this.stats.lagMessages = ci.num_pending + ci.num_ack_pending;
      if (this.stats.lagMessages === 0) this.caughtUpAt = Date.now();
      this.stats.lagSeconds = this.stats.lagMessages === 0 ? 0 : (Date.now() - this.caughtUpAt) / 1000;
    } catch {
      // Asked again in a moment.
    }
  }
}

/** The active indexer's claim: renewed well within its TTL; lost when a renewal finds someone else's. */
class Lease {
  lost = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly ctl = new AbortController();

  constructor(
    private readonly kv: KV,
    private readonly value: string,
    private revision: number,
    outer: AbortSignal,
    onLost: (why: string) => void,
  ) {
    const stop = () => this.ctl.abort();
    outer.addEventListener("abort", stop, { once: true });
    this.timer = setInterval(() => {
      this.kv.update(LEASE_KEY, this.value, this.revision).then(
        (r) => (this.revision = r),
        (e: unknown) => {
          if (this.lost) return;
          this.lost = true;
          onLost(e instanceof Error ? e.message : String(e));
          this.ctl.abort();
        },
      );
    }, 3_000);
  }

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  release(): void {
    clearInterval(this.timer);
    this.ctl.abort();
    if (!this.lost) void this.kv.delete(LEASE_KEY, { previousSeq: this.revision }).catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    const t = setTimeout(ok, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), ok()), { once: true });
  });
}

/** The indexer's durable consumer has every message of the stream delivered and acknowledged. */
export async function indexCaughtUp(nc: NatsConnection, stream: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(stream)).state.last_seq;
  try {
    const ci = await jsm.consumers.info(stream, indexNames(stream).durable);
    return ci.num_pending === 0 && ci.num_ack_pending === 0 && ci.delivered.stream_seq >= last;
  } catch {
    return false;
  }
}

/**
 * A baseline for the indexer's rate (bench:indexer): a durable consumer that takes `count` messages
 * and acknowledges each, doing nothing else. Returns the milliseconds it took.
 */
export async function consumeAndAck(nc: NatsConnection, stream: string, count: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const durable = `bare-${Math.random().toString(36).slice(2, 8)}`;
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: 20_000,
  });
  const consumer = await jetstream(nc).consumers.get(stream, durable);
  const t0 = performance.now();
  const messages = await consumer.consume({ max_messages: 2_000, expires: 5_000 });
  let got = 0;
  for await (const m of messages) {
    m.ack();
    if (++got >= count) break;
  }
  await messages.close();
  const ms = performance.now() - t0;
  await jsm.consumers.delete(stream, durable);
  return ms;
}
