// npm run bench:index-list — the list's first paint for an index of 100 000 executions.
//
// Starts a private nats-server with a small audit stream (one short simulator
// run: a handful of real executions) and the index's resources, and writes
// --executions summaries into the index's KV bucket directly (no indexer runs:
// the app only reads the bucket). The real executions' summaries are made from
// their messages (lib/index/index-entry); the rest are copies of them with
// their own id, workflow (a few dozen), times and counts, spread over a week.
// Then it serves the production app on it and, in a fresh headless Chromium
// context per run, opens the list and times from navigation start:
//   - arrival: the header's index note reports the list's share of the index (the most recently
//     active --list of them: the tab reads those hours of the index, newest first, not the rest);
//   - first paint: the list's count reads "L of L" with a row on screen, and a frame went by.
// Baselines in the same run: a bare IndexStore.watch over WebSocket (connect, open, every
// entry received and decoded) in this process, and the same client alone in a blank page
// of the same Chromium (bundled with esbuild), so the tab's cost splits into what any page
// pays for the watch and what the app adds. Prints each run, the medians, their ratios,
// the main thread's busy time (CDP TaskDuration) and the tab's JS heap after a GC.
// No thresholds: a measurement, not a test.
//
//   npm run bench:index-list -- [--executions=100000] [--list=20000] [--runs=3]
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import type { RawMessage } from "../lib/audit/types";
import { executionOf } from "../lib/audit/execution-of";
import { encodeEntry, entryKey, IndexedExecution, type IndexEntry } from "../lib/index/index-entry";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { connectBrowser } from "../lib/nats/browser-connection";
import { IndexStore } from "../lib/nats/index-store";
import { connectNode } from "../lib/nats/node-connection";
import { readStreamRange } from "../lib/nats/range-reader";
import { ensureStream, streamInfo } from "../lib/nats/stream";
import { seededRng, type Rng } from "../lib/random";
import { Simulator } from "../lib/sim/simulator";
import { CHROMIUM_ARGS, findChromium } from "./lib/binaries.mjs";
import { arg, bundleForPage } from "./lib/bench-util";
import { buildApp, serveApp } from "./lib/next-server";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };

const N = Math.round(arg("executions", 100_000));
/** SEQSCOPE_INDEX_LIST for the app: the list holds the most recently active this many. */
const LIMIT = Math.round(arg("list", 20_000));
const SHOWN = Math.min(N, LIMIT);
const RUNS = Math.round(arg("runs", 3));
/** Summaries written at once (each put waits for its ack). */
const IN_FLIGHT = 1_000;
/** How long one open may take before the bench gives up on it and reports where the page stands. */
const OPEN_TIMEOUT_MS = 15 * 60_000;
const nf = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Publishes one short simulator run and returns its executions' summaries, made from their stored messages. */
async function realEntries(nc: Awaited<ReturnType<typeof connectNode>>): Promise<IndexEntry[]> {
  const sim = new Simulator({
    seed: 12,
    startMs: Date.now() - 60_000,
    executions: 12,
    faults: { drop: 0.02, duplicate: 0.02, reorder: { rate: 0.02, window: 5 } },
  });
  for (const item of sim) if (item.kind === "line") nc.publish(names.subject, item.line.bytes);
  await nc.flush();
  const info = await streamInfo(nc, names.stream);
  const byExec = new Map<string, RawMessage[]>();
  await readStreamRange(nc, {
    stream: names.stream,
    startSeq: 1,
    endSeq: info.state.last_seq,
    onMessage: (m) => {
      const x = executionOf(m);
      if (x !== undefined) (byExec.get(x) ?? byExec.set(x, []).get(x)!).push(m);
    },
    signal: new AbortController().signal,
  });
  const out: IndexEntry[] = [];
  for (const [id, msgs] of byExec) {
    const x = new IndexedExecution(id);
    x.add(msgs);
    const e = x.entry();
    if (e !== undefined) out.push(e);
  }
  console.log(`  audit stream: ${nf(info.state.messages)} real messages, ${out.length} executions`);
  return out;
}

const WORKFLOW_NAMES = ["billing", "onboarding", "kyc", "refund", "payout", "support", "fraud-review", "invoicing"];
const WORKFLOWS = WORKFLOW_NAMES.flatMap((w) => [w, `${w}-eu`, `${w}-us`, `${w}-batch`]); // 32

/**
 * A copy of a real summary as another execution: its own id and workflow, a first message somewhere in
 * the week before the real ones, its duration and event count scaled together. Stream sequences are
 * made up (the list does not read them; a link without a hint opens through the index by id).
 */
function copyOf(t: IndexEntry, i: number, rng: Rng, weekStartMs: number, weekMs: number): IndexEntry {
  const scale = 0.6 + rng.next();
  const id = `wfx-${rng.int(0, 0xfffffff).toString(16).padStart(7, "0")}${i.toString(16).padStart(5, "0")}`;
  const firstSeenMs = Math.round(weekStartMs + (i / N) * weekMs + rng.next() * 1_000);
  // The real run was published in a burst: its producers' timestamps, not the server's, say how long it took.
  const span = Math.round((t.lastTsMs - t.firstTsMs) * scale);
  const firstTsMs = firstSeenMs - rng.int(0, 50);
  const events = Math.max(t.producers.length, Math.round(t.events * scale));
  const firstSeq = 1_000_000 + i * 31;
  return {
    ...t,
    id,
    workflowId: rng.pick(WORKFLOWS),
    events,
    firstTsMs,
    lastTsMs: firstTsMs + span,
    firstSeq,
    lastSeq: firstSeq + events * 30,
    firstSeenMs,
    lastSeenMs: firstSeenMs + span,
  };
}

/** Writes the real summaries and N − their count copies into the index's bucket, IN_FLIGHT at a time. */
async function writeIndex(store: IndexStore, real: IndexEntry[]): Promise<number> {
  if (real.length > N) throw new Error(`--executions must be at least ${real.length} (the real executions)`);
  const terminal = real.filter((e) => e.terminal);
  const running = real.filter((e) => !e.terminal);
  const rng = seededRng(7);
  const weekMs = 7 * 24 * 3_600_000;
  const weekStartMs = Math.min(...real.map((e) => e.firstSeenMs)) - weekMs;
  const copies = N - real.length;
  let bytes = 0;
  let pending: Promise<unknown>[] = [];
  const t0 = performance.now();
  // Oldest first, as an indexer writes them (in stream order): the copies spread over the week, then the real ones.
  const order = [...Array.from({ length: N - real.length }, (_, c) => real.length + c), ...real.map((_, i) => i)];
  for (const [n, i] of order.entries()) {
    let e: IndexEntry;
    if (i < real.length) e = real[i] as IndexEntry;
    else {
      const c = i - real.length;
      // Nearly all finished; a few of the newest still running (the viewer calls the quiet ones stalled).
      const pool = c >= copies * 0.995 && running.length > 0 ? running : terminal.length > 0 ? terminal : real;
      e = copyOf(rng.pick(pool), c, rng, weekStartMs, weekMs);
    }
    const value = encodeEntry(e);
    bytes += value.length;
    pending.push(store.kv.put(entryKey(e), value));
    if (pending.length >= IN_FLIGHT) {
      await Promise.all(pending);
      pending = [];
    }
    if ((n + 1) % 20_000 === 0) console.log(`  wrote ${nf(n + 1)} summaries`);
  }
  await Promise.all(pending);
  const s = (performance.now() - t0) / 1000;
  console.log(
    `  ${nf(N)} summaries (${nf(bytes / N)} B each on average) in ${s.toFixed(1)} s (${nf(N / s)}/s), ${IN_FLIGHT} in flight`,
  );
  return bytes;
}

/** The bare baseline: connect over WebSocket, open the index, watch until every summary is in (decoded). */
async function bareWatch(wsUrl: string): Promise<{ ms: number; watchMs: number }> {
  const t0 = performance.now();
  const nc = await connectBrowser({ servers: [wsUrl], stream: names.stream, subject: names.subject, historyLimit: 0 });
  try {
    const store = await IndexStore.open(nc, names.stream);
    if (store === undefined) throw new Error("the index is missing");
    const stop = new AbortController();
    const keys = new Set<string>();
    let done = 0;
    const t1 = performance.now();
    await store.watch((key, entry) => {
      if (entry === undefined) return;
      keys.add(key);
      if (keys.size === N && done === 0) {
        done = performance.now();
        stop.abort();
      }
    }, stop.signal);
    if (done === 0) throw new Error(`the watch ended after ${keys.size} of ${N} summaries`);
    return { ms: done - t0, watchMs: done - t1 };
  } finally {
    await nc.close();
  }
}

// The bare page: the same client and the same watch, nothing else (no React, no list, no audit reader).
const BARE_ENTRY = `
import { connectBrowser } from "./lib/nats/browser-connection";
import { IndexStore } from "./lib/nats/index-store";
window.__bare = async (servers, stream, subject, n) => {
  const t0 = performance.now();
  const nc = await connectBrowser({ servers: [servers], stream, subject, historyLimit: 0 });
  try {
    const store = await IndexStore.open(nc, stream);
    if (store === undefined) throw new Error("the index is missing");
    const stop = new AbortController();
    const keys = new Set();
    let done = 0;
    const t1 = performance.now();
    await store.watch((key, entry) => {
      if (entry === undefined) return;
      keys.add(key);
      if (keys.size === n && done === 0) {
        done = performance.now();
        stop.abort();
      }
    }, stop.signal);
    if (done === 0) throw new Error("the watch ended after " + keys.size + " of " + n + " summaries");
    return { ms: done - t0, watchMs: done - t1 };
  } finally {
    await nc.close();
  }
};
`;

/** The bare watch in a blank page of a fresh context: connect, open, every summary received and decoded. */
async function barePage(browser: Browser, bundle: string, wsUrl: string): Promise<{ ms: number; watchMs: number }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.setContent("<!doctype html><title>bare index watch</title>");
    await page.addScriptTag({ content: bundle });
    type Bare = (...a: [string, string, string, number]) => Promise<{ ms: number; watchMs: number }>;
    return await page.evaluate(
      ([ws, stream, subject, n]) => (window as unknown as { __bare: Bare }).__bare(ws, stream, subject, n),
      [wsUrl, names.stream, names.subject, N] as const,
    );
  } finally {
    await context.close();
  }
}

/** What the page records about itself, from before its first script (times: ms since navigation start). */
interface Probe {
  present?: number;
  firstCount?: number;
  arrival?: number;
  listDom?: number;
  paint?: number;
  long: [number, number][];
}

/** Runs in the page before its own scripts: watches the DOM for the index note and the list's count. */
function installProbe({ n, capped }: { n: number; capped: boolean }) {
  const noteDone = capped
    ? `index: the ${n.toLocaleString("en-US")} most recently active executions`
    : `index: ${n.toLocaleString("en-US")} executions ·`;
  const countDone = `${n.toLocaleString()} of ${n.toLocaleString()}`;
  const probe: Probe = { long: [] };
  (window as unknown as { __bench: Probe }).__bench = probe;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.long.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  const check = () => {
    const t = performance.now();
    const note = document.querySelector("[data-testid=index-note]")?.textContent ?? "";
    if (probe.present === undefined && note.startsWith("index:")) probe.present = t;
    if (probe.firstCount === undefined && /^index: [1-9]/.test(note)) probe.firstCount = t;
    if (probe.arrival === undefined && note.startsWith(noteDone)) probe.arrival = t;
    if (probe.listDom !== undefined) return;
    const count = document.querySelector("[data-testid=executions-count]")?.textContent?.trim();
    const row = document.querySelector("[data-testid=execution-row]");
    if (count !== countDone || row === null) return;
    const r = row.getBoundingClientRect();
    if (r.height <= 0 || r.top >= window.innerHeight || r.bottom <= 0) return;
    probe.listDom = t;
    // The frame that shows it: rAF runs just before the paint, a task queued from it just after.
    requestAnimationFrame(() => setTimeout(() => (probe.paint = performance.now()), 0));
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
}

interface OpenResult extends Required<Omit<Probe, "long">> {
  heap: number;
  longTasks: number;
  longMs: number;
  longestMs: number;
  domContentLoaded: number;
  /** Main-thread task time from navigation to (about) the paint, CDP Performance.getMetrics TaskDuration. */
  busyMs: number;
}

async function openList(browser: Browser, url: string): Promise<OpenResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-US" });
  try {
    // tsx compiles with keepNames: functions sent to the page call an `__name` helper the page lacks.
    await context.addInitScript("globalThis.__name = (f) => f;");
    await context.addInitScript(installProbe, { n: SHOWN, capped: N > LIMIT });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.goto(url);
    const deadline = Date.now() + OPEN_TIMEOUT_MS;
    let probe: Probe;
    let reported = Date.now();
    for (;;) {
      probe = await page.evaluate(() => (window as unknown as { __bench: Probe }).__bench);
      if (probe.paint !== undefined && probe.arrival !== undefined) break;
      if (Date.now() > deadline || Date.now() - reported > 30_000) {
        const note = await page.getByTestId("index-note").textContent({ timeout: 5_000 });
        const count = await page.getByTestId("executions-count").textContent({ timeout: 5_000 });
        const longMs = probe.long.reduce((s, [, d]) => s + d, 0);
        const state = `note "${note}", count "${count}", ${probe.long.length} long tasks (${nf(longMs)} ms)`;
        if (Date.now() > deadline)
          throw new Error(`the list did not complete in ${OPEN_TIMEOUT_MS / 1000} s: ${state}`);
        console.log(`    still waiting: ${state}`);
        reported = Date.now();
      }
      await new Promise((ok) => setTimeout(ok, 100)); // a sampling interval: the page times itself
    }
    const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
    const busyMs = (metrics.find((x) => x.name === "TaskDuration")?.value ?? NaN) * 1000;
    const nav = await page.evaluate(() => {
      const e = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      return e?.domContentLoadedEventEnd ?? NaN;
    });
    await cdp.send("HeapProfiler.enable");
    await cdp.send("HeapProfiler.collectGarbage");
    // Typed arrays and byte chunks live in backing stores, outside usedSize: count both.
    const h = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
    const until = probe.paint as number;
    const long = probe.long.filter(([start]) => start <= until);
    return {
      present: probe.present ?? NaN,
      firstCount: probe.firstCount ?? NaN,
      arrival: probe.arrival as number,
      listDom: probe.listDom as number,
      paint: until,
      heap: h.usedSize + (h.backingStorageSize ?? 0),
      longTasks: long.length,
      longMs: long.reduce((s, [, d]) => s + d, 0),
      longestMs: long.reduce((m, [, d]) => Math.max(m, d), 0),
      domContentLoaded: nav,
      busyMs,
    };
  } finally {
    await context.close();
  }
}

async function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!buildApp(root, (s) => console.log(s))) throw new Error("next build failed");
  const nats = await startNatsServer();
  const cleanup: (() => Promise<unknown>)[] = [() => nats.stop()];
  try {
    console.log(`filling the index with ${nf(N)} execution summaries…`);
    const nc = await connectNode(nats.url);
    await ensureStream(nc, names);
    const real = await realEntries(nc);
    const store = await IndexStore.ensure(nc, names.stream);
    const bytes = await writeIndex(store, real);
    await nc.close();

    const port = await freePort();
    const app = await serveApp(root, port, {
      SEQSCOPE_NATS_URL: nats.wsUrl,
      SEQSCOPE_STREAM: names.stream,
      SEQSCOPE_SUBJECT: names.subject,
      SEQSCOPE_INDEX_LIST: String(LIMIT),
    });
    cleanup.unshift(() => stopChild(app.child));
    const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
    cleanup.unshift(() => browser.close());

    const bundle = await bundleForPage(BARE_ENTRY, root);
    const url = `${app.url}/`;
    // Warm the JIT, the server's caches and the app server's page cache; not measured.
    await bareWatch(nats.wsUrl);
    await barePage(browser, bundle, nats.wsUrl);
    await openList(browser, url);
    const runs: (OpenResult & { node: number; nodeWatch: number; page: number; pageWatch: number })[] = [];
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    for (let r = 0; r < RUNS; r++) {
      const node = await bareWatch(nats.wsUrl);
      const bare = await barePage(browser, bundle, nats.wsUrl);
      const res = await openList(browser, url);
      runs.push({ ...res, node: node.ms, nodeWatch: node.watchMs, page: bare.ms, pageWatch: bare.watchMs });
      console.log(
        `  run ${r + 1}: arrival ${nf(res.arrival)} ms, first paint ${nf(res.paint)} ms (list's share ${x(res.paint, res.arrival)}); ` +
          `bare watch ${nf(node.ms)} ms in Node (first paint ${x(res.paint, node.ms)}), ${nf(bare.ms)} ms in a blank page ` +
          `(${x(res.paint, bare.ms)}); heap ${mb(res.heap)} MB = ${nf(res.heap / SHOWN)} B/listed execution\n` +
          `         DOMContentLoaded ${nf(res.domContentLoaded)} ms, index present ${nf(res.present)} ms, first count ${nf(res.firstCount)} ms, ` +
          `list complete in the DOM ${nf(res.listDom)} ms; main thread busy ${nf(res.busyMs)} ms; ` +
          `${res.longTasks} long tasks before the paint, ${nf(res.longMs)} ms in all, longest ${nf(res.longestMs)} ms`,
      );
    }
    const m = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
    const arrival = m((r) => r.arrival);
    const paint = m((r) => r.paint);
    const node = m((r) => r.node);
    const page = m((r) => r.page);
    const heap = m((r) => r.heap);
    console.log(
      [
        "",
        `the list of an index of ${nf(N)} executions, holding the ${nf(SHOWN)} most recently active (SEQSCOPE_INDEX_LIST=${LIMIT}; ` +
          `median of ${RUNS}, fresh browser context each, from navigation start; baselines: a watch of the whole index):`,
        `  data arrival (header: ${nf(SHOWN)}):        ${nf(arrival)} ms = ${x(arrival, node)} the bare watch in Node, ${x(arrival, page)} in a blank page`,
        `  first paint of the complete list:        ${nf(paint)} ms = ${x(paint, arrival)} arrival (the list's share; median of ratios ${m((r) => r.paint / r.arrival).toFixed(2)}×)`,
        `  first paint / bare watch in Node:        ${x(paint, node)} (median of ratios ${m((r) => r.paint / r.node).toFixed(2)}×)`,
        `  first paint / bare watch in a blank page: ${x(paint, page)} (median of ratios ${m((r) => r.paint / r.page).toFixed(2)}×)`,
        `  bare IndexStore.watch in Node (ws):      ${nf(node)} ms (connect + open + watch; the watch alone ${nf(m((r) => r.nodeWatch))} ms)`,
        `  the same in a blank Chromium page:       ${nf(page)} ms (the watch alone ${nf(m((r) => r.pageWatch))} ms)`,
        `  tab's main thread busy until the paint:  ${nf(m((r) => r.busyMs))} ms (CDP TaskDuration); long tasks ${nf(m((r) => r.longMs))} ms in all, longest ${nf(m((r) => r.longestMs))} ms`,
        `  tab heap after a GC:                     ${mb(heap)} MB = ${nf(heap / SHOWN)} B per listed execution (the summaries' JSON: ${nf(bytes / N)} B)`,
      ].join("\n"),
    );
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
