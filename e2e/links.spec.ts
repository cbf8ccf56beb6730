// Shareable links end to end: what one browser sees, a link opens in another,
// fresh one (no shared storage) — same selected event, window, key, order,
// lanes and counts — and a link to an execution that is not there says so.
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { connectE2E } from "./nats-admin";
import type { SimOptionsInput } from "../lib/sim/options";
import { runSimulation } from "../lib/sim/simulator";
import { publishSimulation } from "../scripts/lib/sim-publisher";
import { E2E_SUBJECT } from "./global-setup";

/* One run with agents invoked more than once, so lanes hold several partitions under Forge's key. */
const sim: SimOptionsInput = {
  seed: 3100,
  startMs: Date.now(),
  executions: 1,
  agentScope: "per-invocation",
  orchestratorScope: "per-execution",
  shapes: {
    workflows: 1,
    agents: 2,
    stages: [3, 3],
    parallelism: [1, 2],
    repeatInvocationRate: 0.5,
    failureRate: 0,
    llmCalls: [1, 2],
  },
  faults: { drop: 2 },
};
const executionId = runSimulation(sim).truths[0]!.executionId;
const VIEW_PARAMS = new Set(["key", "order", "win", "sel", "anomaly", "open", "shut", "from", "to"]);

test.beforeAll(async () => {
  const nc = await connectE2E();
  try {
    await publishSimulation(nc, { subject: E2E_SUBJECT, sim, speed: 0, signal: new AbortController().signal });
  } finally {
    await nc.close();
  }
});

/** A fresh browser: its own context, nothing shared with another. */
async function freshPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  return { context, page: await context.newPage() };
}

/** What must be the same on both ends. */
async function viewOf(page: Page) {
  const win = page.getByTestId("minimap-window");
  const lanes = page.getByTestId("lane");
  const expanded: string[] = [];
  for (const lane of await lanes.all()) {
    expanded.push(`${await lane.getAttribute("data-producer-id")}=${await lane.getAttribute("data-expanded")}`);
  }
  return {
    selected: await page.getByTestId("event-detail").getAttribute("data-stream-seq"),
    x0: Number(await win.getAttribute("data-x0")),
    x1: Number(await win.getAttribute("data-x1")),
    fit: await win.getAttribute("data-fit"),
    key: await page.getByTestId("anomaly-summary").getAttribute("data-key"),
    counts: await page.getByTestId("anomaly-summary").textContent(),
    order: await page.locator("[data-testid=order-mode] [aria-checked=true]").getAttribute("data-order"),
    expanded,
  };
}

test("a copied link opens the same view in a fresh browser, and back/forward step through view states", async ({
  browser,
}) => {
  const a = await freshPage(browser);
  const page = a.page;
  await page.goto(`/executions/${executionId}`);
  await expect(page.getByTestId("execution-id")).toHaveText(executionId);

  // Build a view: naive key, by arrival, an event selected, zoomed in around it, one lane collapsed.
  await page.getByTestId("partition-key").selectOption("execution");
  await expect(page.getByTestId("anomaly-summary")).toHaveAttribute("data-key", "execution");
  await page.getByTestId("partition-key").selectOption("invocation");
  await expect(page.getByTestId("anomaly-summary")).toHaveAttribute("data-key", "invocation");
  await page.getByRole("radio", { name: "by arrival" }).click();
  const toggle = page.getByTestId("lane-toggle").first();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await page.getByTestId("timeline-plot").focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("event-detail")).toBeVisible();
  await page.getByTestId("timeline-plot").focus();
  await page.keyboard.press("+");
  await page.keyboard.press("+");
  await expect(page.getByTestId("minimap-window")).toHaveAttribute("data-fit", "false");
  const sent = await viewOf(page);
  expect(sent.selected).not.toBeNull();

  await page.getByTestId("copy-link").click();
  await expect(page.getByTestId("copy-link-done")).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await page.getByTestId("copied-link").getAttribute("data-url"));

  // The link carries view state and the hint, nothing else (no credentials, no server settings).
  const url = new URL(link);
  expect(url.pathname).toBe(`/executions/${executionId}`);
  expect([...url.searchParams.keys()].filter((k) => !VIEW_PARAMS.has(k))).toEqual([]);
  expect(url.username + url.password).toBe("");
  expect(Number(url.searchParams.get("from"))).toBeGreaterThan(0);
  expect(Number(url.searchParams.get("to"))).toBeGreaterThanOrEqual(Number(url.searchParams.get("from")));
  expect(url.searchParams.get("sel")).toBe(sent.selected);

  const b = await freshPage(browser);
  await b.page.goto(link);
  await expect(b.page.getByTestId("execution-id")).toHaveText(executionId);
  await expect(b.page.getByTestId("event-detail")).toHaveAttribute("data-stream-seq", sent.selected!);
  await expect(b.page.getByTestId("anomaly-summary")).toHaveText(sent.counts!);
  const got = await viewOf(b.page);
  expect({ ...got, x0: 0, x1: 0 }).toEqual({ ...sent, x0: 0, x1: 0 });
  const span = sent.x1 - sent.x0;
  expect(Math.abs(got.x0 - sent.x0)).toBeLessThan(span * 1e-3);
  expect(Math.abs(got.x1 - sent.x1)).toBeLessThan(span * 1e-3);
  await test.info().attach("sender", { body: await page.screenshot(), contentType: "image/png" });
  await test.info().attach("receiver", { body: await b.page.screenshot(), contentType: "image/png" });

  // Back and forward move through discrete view states, each with the window it had.
  await b.page.getByTestId("partition-key").selectOption("execution");
  await expect(b.page.getByTestId("anomaly-summary")).toHaveAttribute("data-key", "execution");
  await b.page.goBack();
  await expect(b.page.getByTestId("anomaly-summary")).toHaveAttribute("data-key", "invocation");
  await expect(b.page.getByTestId("event-detail")).toHaveAttribute("data-stream-seq", sent.selected!);
  await b.page.goForward();
  await expect(b.page.getByTestId("anomaly-summary")).toHaveAttribute("data-key", "execution");
  // On the sender's side: back from the zoomed selection reaches the state before it was selected.
  await expect(page).toHaveURL(/[?&]win=/);
  await page.goBack();
  await expect(page.getByTestId("event-detail")).toHaveCount(0);
  await page.goBack();
  await expect(page.getByTestId("lane-toggle").first()).toHaveAttribute("aria-expanded", "true");
  await page.goBack();
  await expect(page.locator("[data-testid=order-mode] [aria-checked=true]")).toHaveAttribute("data-order", "ts");

  await a.context.close();
  await b.context.close();
});

test("a link to an execution that is not on the stream says so, and what was searched", async ({ page }) => {
  await page.goto("/executions/wfx-no-such-run?from=1&to=3&sel=2");
  const missing = page.getByTestId("execution-missing");
  await expect(missing).toContainText("wfx-no-such-run is not among the");
  await expect(missing).toContainText("It may have expired, or the id may be wrong.");
  await expect(page.getByTestId("execution-searched")).toContainText(
    /Searched stream sequences 1–[\d,]+ \(loaded as history\)/,
  );
  await expect(page.getByRole("link", { name: "Search the whole stream" })).toHaveAttribute(
    "href",
    "/executions/wfx-no-such-run",
  );
});
