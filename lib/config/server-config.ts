// Server-side only: reads the environment (and the files it names) at request time.
import "server-only";
import { readFileSync } from "node:fs";
import { browserCredentialPolicy, browserNatsConfig, ConfigError, type BrowserNatsConfig } from "./runtime-config";

export type ConfigResult = { ok: true; config: BrowserNatsConfig } | { ok: false; error: string };

/** A file an env var names, read, or a ConfigError that says which variable and why. */
export function readNamedFile(variable: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`${variable} points at ${path}, which cannot be read: ${(e as Error).message}`);
  }
}

/** What a page hands its browser: where and what to read, never a credential (those come from /api/nats/credentials). */
export function readBrowserConfig(): ConfigResult {
  try {
    // Checked here too, so a page says what is wrong instead of a tab failing to connect.
    browserCredentialPolicy(process.env);
    const jwksPath = process.env.SEQSCOPE_JWKS?.trim();
    const jwks = jwksPath ? readNamedFile("SEQSCOPE_JWKS", jwksPath) : undefined;
    return { ok: true, config: browserNatsConfig(process.env, jwks) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, error: e.message };
    throw e;
  }
}
