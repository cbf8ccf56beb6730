// npm run bench:timeline — how the execution timeline copes with big runs.
//
// Builds the app if its sources changed, serves it with SEQSCOPE_BENCH=1 (which
// enables /bench/timeline: a generated execution loaded straight into an
// AuditLog, so NATS is not measured), and drives headless Chromium through
// Playwright. For each size and run it prints:
//   - first paint: messages in the page as bytes → first complete canvas paint on
//     screen, split into ingest (AuditLog.add) and the timeline; the timeline again
//     into the engine's share (the log's events() and analyze(), timed in the page)
//     and the view's (lanes, model, React, canvas), each also as a ratio to a bare TextDecoder +
//     JSON.parse of the same messages in the same page (median of 3 passes, taken just
//     before the ingest on the same heap) — ratios, because absolute times drift between machines;
//   - the worst frame and frames per second during a scripted 5-second pan/zoom
//     (and the fps of an empty requestAnimationFrame loop in the same browser);
//   - the key switch: a change of the partition-key select → that key's first
//     paint on screen, for each built-in key in turn (median and worst, and per key
//     with the engine's share: the new key's analysis);
//   - main-thread long tasks during the pan/zoom and the JS heap in use.
// With --runs=N every size is measured N times (a fresh page each) and the
// medians follow. Goals at 100 000 events (issue 11): first paint ≤ 2× bare
// parse, worst frame ≤ 50 ms, key switch ≤ 150 ms. No thresholds are enforced:
// this is a measurement, not a test. --profile=DIR writes a CPU profile
// (.cpuprofile, for DevTools) of each phase of the first run of each size;
// --trace-out=DIR a Chromium trace of its key switches (DevTools → Performance
// → Load profile: scripting, style, layout and paint of each switch).
//
//   npm run bench:timeline -- [--sizes=1000,10000,100000] [--runs=3] [--producers=50] [--seed=1]
//                             [--screenshots=DIR] [--profile=DIR] [--trace-out=DIR]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { freePort, startNatsServer, stopChild } from "../lib/node/nats-server";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream } from "../lib/nats/stream";
import { CHROMIUM_ARGS, findChromium } from "./lib/binaries.mjs";
import { buildApp, serveApp } from "./lib/next-server";

interface Args {
  sizes: number[];
  runs: number;
  producers: number;
  seed: number;
  screenshots?: string;
  profile?: string;
  traceOut?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes = (get("sizes") ?? "1000,10000,100000").split(",").map((s) => Number.parseInt(s.replace(/_/g, ""), 10));
  if (sizes.some((n) => !(n > 0))) throw new Error("--sizes must be positive integers, e.g. --sizes=1000,10000");
  const runs = Number.parseInt(get("runs") ?? "3", 10);
  if (!(runs > 0)) throw new Error("--runs must be a positive integer");
  const args: Args = {
    sizes,
    runs,
    producers: Number.parseInt(get("producers") ?? "50", 10),
    seed: Number.parseInt(get("seed") ?? "1", 10),
  };
  const shots = get("screenshots");
  if (shots !== undefined) args.screenshots = shots;
  const profile = get("profile");
  if (profile !== undefined) args.profile = profile;
  const traceOut = get("trace-out");
  if (traceOut !== undefined) args.traceOut = traceOut;
  return args;
}

/** The built-in keys in the order the bench switches to them; the page opens under "invocation". */
const SWITCH_KEYS = ["execution-producer", "execution-entity", "execution", "invocation"];

interface Result {
  events: number;
  messages: number;
  /** Messages as bytes → first paint on screen. */
  firstPaintMs: number;
  ingestMs: number;
  /** Ingest done → first paint on screen. */
  timelineMs: number;
  /** Of timelineMs: inside the log's queries (events, analyze): the engine's share; the rest is the view's. */
  engineMs: number;
  bareParseMs: number;
  fps: number;
  frames: number;
  worstFrameMs: number;
  longTasks: number;
  longestTaskMs: number;
  heapMb: number;
  /** Per SWITCH_KEYS entry: select change → that key's first paint on screen. */
  keySwitchMs: number[];
  /** Of each key switch: inside the log's queries (the new key's analysis). */
  keySwitchEngineMs: number[];
}

const SCRIPT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Frames per second of an empty rAF loop: what this browser and machine can show at best. */
async function baselineFps(page: Page): Promise<number> {
  await page.goto("about:blank");
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let frames = 0;
        const t0 = performance.now();
        const tick = (t: number) => {
          frames++;
          if (t - t0 < 2_000) requestAnimationFrame(tick);
          else resolve((frames * 1000) / (t - t0));
        };
        requestAnimationFrame(tick);
      }),
  );
}

async function startProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __probe: { frames: number[]; long: number[]; stop: boolean } };
    const probe = { frames: [] as number[], long: [] as number[], stop: false };
    w.__probe = probe;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.long.push(e.duration);
    }).observe({ type: "longtask" });
    const tick = (t: number) => {
      probe.frames.push(t);
      if (!probe.stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopProbe(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { __probe: { frames: number[]; long: number[]; stop: boolean } };
    w.__probe.stop = true;
    const f = w.__probe.frames;
    let worst = 0;
    for (let i = 1; i < f.length; i++) worst = Math.max(worst, (f[i] as number) - (f[i - 1] as number));
    const span = f.length > 1 ? (f.at(-1) as number) - (f[0] as number) : 1;
    const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
    return {
      frames: f.length,
      fps: ((f.length - 1) * 1000) / span,
      worstFrameMs: worst,
      long: w.__probe.long,
      heap: mem?.usedJSHeapSize ?? NaN,
    };
  });
}

type Box = NonNullable<Awaited<ReturnType<ReturnType<Page["getByTestId"]>["boundingBox"]>>>;

/** Where the plot and its scroller are: found before the probe starts, since a query walks the whole DOM. */
async function plotBoxes(page: Page): Promise<{ plot: Box; scroll: Box }> {
  const plot = await page.getByTestId("timeline-plot").boundingBox();
  const scroll = await page.getByTestId("timeline-scroll").boundingBox();
  if (!plot || !scroll) throw new Error("timeline not on screen");
  return { plot, scroll };
}

/** 5 s of what a user does: wheel-zoom in, drag-pan both ways, scroll the lanes, wheel-zoom out. */
async function panZoom(page: Page, { plot, scroll }: { plot: Box; scroll: Box }): Promise<void> {
  const cx = plot.x + plot.width / 2;
  const cy = plot.y + Math.min(plot.height, 300) / 2;
  const t0 = Date.now();
  const phase = () => (Date.now() - t0) / SCRIPT_MS;
  await page.mouse.move(cx, cy);
  while (phase() < 0.25) {
    await page.mouse.wheel(0, -60);
    await sleep(16);
  }
  await page.mouse.down();
  let x = cx;
  let dir = -1;
  while (phase() < 0.55) {
    x += dir * 9;
    if (x < plot.x + 40 || x > plot.x + plot.width - 40) dir = -dir;
    await page.mouse.move(x, cy);
    await sleep(16);
  }
  await page.mouse.up();
  await page.mouse.move(scroll.x + 60, scroll.y + 60);
  let down = 1;
  while (phase() < 0.75) {
    await page.mouse.wheel(0, down * 60);
    if (Math.random() < 0.05) down = -down;
    await sleep(16);
  }
  await page.mouse.move(cx, cy);
  while (phase() < 1) {
    await page.mouse.wheel(0, 60);
    await sleep(16);
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Chooses `keyId` in the partition-key select: ms until its first paint is on screen, and the engine's share. */
async function switchKey(page: Page, keyId: string): Promise<{ ms: number; engineMs: number }> {
  return page.evaluate(async (id) => {
    const probe = window.__timelineBench;
    const select = document.querySelector<HTMLSelectElement>("[data-testid=partition-key]");
    if (!probe || !select) throw new Error("bench page not ready");
    const painted = probe.nextPaint();
    const e0 = probe.engineMs;
    const t0 = performance.now();
    select.value = id;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    const t1 = await painted;
    performance.measure(`key switch to ${id}`, { start: t0, end: t1 }); // the switch's span in a trace
    return { ms: t1 - t0, engineMs: probe.engineMs - e0 };
  }, keyId);
}

/** Runs `what` under the CPU profiler when profiling, writing DIR/<name>.cpuprofile. */
async function profiled<T>(page: Page, dir: string | undefined, name: string, what: () => Promise<T>): Promise<T> {
  if (dir === undefined) return what();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  try {
    return await what();
  } finally {
    const { profile } = await cdp.send("Profiler.stop");
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }
}

/** Runs `what` under Chromium tracing when asked, writing DIR/<name>.json. */
async function traced<T>(page: Page, dir: string | undefined, name: string, what: () => Promise<T>): Promise<T> {
  const browser = page.context().browser();
  if (dir === undefined || browser === null) return what();
  const categories = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"];
  await browser.startTracing(page, { categories });
  try {
    return await what();
  } finally {
    writeFileSync(join(dir, `${name}.json`), await browser.stopTracing());
  }
}

async function measure(
  page: Page,
  base: string,
  events: number,
  args: Args,
  profile?: string,
  traceOut?: string,
): Promise<Result> {
  const info = await profiled(page, profile, `timeline-${events}-first-paint`, async () => {
    await page.goto(`${base}/bench/timeline?events=${events}&producers=${args.producers}&seed=${args.seed}`);
    await page.waitForFunction(() => window.__timelineBench?.painted === true, undefined, { timeout: 180_000 });
    return page.evaluate(() => {
      const span = (a: string, b: string) =>
        performance.measure(`${a}→${b}`, `timeline:${a}`, `timeline:${b}`).duration;
      return {
        firstPaintMs: span("messages-ready", "painted"),
        ingestMs: span("messages-ready", "data-ready"),
        timelineMs: span("data-ready", "painted"),
        engineMs: window.__timelineBench?.engineMs ?? NaN,
        messages: window.__timelineBench?.messages ?? 0,
      };
    });
  });
  if (args.screenshots) {
    await page.screenshot({ path: join(args.screenshots, `timeline-${events}.png`) });
  }
  const bare = await page.evaluate(() => window.__timelineBench?.bareParseMs ?? []);
  await sleep(600);
  const p = await profiled(page, profile, `timeline-${events}-pan-zoom`, async () => {
    const boxes = await plotBoxes(page);
    await startProbe(page);
    await panZoom(page, boxes);
    return stopProbe(page);
  });
  if (args.screenshots) await page.screenshot({ path: join(args.screenshots, `timeline-${events}-after.png`) });
  const switches = await traced(page, traceOut, `timeline-${events}-key-switch`, () =>
    profiled(page, profile, `timeline-${events}-key-switch`, async () => {
      const out: { ms: number; engineMs: number }[] = [];
      for (const id of SWITCH_KEYS) {
        await sleep(300);
        out.push(await switchKey(page, id));
      }
      return out;
    }),
  );
  return {
    events,
    messages: info.messages,
    firstPaintMs: info.firstPaintMs,
    ingestMs: info.ingestMs,
    timelineMs: info.timelineMs,
    engineMs: info.engineMs,
    bareParseMs: median(bare),
    fps: p.fps,
    frames: p.frames,
    worstFrameMs: p.worstFrameMs,
    longTasks: p.long.length,
    longestTaskMs: p.long.length > 0 ? Math.max(...p.long) : 0,
    heapMb: p.heap / 2 ** 20,
    keySwitchMs: switches.map((k) => k.ms),
    keySwitchEngineMs: switches.map((k) => k.engineMs),
  };
}

const COLUMNS: [string, number][] = [
  ["events", 8],
  ["run", 6],
  ["bare parse", 10],
  ["first paint (×bare)", 20],
  ["ingest (×bare)", 16],
  ["timeline (×bare)", 17],
  ["of it engine", 12],
  ["view (×bare)", 15],
  ["worst frame", 11],
  ["fps (×base)", 13],
  ["long tasks", 10],
  ["key switch med/max", 18],
  ["JS heap", 8],
];

function row(label: string, r: Result, baseline: number): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const x = (v: number) => `${ms(v)} (${(v / r.bareParseMs).toFixed(2)}×)`;
  const cells = [
    r.events.toLocaleString("en-US"),
    label,
    ms(r.bareParseMs),
    x(r.firstPaintMs),
    x(r.ingestMs),
    x(r.timelineMs),
    ms(r.engineMs),
    x(r.timelineMs - r.engineMs),
    ms(r.worstFrameMs),
    `${r.fps.toFixed(1)} (${(r.fps / baseline).toFixed(2)}×)`,
    r.longTasks > 0 ? `${r.longTasks}, ≤${r.longestTaskMs.toFixed(0)}` : "0",
    `${median(r.keySwitchMs).toFixed(0)}/${Math.max(...r.keySwitchMs).toFixed(0)} ms`,
    `${r.heapMb.toFixed(0)} MB`,
  ];
  return cells.map((c, i) => c.padStart((COLUMNS[i] as [string, number])[1])).join("  ");
}

function switchLine(r: Result): string {
  const each = r.keySwitchMs.map(
    (v, k) => `${SWITCH_KEYS[k]} ${v.toFixed(0)} ms (engine ${(r.keySwitchEngineMs[k] as number).toFixed(0)})`,
  );
  return `${" ".repeat(16)}key switches: ${each.join(", ")}`;
}

/** Per-field medians over runs (key switch: the median of each key's switch). */
function medianResult(rs: readonly Result[]): Result {
  const first = rs[0] as Result;
  const med = (f: (r: Result) => number) => median(rs.map(f));
  return {
    ...first,
    firstPaintMs: med((r) => r.firstPaintMs),
    ingestMs: med((r) => r.ingestMs),
    timelineMs: med((r) => r.timelineMs),
    engineMs: med((r) => r.engineMs),
    bareParseMs: med((r) => r.bareParseMs),
    fps: med((r) => r.fps),
    frames: med((r) => r.frames),
    worstFrameMs: med((r) => r.worstFrameMs),
    longTasks: med((r) => r.longTasks),
    longestTaskMs: med((r) => r.longestTaskMs),
    heapMb: med((r) => r.heapMb),
    keySwitchMs: first.keySwitchMs.map((_, k) => med((r) => r.keySwitchMs[k] as number)),
    keySwitchEngineMs: first.keySwitchEngineMs.map((_, k) => med((r) => r.keySwitchEngineMs[k] as number)),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (args.screenshots) mkdirSync(args.screenshots, { recursive: true });
  if (args.profile) mkdirSync(args.profile, { recursive: true });
  if (args.traceOut) mkdirSync(args.traceOut, { recursive: true });
  if (!buildApp(root, (s) => console.error(s))) process.exit(1);
  // The layout connects to NATS on every page: give it an empty server so it settles instead of retrying.
  const nats = await startNatsServer();
  const nc = await connectNode(nats.url);
  await ensureStream(nc, { stream: "AUDIT_EVENTS", subject: "auditEvent" });
  await nc.close();
  const executablePath = findChromium();
  if (!executablePath) throw new Error("no Chromium found (set SEQSCOPE_CHROMIUM)");
  let app: Awaited<ReturnType<typeof serveApp>> | undefined;
  const browser = await chromium.launch({
    executablePath,
    // gc() lets the page take the bare parse and the ingest on the same clean heap.
    args: [...CHROMIUM_ARGS, "--enable-precise-memory-info", "--js-flags=--expose-gc"],
  });
  try {
    app = await serveApp(root, await freePort(), { SEQSCOPE_NATS_URL: nats.wsUrl, SEQSCOPE_BENCH: "1" });
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
    // tsx compiles with keepNames: functions sent to page.evaluate call an `__name` helper the page lacks.
    await context.addInitScript("globalThis.__name = (f) => f;");
    const page = await context.newPage();
    const baseline = await baselineFps(page);
    console.log(
      `timeline bench: ${args.producers} producers, seed ${args.seed}, viewport 1280×720, headless Chromium, ${args.runs} run(s) per size`,
    );
    console.log(`baseline: empty requestAnimationFrame loop runs at ${baseline.toFixed(1)} fps`);
    console.log(`key switches, in order: ${SWITCH_KEYS.join(" → ")} (from invocation)\n`);
    console.log(COLUMNS.map(([name, w]) => name.padStart(w)).join("  "));
    for (const events of args.sizes) {
      const results: Result[] = [];
      for (let run = 0; run < args.runs; run++) {
        // A fresh page per run, so one run's heap and caches do not bleed into the next.
        const p = await context.newPage();
        const first = run === 0;
        const r = await measure(
          p,
          app.url,
          events,
          args,
          first ? args.profile : undefined,
          first ? args.traceOut : undefined,
        );
        await p.close();
        results.push(r);
        console.log(row(`#${run + 1}`, r, baseline));
        console.log(switchLine(r));
      }
      if (args.runs > 1) {
        const m = medianResult(results);
        console.log(row("median", m, baseline));
        console.log(switchLine(m));
      }
    }
    console.log("\ngoals at 100 000 events: first paint ≤ 2× bare parse, worst frame ≤ 50 ms, key switch ≤ 150 ms");
  } finally {
    await browser.close();
    if (app) await stopChild(app.child);
    await nats.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
