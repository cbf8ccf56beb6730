import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "./lib/node/binaries.mjs";

// Playwright cannot download its own browser on these machines: drive the
// system Chromium. The app and a real nats-server are started by global-setup
// on free ports, which is why baseURL comes from the environment it sets.
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: ".seqscope/test-results/playwright.json" }], ["html", { open: "never" }]],
  use: {
    baseURL: process.env.SEQSCOPE_E2E_BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath: findChromium(),
      args: CHROMIUM_ARGS,
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
