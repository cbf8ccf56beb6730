// Decides whether `next build` must run again: a digest of every source file's
// path, size and mtime. Cheap, and a second `npm start` skips a build it has.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const SOURCES = [
  "app",
  "components",
  "hooks",
  "lib",
  "public",
  "package-lock.json",
  "next.config.mjs",
  "postcss.config.mjs",
  "tsconfig.json",
];

function walk(root: string, path: string, out: string[]) {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(root, join(path, name), out);
  } else if (!/\.test\.tsx?$/.test(path)) {
    out.push(`${relative(root, path)}:${st.size}:${st.mtimeMs}`);
  }
}

export function sourceDigest(root: string): string {
  const entries: string[] = [];
  for (const s of SOURCES) walk(root, join(root, s), entries);
  return createHash("sha256").update(entries.join("\n")).digest("hex");
}

const stampPath = (root: string) => join(root, ".next", "seqscope-build-stamp");

export function buildIsCurrent(root: string): boolean {
  const p = stampPath(root);
  return existsSync(join(root, ".next", "BUILD_ID")) && existsSync(p) && readFileSync(p, "utf8") === sourceDigest(root);
}

export function markBuilt(root: string) {
  writeFileSync(stampPath(root), sourceDigest(root));
}
