// A stream with `seqscope indexer` running on it: the list shows every execution of the
// stream, not only those of the history the tab loads (the rest marked "indexed", with their
// counts from the index); a link without its hint, opened fresh, reads just that execution's
// messages through the index; a wrong id still says it is not there. Without an indexer the
// header says the stream is read directly. Real nats-server, real indexer, real app, real Chromium.
import type { Page } from "@playwright/test";
import { finishingAuditLine } from "../lib/nats/fault-testing";
import { expect, readTab, test } from "./fault-fixture";

const row = (page: Page, id: string) => page.locator(`[data-testid=execution-row][data-execution-id="${id}"]`);
/** finishingAuditLine(i): 40 lines per execution (ids wfx-fault-0…99), the 40th its workflow_complete. */
const LINES = 4_000;
/** The tab loads the last 200 lines: executions wfx-fault-95…99. wfx-fault-0 is only in the index. */
const HISTORY = 200;
/** The list holds at most 50 of the index's summaries, the most recently active: wfx-fault-50…99. */
const INDEX_LIST = 50;

test("with an indexer the list reaches every execution of the stream, and a bare link opens through the index", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(180_000);
  const rig = await faultRig({ indexer: true, history: HISTORY, indexList: INDEX_LIST });
  await rig.publisher({ workers: 4, limit: LINES, line: finishingAuditLine }).start().done();
  await expect
    .poll(() => rig.indexCaughtUp(), {
      message: "the indexer's durable consumer has every message of the stream acknowledged",
      timeout: 90_000,
      intervals: [250],
    })
    .toBe(true);

  await page.goto(rig.appUrl);
  await expect
    .poll(() => readTab(page), { timeout: 60_000, intervals: [100] })
    .toMatchObject({ phase: "live", behind: 0, lastSeq: LINES });
  const note = page.getByTestId("index-note");
  await expect(note).toHaveAttribute("data-index", "present", { timeout: 30_000 });
  // The newest 50 of the index (the tab's own 5 among them); the rest stay on the server, and the list says so.
  await expect(note).toHaveText(`index: the ${INDEX_LIST} most recently active executions · links open through it`);
  await expect(page.getByTestId("executions-count")).toHaveText(`${INDEX_LIST} of ${INDEX_LIST}`);
  await expect(page.getByTestId("index-reach")).toContainText("Older ones stay on the server");

  // Far outside the loaded history and the list's 50: found by its exact id on the server, with its exact count.
  const first = row(page, "wfx-fault-0");
  await page.getByLabel("Search execution id").fill("wfx-fault-0");
  await expect(first).toBeVisible();
  await expect(first.getByTestId("execution-indexed")).toBeVisible();
  await expect(first.getByTestId("execution-event-count")).toHaveText("40");
  // One inside the history is the tab's own.
  await page.getByLabel("Search execution id").fill("wfx-fault-99");
  await expect(row(page, "wfx-fault-99")).toBeVisible();
  await expect(row(page, "wfx-fault-99").getByTestId("execution-indexed")).toHaveCount(0);

  // A fresh load of the bare link (no hint): read through the index, every one of its events.
  await page.goto(`${rig.appUrl}/executions/wfx-fault-0`);
  const lanes = page.getByTestId("lane");
  await expect(lanes.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("execution-read-alone")).toBeVisible();
  let drawn = 0;
  for (const lane of await lanes.all()) drawn += Number(await lane.getAttribute("data-event-count"));
  expect(drawn).toBe(40);

  // An id the index does not have is looked for on the stream, and said to be missing.
  await page.goto(`${rig.appUrl}/executions/wfx-no-such-run`);
  const missing = page.getByTestId("execution-missing");
  await expect(missing).toContainText("wfx-no-such-run is not among the", { timeout: 30_000 });
  await expect(missing).toContainText("It may have expired, or the id may be wrong.");
  await expect(page.getByTestId("lane")).toHaveCount(0);
});

test("without an indexer the header says the stream is read directly", async ({ page, faultRig }) => {
  const rig = await faultRig({ history: HISTORY });
  await rig.publisher({ workers: 4, limit: 400, line: finishingAuditLine }).start().done();
  await page.goto(rig.appUrl);
  await expect
    .poll(() => readTab(page), { timeout: 30_000, intervals: [100] })
    .toMatchObject({ phase: "live", behind: 0, lastSeq: 400 });
  const note = page.getByTestId("index-note");
  await expect(note).toHaveAttribute("data-index", "absent", { timeout: 30_000 });
  await expect(note).toHaveText("no index: reading the stream directly");
  // Only the history's executions are listed (the last 200 lines: 5 of the 10).
  await expect(page.getByTestId("executions-count")).toHaveText("5 of 5");
  await expect(page.getByTestId("execution-indexed")).toHaveCount(0);
});
