// What the bench scripts share: their numeric flags, percentiles and the network-like packing of payloads.
import type { RawMessage } from "../../lib/audit";

/** `--name=value` (underscores allowed as digit separators), a positive number; `dflt` when absent. */
export function arg(name: string, dflt: number): number {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const n = v === undefined ? dflt : Number(v.replace(/_/g, ""));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

/** Nearest-rank percentile (p in 0–100) of an ascending array; NaN for none. */
export function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Copies payloads into 64 KiB chunks and hands out views, as a socket reader does. */
export function packLikeNetwork(msgs: RawMessage[]): RawMessage[] {
  const CHUNK = 64 * 1024;
  let buf = new Uint8Array(CHUNK);
  let off = 0;
  return msgs.map((m) => {
    const n = m.data.length;
    if (off + n > buf.length) {
      buf = new Uint8Array(Math.max(CHUNK, n));
      off = 0;
    }
    buf.set(m.data, off);
    const data = buf.subarray(off, off + n);
    off += n;
    return { ...m, data };
  });
}

/**
 * A page script bundled from `entry` (JS source, imports resolved from `root`), for the benches' bare
 * baselines in a blank Chromium page. esbuild comes with tsx (a dev dependency).
 */
export async function bundleForPage(entry: string, root: string): Promise<string> {
  const { build } = await import("esbuild");
  const out = await build({
    stdin: { contents: entry, resolveDir: root, loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const text = out.outputFiles[0]?.text;
  if (text === undefined) throw new Error("esbuild produced no bundle for the bare page");
  return text;
}
