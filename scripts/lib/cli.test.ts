import { execFile } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { command, integer, listOf, number, Option, probabilityOrCount } from "./cli";

// Every flag each CLI accepted before it moved to commander: none may go missing from its --help.
const FLAGS = {
  sim: [
    "--url",
    "--creds",
    "--stream",
    "--subject",
    "--create-stream",
    "--msg-id",
    "--truth-subject-prefix",
    "--out",
    "--truth-out",
    "--jwks-out",
    "--seed",
    "--executions",
    "--rate",
    "--start",
    "--agent-scope",
    "--orchestrator-scope",
    "--producer-field",
    "--drop",
    "--duplicate",
    "--reorder",
    "--reorder-window",
    "--crash",
    "--malformed",
    "--skew-ms",
    "--sign",
    "--help",
  ],
  lab: [
    "--seed",
    "--executions",
    "--drop",
    "--duplicate",
    "--reorder",
    "--crash",
    "--malformed",
    "--custom-key",
    "--json",
    "--expect-scope",
    "--expect-key",
    "--max-missed",
    "--runs",
    "--scenario-runs",
    "--scenarios",
    "--report",
    "--nats",
    "--creds",
    "--help",
  ],
  chaos: ["--repeat", "--scenarios", "--help"],
};

function run(script: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", `scripts/${script}.ts`, ...args],
      { encoding: "utf8", timeout: 30_000 },
      (_, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe.concurrent("the three CLIs", () => {
  for (const [script, flags] of Object.entries(FLAGS)) {
    it(`npm run ${script} -- --help lists every option and exits 0`, async () => {
      const r = await run(script, "--help");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: npm run ${script} -- \\[options\\]`));
      const listed = [...r.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]);
      expect(listed.sort()).toEqual([...flags].sort());
    });

    it(`npm run ${script} -- --bogus exits 2 naming the flag`, async () => {
      const r = await run(script, "--bogus");
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/unknown option '--bogus'/);
    });
  }
});

describe("command()", () => {
  afterEach(() => vi.restoreAllMocks());

  /** A command as the scripts build one, its output captured and process.exit turned into a throw. */
  function demo() {
    const out = { stdout: "", stderr: "" };
    vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    const cmd = command("demo", "A demo.")
      .configureOutput({ writeOut: (s) => (out.stdout += s), writeErr: (s) => (out.stderr += s) })
      .option("--count <n>", "how many", integer({ min: 1 }), 3)
      .optionsGroup("Faults:")
      .option("--drop <P|N>", "dropped", probabilityOrCount, 0)
      .addOption(new Option("--mode <m>", "how").choices(["fast", "slow"]).default("fast"));
    const parse = (...args: string[]) => cmd.parse(args, { from: "user" }).opts();
    return { cmd, out, parse };
  }

  it("parses declared options into typed values, with their defaults", () => {
    const { parse } = demo();
    expect(parse()).toEqual({ count: 3, drop: 0, mode: "fast" });
    expect(demo().parse("--count", "7", "--drop=0.25", "--mode", "slow")).toEqual({
      count: 7,
      drop: 0.25,
      mode: "slow",
    });
  });

  it("generates the help from the declarations, in their groups, and exits 0", () => {
    const { out, parse } = demo();
    expect(() => parse("--help")).toThrow("exit 0");
    expect(out.stdout).toMatch(/^Usage: npm run demo -- \[options\]\n\nA demo\./);
    expect(out.stdout).toMatch(/--count <n>\s+how many \(default: 3\)/);
    expect(out.stdout).toMatch(/Faults:\n {2}--drop <P\|N>\s+dropped \(default: 0\)/);
    expect(out.stdout).toMatch(/--mode <m>\s+how \(choices: "fast", "slow", default: "fast"\)/);
  });

  it("rejects an unknown flag, a bad value, a bad choice and a stray argument with exit 2", () => {
    const cases: [string[], RegExp][] = [
      [["--bogus"], /error: unknown option '--bogus'/],
      [["--count", "1.5"], /option '--count <n>' argument '1.5' is invalid\. It must be an integer\./],
      [["--count", "0"], /argument '0' is invalid\. It must be ≥ 1\./],
      [["--count"], /option '--count <n>' argument missing/],
      [["--drop", "1.5"], /argument '1.5' is invalid\. It must be a probability 0 ≤ P < 1 or a whole count N ≥ 1\./],
      [["--mode", "medium"], /Allowed choices are fast, slow\./],
      [["extra"], /too many arguments/],
    ];
    for (const [args, message] of cases) {
      const { out, parse } = demo();
      expect(() => parse(...args), args.join(" ")).toThrow("exit 2");
      expect(out.stderr).toMatch(message);
      expect(out.stderr).toMatch(/\(npm run demo -- --help lists every option\)/);
      vi.restoreAllMocks();
    }
  });
});

describe("value parsers", () => {
  it("integer: whole numbers within bounds", () => {
    expect(integer()("-5")).toBe(-5);
    expect(integer({ min: 0 })("1e3")).toBe(1000);
    for (const bad of ["", " ", "1.5", "abc", "12abc", "NaN", "Infinity"])
      expect(() => integer()(bad), bad).toThrow(/must be an integer/);
    expect(() => integer({ min: 1 })("0")).toThrow(/≥ 1/);
    expect(() => integer({ max: 9 })("10")).toThrow(/≤ 9/);
  });

  it("number: finite numbers within bounds", () => {
    expect(number()("0.25")).toBe(0.25);
    expect(number({ min: 0 })("0")).toBe(0);
    for (const bad of ["", "x", "1,5", "Infinity"]) expect(() => number()(bad), bad).toThrow(/must be a number/);
    expect(() => number({ min: 0 })("-1")).toThrow(/≥ 0/);
  });

  it("probabilityOrCount: 0 ≤ P < 1 or a whole N ≥ 1", () => {
    expect([0, 0.5, 0.999, 1, 3].map(String).map(probabilityOrCount)).toEqual([0, 0.5, 0.999, 1, 3]);
    expect(() => probabilityOrCount("1.5")).toThrow(/probability 0 ≤ P < 1 or a whole count N ≥ 1/);
    expect(() => probabilityOrCount("-0.1")).toThrow(/≥ 0/);
    expect(() => probabilityOrCount("often")).toThrow(/must be a number/);
  });

  it("listOf: comma-separated items, each one of the choices", () => {
    const parse = listOf(["a", "b", "c"]);
    expect(parse(" a, c ,")).toEqual(["a", "c"]);
    expect(() => parse("a,x,y")).toThrow("Unknown: x, y. Allowed: a, b, c.");
  });
});
