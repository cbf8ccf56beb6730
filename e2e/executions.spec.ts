// The walking skeleton end to end: a real nats-server, the demo producers
// publishing, the production app in real Chromium. Expected lane counts are
// computed from what the producers actually published, not hard-coded.
import { expect, test } from "@playwright/test";
import { connectNode } from "../lib/nats/node-connection";
import { AuditPublisher } from "../lib/nats/publish";
import { publishDemo } from "../scripts/lib/demo-publisher";
import type { DemoRun } from "../lib/sim/demo-runs";
import { E2E_SUBJECT } from "./global-setup";

async function publish(
  seed: number,
  executions: number,
  faults = { dropRate: 0, duplicateRate: 0 },
): Promise<DemoRun[]> {
  const nc = await connectNode(process.env.SEQSCOPE_E2E_NATS_URL!);
  try {
    return await publishDemo(nc, {
      subject: E2E_SUBJECT,
      rate: 100,
      seed,
      executions,
      speed: 0,
      signal: new AbortController().signal,
      ...faults,
    });
  } finally {
    await nc.close();
  }
}

/** Distinct events per producer, as a consumer should count them (a duplicate is not a second event). */
function expectedLaneCounts(run: DemoRun): Map<string, number> {
  const distinct = new Map<string, Set<string>>();
  for (const e of run.events) {
    const set = distinct.get(e.producer) ?? new Set<string>();
    set.add(JSON.stringify(e.wire));
    distinct.set(e.producer, set);
  }
  return new Map([...distinct].map(([p, s]) => [p, s.size]));
}

test("executions appear live and each opens with one lane per producer and the right counts", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");

  // Published after the page is open: they can only appear by following the stream live.
  const runs = await publish(42, 3, { dropRate: 0.1, duplicateRate: 0.1 });
  for (const run of runs) {
    await expect(page.locator(`[data-testid=execution-row][data-execution-id="${run.executionId}"]`)).toBeVisible();
  }

  const run = runs[1]!;
  await page.getByRole("link", { name: run.executionId }).click();
  await expect(page).toHaveURL(new RegExp(`/executions/${run.executionId}$`));
  await expect(page.getByTestId("execution-id")).toHaveText(run.executionId);

  const expected = expectedLaneCounts(run);
  expect(expected.size).toBe(3); // the orchestrator and two agents
  const lanes = page.getByTestId("lane");
  await expect(lanes).toHaveCount(expected.size);
  // The orchestrator's lane comes first.
  await expect(lanes.first()).toHaveAttribute("data-producer-id", `workflow:${run.executionId}`);
  for (const [producer, count] of expected) {
    const lane = page.locator(`[data-testid=lane][data-producer-id="${producer}"]`);
    await expect(lane).toHaveAttribute("data-event-count", String(count));
    await expect(lane.getByTestId("event-mark")).toHaveCount(count);
  }
  await test.info().attach("execution", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
});

test("history is loaded on open, and a malformed message is shown with its reason and bytes", async ({ page }) => {
  const [run] = await publish(7, 1);
  const nc = await connectNode(process.env.SEQSCOPE_E2E_NATS_URL!);
  await new AuditPublisher(nc, E2E_SUBJECT).publish(`{"ts":"2026-11-24T10:00:00Z","event":"tool_exec","seq":"3"}`);
  await nc.close();

  // Everything was published before the page existed: it must come from history.
  await page.goto("/");
  await expect(page.locator(`[data-testid=execution-row][data-execution-id="${run!.executionId}"]`)).toBeVisible();
  const malformed = page.getByTestId("malformed-list");
  await malformed.locator("summary").click();
  await expect(malformed).toContainText("seq must be a positive integer");
  await expect(malformed).toContainText(`"seq":"3"`);
});

test("an execution id that is not on the stream says so", async ({ page }) => {
  await page.goto("/executions/wfx-does-not-exist");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await expect(page.getByTestId("execution-missing")).toContainText("is not among the");
});
