// Where the tab's live reader runs. By default in a dedicated worker of its own
// (the page's main thread only takes in batches and draws); where no worker can
// start (a policy blocks it, say) the tab reads on the page and its connection
// log says so. Either way every message published while the tab is open reaches
// the log: a lane counts exactly what was published to it.
import { expect, test, type Page } from "@playwright/test";
import { connectE2E } from "./nats-admin";
import { AuditPublisher } from "../lib/nats/publish";
import { E2E_SUBJECT } from "./global-setup";

const EVENTS = 120;

/** Publishes one agent's `EVENTS` events of a new execution; returns its id. */
async function publishRun(tag: string): Promise<string> {
  const x = `reader-${tag}`;
  const nc = await connectE2E();
  try {
    const pub = new AuditPublisher(nc, E2E_SUBJECT);
    const t0 = Date.now();
    for (let i = 1; i <= EVENTS; i++) {
      await pub.publish(
        JSON.stringify({
          ts: new Date(t0 + i).toISOString(),
          event: "tool_exec",
          workflow_execution_id: x,
          correlation_id: `${x}-call`,
          entity_type: "agent",
          entity_id: `agent-${tag}`,
          seq: i,
        }),
      );
    }
  } finally {
    await nc.close();
  }
  return x;
}

async function expectEveryEvent(page: Page, x: string) {
  await page.getByLabel("Search execution id").fill(x);
  await page.getByRole("link", { name: x, exact: true }).click();
  await expect(page.getByTestId("lane")).toHaveCount(1);
  await expect(page.getByTestId("lane").first()).toHaveAttribute("data-event-count", String(EVENTS));
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
