// A tab under a memory budget (SEQSCOPE_MEMORY_MIB): finished executions are let go
// oldest first and stay listed as summaries with exact counts; the header says what
// was let go; opening one (in the same tab) reads it again from the stream and shows
// every one of its events. Real nats-server, real app, real Chromium.
import type { Page } from "@playwright/test";
import { auditLine, finishingAuditLine } from "../lib/nats/fault-testing";
import { expect, readTab, test } from "./fault-fixture";

const row = (page: Page, id: string) => page.locator(`[data-testid=execution-row][data-execution-id="${id}"]`);
/** finishingAuditLine(i): 40 lines per execution, the 40th its workflow_complete. */
const LINES = 4_000;
const EXECUTIONS = LINES / 40;

test("past its memory budget the tab keeps every execution listed, and an evicted one opens complete", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(120_000);
  // 1 MiB: a few hundred of these small lines fit; 4 000 do not.
  const rig = await faultRig({ memoryMib: 1 });
  await rig.publisher({ workers: 4, limit: LINES, line: finishingAuditLine }).start().done();
  await page.goto(rig.appUrl);
  await expect
    .poll(() => readTab(page), { timeout: 60_000, intervals: [100] })
    .toMatchObject({ phase: "live", behind: 0, lastSeq: LINES });

  const note = page.getByTestId("memory-note");
  await expect(note).toContainText(/holding the newest [\d,.]+ k? ?messages; [\d,]+ older executions as summaries/);
  const held = Number(/newest ([\d,]+) messages/.exec((await note.textContent()) ?? "")?.[1]?.replace(/,/g, ""));
  expect(held).toBeLessThan(LINES);
  // Every execution is still listed, each with its exact event count, summary or not.
  await expect(page.getByTestId("executions-count")).toHaveText(`${EXECUTIONS} of ${EXECUTIONS}`);
  const first = row(page, "wfx-fault-0");
  await page.getByLabel("Search execution id").fill("wfx-fault-0");
  await expect(first).toBeVisible();
  await expect(first.getByTestId("execution-evicted")).toBeVisible();
  await expect(first.getByTestId("execution-event-count")).toHaveText("40");

  // Open it in this tab (client navigation keeps the tab's log): it is read again.
  await first.getByRole("link", { name: "wfx-fault-0", exact: true }).click();
  const lanes = page.getByTestId("lane");
  await expect(lanes.first()).toBeVisible({ timeout: 30_000 });
  let drawn = 0;
  for (const lane of await lanes.all()) drawn += Number(await lane.getAttribute("data-event-count"));
  expect(drawn).toBe(40);
  await expect(page.getByTestId("execution-restore-missing")).toHaveCount(0);

  // Back on the list it is held again while nothing else was added; counts unchanged.
  await page.goBack();
  await page.getByLabel("Search execution id").fill("wfx-fault-0");
  await expect(first.getByTestId("execution-event-count")).toHaveText("40");
  await expect(page.getByTestId("executions-count")).toHaveText(`1 of ${EXECUTIONS}`);
});

/** 4 lines a run, the 4th its workflow_complete: many small runs, so their summaries fill the budget. */
function smallRunLine(i: number): string {
  const o = JSON.parse(auditLine(i, `wfx-fold-${Math.floor(i / 4)}`)) as Record<string, unknown>;
  return JSON.stringify({ ...o, seq: (i % 4) + 1, event: i % 4 === 3 ? "workflow_complete" : "tool_exec" });
}

test("past the summaries' share of the budget the oldest are only counted, and one opens by its id", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(120_000);
  const runs = 700; // past the 500 summaries a tab always keeps listed
  const rig = await faultRig({ memoryMib: 1 });
  await rig
    .publisher({ workers: 4, limit: runs * 4, line: smallRunLine })
    .start()
    .done();
  await page.goto(rig.appUrl);
  await expect
    .poll(() => readTab(page), { timeout: 60_000, intervals: [100] })
    .toMatchObject({ phase: "live", behind: 0, lastSeq: runs * 4 });

  const foldedNote = page.getByTestId("folded-note");
  await expect(foldedNote).toBeVisible();
  // Listed and only counted add up to every run (both follow the log within a second).
  const counted = async () => {
    const folded = Number(await foldedNote.getAttribute("data-count"));
    const text = (await page.getByTestId("executions-count").textContent()) ?? "";
    return { folded, sum: folded + Number(/of ([\d,]+)/.exec(text)?.[1]?.replace(/,/g, "")) };
  };
  await expect.poll(async () => (await counted()).sum, { timeout: 10_000 }).toBe(runs);
  const { folded } = await counted();
  expect(folded).toBeGreaterThan(0);
  // Every event still counted, listed or not.
  await expect(page.getByTestId("events-in-executions")).toHaveAttribute("data-count", String(runs * 4));
  await expect(foldedNote).toContainText(`${folded.toLocaleString("en-US")} older executions only`);
  await expect(page.getByTestId("memory-note")).toContainText("only counted");

  // The oldest is not listed; the search offers to open it by its id, and it opens whole.
  await page.getByLabel("Search execution id").fill("wfx-fold-0");
  await expect(row(page, "wfx-fold-0")).toHaveCount(0);
  await page.getByTestId("open-by-id").getByRole("link").click();
  const lanes = page.getByTestId("lane");
  await expect(lanes.first()).toBeVisible({ timeout: 30_000 });
  await expect(lanes.first()).toHaveAttribute("data-event-count", "4");
  await expect(page.getByTestId("execution-id")).toHaveText("wfx-fold-0");
});
