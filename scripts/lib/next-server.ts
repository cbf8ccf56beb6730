// Builds and serves the production Next.js app as a child process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { buildIsCurrent, markBuilt } from "./build-stamp";

const require = createRequire(import.meta.url);
const nextBin = () => require.resolve("next/dist/bin/next");

/** Runs `next build` unless the sources are unchanged since the last one. Returns false on failure. */
export function buildApp(root: string, log: (s: string) => void): boolean {
  if (buildIsCurrent(root)) {
    log("app build is up to date");
    return true;
  }
  log("building the app (next build)…");
  const r = spawnSync(process.execPath, [nextBin(), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) return false;
  markBuilt(root);
  return true;
}

export interface ServedApp {
  child: ChildProcess;
  url: string;
}

/** `next start` on `port` and SEQSCOPE_HOST (default loopback); resolves once it answers HTTP. */
/** `detached`: own process group (npm start stops it in order); tests leave it in theirs, so Ctrl-C ends it. */
export async function serveApp(
  root: string,
  port: number,
  env: Record<string, string>,
  { detached = false }: { detached?: boolean } = {},
): Promise<ServedApp> {
  // Loopback unless SEQSCOPE_HOST says otherwise: with no sign-in configured, nothing else may reach the dashboard.
  const host = (env.SEQSCOPE_HOST ?? process.env.SEQSCOPE_HOST ?? "").trim() || "127.0.0.1";
  const child = spawn(process.execPath, [nextBin(), "start", "-p", String(port), "-H", host], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" },
    detached,
  });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (output.length > 100) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", (b: Buffer) => {
    keep(b);
    process.stderr.write(b);
  });
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited (code ${child.exitCode}):\n${output.join("")}`);
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
      if (res.status < 500) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill("SIGKILL");
  throw new Error(`next start did not answer on ${url} within 60 s:\n${output.join("")}`);
}
