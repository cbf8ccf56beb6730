// The one argument parser of `npm run sim`, `lab` and `chaos` (commander): each script declares
// its options once, with their help text and defaults, and `--help` is generated from that.
// An unknown flag, a missing or bad value exits 2 with a message that names the flag.
import { Command, InvalidArgumentError, Option } from "commander";
import { isFaultAmount } from "../../lib/sim/options";

export { InvalidArgumentError, Option };

/** Exit status of a bad command line, as the scripts document it. */
export const BAD_OPTION = 2;

/**
 * A command named for how it is run. After an error it points at --help rather than printing it
 * (sim's help is 60 lines: the error would scroll away); commander exits 1 on a bad command line,
 * the scripts promise 2.
 */
export function command(name: string, description: string): Command {
  return new Command(`npm run ${name} --`)
    .description(description)
    .helpOption("-h, --help", "show this help")
    .allowExcessArguments(false)
    .showHelpAfterError(`(npm run ${name} -- --help lists every option)`)
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : BAD_OPTION));
}

interface Bounds {
  min?: number;
  max?: number;
}

function inBounds(n: number, { min, max }: Bounds): number {
  if (min !== undefined && n < min) throw new InvalidArgumentError(`It must be ≥ ${min}.`);
  if (max !== undefined && n > max) throw new InvalidArgumentError(`It must be ≤ ${max}.`);
  return n;
}

/** A finite number (`1.5`, `1e3`; not `""` or `12abc`), within the bounds. */
export const number =
  (bounds: Bounds = {}) =>
  (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("It must be a number.");
    return inBounds(n, bounds);
  };

/** A whole number, within the bounds. */
export const integer =
  (bounds: Bounds = {}) =>
  (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(n)) throw new InvalidArgumentError("It must be an integer.");
    return inBounds(n, bounds);
  };

/** A fault amount of the simulator: a probability 0 ≤ P < 1, or a whole count N ≥ 1 (lib/sim/options.ts). */
export function probabilityOrCount(raw: string): number {
  const n = number({ min: 0 })(raw);
  if (!isFaultAmount(n)) throw new InvalidArgumentError("It must be a probability 0 ≤ P < 1 or a whole count N ≥ 1.");
  return n;
}

/** A comma-separated list, every item one of `choices` (for a single value, `Option.choices`). */
export const listOf =
  (choices: readonly string[]) =>
  (raw: string): string[] => {
    const items = raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = items.filter((x) => !choices.includes(x));
    if (unknown.length > 0)
      throw new InvalidArgumentError(`Unknown: ${unknown.join(", ")}. Allowed: ${choices.join(", ")}.`);
    return items;
  };
