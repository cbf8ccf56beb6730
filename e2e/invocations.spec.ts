// Invocations as contexts of their own, end to end: Forge's mixed stream
// (lib/audit/forge-fixtures.ts) opened as a file — one workflow run, four
// invocations outside any run, process-level events and a malformed line. The
// list must file every line under exactly one of those, an invocation must open
// on its own timeline with its lost seq as a gap, a run and the invocation
// inside it must lead to each other, and the events outside any invocation must
// lead to their producer processes and on to the runs those served.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { FORGE_MIXED_EXPECT as X, forgeMixedNdjson } from "../lib/audit/forge-fixtures";

let dir: string;
let file: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "seqscope-invocations-"));
  file = join(dir, "forge-mixed.ndjson");
  writeFileSync(file, forgeMixedNdjson());
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fixture, opened as a file in a fresh tab on the list. */
async function openForge(page: Page) {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await page.getByTestId("open-file-input").setInputFiles(file);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  await expect(page.getByTestId("local-file-banner")).toContainText("forge-mixed.ndjson");
}

const rows = (page: Page) => page.getByTestId("execution-row");
const row = (page: Page, id: string) => page.locator(`[data-testid=execution-row][data-execution-id="${id}"]`);
const idsOf = (page: Page) => rows(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-execution-id")));
const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("the list files every line of the file under a run, an invocation, none, or malformed", async ({ page }) => {
  await openForge(page);
  const lines = readFileSync(file, "utf8").split("\n");
  expect(lines).toHaveLength(X.lines);
  await expect(page.getByTestId("stream-info")).toContainText(`${X.lines} lines`);

  // Workflow executions (the default view): the one run, nothing else.
  await expect(page.getByTestId("list-view-executions")).toHaveAttribute("aria-selected", "true");
  await expect(page.getByTestId("list-view-executions")).toHaveText(`Workflow executions${X.executions}`);
  await expect(page.getByTestId("list-view-invocations")).toHaveText(`Invocations${X.invocations}`);
  await expect(rows(page)).toHaveCount(X.executions);
  await expect(row(page, X.executionId)).toHaveAttribute("data-kind", "execution");

  // How the events divide: every line of the file is counted exactly once.
  const division = page.getByTestId("event-division");
  await expect(division.getByTestId("events-in-executions")).toHaveAttribute("data-count", String(X.executionEvents));
  await expect(division.getByTestId("events-in-invocations")).toHaveAttribute("data-count", String(X.invocationEvents));
  await expect(division.getByTestId("events-outside")).toHaveAttribute("data-count", String(X.outside));
  await expect(division.getByTestId("events-malformed")).toHaveAttribute("data-count", String(X.malformed));
  const counted = await Promise.all(
    ["events-in-executions", "events-in-invocations", "events-outside", "events-malformed"].map(async (id) =>
      Number(await division.getByTestId(id).getAttribute("data-count")),
    ),
  );
  expect(counted.reduce((a, b) => a + b, 0)).toBe(lines.length);

  // Invocations: each standalone correlation id is a row of its own, with its task and status.
  await page.getByTestId("list-view-invocations").click();
  await expect(page).toHaveURL(/[?&]view=invocations(&|$)/);
  await expect(page).toHaveURL(/[?&]source=file(&|$)/);
  await expect(page.getByTestId("list-view-invocations")).toHaveAttribute("aria-selected", "true");
  await expect(rows(page)).toHaveCount(X.standalone.length);
  expect((await idsOf(page)).sort()).toEqual([...X.standalone].sort());
  for (const corr of X.standalone) {
    const r = row(page, corr);
    await expect(r).toHaveAttribute("data-kind", "invocation");
    const tasks = X.taskIds[corr] ?? [];
    await expect(r.getByRole("cell").nth(1)).toHaveText(tasks.length === 0 ? "no task id" : tasks[0]!);
    await expect(r.getByRole("cell").nth(2)).toHaveText(X.status[corr]!);
  }
  // The invocation inside the run is the run's, not a row here.
  await expect(row(page, X.inRunCorrelationId)).toHaveCount(0);

  // Search by task id, then by correlation id: exactly the invocation that carries it.
  const search = page.getByRole("searchbox", { name: "Search correlation or task id" });
  await search.fill("task-42");
  await expect(rows(page)).toHaveCount(1);
  await expect(row(page, "a1b2c3d4")).toBeVisible();
  await search.fill(X.gap.correlationId);
  await expect(rows(page)).toHaveCount(1);
  await expect(row(page, X.gap.correlationId)).toBeVisible();
  await search.fill("");
  await expect(rows(page)).toHaveCount(X.standalone.length);

  // Everything: the run and the invocations side by side.
  await page.getByTestId("list-view-all").click();
  await expect(page).toHaveURL(/[?&]view=all(&|$)/);
  await expect(rows(page)).toHaveCount(X.executions + X.invocations);
  await expect(page.locator("[data-testid=execution-row][data-kind=execution]")).toHaveCount(X.executions);
  await expect(page.locator("[data-testid=execution-row][data-kind=invocation]")).toHaveCount(X.invocations);
  await expect(row(page, X.executionId)).toHaveAttribute("data-kind", "execution");
});

test("an invocation opens from the list on its own timeline, its lost seq a gap under the default key", async ({
  page,
}) => {
  await openForge(page);
  await page.getByTestId("list-view-invocations").click();
  const { correlationId, taskId, missingSeq } = X.gap;
  await row(page, correlationId).getByRole("link", { name: correlationId }).click();

  await expect(page).toHaveURL(new RegExp(`/invocations/${escaped(encodeURIComponent(correlationId))}\\?`));
  await expect(page).toHaveURL(/[?&]source=file(&|$)/);
  await expect(page.getByTestId("execution-id")).toHaveText(correlationId);
  const timeline = page.getByTestId("execution-timeline");
  await expect(timeline).toContainText(`task ${taskId}`);
  // One producer (billing-agent), five events: seq 1, 2, 4, 5, 6.
  const lanes = page.getByTestId("lane");
  await expect(lanes).toHaveCount(1);
  await expect(lanes.first()).toHaveAttribute("data-event-count", "5");
  await expect(lanes.first().getByTestId("lane-label")).toHaveText("billing-agent");

  // Forge's key, (correlation_id, task_id), is the default: seq 3 is the one gap.
  const summary = page.getByTestId("anomaly-summary");
  await expect(summary).toHaveAttribute("data-key", "invocation");
  await expect(summary).toHaveAttribute("data-gaps", "1");
  await expect(summary).toHaveAttribute("data-collisions", "0");
  await expect(page.locator(`[data-testid=gap][data-label="seq ${missingSeq} missing"]`)).toHaveCount(1);
  // None of its events carries a workflow_execution_id: no run to point to.
  await expect(page.getByTestId("related-runs")).toHaveCount(0);
  // A local file's view is not linkable: no Copy link (the banner offers the NDJSON export instead).
  await expect(page.getByTestId("copy-link")).toHaveCount(0);
  await test.info().attach("invocation", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
});

test("a run lists the invocation inside it, and that invocation's page, reached from its producer, links back", async ({
  page,
}) => {
  await openForge(page);
  const inRun = X.inRunCorrelationId;
  await row(page, X.executionId).getByRole("link", { name: X.executionId }).click();
  await expect(page).toHaveURL(new RegExp(`/executions/${escaped(X.executionId)}\\?`));
  await expect(page.getByTestId("execution-id")).toHaveText(X.executionId);
  const related = page.getByTestId("related-invocations");
  await expect(related).toContainText(`1 invocation in this run: ${inRun}`);
  // All of its events are in the run, so it is named, not linked (it has no page of events of its own).
  await expect(related.getByRole("link")).toHaveCount(0);

  // The producer that served it lists it among its invocations: a link within the file's session.
  await page.getByRole("navigation").getByRole("link", { name: "Producers", exact: true }).click();
  await expect(page).toHaveURL(/\/producers\?/);
  const billing = page.locator('[data-testid=producer-row][data-process-id="agent:billing-agent@1"]');
  await billing.getByRole("button", { name: "billing-agent" }).click();
  const detail = page.getByTestId("process-detail");
  await detail.getByTestId("process-invocations").getByRole("link", { name: inRun }).click();

  await expect(page).toHaveURL(new RegExp(`/invocations/${escaped(encodeURIComponent(inRun))}\\?`));
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  const runs = page.getByTestId("invocation-runs");
  await expect(runs).toContainText(`Its events are in workflow run ${X.executionId}.`);
  await runs.getByRole("link", { name: X.executionId }).click();
  await expect(page).toHaveURL(new RegExp(`/executions/${escaped(X.executionId)}\\?`));
  await expect(page.getByTestId("execution-id")).toHaveText(X.executionId);
});

test("the events outside any invocation lead to Producers, and a process to the run it served", async ({ page }) => {
  await openForge(page);
  await page.getByTestId("events-outside").click();
  await expect(page).toHaveURL(/\/producers\?/);
  await expect(page).toHaveURL(/[?&]source=file(&|$)/);
  // Three processes: the two agents and the run's orchestrator, each found from its first line.
  await expect(page.getByTestId("producer-row")).toHaveCount(3);

  // billing-agent's lines, but the malformed one (a line without its ts is no process's event).
  const billingLines = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => JSON.parse(l) as { entity_id?: string; ts?: string })
    .filter((o) => o.entity_id === "billing-agent" && o.ts !== undefined);
  // Its process is named for the first line it wrote: line 1 of the file.
  const billing = page.locator('[data-testid=producer-row][data-process-id="agent:billing-agent@1"]');
  await expect(billing.getByTestId("producer-events")).toHaveText(String(billingLines.length));
  await billing.getByRole("button", { name: "billing-agent" }).click();
  await expect(page).toHaveURL(/[?&]process=/);
  const detail = page.getByTestId("process-detail");
  const executions = detail.getByTestId("process-executions").getByRole("link");
  await expect(executions).toHaveCount(1);
  await expect(executions.first()).toHaveText(X.executionId);
  await expect(detail.getByTestId("process-invocations").getByRole("link")).toHaveText([
    "a1b2c3d4",
    X.inRunCorrelationId,
    X.gap.correlationId,
  ]);
  await expect(detail.getByTestId("process-level-count")).toContainText("3 events outside any invocation");

  await executions.first().click();
  await expect(page).toHaveURL(new RegExp(`/executions/${escaped(X.executionId)}\\?`));
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  await expect(page.getByTestId("execution-id")).toHaveText(X.executionId);
  // The run's two producers: the orchestrator and the agent it invoked.
  await expect(page.getByTestId("lane-label")).toHaveText(["workflow wf-refund", "billing-agent"]);
});
