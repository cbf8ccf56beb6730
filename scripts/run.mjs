#!/usr/bin/env node
// Entry of `npm start` / `npm test`: installs what is missing, then runs the
// TypeScript script in this same process (tsx's loader), so a signal sent to
// `npm start` reaches the one process that owns every child it started.
import { bootstrap } from "./bootstrap.mjs";

const [script, ...rest] = process.argv.slice(2);
if (!script) {
  console.error("usage: node scripts/run.mjs <start|test> [--browser]");
  process.exit(2);
}
bootstrap({ browser: rest.includes("--browser") });
const { register } = await import("tsx/esm/api");
register();
await import(`./${script}.ts`);
