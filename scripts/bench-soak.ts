// npm run bench:soak — one tab, millions of events, a memory budget: does the
// tab stay within it, does the list still count every execution, does an
// evicted execution open again?
//
// Fills a private nats-server's stream with simulated events (core publishes,
// so line i is stream sequence i + 1), serves the production app on it with
// SEQSCOPE_MEMORY_MIB and a history that covers the whole stream, and loads it
// in one headless Chromium tab. While the tab reads, it samples the JS heap
// (CDP Runtime.getHeapUsage: objects plus ArrayBuffer backing stores, after a forced GC; and again, after
// another, 150 ms later: whether a high reading is a moment or lasts; both are printed, and the peak of
// each) and what the header says. At
// the end it compares the list's count with the executions published, then
// opens an execution from early in the stream (long evicted) by in-app
// navigation, as an operator would, and checks its lanes hold all its events.
// Prints heap over time as a ratio to the budget; no thresholds.
//
//   npm run bench:soak -- [--events=3000000] [--budget=256] [--sample=5] [--reader=page] [--snapshot-over=1.15]
// --snapshot-over=R writes a heap snapshot (soak-<s>s.heapsnapshot, for DevTools → Memory) of the first sample
// above R× the budget (the second reading); it comes after the sample, at the end of whatever task runs then.
// --reader=page keeps the tab's reader on its main thread (as before the worker), to compare.
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "../lib/node/binaries.mjs";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../lib/nats/stream";
import { Simulator } from "../lib/sim/simulator";
import { arg } from "./lib/bench-util";
import { buildApp, serveApp } from "./lib/next-server";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };

const EVENTS = arg("events", 3_000_000);
const BUDGET_MIB = arg("budget", 256);
const SAMPLE_S = arg("sample", 5);
const READER_IN_PAGE = process.argv.includes("--reader=page");
const SNAPSHOT_OVER = process.argv.some((a) => a.startsWith("--snapshot-over=")) ? arg("snapshot-over", 1) : Infinity;
/** The second reading of each sample comes this long after the first. */
const AGAIN_MS = 150;
const nf = (n: number) => Math.round(n).toLocaleString("en-US");
const mib = (b: number) => b / 2 ** 20;

interface Early {
  id: string;
  events: number;
  terminal: boolean;
}

/** Publishes EVENTS simulator lines; returns how many executions there are and one finished early on. */
async function fill(nc: Awaited<ReturnType<typeof connectNode>>): Promise<{ executions: number; early: Early }> {
  const sim = new Simulator({
    seed: 5,
    startMs: Date.now() - 3 * 24 * 3_600_000,
    executionsPerSecond: 4,
    faults: { drop: 0.005, duplicate: 0.005 },
  });
  const seen = new Set<string>();
  const tracked = new Map<string, Early>();
  let n = 0;
  const t0 = performance.now();
  for (const item of sim) {
    if (item.kind === "truth") {
      const t = tracked.get(item.truth.executionId);
      if (t) t.terminal = item.truth.events.some((e) => e.event === "workflow_complete" && e.published.length > 0);
      continue;
    }
    const { line } = item;
    n++;
    const x = line.executionId;
    if (x !== undefined) {
      if (!seen.has(x)) {
        seen.add(x);
        if (n >= EVENTS * 0.05 && tracked.size < 20) tracked.set(x, { id: x, events: 0, terminal: false });
      }
      const t = tracked.get(x);
      if (t) t.events++;
    }
    nc.publish(names.subject, line.bytes);
    if (n % 20_000 === 0) {
      await nc.flush();
      if (n % 500_000 === 0) console.log(`  published ${nf(n)} (${nf((n * 1000) / (performance.now() - t0))}/s)`);
    }
    if (n >= EVENTS) break;
  }
  await nc.flush();
  const early = [...tracked.values()].find((t) => t.terminal);
  if (!early) throw new Error("no finished execution early in the stream");
  return { executions: seen.size, early };
}

async function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!buildApp(root, (s) => console.log(s))) throw new Error("next build failed");
  const nats = await startNatsServer();
  const cleanup: (() => Promise<unknown>)[] = [() => nats.stop()];
  try {
    const nc = await connectNode(nats.url);
    await ensureStream(nc, names);
    console.log(`filling ${names.stream} with ${nf(EVENTS)} simulated events…`);
    const { executions, early } = await fill(nc);
    const info = await streamInfo(nc, names.stream);
    await nc.close();
    console.log(
      `  ${nf(info.state.messages)} messages, ${nf(info.state.bytes / 1e6)} MB, ${nf(executions)} executions`,
    );

    const port = await freePort();
    const app = await serveApp(root, port, {
      SEQSCOPE_NATS_URL: nats.wsUrl,
      SEQSCOPE_STREAM: names.stream,
      SEQSCOPE_SUBJECT: names.subject,
      SEQSCOPE_HISTORY: String(EVENTS),
      SEQSCOPE_MEMORY_MIB: String(BUDGET_MIB),
    });
    cleanup.unshift(() => stopChild(app.child));
    const browser = await chromium.launch({
      executablePath: findChromium(),
      args: [...CHROMIUM_ARGS, "--js-flags=--max-old-space-size=8192"],
    });
    cleanup.unshift(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("HeapProfiler.enable");
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      // Typed arrays and byte chunks live in backing stores, outside usedSize: count both.
      const h = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number; backingStorageSize?: number };
      return h.usedSize + (h.backingStorageSize ?? 0);
    };
    /** A reading, and another AGAIN_MS later (the page reads on meanwhile). */
    const twice = async (): Promise<[number, number]> => {
      const first = await heap();
      await new Promise((r) => setTimeout(r, AGAIN_MS));
      return [first, await heap()];
    };
    const snapshot = async (file: string) => {
      const out = createWriteStream(file);
      const write = (e: { chunk: string }) => out.write(e.chunk);
      cdp.on("HeapProfiler.addHeapSnapshotChunk", write);
      await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      cdp.off("HeapProfiler.addHeapSnapshotChunk", write);
      await new Promise((done) => out.end(done));
      console.log(`  heap snapshot: ${file}`);
    };
    let snapshotTaken = false;
    const t0 = Date.now();
    await page.goto(READER_IN_PAGE ? `${app.url}/?reader=page` : app.url);
    const status = page.getByTestId("connection-status");
    const samples: { s: number; seq: number; heap: number; again: number }[] = [];
    for (;;) {
      await page.waitForTimeout(SAMPLE_S * 1000); // a sampling interval, not a wait for a condition
      const seq = Number((await status.getAttribute("data-last-seq")) ?? 0);
      const phase = await status.getAttribute("data-phase");
      const pauses = Number((await status.getAttribute("data-pauses")) ?? 0);
      const [used, again] = await twice();
      if (!snapshotTaken && again > SNAPSHOT_OVER * BUDGET_MIB * 2 ** 20) {
        snapshotTaken = true;
        await snapshot(`soak-${Math.round((Date.now() - t0) / 1000)}s.heapsnapshot`);
      }
      const note = await page
        .getByTestId("memory-note")
        .textContent({ timeout: 2_000 })
        .catch(() => "");
      samples.push({ s: (Date.now() - t0) / 1000, seq, heap: used, again });
      const x = (b: number) => (b / (BUDGET_MIB * 2 ** 20)).toFixed(2);
      console.log(
        `  ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s  stream seq ${nf(seq).padStart(9)}  heap ${nf(mib(used)).padStart(5)} / ${nf(mib(again)).padStart(5)} MiB ` +
          `(${x(used)}x / ${x(again)}x budget)  ${phase}${pauses > 0 ? ` (reader paused ${pauses}× for the page)` : ""}  ${note}`,
      );
      if (phase === "live" && seq >= info.state.last_seq) break;
      if (Date.now() - t0 > 30 * 60_000) throw new Error("the tab did not catch up within 30 min");
    }
    const count = (await page.getByTestId("executions-count").textContent()) ?? "";
    // Past the summaries' share of the budget the oldest are only counted (folded): listed + counted.
    const folded = Number(
      (await page
        .getByTestId("folded-note")
        .getAttribute("data-count", { timeout: 2_000 })
        .catch(() => "0")) ?? 0,
    );
    const listed = Number(/of ([\d,]+)/.exec(count)?.[1]?.replace(/,/g, "") ?? NaN) + folded;

    // Open the early execution by in-app navigation (the same tab, its log): it was evicted long ago.
    await page.getByLabel("Search execution id").fill(early.id);
    const tOpen = Date.now();
    // A folded one is not in the list: the search offers to open it by its id.
    const row = page.getByRole("link", { name: early.id, exact: true });
    const byId = page.getByTestId("open-by-id").getByRole("link");
    await row.or(byId).first().waitFor();
    const wasFolded = (await row.count()) === 0;
    await (wasFolded ? byId : row).click();
    await page.getByTestId("lane").first().waitFor({ timeout: 300_000 });
    const openMs = Date.now() - tOpen;
    let drawn = 0;
    for (const lane of await page.getByTestId("lane").all())
      drawn += Number(await lane.getAttribute("data-event-count"));
    const after = await heap();

    const peak = Math.max(...samples.map((x) => x.heap));
    const peakAgain = Math.max(...samples.map((x) => x.again));
    const last = samples.at(-1)?.heap ?? NaN;
    console.log(
      [
        "",
        `one tab, ${nf(EVENTS)} events, SEQSCOPE_MEMORY_MIB=${BUDGET_MIB}:`,
        `  JS heap peak ${nf(mib(peak))} MiB = ${(peak / (BUDGET_MIB * 2 ** 20)).toFixed(2)}x the budget (${AGAIN_MS} ms later: ${nf(mib(peakAgain))} MiB = ${(peakAgain / (BUDGET_MIB * 2 ** 20)).toFixed(2)}x); at the end ${nf(mib(last))} MiB (${(last / (BUDGET_MIB * 2 ** 20)).toFixed(2)}x)`,
        `  the list counts ${nf(listed)} executions (${nf(listed - folded)} listed, ${nf(folded)} older only counted); ${nf(executions)} were published${listed === executions ? " (all of them)" : " — MISMATCH"}`,
        `  an execution evicted long ago (${early.id}, ${early.events} lines published; ${wasFolded ? "folded" : "a summary"}) opened in ${nf(openMs)} ms by re-reading its stretch: ${drawn} events drawn; heap then ${nf(mib(after))} MiB`,
      ].join("\n"),
    );
    if (listed !== executions) process.exitCode = 1;
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
