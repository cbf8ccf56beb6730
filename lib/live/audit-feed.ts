// The browser's one live feed: a NATS connection, the stream reader and the
// in-memory AuditLog. Messages are buffered and handed to the log once per
// animation frame, so the UI re-renders per frame, never per message; a hidden
// tab gets no frames, so there the buffer is flushed on a timer and whenever it
// reaches MAX_PENDING (bounded memory, cost proportional to what arrived).
// It keeps the flight recorder (connection log) and the stream's holes.
import { DEFAULT_QUIET_PERIOD_MS } from "../audit/analyze";
import { AuditLog } from "../audit/audit-log";
import type { RawMessage } from "../audit/types";
import { DEFAULTS, type BrowserNatsConfig } from "../config/runtime-config";
import type { TabCredential } from "./credential-lease";
import { describeConnectError } from "./connect-error";
import { inThisThread, type LiveReader, type ReaderHost } from "./worker-reader";
import { connectBrowser, type NatsConnection } from "../nats/browser-connection";
import type { ReaderStatus } from "../nats/audit-reader";
import type { IndexEntry } from "../index/index-entry";
import { hourStartMs } from "../index/index-keys";
import {
  exactFilters,
  historyFilters,
  liveFilter,
  matchesQuery,
  sameQuery,
  type IndexQuery,
} from "../index/index-query";
import { IndexView } from "../index/index-view";
import { IndexStore, type IndexLedger } from "../nats/index-store";
import { readStreamRange, streamBounds } from "../nats/range-reader";
import type { ReaderTiming } from "../nats/resumable-reader";
import { streamStats, type StreamStats } from "../nats/stream";
import { ConnectionLog, type ConnectionEventKind, type ConnectionLogEntry } from "./connection-log";
import { ExecutionOpener, type ExecutionHint, type HistoryRange } from "./execution-opener";
import { ExecutionRestorer } from "./execution-restorer";
import type { StopMargins } from "./execution-tracker";
import { frameScheduler } from "./frame-scheduler";
import { recreatedNotice, type StreamHole } from "./stream-holes";
import { formatCount } from "../format";

export interface FeedSnapshot {
  log: AuditLog;
  /** Bumps whenever the log or the status changed. */
  version: number;
  status: ReaderStatus;
  /** Messages handed to the log so far (of the current stream incarnation). */
  received: number;
  /** Jumps in the stream's sequence the reader did not ask for, classified; newest last. */
  holes: readonly StreamHole[];
  /** Bumps when the stream was recreated and the tab started a new log. */
  epoch: number;
  /** The flight recorder, oldest first. */
  connectionLog: readonly ConnectionLogEntry[];
  /** Whether an indexer keeps an index of this stream (links then open through it); "checking" until known. */
  index: IndexPresence;
  /** The index's summaries (every execution of the stream), watched live; undefined without an index. */
  indexed?: IndexView;
  /**
   * The tenant this tab's credential keeps it to: it then reads that tenant's part of the index only (no
   * stream tail, no stream stats or holes); an open execution is read again whenever its summary changes.
   */
  tenant?: string;
}

// What a view reads of the index's ledger, as plain data: views import it from here, never from lib/nats.
export type { IndexLedger };

export type IndexPresence = "checking" | "present" | "absent";

export type Schedule = (flush: () => void) => void;

/** How long "no index" stands before the tab looks again (an indexer may have been started since). */
const INDEX_RECHECK_MS = 60_000;

/** Hours of the index's history read at once while the list walks back in time. */
const INDEX_HOURS_AT_ONCE = 4;

/** Messages buffered at most before a flush that does not wait for a frame. */
export const MAX_PENDING = 5_000;

/** The page's frame scheduler: the next frame while the tab is visible; a timer while hidden (no frames there). */
export const frameOrTimer: Schedule = (flush) => frameScheduler.schedule(flush, "flush");

export interface AuditFeedOptions {
  /** Reader timings (tests shorten them). */
  timing?: Partial<ReaderTiming>;
  /** The credential for each connect (a tab's comes from the dashboard: lib/live/credential-lease.ts). */
  credential?: () => Promise<TabCredential>;
  /** Where the live reader runs (default: beside the feed; a tab's: its worker, lib/live/worker-reader.ts). */
  reader?: ReaderHost;
}

export class AuditFeed {
  private log: AuditLog;
  private pending: RawMessage[] = [];
  private flushScheduled = false;
  private listeners = new Set<() => void>();
  private snapshot: FeedSnapshot;
  private controller = new AbortController();
  private nc: NatsConnection | undefined;
  private reader: LiveReader | undefined;
  private received = 0;
  private epoch = 0;
  private holes: StreamHole[] = [];
  private readonly recorder = new ConnectionLog();
  private recorded = 0;
  private nextStatus: ReaderStatus | undefined;
  /** Resolved by the next flush (openers wait for their messages to be in the log). */
  private flushWaiters: (() => void)[] = [];
  /** What the list asks of the index (followIndex); undefined: no view wants it. */
  private indexQuery: IndexQuery | undefined;
  /** Stops the current follow of the index (a new query, or the feed stopped). */
  private indexFollow: AbortController | undefined;
  /** The index view changed since the last flush. */
  private indexChanged = false;
  /** The index lookup on the current connection; `absentAt`: when it found none. */
  private index: { lookup: Promise<IndexStore | undefined>; absentAt?: number } | undefined;
  /** Why the tab's credential cannot be renewed (the session ended, the dashboard is away); undefined: it can. */
  private credentialIssue: string | undefined;
  /** The last status as its source gave it (before the credential's word is added to its reason). */
  private lastStatus: ReaderStatus | undefined;
  /** See FeedSnapshot.tenant; known once connected. */
  private tenant: string | undefined;
  /** Tenant mode: executions whose re-read is due (by id), one at a time each. */
  private rereads = new Map<string, { timer?: ReturnType<typeof setTimeout>; running?: Promise<void> }>();

  constructor(
    private readonly config: BrowserNatsConfig,
    private readonly schedule: Schedule = frameOrTimer,
    private readonly options: AuditFeedOptions = {},
  ) {
    this.log = newLog(config);
    this.snapshot = {
      log: this.log,
      version: 0,
      status: { phase: "connecting" },
      received: 0,
      holes: [],
      epoch: 0,
      connectionLog: [],
      index: "checking",
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): FeedSnapshot => this.snapshot;

  get streamName(): string {
    return this.config.stream;
  }

  /** Messages received but not yet in the log (waiting for a frame). */
  get buffered(): number {
    return this.pending.length;
  }

  connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** What the stream holds on the server now, as plain data; undefined while not connected. */
  async streamStats(): Promise<StreamStats | undefined> {
    const nc = this.nc;
    // A tenant's tab may not ask: the stream's figures are every tenant's.
    return nc === undefined || this.tenant !== undefined ? undefined : streamStats(nc, this.config.stream);
  }

  /**
   * The whole stream's per-process ledger as the indexer keeps it (IndexStore.readLedger), read now; undefined
   * when the stream has no index or the tab is a tenant's (the ledger runs through every tenant's lines).
   */
  async indexLedger(signal: AbortSignal): Promise<IndexLedger | undefined> {
    if (this.tenant !== undefined) return undefined;
    const store = await this.indexStore();
    // The tenant is known once connected, which the lookup waited for.
    if (store === undefined || this.tenant !== undefined) return undefined;
    return store.readLedger(signal);
  }

  /**
   * The credential lease's word (lib/live/credential-lease.ts): a renewal failed (`reason`), or works again
   * (undefined). Kept in the connection log, and said with the status once the connection is lost for it.
   */
  credentialProblem(reason: string | undefined): void {
    if (reason === this.credentialIssue) return;
    this.credentialIssue = reason;
    this.record(reason === undefined ? "credential_renewed" : "credential_failed", reason);
    if (this.lastStatus !== undefined) this.setStatus(this.lastStatus);
  }

  /** The tab became visible or hidden: flush and verify at once on return, so the view is current. */
  setVisible(visible: boolean): void {
    this.record(visible ? "visible" : "hidden");
    // A frame asked for before the tab was hidden never comes: flush now, so the next one is a timer.
    if (!visible) {
      if (this.flushScheduled) this.flush();
      return;
    }
    this.flush();
    this.reader?.poke();
  }

  /**
   * Starts loading one execution that may lie outside the loaded history (see
   * ExecutionOpener); its messages join this feed's log. Call run() on the result.
   */
  openExecution(executionId: string, hint?: ExecutionHint, margins?: Partial<StopMargins>): ExecutionOpener {
    return new ExecutionOpener(
      {
        bounds: async () => streamBounds(await this.connected(), this.config.stream),
        history: () => this.whenStatus((s) => historyOf(s)),
        historyLoaded: (seq) =>
          this.whenStatus((s) => (s.phase === "live" || (s.lastSeq ?? -1) >= seq ? true : undefined)).then(() => {}),
        readRange: async (o) =>
          readStreamRange(await this.connected(), {
            stream: this.config.stream,
            ...o,
            timing: this.options.timing,
            onEvent: (kind, detail) => this.record(kind, `range read: ${detail ?? kind}`),
            onHoles: (h) => this.addHoles(h),
          }),
        add: (m) => this.enqueue(m),
        flushed: () => this.whenFlushed(),
        known: (id) => this.log.execution(id) !== undefined,
        folded: (id) => this.log.foldedRange(id),
        indexOnly: () => this.tenant !== undefined,
        fromIndex: async (id, signal) => {
          const store = await this.indexStore();
          if (store === undefined) return undefined;
          // A tenant's tab reads it again whenever its summary changes, and after a reconnect.
          if (this.tenant !== undefined && !this.rereads.has(id)) this.rereads.set(id, {});
          const msgs = await store.readExecution(id, signal);
          // Its lines without the stream around them: chains through other executions cannot be followed.
          for (const m of msgs) this.enqueue({ ...m, alone: true });
          const first = msgs[0]?.streamSeq ?? 0;
          return { read: msgs.length, from: first, to: msgs[msgs.length - 1]?.streamSeq ?? first };
        },
      },
      executionId,
      hint,
      margins,
    );
  }

  /**
   * Starts bringing back an execution the memory budget evicted (see
   * ExecutionRestorer); call run() on the result. Pin it first (log.pin), so
   * it is not evicted again while it is read.
   */
  restoreExecution(executionId: string): ExecutionRestorer {
    return new ExecutionRestorer(
      {
        evicted: (id) => {
          const x = this.log.execution(id);
          return x?.evicted === undefined
            ? undefined
            : { from: x.firstStreamSeq, to: x.lastStreamSeq, messages: x.evicted.events + x.evicted.malformed };
        },
        readRange: async (o) => {
          if (this.tenant !== undefined) return this.readOwnCopies(executionId, o);
          return readStreamRange(await this.connected(), {
            stream: this.config.stream,
            ...o,
            timing: this.options.timing,
            onEvent: (kind, detail) => this.record(kind, `re-read: ${detail ?? kind}`),
            onHoles: (h) => this.addHoles(h),
          });
        },
        add: (m) => this.enqueue(m),
        flushed: () => this.whenFlushed(),
      },
      executionId,
    );
  }

  /** Tenant mode's range read of one execution: its copies from the index, those in [startSeq, endSeq]. */
  private async readOwnCopies(
    executionId: string,
    o: { startSeq: number; endSeq: number; onMessage(msg: RawMessage): boolean | void; signal: AbortSignal },
  ): Promise<{ lastSeq: number; end: "range-end" | "aborted" }> {
    const store = await this.indexStore();
    let lastSeq = o.startSeq - 1;
    for (const m of store === undefined ? [] : await store.readExecution(executionId, o.signal)) {
      if (o.signal.aborted) return { lastSeq, end: "aborted" };
      if (m.streamSeq < o.startSeq || m.streamSeq > o.endSeq) continue;
      lastSeq = m.streamSeq;
      if (o.onMessage({ ...m, alone: true }) === false) break;
    }
    return { lastSeq, end: "range-end" };
  }

  /** The stream's index on this connection, looked up once (and again after a while when there was none). */
  private indexStore(): Promise<IndexStore | undefined> {
    const now = Date.now();
    if (
      this.index === undefined ||
      (this.index.absentAt !== undefined && now - this.index.absentAt > INDEX_RECHECK_MS)
    ) {
      const lookup = this.connected()
        .then((nc) => IndexStore.open(nc, this.config.stream, this.tenant === undefined ? {} : { org: this.tenant }))
        .then(
          (store) => {
            if (this.index?.lookup === lookup) this.index.absentAt = store === undefined ? Date.now() : undefined;
            this.setIndex(store === undefined ? "absent" : "present");
            return store;
          },
          (e: unknown) => {
            // Not allowed to read it, or no answer: read the stream directly, and say why in the log.
            this.record("error", `index lookup failed: ${e instanceof Error ? e.message : String(e)}`);
            if (this.index?.lookup === lookup) this.index.absentAt = Date.now();
            this.setIndex("absent");
            return undefined;
          },
        );
      this.index = { lookup };
    }
    return this.index.lookup;
  }

  private setIndex(index: IndexPresence) {
    if (this.snapshot.index !== index) this.emit({ ...this.snapshot, index });
  }

  /** See FeedSource.followIndex. A different query starts over from nothing; the same one changes nothing. */
  followIndex = (query: IndexQuery = {}): void => {
    if (this.indexQuery !== undefined && sameQuery(this.indexQuery, query)) return;
    this.indexQuery = query;
    this.indexFollow?.abort();
    if (this.nc !== undefined) this.startIndexFollow();
  };

  private startIndexFollow() {
    const ctl = new AbortController();
    const outer = this.controller.signal;
    const stop = () => ctl.abort();
    outer.addEventListener("abort", stop, { once: true });
    ctl.signal.addEventListener("abort", () => outer.removeEventListener("abort", stop), { once: true });
    this.indexFollow = ctl;
    void this.watchIndex(this.indexQuery ?? {}, ctl.signal);
  }

  /**
   * Follows the index's summaries that answer `query` while the feed runs: the list then reaches the whole
   * stream, its filters answered by the server. First a watch of changes (so nothing written meanwhile is
   * missed), then the history an hour at a time, newest first, until the view holds its limit, the window
   * starts or the index ends. A watch that ends (the index rebuilt, the connection replaced) starts over.
   */
  private async watchIndex(query: IndexQuery, signal: AbortSignal): Promise<void> {
    const view = new IndexView(this.config.indexListLimit ?? DEFAULTS.indexListLimit);
    // A tenant's tab asks for its own part (its credential allows nothing else).
    if (this.tenant !== undefined) query = { ...query, org: this.tenant };
    const onEntry = (key: string, entry: IndexEntry | undefined, revision: number) => {
      // Tenant mode: an execution it opened is kept current from its copies (the one list of those: rereads).
      if (entry !== undefined && this.rereads.has(entry.id)) this.rereadSoon(entry.id);
      // One that no longer answers the query (no longer stalled, say) leaves the list.
      if (entry !== undefined && !matchesQuery(query, entry, Date.now(), DEFAULT_QUIET_PERIOD_MS))
        view.remove(entry.id, revision);
      else view.set(key, entry, revision);
      this.indexChanged = true;
      this.requestFlush();
    };
    while (!signal.aborted) {
      const store = await this.indexStore();
      if (signal.aborted) return;
      if (store !== undefined) {
        view.clear();
        this.emit({ ...this.snapshot, indexed: view });
        // This round's reads: a round that fails stops its watch before the next one starts.
        const round = new AbortController();
        const endRound = () => round.abort();
        signal.addEventListener("abort", endRound, { once: true });
        let ready = () => {};
        const watching = new Promise<void>((ok) => (ready = ok));
        const live = store.watch(onEntry, round.signal, liveFilter(query), { updatesOnly: true, onReady: ready });
        live.catch(() => undefined);
        try {
          // The history is read once changes are followed: nothing written in between is missed.
          await Promise.race([watching, live]);
          view.addWorkflows(await store.workflows(round.signal));
          // Asked for by id: kept whatever the limit lets go.
          for (const exact of exactFilters(query))
            await store.readSummaries(
              exact,
              (key, entry, revision) => {
                if (entry !== undefined) view.pin(entry.id);
                onEntry(key, entry, revision);
              },
              round.signal,
            );
          const hours = historyFilters(query, Date.now(), await store.oldestMs());
          let reached: string | undefined;
          // A few hours at a time (a quiet stream has many empty ones), newest first, until the view is full.
          for (let i = 0; i < hours.length && !view.full; i += INDEX_HOURS_AT_ONCE) {
            const some = hours.slice(i, i + INDEX_HOURS_AT_ONCE);
            await Promise.all(some.map(({ filter }) => store.readSummaries(filter, onEntry, round.signal)));
            reached = some[some.length - 1]?.hour;
          }
          const complete = reached === hours[hours.length - 1]?.hour;
          view.settle();
          view.setReach({
            sinceMs: reached === undefined ? undefined : hourStartMs(reached),
            complete,
            capped: !complete,
          });
          this.indexChanged = true;
          this.requestFlush();
          await live;
        } catch (e) {
          if (!signal.aborted) this.record("error", `index read: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          round.abort();
          signal.removeEventListener("abort", endRound);
        }
        if (signal.aborted) return;
        this.index = undefined; // look again: it may have been rebuilt
      }
      await new Promise((ok) => setTimeout(ok, store === undefined ? INDEX_RECHECK_MS : 2_000));
    }
  }

  /**
   * A tab kept to one tenant: its part of the index is all it may read. The list follows the tenant's
   * summaries; an execution opens from its copies and is read again whenever its summary changes. "Live"
   * while connected and following the index — the index is as current as its indexer.
   */
  private async runTenant(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    const tenant = this.tenant as string;
    this.emit({ ...this.snapshot, tenant });
    // The list's watch runs whatever page is open: it is what tells an open execution that it changed.
    if (this.indexFollow === undefined || this.indexFollow.signal.aborted) this.startIndexFollow();
    const store = await this.indexStore();
    if (signal.aborted) return;
    if (store === undefined) {
      this.setStatus({
        phase: "error",
        reason: `This tab may read tenant ${tenant}'s part of the index only, and stream ${this.config.stream} has no index: start the indexer (npm run indexer).`,
      });
      return;
    }
    const live: ReaderStatus = { phase: "live", reason: `tenant ${tenant}: its part of the index only` };
    this.setStatus(live);
    for await (const s of nc.status()) {
      if (signal.aborted) return;
      if (s.type === "disconnect") {
        this.record("disconnect", s.server);
        this.setStatus({ phase: "reconnecting", reason: "Lost the connection to NATS; reconnecting…" });
      } else if (s.type === "error") {
        // A request the credential does not allow would show here: the tenant mode asks for none.
        this.record("server_error", s.error instanceof Error ? s.error.message : String(s.error));
      } else if (s.type === "reconnect") {
        this.record("reconnect", s.server);
        this.setStatus(live);
        // What changed meanwhile: the open executions again.
        for (const id of this.rereads.keys()) this.rereadSoon(id);
      }
    }
  }

  /** Tenant mode: reads `id` again from its copies (the log keeps each stream sequence once), at most every 2 s. */
  private rereadSoon(id: string): void {
    const r = this.rereads.get(id) ?? {};
    this.rereads.set(id, r);
    if (r.timer !== undefined) return;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      const run = async () => {
        await r.running;
        const store = await this.indexStore();
        if (store === undefined || this.controller.signal.aborted) return;
        for (const m of await store.readExecution(id, this.controller.signal)) this.enqueue({ ...m, alone: true });
      };
      r.running = run().catch((e: unknown) =>
        this.record("error", `re-read of ${id}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }, 2_000);
  }

  private whenFlushed(): Promise<void> {
    return this.flushScheduled || this.pending.length > 0
      ? new Promise<void>((ok) => this.flushWaiters.push(ok))
      : Promise.resolve();
  }

  private connected(): Promise<NonNullable<typeof this.nc>> {
    return this.whenStatus(() => this.nc);
  }

  /** Resolves with the first defined value of `pick` over this feed's snapshots. */
  private whenStatus<T>(pick: (s: ReaderStatus) => T | undefined): Promise<T> {
    return new Promise((ok) => {
      const check = () => {
        const v = pick(this.snapshot.status);
        if (v === undefined) return false;
        off();
        ok(v);
        return true;
      };
      const off = this.subscribe(check);
      check();
    });
  }

  /**
   * Connects (retrying with backoff until it works or the feed stops) and reads.
   * Each start owns its controller, so start → stop → start (React's strict mode
   * runs effects twice in development) ends the first run and really begins a second.
   */
  async start(): Promise<void> {
    this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    let nc: NatsConnection | undefined;
    let auth: TabCredential["auth"] | undefined;
    this.record("connecting", this.config.servers.join(", "));
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const credential = await this.options.credential?.();
        if (signal.aborted) return;
        auth = credential?.auth;
        nc = await connectBrowser(this.config, undefined, auth);
        this.tenant = credential?.tenant;
        break;
      } catch (e) {
        if (signal.aborted) return;
        const wait = Math.min(30_000, 1_000 * 2 ** attempt);
        const reason = describeConnectError(e, this.config.servers, wait);
        this.record("error", reason);
        this.setStatus({ phase: "error", reason });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    if (!nc) return;
    if (signal.aborted) {
      // Stopped while connecting: this connection is nobody's.
      await nc.close().catch(() => undefined);
      return;
    }
    this.nc = nc;
    this.index = undefined;
    this.record("connected", nc.getServer());
    signal.addEventListener("abort", () => void nc.close().catch(() => undefined), { once: true });
    if (this.tenant !== undefined) return this.runTenant(nc, signal);
    void this.indexStore();
    if (this.indexQuery !== undefined) this.startIndexFollow();
    const host = this.options.reader ?? inThisThread;
    if (host !== inThisThread) void this.watchPageConnection(nc, signal);
    const reader = host(
      { nc, servers: this.config.servers, auth },
      {
        stream: this.config.stream,
        historyLimit: this.config.historyLimit,
        signal,
        timing: this.options.timing,
        onMessage: (m) => this.enqueue(m),
        onStatus: (s) => this.setStatus(s),
        onEvent: (kind, detail) => this.record(kind, detail),
        onHoles: (h) => this.addHoles(h),
        onRecreated: (previous) => this.restartLog(previous),
      },
    );
    this.reader = reader;
    await reader.run();
  }

  /**
   * The page's own connection (index, links, stream figures) while the reader reads on a connection of its
   * own, which it logs itself: the page's drops go in the log too, said to be the page's (unless the reader
   * fell back onto this connection: then it logs them, once).
   */
  private async watchPageConnection(nc: NatsConnection, signal: AbortSignal): Promise<void> {
    for await (const s of nc.status()) {
      if (signal.aborted) return;
      if (this.reader?.onFeedConnection?.() === true) continue;
      if (s.type === "disconnect") this.record("disconnect", `the page's connection, from ${s.server}`);
      else if (s.type === "reconnect") this.record("reconnect", `the page's connection, to ${s.server}`);
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    const nc = this.nc;
    this.nc = undefined;
    this.reader = undefined;
    await nc?.close().catch(() => undefined);
  }

  private enqueue(m: RawMessage) {
    this.pending.push(m);
    if (this.pending.length >= MAX_PENDING) {
      // No frame came (a hidden tab): take the batch in now rather than let the buffer grow.
      this.flush();
      return;
    }
    this.requestFlush();
  }

  /** One flush per frame (or hidden-tab timer), whatever asked for it. */
  private requestFlush() {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.schedule(() => this.flush());
  }

  private flush() {
    this.flushScheduled = false;
    const batch = this.pending;
    const status = this.nextStatus;
    this.nextStatus = undefined;
    const indexChanged = this.indexChanged;
    this.indexChanged = false;
    if (batch.length === 0 && status === undefined && this.recorded === this.recorder.count && !indexChanged) {
      this.releaseWaiters();
      return;
    }
    // Cleared only once the log has them: a batch is never dropped between the reader and the log.
    if (batch.length) this.log.add(batch);
    this.pending = [];
    this.received += batch.length;
    this.emit(status ? { ...this.snapshot, status } : { ...this.snapshot });
    this.releaseWaiters();
  }

  private releaseWaiters() {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }

  /** A phase or reason change shows at once; progress figures ride along with the next flush. */
  private setStatus(status: ReaderStatus) {
    this.lastStatus = status;
    const current = this.nextStatus ?? this.snapshot.status;
    // Not connected and the credential cannot be renewed: that is why, and what to do.
    const why =
      this.credentialIssue !== undefined && (status.phase === "reconnecting" || status.phase === "error")
        ? `${status.reason ?? "Not connected"} — ${this.credentialIssue}`
        : status.reason;
    const merged: ReaderStatus = { ...this.snapshot.status, ...status, reason: why };
    if (current.phase !== merged.phase || current.reason !== merged.reason) {
      if (current.phase !== merged.phase && merged.phase === "stalled") this.recorder.add("stalled", merged.reason);
      if (current.phase !== merged.phase && merged.phase === "live" && current.phase !== "connecting")
        this.recorder.add("caught_up", `at stream seq ${formatCount(merged.lastSeq ?? 0)}`);
      // With the messages that came before it, so the log and the status never disagree for a frame.
      this.nextStatus = merged;
      this.flush();
      return;
    }
    if (sameStatus(current, merged)) return;
    this.nextStatus = merged;
    this.requestFlush();
  }

  private record(kind: ConnectionEventKind, detail?: string) {
    this.recorder.add(kind, detail);
    this.requestFlush();
  }

  private addHoles(found: StreamHole[]) {
    const keyOf = (h: StreamHole) => `${h.cause}:${h.from}:${h.to}`;
    const known = new Set(this.holes.map(keyOf));
    const fresh = found.filter((h) => !known.has(keyOf(h)));
    if (fresh.length === 0) return;
    this.holes = [...this.holes, ...fresh];
    this.emit({ ...this.snapshot });
  }

  /** The stream was recreated: what the tab held belongs to a stream that no longer exists. */
  private restartLog(previous: { from: number; to: number } | undefined) {
    this.pending = [];
    this.log = newLog(this.config);
    this.received = 0;
    this.epoch++;
    this.holes = previous ? [recreatedNotice(previous, Date.now())] : [];
    this.emit({ ...this.snapshot, log: this.log });
  }

  private emit(next: FeedSnapshot) {
    if (this.recorded !== this.recorder.count) {
      this.recorded = this.recorder.count;
      next = { ...next, connectionLog: this.recorder.entries() };
    }
    this.snapshot = {
      ...next,
      log: this.log,
      version: this.snapshot.version + 1,
      received: this.received,
      holes: this.holes,
      epoch: this.epoch,
    };
    for (const l of this.listeners) l();
  }
}

function sameStatus(a: ReaderStatus, b: ReaderStatus): boolean {
  return (
    a.phase === b.phase &&
    a.reason === b.reason &&
    a.lastSeq === b.lastSeq &&
    a.behind === b.behind &&
    a.startSeq === b.startSeq &&
    a.targetSeq === b.targetSeq &&
    a.sessions === b.sessions &&
    a.lastMessageAt === b.lastMessageAt &&
    a.verifiedAt === b.verifiedAt
  );
}

function historyOf(s: ReaderStatus): HistoryRange | undefined {
  return s.startSeq === undefined || s.targetSeq === undefined
    ? undefined
    : { startSeq: s.startSeq, targetSeq: s.targetSeq };
}

/** The feed's log, with the tab's memory budget. */
function newLog(config: BrowserNatsConfig): AuditLog {
  const mib = config.memoryBudgetMiB ?? 0;
  return new AuditLog({ jwks: config.jwks, budgetBytes: mib > 0 ? mib * 2 ** 20 : undefined });
}
