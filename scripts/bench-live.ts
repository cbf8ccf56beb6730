// npm run bench:live — a tab that holds a big history and shows a live execution
// while the stream is busy: how long from publish to drawn, and how much of each
// frame the main thread spends.
//
// Fills a private nats-server's stream with --history simulated events (core
// publishes: line i is stream sequence i + 1), serves the production app with
// SEQSCOPE_HISTORY=--history (default memory budget) and loads it in one headless
// Chromium tab until the header says live at the stream's last sequence. Then, for
// each run:
//   1. publishes the first events of a new execution (an orchestrator and three
//      agents), opens it in the same tab by in-app navigation (the list's search
//      box, then its link: a page load would read the whole history again) and
//      waits for its lanes;
//   2. publishes --rate events/s for --seconds: simulator traffic (many other,
//      new executions, ts ≈ wall clock) and, evenly among it, --open-rate
//      events/s of the open execution, round-robin over its four producers,
//      noting each one's wall-clock publish time;
//   3. in the page, a MutationObserver on the lanes' data-event-count records
//      when the lane total changes (the React commit), and a wrapper of the
//      timeline canvas's setTransform (renderIntoCanvas's first call) records
//      each canvas paint with the lane total the DOM shows then. The k-th event
//      of the open execution is drawn by the first paint whose total reaches k:
//      latency = end of that paint − its publish time. (The frame scheduler runs
//      the feed's flush and the plot's paints in one animation frame; the paint
//      for a batch comes in the frame after the one whose flush committed it:
//      React commits in the microtask after the flush, and the effect that
//      re-arms the paint asks for the next frame. So "committed" and "drawn" are
//      printed apart.)
//   4. main-thread time per frame: a Chromium trace of the window (tracing, not
//      long-animation-frame entries: those exist only for frames over 50 ms, so
//      they cannot give a p50 or p95). Per interval between consecutive
//      BeginMainThreadFrame events of the tab's renderer main thread, the time
//      covered by its top-level RunTask events: everything the main thread did
//      for that frame — messages off the WebSocket, the flush, React, the canvas,
//      style, layout, paint, GC. Cross-checked with the busy share CDP
//      Performance.getMetrics TaskDuration gives for the same window, and the
//      long-animation-frame entries (≥ 50 ms) counted as they come. Tracing
//      costs the tab some time too (only the categories these figures need are
//      on): --no-trace measures the latencies without it.
// A bare page in the same browser (its own context, so its own renderer process)
// reads the same stream with the same client — connectBrowser + ResumableReader,
// bundled with esbuild — and notes when each of the open execution's events
// arrives: the floor the tab's latency stands on (NATS, JetStream, WebSocket, a
// JS callback), measured under the same load at the same time.
// Prints each figure with its goal (issue 11: drawn p95 ≤ 100 ms, main thread per
// frame p95 ≤ 8 ms), the ingest rate the tab kept up with, and that no event of
// the open execution was lost; with --runs=N, the medians. No thresholds.
//
//   npm run bench:live -- [--rate=2000] [--seconds=20] [--history=200000] [--runs=1]
//                         [--open-rate=50] [--no-baseline] [--bare-busy] [--no-trace] [--trace-out=DIR] [--profile=DIR] [--mutations] [--renders]
//                         [--viewport=1280x720]
//                         [--reader=page]
// --bare-busy also prints how busy the bare page's main thread is (CDP TaskDuration): the client's own share.
// --trace-out writes each run's trace (DevTools → Performance → Load profile); --profile a CPU profile
// of the tab's window and of its reader worker (.cpuprofile; it slows the tab down a little, so the figures of that run shift).
// --mutations counts the tab's DOM mutations in the window by kind (what React and the overlays touch per frame).
// --viewport=WxH sizes the tab: this Chromium runs with --disable-gpu, so the canvas is software and the
// compositor's commit grows with its area (at 800x450 it costs half of what it costs at 1280x720).
// --renders counts React's commits in the window and, per component, how often it rendered (through the
// hook React DevTools uses, installed before the app's scripts).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { chromium, type Page } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "../lib/node/binaries.mjs";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { connectNode, type NatsConnection } from "../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../lib/nats/stream";
import { meanLinesPerExecution, Simulator } from "../lib/sim/simulator";
import { arg, bundleForPage, pct } from "./lib/bench-util";
import { workerProfiler, type WorkerProfiler } from "./lib/worker-profiler";
import { buildApp, serveApp } from "./lib/next-server";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };

const RATE = arg("rate", 2_000);
const SECONDS = arg("seconds", 20);
const HISTORY = Math.round(arg("history", 200_000));
const RUNS = Math.round(arg("runs", 1));
const OPEN_RATE = Math.min(arg("open-rate", 50), RATE);
const BASELINE = !process.argv.includes("--no-baseline");
const BARE_BUSY = process.argv.includes("--bare-busy");
const TRACE = !process.argv.includes("--no-trace");
const TRACE_OUT = process.argv.find((a) => a.startsWith("--trace-out="))?.slice("--trace-out=".length);
/** --reader=page: the tab's reader on its main thread (as before the worker), to compare in the same hour. */
const READER_IN_PAGE = process.argv.includes("--reader=page");
const PROFILE = process.argv.find((a) => a.startsWith("--profile="))?.slice("--profile=".length);
const MUTATIONS = process.argv.includes("--mutations");
const RENDERS = process.argv.includes("--renders");
/** --viewport=WxH: the tab's size (what the canvas and the compositor's commit scale with). */
const VIEWPORT = (() => {
  const v = process.argv.find((a) => a.startsWith("--viewport="))?.slice("--viewport=".length) ?? "1280x720";
  const [w, h] = v.split("x").map(Number);
  if (!(w! > 0 && h! > 0)) throw new Error(`--viewport=${v}: expected WIDTHxHEIGHT, e.g. 1280x720`);
  return { width: w!, height: h! };
})();
const GOAL_DRAWN_P95_MS = 100;
const GOAL_FRAME_P95_MS = 8;

const nf = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? "–" : `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const enc = new TextEncoder();

interface Dist {
  n: number;
  p50: number;
  p95: number;
  max: number;
}
function dist(xs: readonly number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p95: pct(s, 95), max: s.at(-1) ?? NaN };
}
const fmtDist = (d: Dist) => `p50 ${ms(d.p50)} · p95 ${ms(d.p95)} · max ${ms(d.max)}`;

/** Wall-clock ms with sub-ms resolution: Date.now() once, performance.now() after (no wall-clock steps). */
const anchor = Date.now() - performance.now();
const wallNow = () => anchor + performance.now();

/** Fills the stream with HISTORY simulator lines whose ts end about now. */
async function fill(nc: NatsConnection): Promise<void> {
  const eps = 2;
  const perExecution = meanLinesPerExecution({ seed: 11, executionsPerSecond: eps });
  const spanMs = (HISTORY / (eps * perExecution)) * 1000;
  const sim = new Simulator({
    seed: 11,
    startMs: Date.now() - spanMs,
    executionsPerSecond: eps,
    faults: { drop: 0.01, duplicate: 0.01 },
  });
  let n = 0;
  const t0 = performance.now();
  for (const item of sim) {
    if (item.kind !== "line") continue;
    nc.publish(names.subject, item.line.bytes);
    n++;
    if (n % 20_000 === 0) {
      await nc.flush();
      if (n % 100_000 === 0) console.log(`  published ${nf(n)} (${nf((n * 1000) / (performance.now() - t0))}/s)`);
    }
    if (n >= HISTORY) break;
  }
  await nc.flush();
}

/** Simulator traffic for the measured window: `count` lines, executions/s chosen so their ts keep pace with the wall clock. */
function backgroundLines(seed: number, count: number): Uint8Array[] {
  const perSecond = Math.max(1, RATE - OPEN_RATE);
  const perExecution = meanLinesPerExecution({ seed, executionsPerSecond: 10 });
  const sim = new Simulator({
    seed,
    startMs: Date.now() + 2_000,
    executionsPerSecond: perSecond / perExecution,
    faults: { drop: 0.01, duplicate: 0.01 },
  });
  const out: Uint8Array[] = [];
  for (const item of sim) {
    if (item.kind !== "line") continue;
    out.push(item.line.bytes);
    if (out.length >= count) break;
  }
  return out;
}

/** The open execution: an orchestrator (seq per execution) and three agents (one invocation each). */
class LiveExecution {
  readonly producers = 4;
  private seqs = [0, 0, 0, 0];
  private turn = 0;
  published = 0;
  constructor(readonly id: string) {}

  private line(p: number, event: string, extra: Record<string, unknown> = {}): Uint8Array {
    const seq = ++this.seqs[p]!;
    const base = { ts: new Date().toISOString(), event, schema_version: "1.0", seq, workflow_id: "bench-live" };
    const stage = { stage_id: "stage-1", step_id: `step-${p}` };
    this.published++;
    if (p === 0)
      return enc.encode(
        JSON.stringify({
          ...base,
          workflow_execution_id: this.id,
          ...extra,
          entity_type: "workflow",
          entity_id: this.id,
        }),
      );
    return enc.encode(
      JSON.stringify({
        ...base,
        correlation_id: `corr-${this.id}-${p}`,
        task_id: `task-${this.id}-${p}`,
        workflow_execution_id: this.id,
        ...stage,
        invocation_caller: `workflow:${this.id}`,
        ...extra,
        entity_type: "agent",
        entity_id: `bench-agent-${p}`,
      }),
    );
  }

  /** workflow_started, then per agent its step_started and its auth_verify + session_start. */
  first(): Uint8Array[] {
    const out = [this.line(0, "workflow_started", { fields: { stages: 1 } })];
    for (let p = 1; p < this.producers; p++) {
      out.push(this.line(0, "workflow_step_started", { stage_id: "stage-1", step_id: `step-${p}` }));
      out.push(this.line(p, "auth_verify", { fields: { method: "bearer", result: "ok" } }));
      out.push(this.line(p, "session_start", { fields: { transport: "a2a" } }));
    }
    return out;
  }

  /** The next event, round-robin over the producers. */
  next(): Uint8Array {
    const p = this.turn++ % this.producers;
    if (p === 0)
      return this.line(0, "workflow_step_started", { stage_id: "stage-1", step_id: `step-x${this.seqs[0]}` });
    return p % 2 === 0
      ? this.line(p, "tool_exec", { duration_ms: 3, fields: { tool: "search", phase: "end", ok: true } })
      : this.line(p, "llm_call", { model: "gpt-4o-mini", provider: "openai", input_tokens: 120, output_tokens: 40 });
  }
}

// ---------------------------------------------------------------------------------------------
// In the page

interface PageRecord {
  /** [t, lane total] whenever the lanes' total changed (MutationObserver: the React commit). */
  commits: number[];
  /** [paint start, paint end, lane total] per timeline canvas paint. */
  paints: number[];
  /** [t, data-last-seq] whenever the header's last seq changed. */
  seqs: number[];
  /** long-animation-frame entries (≥ 50 ms): [duration, blockingDuration]. */
  loaf: number[];
  loafSupported: boolean;
  /** Date.now() − (timeOrigin + performance.now()) at the start and at the end. */
  skew: [number, number];
}

/** Runs in every document before its scripts: the canvas wrapper (idle until recording starts). */
function initScript() {
  type Rec = { on: boolean; inPaint: boolean; paints: number[]; anchor: number };
  const w = window as unknown as { __benchLive?: Rec };
  const lanesTotal = () => {
    let t = 0;
    for (const el of document.querySelectorAll("[data-testid=lane]")) t += Number(el.getAttribute("data-event-count"));
    return t;
  };
  const proto = CanvasRenderingContext2D.prototype;
  const setTransform = proto.setTransform as (...a: unknown[]) => void;
  proto.setTransform = function (this: CanvasRenderingContext2D, ...a: unknown[]) {
    const rec = w.__benchLive;
    if (rec?.on && !rec.inPaint && this.canvas.dataset.testid === "timeline-canvas") {
      // renderIntoCanvas starts with setTransform; the paint ends with the frame callback that ran it.
      rec.inPaint = true;
      const start = rec.anchor + performance.now();
      const total = lanesTotal();
      queueMicrotask(() => {
        rec.inPaint = false;
        rec.paints.push(start, rec.anchor + performance.now(), total);
      });
    }
    return setTransform.apply(this, a);
  } as typeof proto.setTransform;
}

/** Starts recording in the tab (page.evaluate). */
function startRecording(): number {
  type Rec = PageRecord & { on: boolean; inPaint: boolean; anchor: number; stop(): void };
  const w = window as unknown as { __benchLive?: Rec };
  const anchor = Date.now() - performance.now();
  const now = () => anchor + performance.now();
  const lanesTotal = () => {
    let t = 0;
    for (const el of document.querySelectorAll("[data-testid=lane]")) t += Number(el.getAttribute("data-event-count"));
    return t;
  };
  const lastSeq = () =>
    Number(document.querySelector("[data-testid=connection-status]")?.getAttribute("data-last-seq"));
  const rec: Rec = {
    on: true,
    inPaint: false,
    anchor,
    commits: [],
    paints: [],
    seqs: [],
    loaf: [],
    loafSupported: PerformanceObserver.supportedEntryTypes.includes("long-animation-frame"),
    skew: [Date.now() - (performance.timeOrigin + performance.now()), NaN],
    stop: () => undefined,
  };
  let total = lanesTotal();
  let seq = lastSeq();
  rec.commits.push(now(), total);
  rec.seqs.push(now(), seq);
  const mo = new MutationObserver(() => {
    const t = lanesTotal();
    if (t !== total) {
      total = t;
      rec.commits.push(now(), t);
    }
    const s = lastSeq();
    if (s !== seq) {
      seq = s;
      rec.seqs.push(now(), s);
    }
  });
  mo.observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-event-count", "data-last-seq"],
  });
  let po: PerformanceObserver | undefined;
  if (rec.loafSupported) {
    po = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        rec.loaf.push(e.duration, (e as PerformanceEntry & { blockingDuration?: number }).blockingDuration ?? NaN);
    });
    po.observe({ type: "long-animation-frame" });
  }
  rec.stop = () => {
    rec.on = false;
    mo.disconnect();
    po?.disconnect();
    rec.skew[1] = Date.now() - (performance.timeOrigin + performance.now());
  };
  w.__benchLive = rec;
  performance.mark("bench-live:start");
  return now();
}

/** --mutations: counts the page's DOM mutations by kind while publishing (page.evaluate). */
function countMutations() {
  const counts = new Map<string, number>();
  const where = (n: Node | null) => {
    const el = n instanceof Element ? n : (n?.parentElement ?? null);
    const id = el?.closest("[data-testid]")?.getAttribute("data-testid") ?? "-";
    return `${el?.tagName.toLowerCase() ?? "?"} in ${id}`;
  };
  const mo = new MutationObserver((list) => {
    for (const m of list) {
      const k =
        m.type === "attributes"
          ? `@${m.attributeName} of ${where(m.target)}`
          : m.type === "characterData"
            ? `text of ${where(m.target)}`
            : `children (+${m.addedNodes.length} −${m.removedNodes.length}) of ${where(m.target)}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  });
  mo.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  (window as unknown as { __mutations: () => [string, number][] }).__mutations = () => {
    mo.disconnect();
    return [...counts].sort((a, b) => b[1] - a[1]);
  };
}

/**
 * --renders (init script): React's DevTools hook, counting per commit the components whose function ran.
 * A fiber rendered in a commit if it is not the object the previous commit's tree held (React cloned it)
 * and it has PerformedWork (flag 1) — a memo that bailed out is cloned without it.
 */
function renderCounter() {
  type Fiber = {
    tag: number;
    type: unknown;
    flags: number;
    child: Fiber | null;
    sibling: Fiber | null;
  };
  const named = (t: unknown): string | undefined => {
    if (typeof t === "function") return (t as { displayName?: string; name?: string }).displayName || t.name;
    if (t && typeof t === "object") {
      const o = t as { displayName?: string; type?: unknown; render?: unknown };
      return o.displayName ?? named(o.type) ?? named(o.render);
    }
    return undefined;
  };
  const COMPONENT_TAGS = new Set([0, 1, 11, 14, 15]);
  const seenAt = new WeakMap<Fiber, number>();
  const st = { on: false, commits: 0, gen: 0, counts: new Map<string, number>(), hostUpdates: 0 };
  const walk = (root: Fiber) => {
    st.gen++;
    const stack: Fiber[] = [root];
    while (stack.length > 0) {
      const f = stack.pop() as Fiber;
      const cloned = seenAt.get(f) !== st.gen - 1;
      seenAt.set(f, st.gen);
      if (st.on && cloned) {
        if (COMPONENT_TAGS.has(f.tag) && (f.flags & 1) !== 0) {
          const n = named(f.type) ?? `(tag ${f.tag})`;
          st.counts.set(n, (st.counts.get(n) ?? 0) + 1);
        } else if (f.tag === 5 && (f.flags & 4) !== 0) st.hostUpdates++;
      }
      if (f.sibling) stack.push(f.sibling);
      if (f.child) stack.push(f.child);
    }
  };
  (window as unknown as Record<string, unknown>).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    renderers: new Map(),
    inject: () => 1,
    onCommitFiberRoot: (_id: number, root: { current: Fiber }) => {
      if (st.on) st.commits++;
      walk(root.current);
    },
    onCommitFiberUnmount: () => undefined,
    onPostCommitFiberRoot: () => undefined,
    checkDCE: () => undefined,
  };
  (window as unknown as { __renders: typeof st }).__renders = st;
}

function startCountingRenders() {
  (window as unknown as { __renders: { on: boolean } }).__renders.on = true;
}

function renderCounts(): { commits: number; hostUpdates: number; counts: [string, number][] } {
  const st = (
    window as unknown as {
      __renders: { on: boolean; commits: number; hostUpdates: number; counts: Map<string, number> };
    }
  ).__renders;
  st.on = false;
  return { commits: st.commits, hostUpdates: st.hostUpdates, counts: [...st.counts].sort((a, b) => b[1] - a[1]) };
}

function mutationCounts(): [string, number][] {
  return (window as unknown as { __mutations: () => [string, number][] }).__mutations();
}

/** The recording's clock in the tab (page.evaluate), for clockOffset. */
function recordingNow(): number {
  const rec = (window as unknown as { __benchLive: { anchor: number } }).__benchLive;
  return rec.anchor + performance.now();
}

function stopRecording(): PageRecord {
  type Rec = PageRecord & { stop(): void };
  const rec = (window as unknown as { __benchLive: Rec }).__benchLive;
  rec.stop();
  return {
    commits: rec.commits,
    paints: rec.paints,
    seqs: rec.seqs,
    loaf: rec.loaf,
    loafSupported: rec.loafSupported,
    skew: rec.skew,
  };
}

/**
 * A page's clock minus this process's (wallNow), both monotonic after their anchors: the round trip of
 * least delay of a few, its midpoint. Date.now() may be slewed or stepped between the anchors (this
 * machine's clock is: the page's Date.now() and performance clock drift apart by up to seconds in a run),
 * so comparing anchored times across processes needs this, not the wall clocks.
 */
async function clockOffset(readNow: () => Promise<number>): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 7; i++) {
    const t0 = wallNow();
    const at = await readNow();
    const t1 = wallNow();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: at - (t0 + t1) / 2 };
  }
  return best.offset;
}

/** A page's record in this process's clock. */
function shifted(rec: PageRecord, offset: number): PageRecord {
  const shift = (xs: number[], stride: number, fields: number) =>
    xs.map((x, i) => (i % stride < fields ? x - offset : x));
  return { ...rec, commits: shift(rec.commits, 2, 1), paints: shift(rec.paints, 3, 2), seqs: shift(rec.seqs, 2, 1) };
}

async function lanesTotal(page: Page): Promise<number> {
  return page.evaluate(() => {
    let t = 0;
    for (const el of document.querySelectorAll("[data-testid=lane]")) t += Number(el.getAttribute("data-event-count"));
    return t;
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await delay(100);
  }
}

// ---------------------------------------------------------------------------------------------
// The bare page: the same client, nothing else

const BARE_ENTRY = `
import { connectBrowser } from "./lib/nats/browser-connection";
import { ResumableReader } from "./lib/nats/resumable-reader";
const anchor = Date.now() - performance.now();
const decoder = new TextDecoder();
const state = { marker: "", times: [], stored: [], held: 0, error: "" };
window.__bare = {
  state,
  now: () => anchor + performance.now(),
  async start(servers, stream, subject) {
    try {
      const nc = await connectBrowser({ servers: [servers], stream, subject, historyLimit: 0 });
      const reader = new ResumableReader(nc, {
        stream,
        startAt: ({ last }) => last + 1,
        maxMessages: 1000,
        signal: new AbortController().signal,
        onMessage: (m) => {
          state.held = m.streamSeq;
          if (state.marker !== "" && decoder.decode(m.data).includes(state.marker)) {
            state.times.push(anchor + performance.now());
            state.stored.push(m.receivedMs);
          }
        },
      });
      void reader.run().catch((e) => (state.error = String(e)));
    } catch (e) {
      state.error = String(e);
    }
  },
  mark(id) {
    state.marker = '"workflow_execution_id":"' + id + '"';
    state.times = [];
    state.stored = [];
  },
};
`;

async function bareBundle(root: string): Promise<string | undefined> {
  try {
    return await bundleForPage(BARE_ENTRY, root);
  } catch (e) {
    // Without esbuild there is no baseline, and the bench says so.
    console.log(`  no baseline: could not bundle the bare page (${e instanceof Error ? e.message : e})`);
    return undefined;
  }
}

interface BareState {
  times: number[];
  stored: number[];
  held: number;
  error: string;
}
const bareState = (page: Page) =>
  page.evaluate(() => (window as unknown as { __bare: { state: BareState } }).__bare.state);

// ---------------------------------------------------------------------------------------------
// The trace

interface TraceEvent {
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of an X event, µs. */
  tdur?: number;
  ph: string;
  name: string;
  cat?: string;
  args?: { name?: string; data?: { frames?: { url?: string; processId?: number; parent?: string }[] } };
}

interface FrameStats {
  frames: number;
  fps: number;
  perFrame: Dist;
  /** The same, counting only the main thread's CPU time (its tasks' thread time): without the time the
   *  thread waited for a core, which on 2 cores shared with the reader's worker, nats-server and the
   *  publisher is a large part of the wall time. */
  cpuPerFrame: Dist;
  meanMs: number;
  /** Main-thread task time over the window's length. */
  busyShare: number;
  cpuShare: number;
  over16: number;
}

/** Main-thread time per frame of the tab: RunTask time in each BeginMainThreadFrame interval of the window. */
function frameStats(buf: Buffer, appUrl: string): FrameStats | string {
  const parsed = JSON.parse(buf.toString("utf8")) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  let pid: number | undefined;
  for (const e of events) {
    if (e.name !== "TracingStartedInBrowser") continue;
    pid = e.args?.data?.frames?.find((f) => !f.parent && f.url?.startsWith(appUrl))?.processId;
  }
  if (pid === undefined) return "no renderer process of the tab in the trace";
  const tid = events.find(
    (e) => e.ph === "M" && e.pid === pid && e.name === "thread_name" && e.args?.name === "CrRendererMain",
  )?.tid;
  if (tid === undefined) return "no CrRendererMain thread in the trace";
  const main = events.filter((e) => e.pid === pid && e.tid === tid);
  const markAt = (n: string) => main.find((e) => e.name === n)?.ts ?? events.find((e) => e.name === n)?.ts;
  const w0 = markAt("bench-live:start");
  const w1 = markAt("bench-live:end");
  if (w0 === undefined || w1 === undefined) return "no window marks in the trace";
  const begins = main
    .filter((e) => e.name === "BeginMainThreadFrame" && e.ts >= w0 && e.ts <= w1)
    .map((e) => e.ts)
    .sort((a, b) => a - b);
  if (begins.length < 2) return `only ${begins.length} BeginMainThreadFrame events in the window`;
  // Top-level tasks, as disjoint intervals (a nested run loop would nest them).
  const tasks = main
    .filter((e) => e.name === "RunTask" && e.ph === "X" && e.dur !== undefined)
    .map((e) => [e.ts, e.ts + (e.dur as number), e.tdur ?? (e.dur as number)] as [number, number, number])
    .sort((a, b) => a[0] - b[0]);
  // [start, end, CPU µs]; a task's CPU time is spread over its wall time evenly.
  const merged: [number, number, number][] = [];
  const cpuOf = ([s, e, c]: [number, number, number], part: number) => (e > s ? (c * part) / (e - s) : 0);
  for (const t of tasks) {
    const last = merged.at(-1);
    if (last && t[0] <= last[1]) {
      last[1] = Math.max(last[1], t[1]);
      last[2] += t[2];
    } else merged.push([...t]);
  }
  const per: number[] = [];
  const cpu: number[] = [];
  let j = 0;
  for (let i = 0; i + 1 < begins.length; i++) {
    const a = begins[i] as number;
    const b = begins[i + 1] as number;
    while (j < merged.length && (merged[j] as [number, number, number])[1] <= a) j++;
    let busy = 0;
    let used = 0;
    for (let k = j; k < merged.length && (merged[k] as [number, number, number])[0] < b; k++) {
      const task = merged[k] as [number, number, number];
      const part = Math.min(task[1], b) - Math.max(task[0], a);
      busy += part;
      used += cpuOf(task, part);
    }
    per.push(busy / 1000);
    cpu.push(used / 1000);
  }
  const spanMs = ((begins.at(-1) as number) - (begins[0] as number)) / 1000;
  const total = per.reduce((s, x) => s + x, 0);
  let inWindow = 0;
  let cpuInWindow = 0;
  for (const task of merged) {
    const part = Math.max(0, Math.min(task[1], w1) - Math.max(task[0], w0));
    inWindow += part;
    cpuInWindow += cpuOf(task, part);
  }
  return {
    frames: per.length,
    fps: (per.length * 1000) / spanMs,
    perFrame: dist(per),
    cpuPerFrame: dist(cpu),
    meanMs: total / per.length,
    busyShare: inWindow / (w1 - w0),
    cpuShare: cpuInWindow / (w1 - w0),
    over16: per.filter((x) => x > 1000 / 60).length,
  };
}

// ---------------------------------------------------------------------------------------------

interface RunResult {
  openEvents: number;
  drawn: Dist;
  committed: Dist;
  bare?: Dist;
  bareStored?: Dist;
  finalDrawn: number;
  expected: number;
  frame?: FrameStats | string;
  cdpBusy: number;
  /** The bare page's main-thread busy share over the same window: what the client alone costs. */
  bareBusy?: number;
  loaf: { supported: boolean; count: number; max: number; blockingMax: number };
  published: number;
  publishRate: number;
  heldRate: number;
  behindAtEnd: number;
  catchUpMs: number;
  seqLatency: Dist;
  paintsPerCommit: string;
  skewMs: number;
  /** 1-minute load average when the window ended, and the machine's cores. */
  load: string;
}

async function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!buildApp(root, (s) => console.log(s))) throw new Error("next build failed");
  const nats = await startNatsServer();
  const cleanup: (() => Promise<unknown>)[] = [() => nats.stop()];
  try {
    const nc = await connectNode(nats.url, "seqscope-bench-live");
    cleanup.unshift(() => nc.close());
    await ensureStream(nc, names);
    console.log(`filling ${names.stream} with ${nf(HISTORY)} simulated events…`);
    await fill(nc);
    let info = await streamInfo(nc, names.stream);
    if (info.state.messages !== HISTORY) throw new Error(`stream holds ${info.state.messages}, expected ${HISTORY}`);
    console.log(`  ${nf(info.state.messages)} messages, ${(info.state.bytes / 1e6).toFixed(0)} MB`);

    const port = await freePort();
    const app = await serveApp(root, port, {
      SEQSCOPE_NATS_URL: nats.wsUrl,
      SEQSCOPE_STREAM: names.stream,
      SEQSCOPE_SUBJECT: names.subject,
      SEQSCOPE_HISTORY: String(HISTORY),
    });
    cleanup.unshift(() => stopChild(app.child));
    const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
    cleanup.unshift(() => browser.close());
    const context = await browser.newContext({ viewport: VIEWPORT });
    // tsx compiles with keepNames: functions sent to the page call an `__name` helper the page lacks.
    await context.addInitScript("globalThis.__name = (f) => f;");
    await context.addInitScript(initScript);
    if (RENDERS) await context.addInitScript(renderCounter);
    const page = await context.newPage();
    const status = page.getByTestId("connection-status");
    const tLoad = Date.now();
    await page.goto(READER_IN_PAGE ? `${app.url}/?reader=page` : app.url);
    const lastSeqOnTab = async () => Number((await status.getAttribute("data-last-seq")) ?? 0);
    await waitFor("the tab to load the history", 600_000, async () => {
      return (await status.getAttribute("data-phase")) === "live" && (await lastSeqOnTab()) >= info.state.last_seq;
    });
    console.log(
      `the tab loaded ${nf(HISTORY)} messages and is live at stream seq ${nf(info.state.last_seq)} in ${((Date.now() - tLoad) / 1000).toFixed(1)} s` +
        ` (budget: ${process.env.SEQSCOPE_MEMORY_MIB ?? "default"} MiB; reader ${READER_IN_PAGE ? "on the page's main thread" : "in its worker"})`,
    );
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");

    let bare: Page | undefined;
    const bundle = BASELINE ? await bareBundle(root) : undefined;
    if (bundle !== undefined) {
      const bareContext = await browser.newContext();
      await bareContext.addInitScript("globalThis.__name = (f) => f;");
      bare = await bareContext.newPage();
      await bare.setContent("<!doctype html><title>bare subscriber</title>");
      await bare.addScriptTag({ content: bundle });
      await bare.evaluate(
        ([ws, stream, subject]) =>
          (window as unknown as { __bare: { start(...a: string[]): Promise<void> } }).__bare.start(ws, stream, subject),
        [nats.wsUrl, names.stream, names.subject] as const,
      );
    }

    const results: RunResult[] = [];
    for (let run = 0; run < RUNS; run++) {
      const count = Math.round(RATE * SECONDS);
      const background = backgroundLines(100 + run, count);
      const x = new LiveExecution(`wfx-live${run}${Math.random().toString(16).slice(2, 8)}`);
      for (const b of x.first()) nc.publish(names.subject, b);
      await nc.flush();
      const initial = x.published;

      // Open it in the same tab, as an operator would: the list's search, then its link.
      if (run > 0) await page.getByRole("link", { name: "Executions", exact: true }).click();
      await page.getByLabel("Search execution id").fill(x.id);
      const link = page.getByRole("link", { name: x.id, exact: true });
      await link.waitFor({ timeout: 60_000 });
      // Click → its first events in the lanes. The first open after the history load pays what the view
      // first asks of the whole log (chain verification of every held line, unless the reader hashed them).
      const openedAt = Date.now();
      await link.click();
      await page.getByTestId("lane").first().waitFor({ timeout: 120_000 });
      await waitFor(`the open execution's ${initial} first events in its lanes`, 60_000, async () => {
        return (await lanesTotal(page)) === initial;
      });
      const openMs = Date.now() - openedAt;
      info = await streamInfo(nc, names.stream);
      const seq0 = info.state.last_seq;
      await waitFor("the tab to hold the stream's last seq", 60_000, async () => (await lastSeqOnTab()) >= seq0);
      if (bare) {
        await bare.evaluate(
          (id) => (window as unknown as { __bare: { mark(id: string): void } }).__bare.mark(id),
          x.id,
        );
        await waitFor("the bare page to reach the stream's last seq", 60_000, async () => {
          const s = await bareState(bare);
          if (s.error) throw new Error(`bare page: ${s.error}`);
          return s.held >= seq0;
        });
      }
      const bareOffset = bare
        ? await clockOffset(() =>
            bare.evaluate(() => (window as unknown as { __bare: { now(): number } }).__bare.now()),
          )
        : 0;
      await delay(1_000); // let the page settle after the navigation

      console.log(
        `run ${run + 1}/${RUNS}: ${x.id} open with ${initial} events (click → lanes ${nf(openMs)} ms); publishing ${nf(RATE)} events/s for ${SECONDS} s ` +
          `(${nf(OPEN_RATE)}/s to the open execution)…`,
      );
      if (TRACE) {
        // What the figures need (RunTask, BeginMainThreadFrame, the marks), and no more: tracing costs the tab
        // time too. --trace-out adds devtools.timeline (scripts, events, layout) for reading the trace in DevTools.
        const lean = [
          "disabled-by-default-devtools.timeline",
          "disabled-by-default-devtools.timeline.frame",
          "blink.user_timing",
        ];
        await browser.startTracing(page, { categories: TRACE_OUT ? ["devtools.timeline", ...lean] : lean });
      }
      let workerProf: WorkerProfiler | undefined;
      if (PROFILE) {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 250 });
        await cdp.send("Profiler.start");
        workerProf = await workerProfiler(browser);
        if (workerProf) await workerProf.start();
        else console.log("  no reader worker to profile (the tab reads on the page)");
      }
      // Opt-in: instrumenting a second renderer on 2 cores takes time from the tab measured beside it.
      const bareCdp = bare && BARE_BUSY ? await bare.context().newCDPSession(bare) : undefined;
      await bareCdp?.send("Performance.enable");
      const b0 = bareCdp ? (await bareCdp.send("Performance.getMetrics")).metrics : undefined;
      const m0 = (await cdp.send("Performance.getMetrics")).metrics;
      await page.evaluate(startRecording);
      if (MUTATIONS) await page.evaluate(countMutations);
      if (RENDERS) await page.evaluate(startCountingRenders);
      const pageOffset = await clockOffset(() => page.evaluate(recordingNow));

      // Publish: message i of the window belongs to the open execution when it starts a new 1/OPEN_RATE slot.
      const publishedAt: number[] = [];
      const ticks: number[] = []; // [stream seq of the last message sent, wall ms]
      let sent = 0;
      let bg = 0;
      const t0 = wallNow();
      const wallSkew = Date.now() - wallNow();
      while (sent < count) {
        const due = Math.min(count, Math.floor(((wallNow() - t0) * RATE) / 1000));
        for (; sent < due; sent++) {
          const open = Math.floor(((sent + 1) * OPEN_RATE) / RATE) > Math.floor((sent * OPEN_RATE) / RATE);
          if (open) {
            nc.publish(names.subject, x.next());
            publishedAt.push(wallNow());
          } else nc.publish(names.subject, background[bg++ % background.length] as Uint8Array);
        }
        ticks.push(seq0 + sent, wallNow());
        await delay(2);
      }
      await nc.flush();
      const tEnd = wallNow();
      const publishRate = (count * 1000) / (tEnd - t0);
      // The window of the frame figures ends here (the drain below is quieter).
      await page.evaluate(() => performance.mark("bench-live:end"));
      const m1 = (await cdp.send("Performance.getMetrics")).metrics;
      const b1 = bareCdp ? (await bareCdp.send("Performance.getMetrics")).metrics : undefined;
      await bareCdp?.detach();
      if (PROFILE) {
        const { profile } = await cdp.send("Profiler.stop");
        mkdirSync(PROFILE, { recursive: true });
        const file = join(PROFILE, `bench-live-run${run + 1}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        console.log(`  CPU profile of the window written to ${file}`);
        if (workerProf) {
          const wfile = join(PROFILE, `bench-live-run${run + 1}-worker.cpuprofile`);
          writeFileSync(wfile, JSON.stringify(await workerProf.stop()));
          console.log(`  and the reader worker's, to ${wfile}`);
        }
      }
      const expected = x.published;
      const lastSeq = seq0 + count;
      // Drain: the last events drawn, the header at the stream's last seq (counts as catch-up time).
      await waitFor("the open execution's last events in its lanes and the tab at the last seq", 120_000, async () => {
        return (await lanesTotal(page)) >= expected && (await lastSeqOnTab()) >= lastSeq;
      }).catch((e: Error) => console.log(`  ${e.message}`));
      await delay(300);
      const mutations = MUTATIONS ? await page.evaluate(mutationCounts) : undefined;
      const renders = RENDERS ? await page.evaluate(renderCounts) : undefined;
      if (renders) {
        console.log(
          `  React in the window: ${nf(renders.commits)} commits, ${nf(renders.hostUpdates)} element updates; renders by component, most first:`,
        );
        for (const [k, n] of renders.counts.slice(0, 30)) console.log(`    ${nf(n).padStart(8)}  ${k}`);
      }
      const rec = shifted(await page.evaluate(stopRecording), pageOffset);
      if (mutations) {
        console.log(`  DOM mutations in the window, by kind (element, attribute, nearest test id), most first:`);
        for (const [k, n] of mutations.slice(0, 20)) console.log(`    ${nf(n).padStart(8)}  ${k}`);
      }
      const trace = TRACE ? await browser.stopTracing() : undefined;
      if (trace && TRACE_OUT) {
        mkdirSync(TRACE_OUT, { recursive: true });
        const file = join(TRACE_OUT, `bench-live-run${run + 1}.json`);
        writeFileSync(file, trace);
        console.log(`  trace written to ${file} (DevTools → Performance → Load profile)`);
      }
      info = await streamInfo(nc, names.stream);
      if (info.state.last_seq !== lastSeq)
        console.log(`  note: the stream's last seq is ${nf(info.state.last_seq)}, expected ${nf(lastSeq)}`);
      const finalDrawn = await lanesTotal(page);

      // Latencies: the k-th event of the window (k = initial + i + 1 in the lanes) published at publishedAt[i].
      const firstAt = (pairs: number[], stride: number, valueAt: number, k: number, timeAt = 0) => {
        for (let i = 0; i < pairs.length; i += stride)
          if ((pairs[i + valueAt] as number) >= k) return pairs[i + timeAt];
        return undefined;
      };
      const drawn: number[] = [];
      const committed: number[] = [];
      let undrawn = 0;
      // Scan once per series (both are in time order, totals only grow).
      let pi = 0;
      let ci = 0;
      for (let i = 0; i < publishedAt.length; i++) {
        const k = initial + i + 1;
        while (pi < rec.paints.length && (rec.paints[pi + 2] as number) < k) pi += 3;
        while (ci < rec.commits.length && (rec.commits[ci + 1] as number) < k) ci += 2;
        if (pi < rec.paints.length) drawn.push((rec.paints[pi + 1] as number) - (publishedAt[i] as number));
        else undrawn++;
        if (ci < rec.commits.length) committed.push((rec.commits[ci] as number) - (publishedAt[i] as number));
      }
      if (undrawn > 0) console.log(`  ${undrawn} events of the open execution were never in a canvas paint`);
      // How paints follow commits: for each commit, the first paint after it that shows its total.
      const gaps: number[] = [];
      for (let c = 2; c < rec.commits.length; c += 2) {
        const t = rec.commits[c] as number;
        const total = rec.commits[c + 1] as number;
        for (let p = 0; p < rec.paints.length; p += 3)
          if ((rec.paints[p] as number) >= t && (rec.paints[p + 2] as number) >= total) {
            gaps.push((rec.paints[p] as number) - t);
            break;
          }
      }
      const gd = dist(gaps);
      const paintsPerCommit = `${nf(rec.paints.length / 3)} canvas paints, ${nf(rec.commits.length / 2 - 1)} lane commits; a commit's paint starts ${ms(gd.p50)} after it (p50; p95 ${ms(gd.p95)})`;

      // The tab's ingest: when its header reached each tick's last seq.
      const seqLatency: number[] = [];
      for (let i = 0; i < ticks.length; i += 2) {
        const at = firstAt(rec.seqs, 2, 1, ticks[i] as number);
        if (at !== undefined) seqLatency.push(at - (ticks[i + 1] as number));
      }
      const heldAtEnd = (() => {
        let s = NaN;
        for (let i = 0; i < rec.seqs.length && (rec.seqs[i] as number) <= tEnd; i += 2) s = rec.seqs[i + 1] as number;
        return s;
      })();
      const caughtUp = firstAt(rec.seqs, 2, 1, lastSeq);
      const heldAtStart = rec.seqs[1] as number;

      let bareDist: Dist | undefined;
      let bareStored: Dist | undefined;
      if (bare) {
        const s = await bareState(bare);
        const n = Math.min(s.times.length, publishedAt.length);
        bareDist = dist(s.times.slice(0, n).map((t, i) => t - bareOffset - (publishedAt[i] as number)));
        // Stored: the server's timestamp, a wall clock: against this process's wall clock when publishing began.
        bareStored = dist(s.stored.slice(0, n).map((t, i) => t - wallSkew - (publishedAt[i] as number)));
        if (s.times.length !== publishedAt.length)
          console.log(`  the bare page saw ${s.times.length} of the ${publishedAt.length} events`);
      }

      const metric = (ms: { name: string; value: number }[], n: string) => ms.find((m) => m.name === n)?.value ?? NaN;
      const frame = trace ? frameStats(trace, app.url) : undefined;
      // CDP's cumulative main-thread task time over about the same window, as a share of it.
      const busy = (a: { name: string; value: number }[], b: { name: string; value: number }[]) =>
        (metric(b, "TaskDuration") - metric(a, "TaskDuration")) / (metric(b, "Timestamp") - metric(a, "Timestamp"));
      const cdpBusy = busy(m0, m1);
      const bareBusy = b0 && b1 ? busy(b0, b1) : undefined;
      const loafDur = rec.loaf.filter((_, i) => i % 2 === 0);
      const loafBlock = rec.loaf.filter((_, i) => i % 2 === 1);

      const r: RunResult = {
        openEvents: publishedAt.length,
        drawn: dist(drawn),
        committed: dist(committed),
        bare: bareDist,
        bareStored,
        finalDrawn,
        expected,
        frame,
        cdpBusy,
        ...(bareBusy === undefined ? {} : { bareBusy }),
        loaf: {
          supported: rec.loafSupported,
          count: loafDur.length,
          max: Math.max(0, ...loafDur),
          blockingMax: Math.max(0, ...loafBlock),
        },
        published: count,
        publishRate,
        heldRate: ((heldAtEnd - heldAtStart) * 1000) / (tEnd - t0),
        behindAtEnd: lastSeq - heldAtEnd,
        catchUpMs: caughtUp === undefined ? NaN : caughtUp - tEnd,
        seqLatency: dist(seqLatency),
        paintsPerCommit,
        skewMs: Math.max(Math.abs(rec.skew[0]), Math.abs(rec.skew[1])),
        load: `${(loadavg()[0] ?? NaN).toFixed(1)} on ${cpus().length} cores`,
      };
      results.push(r);
      report(r, `run ${run + 1}`);
    }
    if (RUNS > 1) {
      const med = (f: (r: RunResult) => number) => median(results.map(f));
      console.log(
        [
          "",
          `median of ${RUNS} runs:`,
          `  publish → drawn: p50 ${ms(med((r) => r.drawn.p50))} · p95 ${ms(med((r) => r.drawn.p95))} (goal p95 ≤ ${GOAL_DRAWN_P95_MS} ms) · max ${ms(med((r) => r.drawn.max))}`,
          results[0]?.bare
            ? `  bare page:       p50 ${ms(med((r) => r.bare?.p50 ?? NaN))} · p95 ${ms(med((r) => r.bare?.p95 ?? NaN))}`
            : "",
          typeof results[0]?.frame === "object"
            ? `  main thread per frame: p50 ${ms(med((r) => (typeof r.frame === "object" ? r.frame.perFrame.p50 : NaN)))} · p95 ${ms(med((r) => (typeof r.frame === "object" ? r.frame.perFrame.p95 : NaN)))} (goal p95 ≤ ${GOAL_FRAME_P95_MS} ms); its CPU time per frame p95 ${ms(med((r) => (typeof r.frame === "object" ? r.frame.cpuPerFrame.p95 : NaN)))}`
            : "",
          `  main thread busy ${(med((r) => r.cdpBusy) * 100).toFixed(0)} % of the window (CDP TaskDuration)`,
          `  the tab held ${(med((r) => r.heldRate / r.publishRate) * 100).toFixed(0)} % of the publish rate; lost events in any run: ${results.some((r) => r.finalDrawn !== r.expected) ? "YES" : "none"}`,
        ]
          .filter(Boolean)
          .join("\n"),
      );
    }
    if (results.some((r) => r.finalDrawn !== r.expected)) process.exitCode = 1;
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

function report(r: RunResult, label: string) {
  const lines = [
    "",
    `${label}: ${nf(HISTORY)} messages loaded, one live execution open, ${nf(r.publishRate)} events/s published for ${SECONDS} s (${nf(r.published)} messages; load average ${r.load})`,
    `  publish → drawn (timeline canvas painted), ${nf(r.openEvents)} events of the open execution: ${fmtDist(r.drawn)}   goal p95 ≤ ${GOAL_DRAWN_P95_MS} ms`,
    `  publish → committed (lanes' data-event-count in the DOM):                   ${fmtDist(r.committed)}`,
  ];
  if (r.bare && r.bareStored) {
    lines.push(
      `  baseline, a bare page reading the same stream with the same client:           ${fmtDist(r.bare)}` +
        `   → drawn p95 = ${(r.drawn.p95 / r.bare.p95).toFixed(1)}× the bare p95`,
      `    (of which publish → stored by JetStream, server clock:                      ${fmtDist(r.bareStored)})`,
    );
    if (r.bareBusy !== undefined)
      lines.push(
        `    the bare page's main thread is busy ${(r.bareBusy * 100).toFixed(0)} % of the window (CDP TaskDuration): the client's own share`,
      );
  }
  lines.push(`  ${r.paintsPerCommit}`);
  if (typeof r.frame === "object") {
    const f = r.frame;
    lines.push(
      `  main-thread time per frame (trace: RunTask time per BeginMainThreadFrame interval, ${nf(f.frames)} frames, ${f.fps.toFixed(0)} fps):`,
      `    ${fmtDist(f.perFrame)}   goal p95 ≤ ${GOAL_FRAME_P95_MS} ms; mean ${ms(f.meanMs)}; ${nf(f.over16)} frames over 16.7 ms`,
      `    main thread busy ${(f.busyShare * 100).toFixed(0)} % of the window (CDP Performance.getMetrics TaskDuration says ${(r.cdpBusy * 100).toFixed(0)} %)`,
      `    its CPU time per frame (the tasks' thread time, without waits for a core): ${fmtDist(f.cpuPerFrame)}; on a core ${(f.cpuShare * 100).toFixed(0)} % of the window`,
    );
  } else
    lines.push(
      `  main-thread time per frame: not measured (${r.frame ?? "--no-trace"}); main thread busy ${(r.cdpBusy * 100).toFixed(0)} % of the window (CDP TaskDuration)`,
    );
  lines.push(
    r.loaf.supported
      ? `  long animation frames (≥ 50 ms): ${r.loaf.count}${r.loaf.count ? `, longest ${ms(r.loaf.max)} (blocking ${ms(r.loaf.blockingMax)})` : ""}`
      : "  long-animation-frame entries: not supported by this Chromium",
    `  ingest: the tab's header advanced ${nf(r.heldRate)} msg/s while ${nf(r.publishRate)} msg/s were published (${((r.heldRate / r.publishRate) * 100).toFixed(0)} %); ` +
      `${nf(r.behindAtEnd)} behind when publishing stopped, at the last seq ${ms(r.catchUpMs)} later`,
    `    publish → header's data-last-seq, per publish batch (~2 ms): ${fmtDist(r.seqLatency)}`,
    r.finalDrawn === r.expected
      ? `  none lost: the lanes count ${nf(r.finalDrawn)} events, ${nf(r.expected)} were published to the execution`
      : `  LOST OR EXTRA: the lanes count ${nf(r.finalDrawn)} events, ${nf(r.expected)} were published to the execution`,
  );
  if (r.skewMs > 2)
    lines.push(
      `  note: the page's Date.now() and its monotonic clock differ by ${ms(r.skewMs)} (the wall clock was slewed or stepped); the latencies above use the monotonic clocks, matched by round trip`,
    );
  console.log(lines.join("\n"));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
