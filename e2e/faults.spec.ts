// The live view under the faults a real NATS deployment has, in real Chromium against the
// production app and real nats-servers that the tests break: restarts while publishing, the
// stream deleted and recreated, messages expiring while the tab is cut off, a tab hidden
// under load, a cluster node dying under the tab. Ground truth is what the publisher got
// acked and what the stream says about itself (last_seq); each case ends with the tab
// holding exactly that (its header's last seq and received count) and saying so truthfully:
// live, 0 behind. lib/nats/reader-faults.test.ts has the same faults at the Node level.
import { setTimeout as delay } from "node:timers/promises";
import type { Page } from "@playwright/test";
import {
  disconnectsOf,
  expect,
  heapAfterGc,
  readConnectionLog,
  readTab,
  test,
  visibilityOf,
  type TabState,
} from "./fault-fixture";

const row = (page: Page, id: string) => page.locator(`[data-testid=execution-row][data-execution-id="${id}"]`);
/** auditLine(i) puts 40 consecutive lines in each execution. */
const executionOf = (i: number) => `wfx-fault-${Math.floor(i / 40)}`;

/**
 * What the header must say once the tab has lost its server. Not just "not live": under steady
 * publishing the phase flickers between live and loading ("Catching up") with every batch.
 */
const LOST = /^(reconnecting|error|stalled)$/;

/** What the header must end with: live, nothing behind, holding `lastSeq`, having taken in `received`. */
const settled = (lastSeq: number, received: number): TabState => ({ phase: "live", behind: 0, lastSeq, received });

/** Polls until the tab has taken in more than `n` messages past the ones it held when called. */
async function tabAdvances(page: Page, n: number, timeout = 30_000) {
  const before = (await readTab(page)).lastSeq ?? 0;
  await expect
    .poll(async () => (await readTab(page)).lastSeq ?? 0, { timeout, intervals: [50] })
    .toBeGreaterThan(before + n);
}

test("six restarts by SIGTERM and SIGKILL while publishing: the header leaves live each time, the tab ends exact", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(120_000);
  // Downtime from none to 2.5 s; signals alternate so both a graceful and a crashed server are seen.
  const restarts = [
    { signal: "SIGTERM", downMs: 200 },
    { signal: "SIGKILL", downMs: 1_500 },
    { signal: "SIGTERM", downMs: 0 },
    { signal: "SIGKILL", downMs: 2_500 },
    { signal: "SIGTERM", downMs: 800 },
    { signal: "SIGKILL", downMs: 50 },
  ] as const;
  const rig = await faultRig();
  const server = rig.server!;
  await page.goto(rig.appUrl);
  const status = page.getByTestId("connection-status");
  await expect(status).toHaveAttribute("data-phase", "live");

  const pub = rig.publisher({ workers: 4, pauseMs: 4 }).start();
  try {
    for (const r of restarts) {
      await tabAdvances(page, 50);
      await server.kill(r.signal);
      await expect(status).toHaveAttribute("data-phase", LOST);
      if (r.downMs) await delay(r.downMs); // the downtime is the fault itself, not a synchronisation
      await server.start();
    }
    await tabAdvances(page, 200);
    const acked = await pub.stop();
    const { last } = await rig.streamState();
    expect(last).toBe(acked); // the publisher's retries stored nothing twice
    await expect.poll(() => readTab(page), { timeout: 40_000, intervals: [50] }).toEqual(settled(last, acked));
  } finally {
    void pub.stop();
  }

  // Each restart in the log for both of the tab's connections: the reader's (in its worker) and the page's.
  const log = await readConnectionLog(page);
  const pages = (e: { detail: string }) => e.detail.startsWith("the page's connection");
  for (const kind of ["disconnect", "reconnect"]) {
    const of = log.filter((e) => e.kind === kind);
    expect(of.filter((e) => !pages(e)).length, `the reader's ${kind}s`).toBeGreaterThanOrEqual(restarts.length);
    expect(of.filter(pages).length, `the page's ${kind}s`).toBeGreaterThanOrEqual(restarts.length);
  }
});

test("a tab reading on the page (no worker) logs each restart of its one connection once", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(60_000);
  await page.addInitScript(() => {
    (window as unknown as { Worker: unknown }).Worker = class {
      constructor() {
        throw new Error("workers blocked by this test");
      }
    };
  });
  const rig = await faultRig();
  const server = rig.server!;
  await page.goto(rig.appUrl);
  const status = page.getByTestId("connection-status");
  await expect(status).toHaveAttribute("data-phase", "live");
  await rig.publisher({ workers: 1, limit: 40 }).start().done();
  await expect.poll(() => readTab(page), { intervals: [50] }).toEqual(settled(40, 40));
  await server.kill("SIGTERM");
  await expect(status).toHaveAttribute("data-phase", LOST);
  await server.start();
  await rig.publisher({ workers: 1, from: 40, limit: 80 }).start().done();
  await expect.poll(() => readTab(page), { timeout: 30_000, intervals: [50] }).toEqual(settled(80, 80));

  // The reader shares the page's connection: it logs the drop and the return, and nothing logs them twice.
  const log = await readConnectionLog(page);
  for (const kind of ["disconnect", "reconnect"]) {
    const of = log.filter((e) => e.kind === kind);
    expect(of.length, `${kind}s`).toBe(1);
    expect(of[0]?.detail.startsWith("the page's connection"), `${kind}: ${of[0]?.detail}`).toBe(false);
  }
});

test("the stream deleted and recreated: the tab starts a new log with exactly the new stream's messages", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(90_000);
  const rig = await faultRig();
  await page.goto(rig.appUrl);
  const status = page.getByTestId("connection-status");
  await expect(status).toHaveAttribute("data-phase", "live");

  // The old log: executions wfx-fault-0…2 (120 lines).
  await rig.publisher({ workers: 2, limit: 120 }).start().done();
  await expect.poll(() => readTab(page), { intervals: [50] }).toEqual(settled(120, 120));
  for (const i of [0, 40, 80]) await expect(row(page, executionOf(i))).toBeVisible();

  await rig.deleteStream();
  await expect(status).toHaveAttribute("data-phase", "error", { timeout: 30_000 });
  await expect(page.getByTestId("connection-reason")).toContainText("does not exist");

  // The new stream's 80 lines (wfx-fault-25, -26) reuse stream seqs 1…80: they must not pass for redeliveries.
  await rig.createStream();
  await rig.publisher({ workers: 2, from: 1_000, limit: 1_080 }).start().done();
  expect(await rig.streamState()).toEqual({ first: 1, last: 80, messages: 80 });
  await expect.poll(() => readTab(page), { timeout: 30_000, intervals: [50] }).toEqual(settled(80, 80));

  for (const i of [0, 40, 80]) await expect(row(page, executionOf(i))).toHaveCount(0);
  for (const i of [1_000, 1_040]) await expect(row(page, executionOf(i))).toBeVisible();
  await expect(page.getByTestId("executions-count")).toHaveText("2 of 2");
  const notice = page.getByTestId("stream-holes-banner").locator("[data-testid=stream-hole][data-cause=recreated]");
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText("The stream was recreated");
  await expect(notice).toContainText("stream seq 1–120");
});

test("messages expiring under max_msgs while the tab is cut off: an expired hole with the right range, the rest held", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(90_000);
  const rig = await faultRig({ maxMsgs: 200, viaProxy: true });
  const proxy = rig.proxy!;
  await page.goto(rig.appUrl);
  const status = page.getByTestId("connection-status");
  await expect(status).toHaveAttribute("data-phase", "live");

  await rig.publisher({ workers: 2, limit: 200 }).start().done();
  await expect.poll(() => readTab(page), { intervals: [50] }).toEqual(settled(200, 200));

  await proxy.cut();
  await expect(status).toHaveAttribute("data-phase", LOST);
  // 500 more while the tab is away; the stream keeps the newest 200 (seq 501–700).
  await rig.publisher({ workers: 4, from: 200, limit: 700 }).start().done();
  expect(await rig.streamState()).toEqual({ first: 501, last: 700, messages: 200 });
  await proxy.restore();

  // 1–200 from before, 501–700 after: 400 taken in, holding seq 700.
  await expect.poll(() => readTab(page), { timeout: 30_000, intervals: [50] }).toEqual(settled(700, 400));
  const banner = page.getByTestId("stream-holes-banner");
  await expect(banner).toContainText("missing 300 messages this tab never received: 300 expired");
  const hole = banner.locator("[data-testid=stream-hole][data-cause=expired]");
  await expect(hole).toHaveCount(1);
  await expect(hole).toContainText("stream seq 201–500 (300)");
  await expect(hole).toContainText("at most 200 messages");
});

test("a tab hidden for 50 s under load is current within a second of becoming visible, nothing lost, heap bounded", async ({
  faultRig,
  hideableBrowser,
}) => {
  test.setTimeout(150_000);
  const HIDDEN_MS = 50_000;
  const rig = await faultRig();
  const hb = await hideableBrowser();
  const { page, other } = await hb.newTab();
  await page.goto(rig.appUrl);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  const shown = await visibilityOf(page);
  expect(shown.state).toBe("visible");
  expect(shown.frames).toBeGreaterThan(0);
  const heapBefore = await heapAfterGc(hb.context, page);

  const pub = rig.publisher({ workers: 4, pauseMs: 10 }).start();
  let acked: number;
  try {
    // Another tab of the same window in front: this one is hidden for real (no frames, 1 Hz timers).
    await other.bringToFront();
    expect(await visibilityOf(page)).toEqual({ state: "hidden", frames: 0 });
    await delay(HIDDEN_MS); // being hidden under load is the fault itself
    acked = await pub.stop();
  } finally {
    void pub.stop();
  }
  const { last } = await rig.streamState();
  expect(last).toBe(acked);
  expect(acked / (HIDDEN_MS / 1_000)).toBeGreaterThan(100); // it really was under load
  expect((await visibilityOf(page, 50)).state).toBe("hidden");

  const visibleAt = Date.now();
  await page.bringToFront();
  await expect.poll(() => readTab(page), { timeout: 3_000, intervals: [25] }).toEqual(settled(last, acked));
  await expect(row(page, executionOf(acked - 1))).toBeVisible({ timeout: 3_000 });
  const currentAfterMs = Date.now() - visibleAt;
  const back = await visibilityOf(page);
  expect(back.state).toBe("visible");
  expect(back.frames).toBeGreaterThan(0);
  // Throttled timers did not make the reader believe it was starved: no reset loop while hidden.
  const resets = (await readConnectionLog(page)).filter((e) =>
    ["heartbeats_missed", "consumer_recreated", "stalled"].includes(e.kind),
  );
  expect(resets).toEqual([]);

  // The log keeps every message (about 1 KB each with its bytes and columns, see bench:engine);
  // what must not happen is a hidden tab hoarding undelivered batches or leaking per frame.
  const heapAfter = await heapAfterGc(hb.context, page);
  const perMessage = (heapAfter - heapBefore) / acked;
  test.info().annotations.push(
    { type: "published while hidden", description: `${acked} messages in ${HIDDEN_MS / 1_000} s` },
    { type: "current after visible", description: `${currentAfterMs} ms` },
    {
      type: "heap",
      description: `${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapAfter / 2 ** 20).toFixed(1)} MiB, ${Math.round(perMessage)} B/message`,
    },
  );
  expect(perMessage).toBeLessThan(2_048);
});

test("the cluster node the tab is on dies: the tab moves to another node, resumes and ends exact", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(120_000);
  const rig = await faultRig({ cluster: true });
  await page.goto(rig.appUrl);
  const status = page.getByTestId("connection-status");
  await expect(status).toHaveAttribute("data-phase", "live");

  const pub = rig.publisher({ workers: 2, pauseMs: 5 }).start();
  let acked: number;
  // The app lists all three nodes and each of the tab's connections picks one at random: ask the servers
  // which one the reader's is on (the page's may be on another).
  const node = await rig.browserNode();
  expect(node, "one node has the tab's connection").toBeDefined();
  try {
    await tabAdvances(page, 100);
    const before = await disconnectsOf(page);
    await node!.kill("SIGKILL");
    // A failover to another node can be quicker than the header can show "reconnecting": the log records it.
    await expect.poll(() => disconnectsOf(page), { timeout: 20_000 }).toBeGreaterThan(before);
    await tabAdvances(page, 200, 60_000);
    acked = await pub.stop();
  } finally {
    void pub.stop();
  }
  const { last } = await rig.streamState();
  expect(last).toBe(acked);
  await expect.poll(() => readTab(page), { timeout: 40_000, intervals: [50] }).toEqual(settled(last, acked));
  const now = await rig.browserNode();
  expect(now?.serverName).toBeDefined();
  expect(now?.serverName).not.toBe(node!.serverName);
});
