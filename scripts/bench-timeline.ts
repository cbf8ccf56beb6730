// npm run bench:timeline — how the execution timeline copes with big runs.
//
// Builds the app if its sources changed, serves it with SEQSCOPE_BENCH=1 (which
// enables /bench/timeline: a generated execution loaded straight into an
// AuditLog, so NATS is not measured), and drives headless Chromium through
// Playwright. For each size it prints: data-ready → first complete paint,
// frames per second during a scripted 5-second pan/zoom (and the ratio to an
// empty requestAnimationFrame loop measured in the same browser), main-thread
// long tasks during it, and the JS heap in use. Goal at 100 000 events:
// first paint ≤ 1 s, ≥ 50 fps, no long task over 100 ms. No thresholds are
// enforced: this is a measurement, not a test.
//
//   npm run bench:timeline -- [--sizes=1000,10000,100000] [--producers=50] [--seed=1] [--screenshots=DIR]
import { mkdirSync } from "node:fs";
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
  producers: number;
  seed: number;
  screenshots?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes = (get("sizes") ?? "1000,10000,100000").split(",").map((s) => Number.parseInt(s.replace(/_/g, ""), 10));
  if (sizes.some((n) => !(n > 0))) throw new Error("--sizes must be positive integers, e.g. --sizes=1000,10000");
  const args: Args = {
    sizes,
    producers: Number.parseInt(get("producers") ?? "50", 10),
    seed: Number.parseInt(get("seed") ?? "1", 10),
  };
  const shots = get("screenshots");
  if (shots !== undefined) args.screenshots = shots;
  return args;
}

interface Result {
  events: number;
  messages: number;
  firstPaintMs: number;
  fps: number;
  frames: number;
  worstFrameMs: number;
  longTasks: number;
  longestTaskMs: number;
  heapMb: number;
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

/** 5 s of what a user does: wheel-zoom in, drag-pan both ways, scroll the lanes, wheel-zoom out. */
async function panZoom(page: Page): Promise<void> {
  const plot = await page.getByTestId("timeline-plot").boundingBox();
  const scroll = await page.getByTestId("timeline-scroll").boundingBox();
  if (!plot || !scroll) throw new Error("timeline not on screen");
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

async function measure(page: Page, base: string, events: number, args: Args): Promise<Result> {
  await page.goto(`${base}/bench/timeline?events=${events}&producers=${args.producers}&seed=${args.seed}`);
  await page.waitForFunction(() => window.__timelineBench?.painted === true, undefined, { timeout: 180_000 });
  const info = await page.evaluate(() => {
    const m = performance.measure("timeline:first-paint", "timeline:data-ready", "timeline:painted");
    return { firstPaintMs: m.duration, messages: window.__timelineBench?.messages ?? 0 };
  });
  if (args.screenshots) {
    await page.screenshot({ path: join(args.screenshots, `timeline-${events}.png`) });
  }
  await sleep(300);
  await startProbe(page);
  await panZoom(page);
  const p = await stopProbe(page);
  if (args.screenshots) await page.screenshot({ path: join(args.screenshots, `timeline-${events}-after.png`) });
  return {
    events,
    messages: info.messages,
    firstPaintMs: info.firstPaintMs,
    fps: p.fps,
    frames: p.frames,
    worstFrameMs: p.worstFrameMs,
    longTasks: p.long.length,
    longestTaskMs: p.long.length > 0 ? Math.max(...p.long) : 0,
    heapMb: p.heap / 2 ** 20,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const root = fileURLToPath(new URL("..", import.meta.url));
  if (args.screenshots) mkdirSync(args.screenshots, { recursive: true });
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
    args: [...CHROMIUM_ARGS, "--enable-precise-memory-info"],
  });
  try {
    app = await serveApp(root, await freePort(), { SEQSCOPE_NATS_URL: nats.wsUrl, SEQSCOPE_BENCH: "1" });
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
    // tsx compiles with keepNames: functions sent to page.evaluate call an `__name` helper the page lacks.
    await context.addInitScript("globalThis.__name = (f) => f;");
    const page = await context.newPage();
    const baseline = await baselineFps(page);
    console.log(`timeline bench: ${args.producers} producers, seed ${args.seed}, viewport 1280×720, headless Chromium`);
    console.log(`baseline: empty requestAnimationFrame loop runs at ${baseline.toFixed(1)} fps\n`);
    console.log(
      [
        "events".padStart(8),
        "messages".padStart(9),
        "first paint".padStart(12),
        "fps (vs baseline)".padStart(18),
        "worst frame".padStart(12),
        "long tasks".padStart(11),
        "longest".padStart(8),
        "JS heap".padStart(9),
      ].join("  "),
    );
    for (const events of args.sizes) {
      // A fresh page per size, so one size's heap and caches do not bleed into the next.
      const p = await context.newPage();
      const r = await measure(p, app.url, events, args);
      await p.close();
      console.log(
        [
          r.events.toLocaleString("en-US").padStart(8),
          r.messages.toLocaleString("en-US").padStart(9),
          `${r.firstPaintMs.toFixed(0)} ms`.padStart(12),
          `${r.fps.toFixed(1)} (${(r.fps / baseline).toFixed(2)}×)`.padStart(18),
          `${r.worstFrameMs.toFixed(0)} ms`.padStart(12),
          String(r.longTasks).padStart(11),
          (r.longTasks > 0 ? `${r.longestTaskMs.toFixed(0)} ms` : "—").padStart(8),
          `${r.heapMb.toFixed(0)} MB`.padStart(9),
        ].join("  "),
      );
    }
    console.log("\ngoal at 100 000 events: first paint ≤ 1 000 ms, ≥ 50 fps, no long task over 100 ms");
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
