// The walking skeleton end to end: a real nats-server, the demo producers
// publishing, the production app in real Chromium. Expected lane counts are
// computed from what the producers actually published, not hard-coded.
import { expect, test } from "@playwright/test";
import { connectE2E } from "./nats-admin";
import { AuditPublisher } from "../lib/nats/publish";
import { publishSimulation } from "../scripts/lib/sim-publisher";
import type { SimOptionsInput } from "../lib/sim/options";
import type { TruthRecord } from "../lib/sim/truth";
import { E2E_SUBJECT } from "./global-setup";

/** Publishes a seeded simulation (as fast as acks allow) and returns its ground truth. */
async function publish(seed: number, executions: number, sim: SimOptionsInput = {}): Promise<TruthRecord[]> {
  const nc = await connectE2E();
  const truths: TruthRecord[] = [];
  try {
    await publishSimulation(nc, {
      subject: E2E_SUBJECT,
      sim: { seed, executions, startMs: Date.now(), ...sim },
      speed: 0,
      signal: new AbortController().signal,
      onExecutionDone: (t) => truths.push(t),
    });
  } finally {
    await nc.close();
  }
  return truths;
}

/** Distinct well-formed events per producer that reached the stream: what a lane must count (a duplicate is not a second event). */
function expectedLaneCounts(truth: TruthRecord): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of truth.events) {
    if (e.published.length === 0 || e.fate === "malformed") continue;
    counts.set(e.producer, (counts.get(e.producer) ?? 0) + 1);
  }
  return counts;
}

test("executions appear live and each opens with one lane per producer and the right counts", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");

  // Published after the page is open: they can only appear by following the stream live.
  const runs = await publish(42, 3, { faults: { drop: 0.05, duplicate: 0.05 } });
  for (const run of runs) {
    await expect(page.locator(`[data-testid=execution-row][data-execution-id="${run.executionId}"]`)).toBeVisible();
  }

  const run = runs[1]!;
  await page.getByRole("link", { name: run.executionId }).click();
  await expect(page).toHaveURL(new RegExp(`/executions/${run.executionId}$`));
  await expect(page.getByTestId("execution-id")).toHaveText(run.executionId);

  const expected = expectedLaneCounts(run);
  expect(expected.size).toBe(new Set(run.producers.map((p) => p.producer)).size);
  expect(expected.size).toBeGreaterThanOrEqual(3); // the orchestrator and at least two agents
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
  const nc = await connectE2E();
  await new AuditPublisher(nc, E2E_SUBJECT).publish(`{"ts":"2026-11-24T10:00:00Z","event":"tool_exec","seq":"3"}`);
  await nc.close();

  // Everything was published before the page existed: it must come from history.
  await page.goto("/");
  await expect(page.locator(`[data-testid=execution-row][data-execution-id="${run!.executionId}"]`)).toBeVisible();
  // The header tells how much the stream holds, so a truncated history is visible.
  await expect(page.getByTestId("stream-info")).toContainText(/stream holds [\d,]+ messages/);
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
