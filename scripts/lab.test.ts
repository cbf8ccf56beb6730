// The CLI as a team would pin it in CI: exit 0 when the pinned contract holds,
// 1 when it misleads, 2 on a bad option; --report writes the same bytes every time.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Small, so each call takes a second or two: 3 runs of 4 executions per contract, one run per scenario alone.
const lab = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/lab.ts",
      "--runs",
      "3",
      "--executions",
      "4",
      "--scenario-runs",
      "1",
      "--seed",
      "3",
      ...args,
    ],
    { encoding: "utf8", timeout: 90_000, maxBuffer: 64 << 20 },
  );

describe("npm run lab", () => {
  it("fails a pinned contract that shows false collisions", () => {
    const r = lab("--expect-scope", "agents=per-invocation,orchestrator=per-execution", "--expect-key", "execution");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the pinned contract .* shows misleading in 3 of 3 runs, \d+ false collisions/);
    expect(r.stdout).toMatch(/Recommended contract:/);
    expect(r.stderr).toMatch(/scored cells in [\d.]+ s \(\d+ cells\/s\)/);
  }, 90_000);

  it("passes a pinned contract that holds, and prints the matrix as JSON on request", () => {
    const r = lab(
      "--expect-scope",
      "agents=per-invocation,orchestrator=per-execution,producer-field=on",
      "--expect-key",
      "custom:correlation_id+task_id|workflow_execution_id+producer",
      "--scenario-runs",
      "0",
      "--json",
    );
    expect(r.stderr).toMatch(/holds/);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { cells: unknown[]; keys: unknown[]; conclusion: string[] };
    expect(json.cells).toHaveLength(18 * json.keys.length);
    expect(json.conclusion[0]).toMatch(/^Recommended contract/);
  }, 90_000);

  it("writes the answer to the three asks, byte for byte the same from its command", () => {
    const dir = mkdtempSync(join(tmpdir(), "lab-report-"));
    const a = lab("--report", join(dir, "a.md"));
    const b = lab("--report", join(dir, "b.md"));
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    const text = readFileSync(join(dir, "a.md"), "utf8");
    // Only the file names differ: the --report argument and the picture it links.
    const unnamed = (t: string) => t.replace(/--report \S+/, "").replace(/\]\([ab]\.svg\)/, "");
    expect(unnamed(text)).toBe(unnamed(readFileSync(join(dir, "b.md"), "utf8")));
    expect(text).toMatch(/^## 1\. Which seq scope each producer should use$/m);
    expect(text).toMatch(/^## 2\. Which partition key consumers should check seq in$/m);
    expect(text).toMatch(/^## 3\. Whether to add the `producer` field, and what it must name$/m);
    expect(text).toContain("npm run lab -- --seed 3 --runs 3 --executions 4 --scenario-runs 1 --scenarios parallel,");
    // The heat map next to it, the same bytes too, and the answer links it.
    const svg = readFileSync(join(dir, "a.svg"), "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg).toBe(readFileSync(join(dir, "b.svg"), "utf8"));
    expect(text).toContain("![the matrix](a.svg)");
  }, 120_000);

  it("rejects a bad scope or scenario with a one-line message", () => {
    const r = lab("--expect-scope", "agents=sometimes,orchestrator=per-execution");
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/agents=<per-invocation\|per-execution\|per-process>/);
    const s = lab("--scenarios", "parallel,meteor");
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/Unknown: meteor/);
  }, 90_000);
});
