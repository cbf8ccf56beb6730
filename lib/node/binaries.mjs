// Where the system binaries seqscope needs live. Plain JavaScript, no dependencies:
// scripts/bootstrap.mjs runs it with plain Node before `npm ci` has installed
// anything (no tsx yet). Node-only, like the rest of lib/node.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** First executable named `name` on PATH or in the extra folders (Debian puts nats-server in /usr/sbin, often not on a user's PATH). */
export function findBinary(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function findNatsServer() {
  const explicit = process.env.SEQSCOPE_NATS_SERVER_BIN;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  return findBinary("nats-server", ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/bin"]);
}

export function findChromium() {
  const explicit = process.env.SEQSCOPE_CHROMIUM;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  return findBinary("chromium", ["/usr/bin"]) ?? findBinary("chromium-browser", ["/usr/bin"]);
}

/**
 * Flags for driving Debian's Chromium headless on these machines: no sandbox (root in a
 * container), and none of the background connections a closed network refuses.
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export const NATS_SERVER_HELP = `seqscope needs nats-server (2.9 or newer, with JetStream and WebSocket). Get one of:
  Debian/Ubuntu:  sudo apt-get install -y nats-server      (installs /usr/sbin/nats-server)
  macOS:          brew install nats-server
  Any OS:         download a release binary from https://github.com/nats-io/nats-server/releases
                  and put it on PATH, or set SEQSCOPE_NATS_SERVER_BIN=/path/to/nats-server
Or skip the embedded server entirely: SEQSCOPE_NATS_URL=wss://your-cluster npm start`;

export const CHROMIUM_HELP = `The browser tests drive a system Chromium (Playwright cannot download its own here). Get one of:
  Debian/Ubuntu:  sudo apt-get install -y chromium
  Other:          install Chromium or Chrome and set SEQSCOPE_CHROMIUM=/path/to/chrome`;
