// `npm run screenshot -- [url] [out.png]`: a picture of a running seqscope, for
// the README (open the newest execution unless a URL names one; on `/producers`,
// open a process whose chain breaks).
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "../lib/node/binaries.mjs";

const url = process.argv[2] ?? "http://localhost:3000";
const out = process.argv[3] ?? "public/screenshot.png";
const browser = await chromium.launch({
  executablePath: findChromium(),
  args: CHROMIUM_ARGS,
});
const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
await page.goto(url);
if (new URL(url).pathname === "/producers") {
  // A process whose chain breaks tells the ledger's story; wait until the demo has written one.
  await page.getByTestId("producer-row").first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(Number(process.env.SCREENSHOT_WAIT_MS ?? 15_000));
  const broken = page.locator("[data-testid=producer-row]:has([data-testid=producer-breaks]:not(:text-is('0')))");
  await broken.first().waitFor({ timeout: 60_000 });
  await broken.first().click();
  await page.getByTestId("process-detail").waitFor();
} else if (!url.includes("/executions/")) {
  // The most telling picture: a finished run whose lanes show a gap or a collision.
  await page.getByTestId("execution-row").first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(Number(process.env.SCREENSHOT_WAIT_MS ?? 15_000));
  await page.getByLabel("Status").selectOption("complete");
  await page.getByLabel("Partition key").selectOption("execution-entity");
  const row = page.locator("[data-testid=execution-row]:has([data-kind=gap])").first();
  await row.waitFor({ timeout: 30_000 });
  await row.getByRole("link").click();
  await page.getByTestId("lane").first().waitFor();
}
await page.waitForTimeout(500);
await page.screenshot({ path: out, fullPage: false });
await browser.close();
console.log(`wrote ${out}`);
