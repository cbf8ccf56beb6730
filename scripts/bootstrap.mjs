#!/usr/bin/env node
// Makes a fresh clone runnable: npm packages, nats-server and (with --browser)
// Chromium. Idempotent: every step first checks whether it is already done.
// Plain Node, no dependencies: it runs before node_modules exists.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM_HELP, NATS_SERVER_HELP, findChromium, findNatsServer } from "../lib/node/binaries.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
let wantBrowser = false;

function log(msg) {
  process.stdout.write(`[seqscope] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[seqscope] ${msg}\n\n`);
  process.exit(1);
}

function run(cmd, args, what) {
  log(`${what}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.status === 0;
}

// npm: reinstall when node_modules is missing or was installed from another lock file.
function ensureNpmPackages() {
  const lock = join(root, "package-lock.json");
  const stamp = join(root, "node_modules", ".seqscope-lock-hash");
  const hash = createHash("sha256").update(readFileSync(lock)).digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  if (!run("npm", ["ci", "--no-audit", "--no-fund"], "installing npm packages")) {
    fail("npm ci failed (see above). Check that the npm registry is reachable, then run the command again.");
  }
  writeFileSync(stamp, hash);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
let aptUpdated = false;

function aptInstall(pkg) {
  if (!isRoot || spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status !== 0) return false;
  if (!aptUpdated) {
    run("apt-get", ["update", "-qq"], "refreshing Debian package lists");
    aptUpdated = true;
  }
  return run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", pkg], `installing ${pkg}`);
}

function ensureNatsServer() {
  if (process.env.SEQSCOPE_NATS_URL && !wantBrowser) return; // an external cluster needs no local server
  if (findNatsServer()) return;
  if (aptInstall("nats-server") && findNatsServer()) return;
  fail(NATS_SERVER_HELP);
}

function ensureChromium() {
  if (findChromium()) return;
  if (aptInstall("chromium") && findChromium()) return;
  fail(CHROMIUM_HELP);
}

/** Everything `npm start` (and, with browser: true, `npm test`) needs on this machine. */
export function bootstrap({ browser = false } = {}) {
  wantBrowser = browser;
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (maj < 20 || (maj === 20 && min < 10))
    fail(`seqscope needs Node.js 20.10 or newer (WebSocket in Node); this is ${process.versions.node}.`);
  ensureNpmPackages();
  ensureNatsServer();
  if (wantBrowser) ensureChromium();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  bootstrap({ browser: process.argv.includes("--browser") });
}
