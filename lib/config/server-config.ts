// Server-side only: reads the environment (and the creds file) at request time.
import "server-only";
import { readFileSync } from "node:fs";
import { browserNatsConfig, ConfigError, type BrowserNatsConfig } from "./runtime-config";

export type ConfigResult = { ok: true; config: BrowserNatsConfig } | { ok: false; error: string };

export function readBrowserConfig(): ConfigResult {
  try {
    const credsPath = process.env.SEQSCOPE_NATS_CREDS;
    let creds: string | undefined;
    if (credsPath) {
      try {
        creds = readFileSync(credsPath, "utf8");
      } catch (e) {
        throw new ConfigError(
          `SEQSCOPE_NATS_CREDS points at ${credsPath}, which cannot be read: ${(e as Error).message}`,
        );
      }
    }
    const jwksPath = process.env.SEQSCOPE_JWKS?.trim();
    let jwks: string | undefined;
    if (jwksPath) {
      try {
        jwks = readFileSync(jwksPath, "utf8");
      } catch (e) {
        throw new ConfigError(`SEQSCOPE_JWKS points at ${jwksPath}, which cannot be read: ${(e as Error).message}`);
      }
    }
    return { ok: true, config: browserNatsConfig(process.env, creds, jwks) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, error: e.message };
    throw e;
  }
}
