// The CLI as a team would pin it in CI: exit 0 when the pinned contract holds,
// 1 when it misleads, 2 on a bad option.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const lab = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/lab.ts", "--executions", "10", "--seed", "3", ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });

describe("npm run lab", () => {
  it("fails a pinned contract that shows false collisions", () => {
    const r = lab("--expect-scope", "agents=per-invocation,orchestrator=per-execution", "--expect-key", "execution");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the pinned contract .* shows \d+ false collisions/);
    expect(r.stdout).toMatch(/Recommended contract:/);
  });

  it("passes a pinned contract that holds, and prints the matrix as JSON on request", () => {
    const r = lab(
      "--expect-scope",
      "agents=per-execution,orchestrator=per-execution,producer-field=on",
      "--expect-key",
      "execution-producer",
      "--json",
    );
    expect(r.stderr).toMatch(/holds/);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { cells: unknown[]; conclusion: string[] };
    expect(json.cells).toHaveLength(18 * 4);
    expect(json.conclusion[0]).toMatch(/^Recommended contract/);
  });

  it("rejects a bad scope with a one-line message", () => {
    const r = lab("--expect-scope", "agents=sometimes,orchestrator=per-execution");
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/agents=<per-invocation\|per-execution\|per-process>/);
  });
});
