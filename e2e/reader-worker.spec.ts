// Where the tab's live reader runs. By default in a dedicated worker of its own
// (the page's main thread only takes in batches and draws); where no worker can
// start (a policy blocks it, say) the tab reads on the page and its connection
// log says so. Either way every message published while the tab is open reaches
// the log: a lane counts exactly what was published to it. And when the page
// does not take in what the worker posts (a long task, a slow machine), the
// worker stops reading at its backlog's size and resumes once the page took it.
import { expect, test, type Page } from "@playwright/test";
import { connectE2E } from "./nats-admin";
import { AuditPublisher } from "../lib/nats/publish";
import { E2E_SUBJECT } from "./global-setup";

const EVENTS = 120;

/** Publishes one agent's `events` events of a new execution (each with `pad` bytes of detail); returns its id. */
async function publishRun(tag: string, events = EVENTS, pad = 0): Promise<string> {
  const x = `reader-${tag}`;
  const nc = await connectE2E();
  try {
    const pub = new AuditPublisher(nc, E2E_SUBJECT);
    const t0 = Date.now();
    const detail = "x".repeat(pad);
    const line = (i: number) =>
      JSON.stringify({
        ts: new Date(t0 + i).toISOString(),
        event: "tool_exec",
        workflow_execution_id: x,
        correlation_id: `${x}-call`,
        entity_type: "agent",
        entity_id: `agent-${tag}`,
        seq: i,
        ...(pad > 0 ? { detail } : {}),
      });
    // Acked in order within each slice; the slices one after another, so stream order is seq order.
    for (let i = 1; i <= events; i += 200)
      await Promise.all(Array.from({ length: Math.min(200, events - i + 1) }, (_, k) => pub.publish(line(i + k))));
  } finally {
    await nc.close();
  }
  return x;
}

async function expectEveryEvent(page: Page, x: string, events = EVENTS) {
  await page.getByLabel("Search execution id").fill(x);
  await page.getByRole("link", { name: x, exact: true }).click();
  await expect(page.getByTestId("lane")).toHaveCount(1);
  await expect(page.getByTestId("lane").first()).toHaveAttribute("data-event-count", String(events));
}

test("the tab reads the stream in a worker of its own and takes in every message published while open", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  // The list page starts no other worker: this one is the reader.
  expect(page.workers()).toHaveLength(1);
  const x = await publishRun(`w-${Date.now().toString(36)}`);
  await expectEveryEvent(page, x);
  await page.getByTestId("connection-log-button").click();
  await expect(page.getByTestId("connection-log-entry").filter({ hasText: "no reader worker" })).toHaveCount(0);
});

test("where no worker can start, the tab reads on the page, says so, and still takes in every message", async ({
  page,
}) => {
  await page.addInitScript(() => {
    (window as unknown as { Worker: unknown }).Worker = class {
      constructor() {
        throw new Error("workers blocked by this test");
      }
    };
  });
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  expect(page.workers()).toHaveLength(0);
  const x = await publishRun(`p-${Date.now().toString(36)}`);
  await expectEveryEvent(page, x);
  await page.getByTestId("connection-log-button").click();
  await expect(
    page
      .getByTestId("connection-log-entry")
      .filter({ hasText: "no reader worker (workers blocked by this test): reading in the page" }),
  ).toHaveCount(1);
});

/** The worker's backlog (reader.worker.ts, BACKLOG_FULL): payload bytes posted and not yet taken in. */
const BACKLOG_FULL = 8 << 20;

test("a page that takes in nothing: the worker stops at its backlog, and the page gets every message once it does", async ({
  page,
}) => {
  test.setTimeout(90_000);
  // What the worker posts is held back from the page's handler while `hold` is on: a page too busy to take
  // anything in, as the worker sees it (no acknowledgements come).
  await page.addInitScript(() => {
    type Held = { e: MessageEvent; to: (e: MessageEvent) => void };
    const w = window as unknown as {
      __hold: { on: boolean; queue: Held[]; release(): void };
      Worker: typeof Worker;
    };
    const hold = {
      on: false,
      queue: [] as Held[],
      release() {
        hold.on = false;
        for (const h of hold.queue.splice(0)) h.to(h.e);
      },
    };
    w.__hold = hold;
    w.Worker = class extends w.Worker {
      override set onmessage(to: (e: MessageEvent) => void) {
        super.onmessage = (e: MessageEvent) => (hold.on ? hold.queue.push({ e, to }) : to.call(this, e));
      }
      override get onmessage(): ((e: MessageEvent) => void) | null {
        return super.onmessage;
      }
    };
  });
  await page.goto("/");
  const status = page.getByTestId("connection-status");
  await expect(status).toHaveAttribute("data-phase", "live");
  await page.evaluate(() => ((window as unknown as { __hold: { on: boolean } }).__hold.on = true));

  // 6 000 events of about 2 KB: 12 MB, more than the backlog holds.
  const events = 6_000;
  const x = await publishRun(`b-${Date.now().toString(36)}`, events, 2_000);
  // The worker paused: a status saying so is among what it posted.
  const held = () =>
    page.evaluate(() => {
      const q = (window as unknown as { __hold: { queue: { e: MessageEvent }[] } }).__hold.queue;
      type Posted = { type: string; batch?: { count: number; bytes: ArrayBuffer }; status?: { pauses?: number } };
      const posted = q.map((h) => h.e.data as Posted);
      return {
        messages: posted.reduce((n, p) => n + (p.batch?.count ?? 0), 0),
        bytes: posted.reduce((n, p) => n + (p.batch?.bytes.byteLength ?? 0), 0),
        paused: posted.some((p) => (p.status?.pauses ?? 0) > 0),
      };
    });
  await expect.poll(async () => (await held()).paused, { timeout: 30_000, intervals: [100] }).toBe(true);
  const atPause = await held();
  // Stopped at its backlog (plus the one batch it was filling), not at the 12 MB published.
  expect(atPause.messages).toBeLessThan(events);
  expect(atPause.bytes).toBeGreaterThanOrEqual(BACKLOG_FULL);
  expect(atPause.bytes).toBeLessThan(BACKLOG_FULL + 1_000 * 2_300);

  await page.evaluate(() => (window as unknown as { __hold: { release(): void } }).__hold.release());
  await expectEveryEvent(page, x, events);
  await expect(status).toHaveAttribute("data-phase", "live", { timeout: 30_000 });
  expect(Number(await status.getAttribute("data-pauses"))).toBeGreaterThanOrEqual(1);
});
