// `npm test`: lint, unit + integration tests (Vitest, real nats-server), a
// production build, then the browser tests (Playwright, real Chromium). Runs
// every suite even when one fails, and ends with one line: `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildApp } from "./lib/next-server";

const root = fileURLToPath(new URL("..", import.meta.url));
const results = join(root, ".seqscope", "test-results");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const bin = (name: string) => join(root, "node_modules", ".bin", name);
const run = (title: string, cmd: string, args: string[]) => {
  process.stdout.write(`\n=== ${title} ===\n`);
  return (
    spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } })
      .status === 0
  );
};
const readJson = <T>(path: string): T | undefined =>
  existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;

let passed = 0;
let failed = 0;

const lintOk = run("lint: prettier, tsc, eslint", "npm", ["run", "--silent", "lint"]);
if (lintOk) passed++;
else failed++;

run("unit + integration (vitest)", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${join(results, "vitest.json")}`,
]);
const vitest = readJson<{
  numPassedTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  success: boolean;
}>(join(results, "vitest.json"));
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  // A suite that fails to load has no failed tests but is a failure.
  if (!vitest.success && vitest.numFailedTests === 0) failed++;
} else failed++;

process.stdout.write("\n=== production build ===\n");
if (buildApp(root, (s) => process.stdout.write(`${s}\n`))) {
  run("browser (playwright + chromium)", bin("playwright"), ["test"]);
  const pw = readJson<{ stats: { expected: number; unexpected: number; flaky: number } }>(
    join(results, "playwright.json"),
  );
  if (pw) {
    passed += pw.stats.expected + pw.stats.flaky;
    failed += pw.stats.unexpected;
  } else failed++;
} else failed++;

process.stdout.write(`\n${lintOk ? "lint passed" : "lint FAILED"}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
