// The decision lab in the browser (simulator + engine in a Web Worker) must
// reach the same answer as the same code run here in Node for the same seed.
import { expect, test } from "@playwright/test";
import { conclude, falseFindings } from "../lib/lab/conclusion";
import { DEFAULT_LAB_FAULTS, runLab } from "../lib/lab/run-lab";

test("a seeded lab run highlights the best contract and opens its timeline", async ({ page }) => {
  // The page's defaults: seed 7, 20 executions, up to 4 stages of up to 3 parallel steps.
  const expected = conclude(
    runLab({
      seed: 7,
      executions: 20,
      faults: DEFAULT_LAB_FAULTS,
      shapes: { stages: [1, 4], parallelism: [1, 3], repeatInvocationRate: 0.25 },
    }),
  );
  expect(expected.best).toBeDefined();
  expect(falseFindings(expected.best!.score)).toBe(0);

  await page.goto("/lab");
  await page.getByRole("button", { name: "Run the lab" }).click();
  const matrix = page.getByTestId("lab-matrix");
  await expect(matrix).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("lab-cell")).toHaveCount(18 * 4);

  const best = page.locator("[data-testid=lab-cell][data-best=true]");
  await expect(best).toHaveCount(1);
  await expect(best).toHaveAttribute("data-contract", expected.best!.contractId);
  await expect(best).toHaveAttribute("data-key", expected.best!.keyId);
  await expect(page.getByTestId("lab-conclusion")).toContainText(expected.lines[0]!);

  // The naive key's cells mislead under every contract: none of them is green-marked best.
  await expect(page.locator("[data-testid=lab-cell][data-key=execution][data-best=true]")).toHaveCount(0);

  await best.click();
  const run = page.getByTestId("lab-representative");
  await expect(run.getByTestId("lane").first()).toBeVisible();
  await test.info().attach("lab", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
});
