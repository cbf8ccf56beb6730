// npm run bench:open — how long a link takes to open an old, finished execution.
//
// Fills a private nats-server's stream with 1 000 000 simulated events, picks an
// execution that started halfway through the stream (far outside the 10 000
// newest messages the app loads as history, as a run from last week would be),
// serves the production app on it and, in headless Chromium, cold-opens that
// execution in a fresh browser context, alternately:
//   - with the link's hint (?from=&to=: the stream sequences where it lies): a
//     bounded ordered consumer reads just that stretch and a margin;
//   - without (a hand-typed /executions/<id>): a scan from the stream's oldest
//     message that stops after the execution's terminal event and a margin.
// Then it indexes the stream (the indexer's code, in this process) and opens the
// same execution again, with and without the hint: both go through the index,
// reading just its messages. It prints the median of each, their ratios, and
// checks every open drew the same events. No thresholds: a measurement, not a test.
//
//   npm run bench:open -- [--events=1000000] [--at=0.5] [--runs=3] [--history=10000] [--no-scan]
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "@playwright/test";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { connectBrowser } from "../lib/nats/browser-connection";
import { indexCaughtUp, Indexer } from "../lib/nats/indexer";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../lib/nats/stream";
import { Simulator } from "../lib/sim/simulator";
import { CHROMIUM_ARGS, findChromium } from "./lib/binaries.mjs";
import { arg } from "./lib/bench-util";
import { buildApp, serveApp } from "./lib/next-server";

const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };

const EVENTS = arg("events", 1_000_000);
const AT = arg("at", 0.5);
const RUNS = arg("runs", 3);
const HISTORY = arg("history", 10_000);
/** `--no-scan`: skip the hintless opens without an index (a scan of a 5 M stream takes minutes each). */
const SCAN = !process.argv.includes("--no-scan");
const nf = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Target {
  id: string;
  from: number;
  to: number;
  events: number;
  terminal: boolean;
}

/**
 * Publishes EVENTS simulator lines in order (core publishes, flushed in
 * batches: the stream stores them in publish order, so line i is stream
 * sequence i + 1) and returns the executions that started at AT of the stream.
 */
async function fill(nc: Awaited<ReturnType<typeof connectNode>>): Promise<Target[]> {
  const sim = new Simulator({
    seed: 11,
    startMs: Date.now() - 7 * 24 * 3_600_000,
    executionsPerSecond: 2,
    faults: { drop: 0.01, duplicate: 0.01 },
  });
  const startAt = Math.floor(EVENTS * AT);
  const seen = new Set<string>();
  const candidates = new Map<string, Target>();
  let n = 0;
  const t0 = performance.now();
  for (const item of sim) {
    if (item.kind === "truth") {
      const c = candidates.get(item.truth.executionId);
      if (c) c.terminal = item.truth.events.some((e) => e.event === "workflow_complete" && e.published.length > 0);
      continue;
    }
    const { line } = item;
    n++;
    const x = line.executionId;
    if (x !== undefined) {
      if (!seen.has(x)) {
        seen.add(x);
        if (n >= startAt && candidates.size < 20)
          candidates.set(x, { id: x, from: n, to: n, events: 0, terminal: false });
      }
      const c = candidates.get(x);
      if (c) {
        c.to = n;
        c.events++;
      }
    }
    nc.publish(names.subject, line.bytes);
    if (n % 20_000 === 0) {
      await nc.flush();
      if (n % 200_000 === 0) {
        const rate = (n * 1000) / (performance.now() - t0);
        process.stdout.write(`  published ${nf(n)} events (${nf(rate)}/s)\n`);
      }
    }
    if (n >= EVENTS) break;
  }
  await nc.flush();
  return [...candidates.values()];
}

async function coldOpen(browser: Browser, url: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.getByTestId("lane").first().waitFor({ timeout: 600_000 });
  const ms = Date.now() - t0;
  const summary = await page.getByTestId("anomaly-summary").textContent();
  let events = 0;
  for (const lane of await page.getByTestId("lane").all())
    events += Number(await lane.getAttribute("data-event-count"));
  await context.close();
  return { ms, summary, events };
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
    const fillStart = performance.now();
    const candidates = await fill(nc);
    const info = await streamInfo(nc, names.stream);
    await nc.close();
    if (info.state.messages !== EVENTS || info.state.first_seq !== 1) {
      throw new Error(
        `stream holds ${info.state.messages} messages from seq ${info.state.first_seq}, expected ${EVENTS} from 1`,
      );
    }
    console.log(
      `  ${nf(info.state.messages)} messages, ${(info.state.bytes / 1e6).toFixed(0)} MB, in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
    );
    const target = candidates.find((c) => c.terminal);
    if (!target) throw new Error("no finished execution started where asked");
    console.log(
      `old execution ${target.id}: ${target.events} messages at stream seqs ${nf(target.from)}–${nf(target.to)} ` +
        `(${nf(target.to - target.from + 1)} messages of the stream); the app loads the newest ${nf(HISTORY)} as history`,
    );

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

    const plain = `${app.url}/executions/${encodeURIComponent(target.id)}`;
    const hinted = `${plain}?from=${target.from}&to=${target.to}`;
    await coldOpen(browser, hinted); // warm the server's page cache and the JIT, not measured
    const times = { hint: [] as number[], scan: [] as number[] };
    const seen = new Set<string>();
    for (let r = 0; r < RUNS; r++) {
      for (const mode of SCAN ? (["hint", "scan"] as const) : (["hint"] as const)) {
        const res = await coldOpen(browser, mode === "hint" ? hinted : plain);
        times[mode].push(res.ms);
        seen.add(`${res.events} events · ${res.summary}`);
        console.log(`  run ${r + 1} ${mode === "hint" ? "with hint   " : "without hint"}: ${nf(res.ms)} ms`);
      }
    }
    if (seen.size !== 1) throw new Error(`the opens disagree: ${[...seen].join(" | ")}`);

    // The same opens with the stream indexed: both links then go through the index.
    console.log("indexing the stream (npm run indexer's code, in this process)…");
    const nc2 = await connectBrowser({
      servers: [nats.wsUrl],
      stream: names.stream,
      subject: names.subject,
      historyLimit: 0,
    });
    const stopIndexer = new AbortController();
    const indexer = new Indexer(nc2, { stream: names.stream });
    const indexing = indexer.run(stopIndexer.signal);
    cleanup.unshift(async () => {
      stopIndexer.abort();
      await indexing;
      await nc2.close();
    });
    const ix0 = performance.now();
    while (indexer.stats.messagesIndexed < EVENTS || !(await indexCaughtUp(nc2, names.stream)))
      await new Promise((ok) => setTimeout(ok, 500));
    const indexSeconds = (performance.now() - ix0) / 1000;
    console.log(`  indexed ${nf(EVENTS)} events in ${indexSeconds.toFixed(0)} s (${nf(EVENTS / indexSeconds)}/s)`);
    const counts = new Set<number>();
    const indexTimes = { plain: [] as number[], hinted: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      for (const mode of ["plain", "hinted"] as const) {
        const res = await coldOpen(browser, mode === "plain" ? plain : hinted);
        indexTimes[mode].push(res.ms);
        counts.add(res.events);
        console.log(`  run ${r + 1} indexed, ${mode === "plain" ? "without hint" : "with hint   "}: ${nf(res.ms)} ms`);
      }
    }
    const events = Number(/^(\d+)/.exec([...seen][0] as string)?.[1]);
    if (counts.size !== 1 || !counts.has(events))
      throw new Error(`the index opens drew ${[...counts].join(", ")} events, the stream reads ${events}`);
    const hint = median(times.hint);
    const scan = SCAN ? median(times.scan) : NaN;
    const viaIndex = median(indexTimes.plain);
    const viaIndexHinted = median(indexTimes.hinted);
    console.log(
      [
        "",
        `cold open of an execution at ${Math.round(AT * 100)} % of a ${nf(EVENTS)}-event stream (median of ${RUNS}, fresh browser context each):`,
        `  with the link's hint: ${nf(hint)} ms (reads its ${nf(target.to - target.from + 1)} messages + margin)`,
        ...(SCAN
          ? [
              `  without the hint:     ${nf(scan)} ms (scans from seq 1 to its end + margin, ~${nf(target.to)} messages)`,
              `  the hint opens it ${(scan / hint).toFixed(1)}× faster; both opened ${[...seen][0]}`,
            ]
          : [`  (no scan: --no-scan); it opened ${[...seen][0]}`]),
        `  through the index, no hint: ${nf(viaIndex)} ms = ${(viaIndex / hint).toFixed(2)}× the hinted open ` +
          `(reads its ${nf(target.events)} messages only); with the hint: ${nf(viaIndexHinted)} ms = ${(viaIndexHinted / viaIndex).toFixed(2)}× that`,
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
