// `npm run chaos`: a measurement, not a test. Breaks real nats-servers under a real browser
// tab running the production app, the ways a deployment breaks (restarts, a consumer
// deleted, the stream recreated, expiry while the tab is away, a hidden tab, a cluster node
// or the stream leader lost), each scenario repeated with varied timing, and prints per
// scenario what was published, what the stream holds, what the tab holds, what it lost or
// got twice, and how long it took to be caught up again. Exit code 1 if anything was lost
// or doubled (or a repetition never caught up).
//
//   npm run chaos -- [--repeat 3] [--scenarios sigterm,hidden,…]   (--help lists every scenario)
import { setTimeout as delay } from "node:timers/promises";
import { cpus, release } from "node:os";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { natsServerVersion, streamLeader, type RunningNatsServer } from "../lib/node/nats-server";
import type { RetryingPublisher } from "../lib/nats/fault-testing";
import {
  expectedReceived,
  launchHideableBrowser,
  disconnectsOf,
  readConnectionLog,
  readTab,
  startFaultRig,
  visibilityOf,
  type FaultRig,
  type HideableBrowser,
  type RigOptions,
  type StreamState,
  type TabState,
} from "./lib/chaos-rig";
import { command, integer, listOf } from "./lib/cli";
import { buildApp } from "./lib/next-server";

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Run {
  rig: FaultRig;
  page: Page;
  /** The tab's other page in the same window, to hide it behind. */
  other: Page;
  /** The repetition, from 0: picks the varied timing. */
  rep: number;
  /** Starts a publisher of fresh audit lines (unique msgIDs across the scenario). */
  publish(opts?: { workers?: number; pauseMs?: number; limit?: number }): Publishing;
  /**
   * The fault is over (the server is back, the line restored…): the catch-up clock starts.
   * `lastSeq`: the stream's last_seq at that moment, when the scenario knows it better than a
   * question asked afterwards (which may wait out a leader election).
   */
  repaired(lastSeq?: number): void;
  /** The stream started again (recreated): the tab's counts start from zero. */
  restarted(): void;
  /**
   * Waits until the tab holds exactly the stream's end and counts from there: messages the
   * fault is about to make expire were received before it and are not owed again.
   */
  rebase(): Promise<void>;
}

interface Publishing {
  pub: RetryingPublisher;
  /** Unbounded: stops after what is in flight is acked. With a limit: resolves once all are acked. */
  stop(): Promise<number>;
}

interface Scenario {
  id: string;
  title: string;
  rig: RigOptions;
  /** What "repaired" means here: the moment the catch-up time is counted from. */
  t0: string;
  /**
   * What the tab must hold to count as caught up, besides saying live with 0 behind:
   * "at-t0": the stream's last_seq at t0 (the tab lost its connection, so it cannot say live
   * before it has really resumed); "after-t0": a message the stream stored after t0 (the
   * connection may have survived, so only new messages prove the flow resumed); with no
   * publisher left running both are the stream's final last_seq.
   */
  target: "at-t0" | "after-t0";
  /** Publishes while it breaks something, calls repaired(), and returns the publishing it left running. */
  fault(run: Run): Promise<Publishing | undefined>;
  /** Brings the rig back to full strength for the next repetition (a killed cluster node restarted). */
  heal?(run: Run): Promise<void>;
}

/** Downtimes in ms, per repetition: none, short, longer than the client's reconnect wait. */
const pick = <T>(xs: readonly T[], rep: number): T => xs[rep % xs.length]!;

/** Publishes until the tab has taken in `n` more messages, so the fault hits a flowing stream. */
async function flowing(run: Run, n = 100): Promise<Publishing> {
  const p = run.publish({ workers: 2, pauseMs: 5 });
  const before = (await readTab(run.page)).lastSeq ?? 0;
  await until(`the tab takes in ${n} messages`, async () => ((await readTab(run.page)).lastSeq ?? 0) > before + n);
  return p;
}

/** Publishes `n` lines and waits until the tab holds them: what the fault then takes away or makes old. */
async function oldLog(run: Run, n: number) {
  await run.publish({ workers: 2, limit: n }).stop();
  await run.rebase();
}

/** The header says the tab lost its server (not just "not live": under load it flickers to loading). */
async function leavesLive(page: Page, timeoutMs = 20_000) {
  const lost = ["reconnecting", "error", "stalled"];
  await until("the header says the server is lost", async () => lost.includes((await readTab(page)).phase), timeoutMs);
}

function restartScenario(id: string, signal: "SIGTERM" | "SIGKILL", downs: number[]): Scenario {
  return {
    id,
    title: `restart by ${signal}`,
    rig: {},
    t0: "server ready again",
    target: "at-t0",
    fault: async (run) => {
      const p = await flowing(run);
      await run.rig.server!.kill(signal);
      await leavesLive(run.page);
      const down = pick(downs, run.rep);
      if (down) await delay(down);
      await run.rig.server!.start();
      run.repaired();
      return p;
    },
  };
}

const SCENARIOS: Scenario[] = [
  restartScenario("sigterm", "SIGTERM", [0, 1_000, 2_500]),
  restartScenario("sigkill", "SIGKILL", [500, 0, 2_000]),
  {
    id: "consumer",
    title: "consumer deleted under the tab",
    rig: {},
    t0: "every consumer deleted",
    target: "after-t0",
    fault: async (run) => {
      const p = await flowing(run, pick([100, 400, 1_000], run.rep));
      const n = await run.rig.deleteConsumers();
      if (n === 0) throw new Error("the stream had no consumer to delete");
      run.repaired();
      return p;
    },
  },
  {
    id: "recreate",
    title: "stream deleted and recreated",
    rig: {},
    t0: "stream created again, new messages published",
    target: "at-t0",
    fault: async (run) => {
      await oldLog(run, 100);
      await run.rig.deleteStream();
      await until("the header says error", async () => (await readTab(run.page)).phase === "error");
      const gap = pick([0, 1_000, 3_000], run.rep);
      if (gap) await delay(gap); // how long the stream stays missing is part of the fault
      await run.rig.createStream();
      run.restarted();
      const p = run.publish({ workers: 2, limit: pick([60, 200, 500], run.rep) });
      await p.stop();
      run.repaired();
      return undefined;
    },
  },
  {
    id: "expiry",
    title: "expiry under max_msgs while cut off",
    rig: { maxMsgs: 200, viaProxy: true },
    t0: "network line restored",
    target: "at-t0",
    fault: async (run) => {
      await oldLog(run, 50);
      await run.rig.proxy!.cut();
      await leavesLive(run.page);
      // More than the limit while the tab is away: the oldest of them expire unread.
      const p = run.publish({ workers: 4, limit: pick([300, 500, 800], run.rep) });
      await p.stop();
      await run.rig.proxy!.restore();
      run.repaired();
      return undefined;
    },
  },
  {
    id: "hidden",
    title: "hidden tab under load",
    rig: {},
    t0: "tab visible again (publishing stopped just before)",
    target: "at-t0",
    fault: async (run) => {
      const p = run.publish({ workers: 4, pauseMs: 10 });
      await run.other.bringToFront();
      const v = await visibilityOf(run.page);
      if (v.state !== "hidden" || v.frames !== 0) throw new Error(`the tab is not hidden: ${JSON.stringify(v)}`);
      await delay(pick([15_000, 25_000, 35_000], run.rep)); // hidden under load is the fault
      await p.stop();
      await run.page.bringToFront();
      run.repaired();
      return undefined;
    },
  },
  {
    id: "cluster-node",
    title: "cluster: the tab's node killed",
    rig: { cluster: true },
    t0: "node killed (nothing is repaired: the tab must move on; last_seq taken just before)",
    target: "at-t0",
    fault: async (run) => {
      const p = await flowing(run);
      const node = await run.rig.browserNode();
      if (!node) throw new Error("no node has the tab's connection");
      const { last } = await run.rig.streamStateNow();
      const acked = p.pub.acked;
      const before = await disconnectsOf(run.page);
      await node.kill("SIGKILL");
      // Each ack is one new stream seq: what was stored between the question and the kill.
      run.repaired(last + p.pub.acked - acked);
      // The clock runs from the kill; the count starts once the tab has noticed it (its log says so:
      // a failover to another node can be quicker than the header can show "reconnecting").
      await until("the tab records the disconnect", async () => (await disconnectsOf(run.page)) > before, 20_000);
      return p;
    },
    heal: healCluster,
  },
  {
    id: "cluster-leader",
    title: "cluster: stream leader killed",
    rig: { cluster: true },
    t0: "leader killed (nothing is repaired: a new leader must take over; the first message after it needs that leader)",
    target: "after-t0",
    fault: async (run) => {
      const p = await flowing(run);
      const leader = await streamLeader(run.rig.admin, run.rig.stream);
      const node = run.rig.cluster!.nodes.find((n) => n.serverName === leader);
      if (!node) throw new Error(`stream leader ${leader} is not a node of the cluster`);
      const { last } = await run.rig.streamStateNow();
      const acked = p.pub.acked;
      await node.kill("SIGKILL");
      // Each ack is one new stream seq: what was stored between the question and the kill.
      run.repaired(last + p.pub.acked - acked);
      return p;
    },
    heal: healCluster,
  },
];

async function healCluster(run: Run) {
  const cluster = run.rig.cluster!;
  const down = cluster.nodes.filter((n: RunningNatsServer) => !n.running);
  for (const n of down) await n.start();
  await cluster.waitForJetStream();
}

// ---------------------------------------------------------------------------------------------
// Measuring

const CATCH_UP_TIMEOUT_MS = 60_000;

async function until(what: string, pred: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await delay(25);
  }
}

interface RepResult {
  published: number;
  catchUpMs: number | undefined;
  /** From t0 to the first message JetStream acked after it (scenarios that keep publishing). */
  firstAckMs?: number;
  lost: number;
  duplicated: number;
  error?: string;
}

interface ScenarioResult {
  scenario: Scenario;
  reps: RepResult[];
  stream?: StreamState;
  tab?: TabState;
  error?: string;
}

/** Resolves after the visible page has drawn two more frames. */
async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok()))));
}

/** The tab holds exactly the (fixed) stream's end and says live: returns both, or throws after the timeout. */
async function settle(rig: FaultRig, page: Page, timeoutMs = CATCH_UP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stream = await rig.streamState();
    let tab = await readTab(page);
    if (tab.phase === "live" && tab.behind === 0 && tab.lastSeq === stream.last) {
      // A phase change reaches the header at once, the messages that came with it at the next
      // frame (lib/live/audit-feed.ts): count what the tab received after that frame.
      await nextFrames(page);
      tab = await readTab(page);
      if (tab.phase === "live" && tab.behind === 0 && tab.lastSeq === stream.last) return { stream, tab };
    }
    if (Date.now() > deadline)
      throw Object.assign(new Error(`not caught up in ${timeoutMs / 1000} s: tab ${JSON.stringify(tab)}`), {
        stream,
        tab,
      });
    await delay(25);
  }
}

async function runScenario(s: Scenario, repeat: number, hb: HideableBrowser): Promise<ScenarioResult> {
  const result: ScenarioResult = { scenario: s, reps: [] };
  const rig = await startFaultRig(s.rig);
  live.add(rig);
  const { page, other } = await hb.newTab();
  let nextLine = 0;
  try {
    await page.goto(rig.appUrl);
    await until("the tab is live", async () => (await readTab(page)).phase === "live", 60_000);
    for (let rep = 0; rep < repeat; rep++) {
      // Each repetition starts from a tab that holds exactly the stream's end.
      const before = await settle(rig, page);
      let base = { received: before.tab.received ?? 0, held: before.tab.lastSeq ?? 0 };
      let published = 0;
      let repairedAt: number | undefined;
      let lastAtRepair: number | undefined;
      let ackedAtRepair: number | undefined;
      const pubs: (Publishing & { done: boolean })[] = [];
      const run: Run = {
        rig,
        page,
        other,
        rep,
        publish: (o = {}) => {
          if (pubs.some((p) => !p.done))
            throw new Error("one publisher at a time (their msgIDs come from one counter)");
          const from = nextLine;
          const limit = o.limit === undefined ? undefined : from + o.limit;
          const pub = rig.publisher({ workers: o.workers ?? 2, pauseMs: o.pauseMs, from, limit }).start();
          let stopped: Promise<number> | undefined;
          const p: Publishing & { done: boolean } = {
            pub,
            done: false,
            // A stopped publisher used exactly the lines from…from + acked - 1; a bounded one runs to its limit.
            stop: () =>
              (stopped ??= (limit === undefined ? pub.stop() : pub.done()).then((n) => {
                published += n;
                nextLine = from + n;
                p.done = true;
                return n;
              })),
          };
          pubs.push(p);
          return p;
        },
        repaired: (lastSeq) => {
          repairedAt = Date.now();
          lastAtRepair = lastSeq;
          ackedAtRepair = pubs.find((p) => !p.done)?.pub.acked;
        },
        restarted: () => {
          base = { received: 0, held: 0 };
        },
        rebase: async () => {
          const now = await settle(rig, page);
          base = { received: now.tab.received ?? 0, held: now.tab.lastSeq ?? 0 };
        },
      };
      const rr: RepResult = { published: 0, catchUpMs: undefined, lost: 0, duplicated: 0 };
      try {
        const running = await s.fault(run);
        if (repairedAt === undefined) throw new Error("the scenario never said the fault was repaired");
        // Caught up = live, 0 behind, holding what the stream held when the fault was repaired, or
        // one message more (see Scenario.target); a publisher that keeps running adds more after that.
        const target =
          (lastAtRepair ?? (await rig.streamStateNow()).last) + (s.target === "after-t0" && running ? 1 : 0);
        const deadline = repairedAt + CATCH_UP_TIMEOUT_MS;
        // Also when the stream took a message again: what the tab's catch-up cannot beat after a leader loss.
        const acking = running && ackedAtRepair !== undefined ? running.pub : undefined;
        while (rr.catchUpMs === undefined || (acking && rr.firstAckMs === undefined)) {
          if (acking && rr.firstAckMs === undefined && acking.acked > ackedAtRepair!)
            rr.firstAckMs = Date.now() - repairedAt;
          const tab = await readTab(page);
          if (rr.catchUpMs === undefined && tab.phase === "live" && tab.behind === 0 && (tab.lastSeq ?? 0) >= target)
            rr.catchUpMs = Date.now() - repairedAt;
          if (Date.now() > deadline)
            throw new Error(`not caught up ${CATCH_UP_TIMEOUT_MS / 1000} s after the fault: ${JSON.stringify(tab)}`);
          await delay(10);
        }
        await running?.stop();
      } catch (e) {
        rr.error = e instanceof Error ? e.message : String(e);
      } finally {
        // A publisher can only finish once the servers take messages again; do not wait forever.
        await Promise.race([Promise.all(pubs.map((p) => p.stop())), delay(CATCH_UP_TIMEOUT_MS)]);
      }
      rr.published = published;
      // The count: what the stream has after the held seq the repetition began with, against what the tab took in.
      let after: { stream: StreamState; tab: TabState };
      try {
        after = await settle(rig, page);
      } catch (e) {
        const x = e as Error & { stream?: StreamState; tab?: TabState };
        rr.error ??= x.message;
        if (!x.stream || !x.tab) throw e;
        after = { stream: x.stream, tab: x.tab };
      }
      const expected = expectedReceived(base, after.stream);
      const received = after.tab.received ?? 0;
      rr.lost = Math.max(0, expected - received, after.stream.last - (after.tab.lastSeq ?? 0));
      rr.duplicated = Math.max(0, received - expected);
      if (rr.lost > 0 || rr.duplicated > 0) await explain(page, base, after);
      result.reps.push(rr);
      result.stream = after.stream;
      result.tab = after.tab;
      const ack = rr.firstAckMs === undefined ? "" : ` (first ack after t0: ${rr.firstAckMs} ms)`;
      console.error(
        `  ${s.id} #${rep + 1}: published ${rr.published}, caught up ${ms(rr.catchUpMs)}${ack}, lost ${rr.lost}, duplicated ${rr.duplicated}${rr.error ? `, ${rr.error}` : ""}`,
      );
      if (s.heal) await s.heal(run);
    }
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    console.error(`  ${s.id}: ${result.error}`);
  } finally {
    await page.close().catch(() => undefined);
    await other.close().catch(() => undefined);
    await rig.stop();
    live.delete(rig);
  }
  return result;
}

/** What the tab itself says about a miscount: its holes banner and the newest of its connection log. */
async function explain(
  page: Page,
  base: { received: number; held: number },
  after: { stream: StreamState; tab: TabState },
) {
  const banner = page.getByTestId("stream-holes-banner");
  const holes = (await banner.count()) ? await banner.textContent() : "no holes banner";
  const log = (await readConnectionLog(page)).slice(0, 25);
  console.error(
    `    began at received ${base.received}, held ${base.held}; ended with stream ${JSON.stringify(after.stream)}, tab ${JSON.stringify(after.tab)}\n` +
      `    holes: ${holes}\n` +
      log.map((e) => `    log: ${e.kind} ${e.detail}`).join("\n"),
  );
}

// ---------------------------------------------------------------------------------------------
// Reporting

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

const nf = (n: number | undefined) => (n === undefined ? "—" : n.toLocaleString("en-US"));
const ms = (n: number | undefined) => (n === undefined ? "—" : `${Math.round(n).toLocaleString("en-US")} ms`);

function table(results: ScenarioResult[]): string {
  const head = [
    "scenario",
    "runs",
    "published",
    "stream last/msgs",
    "held",
    "received",
    "lost",
    "dup",
    "caught up: median",
    "worst",
    "first ack: median",
  ];
  const rows = results.map((r) => {
    const times = r.reps.map((x) => x.catchUpMs).filter((x): x is number => x !== undefined);
    const failed = r.reps.filter((x) => x.catchUpMs === undefined).length + (r.error ? 1 : 0);
    return [
      r.scenario.title,
      `${r.reps.length}${failed ? ` (${failed} failed)` : ""}`,
      nf(r.reps.reduce((n, x) => n + x.published, 0)),
      r.stream ? `${nf(r.stream.last)} / ${nf(r.stream.messages)}` : "—",
      nf(r.tab?.lastSeq),
      nf(r.tab?.received),
      nf(r.reps.reduce((n, x) => n + x.lost, 0)),
      nf(r.reps.reduce((n, x) => n + x.duplicated, 0)),
      ms(median(times)),
      ms(times.length ? Math.max(...times) : undefined),
      ms(median(r.reps.map((x) => x.firstAckMs).filter((x): x is number => x !== undefined))),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  const rule =
    "|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(head), rule, ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every process this run started goes, on success, failure, Ctrl-C or SIGTERM.

const live = new Set<FaultRig>();
let browser: HideableBrowser | undefined;

async function cleanUp() {
  await Promise.all([...live].map((r) => r.stop().catch(() => undefined)));
  live.clear();
  await browser?.close().catch(() => undefined);
  browser = undefined;
}

process.on("exit", () => {
  // Last resort (an exit with cleanup still pending): nothing may outlive the script.
  const pids = [...[...live].flatMap((r) => r.pids()), ...(browser?.pid ? [browser.pid] : [])];
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping every server, app and browser this run started…`);
    const hard = setTimeout(() => process.exit(130), 15_000);
    void cleanUp().finally(() => {
      clearTimeout(hard);
      process.exit(130);
    });
  });
}

// ---------------------------------------------------------------------------------------------

const ids = SCENARIOS.map((s) => s.id);
const flags = command(
  "chaos",
  "Breaks real nats-servers under a real browser tab running the production app, each scenario repeated " +
    "with varied timing, and prints what was published, held, lost or doubled and how long the tab took to " +
    "catch up.",
)
  .option("--repeat <n>", "repetitions of each scenario", integer({ min: 1 }), 3)
  .option("--scenarios <ids>", "comma-separated scenarios to run (default: all)", listOf(ids))
  .addHelpText(
    "after",
    `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.id.padEnd(15)} ${s.title}`).join("\n")}\n\n` +
      "Exit status: 0 nothing lost or doubled, 1 something lost, doubled or never caught up (or a setup failure), " +
      "2 bad option.",
  )
  .parse()
  .opts<{ repeat: number; scenarios?: string[] }>();

async function main() {
  const { repeat, scenarios: wanted } = flags;
  const chosen = wanted ? SCENARIOS.filter((s) => wanted.includes(s.id)) : SCENARIOS;

  const root = fileURLToPath(new URL("..", import.meta.url));
  if (!buildApp(root, (s) => console.error(s))) throw new Error("next build failed");
  browser = await launchHideableBrowser();

  const started = Date.now();
  const results: ScenarioResult[] = [];
  for (const s of chosen) {
    console.error(`${s.title} (${repeat}×)…`);
    results.push(await runScenario(s, repeat, browser));
  }
  const chromium = browser.browser.version();
  await cleanUp();

  console.log(`command: tsx scripts/chaos.ts ${process.argv.slice(2).join(" ")}`.trimEnd());
  console.log(
    `nats-server ${natsServerVersion()}, node ${process.version}, Chromium ${chromium} (headless, Playwright over CDP), ` +
      `${cpus().length} cores, Linux ${release()}; ${repeat} repetition(s) per scenario, ${Math.round((Date.now() - started) / 1000)} s in all`,
  );
  console.log("");
  console.log(table(results));
  console.log("");
  console.log(
    "published: acked by JetStream (retried with a msgID until acked). stream: last_seq / messages at the end. held: the tab's\n" +
      'data-last-seq; received: the header\'s "N messages held" (since the stream was last created). lost: stream messages\n' +
      "after each repetition's start that the tab lacks; dup: received beyond them (net counts from the header: a loss and a\n" +
      "duplicate in the same repetition would cancel out; the tab's reader hands over each stream seq once by construction).\n" +
      "caught up: from the fault's t0 to the header saying live, 0 behind, holding at least the stream's last_seq at t0\n" +
      "(when the tab's connection may have survived the fault and a publisher keeps running: holding a message stored after t0).\n" +
      "first ack: from t0 to the first message JetStream acked after it, where a publisher kept running (its TCP client\n" +
      "waits 2 s before it reconnects, so after a restart this is the publisher's delay, not the stream's).",
  );
  for (const s of chosen) console.log(`  t0 for ${s.title}: ${s.t0}`);
  const bad = results.some(
    (r) => r.error || r.reps.some((x) => x.lost > 0 || x.duplicated > 0 || x.catchUpMs === undefined || x.error),
  );
  const errors = results.flatMap((r) => [
    ...(r.error ? [`${r.scenario.id}: ${r.error}`] : []),
    ...r.reps.flatMap((x, i) => (x.error ? [`${r.scenario.id} #${i + 1}: ${x.error}`] : [])),
  ]);
  if (errors.length) console.log(`\nproblems:\n${errors.map((e) => `  ${e}`).join("\n")}`);
  return bad ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    await cleanUp();
    process.exit(1);
  },
);
