// The decision lab in the browser (simulator + engine in a Web Worker) must reach
// the same answer as the same code run here in Node for the same settings, and
// write the same answer byte for byte.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { conclude } from "../lib/lab/conclusion";
import { labReport } from "../lib/lab/report";
import { DEFAULT_LAB_FAULTS, runLab } from "../lib/lab/run-lab";

test("a seeded lab run gives the CLI's verdict, explains its red cells, opens a failing run and writes the answer", async ({
  page,
}) => {
  // Small, to keep the spec quick: 3 runs of 4 executions per contract, every scenario on; one run of each alone.
  const options = { seed: 5, runs: 3, executions: 4, scenarioRuns: 1, faults: DEFAULT_LAB_FAULTS };
  const result = runLab(options);
  const expected = conclude(result);
  expect(expected.best).toBeDefined();

  await page.goto("/lab");
  await page.getByLabel("base seed").fill("5");
  await page.getByLabel("runs", { exact: true }).fill("3");
  await page.getByLabel("executions per run").fill("4");
  await page.getByLabel("runs per scenario").fill("1");
  await page.getByRole("button", { name: "Run the lab" }).click();
  await expect(page.getByTestId("lab-conclusion")).toBeVisible({ timeout: 90_000 });
  const cells = page.getByTestId("lab-cell");
  await expect(cells).toHaveCount(18 * result.keys.length);

  const best = page.locator("[data-testid=lab-cell][data-best=true]");
  await expect(best).toHaveCount(1);
  await expect(best).toHaveAttribute("data-contract", expected.best!.contractId);
  await expect(best).toHaveAttribute("data-key", expected.best!.keyId);
  await expect(page.getByTestId("lab-conclusion")).toContainText(expected.lines[0]!);

  // Replicas alone break (execution, entity) under per-execution scopes without the producer field.
  const red = page.locator(
    "[data-testid=lab-cell][data-key=execution-entity][data-contract='agents=per-execution,orchestrator=per-execution,producer-field=off']",
  );
  await expect(red.getByTestId("lab-cell-why")).toContainText("C");
  await red.click();
  const replicas = page.locator("[data-testid=lab-cell-workload][data-workload=replicas]");
  await replicas.getByRole("button", { name: "open a failing run" }).click();
  const run = page.getByTestId("lab-representative");
  await expect(run).toContainText("replicas");
  await expect(run.getByTestId("lane").first()).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByTestId("lab-report").click();
  const file = await (await download).path();
  expect(await readFile(file, "utf8")).toBe(labReport(result));
  await test.info().attach("lab", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
});

test("through NATS: the dashboard server publishes every run and reads it back, and the verdict is the same", async ({
  page,
}) => {
  // Tiny: the round trip makes, fills, reads and deletes a stream per run (18 contracts × 2 runs).
  const options = { seed: 9, runs: 2, executions: 3, scenarioRuns: 0, faults: DEFAULT_LAB_FAULTS };
  const expected = conclude(runLab(options));
  await page.goto("/lab");
  await page.getByLabel("base seed").fill("9");
  await page.getByLabel("runs", { exact: true }).fill("2");
  await page.getByLabel("executions per run").fill("3");
  await page.getByLabel("runs per scenario").fill("0");
  await page.getByTestId("lab-via-nats").check();
  await page.getByRole("button", { name: "Run the lab" }).click();
  await expect(page.getByTestId("lab-conclusion")).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId("lab-conclusion")).toContainText(expected.lines[0]!);
  const best = page.locator("[data-testid=lab-cell][data-best=true]");
  await expect(best).toHaveAttribute("data-contract", expected.best!.contractId);
  await expect(best).toHaveAttribute("data-key", expected.best!.keyId);
  // The written answer says how its runs travelled.
  const download = page.waitForEvent("download");
  await page.getByTestId("lab-report").click();
  const text = await readFile(await (await download).path(), "utf8");
  expect(text).toContain("published to and read back from a nats-server");
});
