// Runtime configuration, read from the environment of the Next.js server at
// request time (never inlined at build time) so one build serves any deployment.
// Pure: takes an env record, so tests and scripts share the same rules.

import type { Jwks } from "../audit/signature";

export interface BrowserNatsConfig {
  /** WebSocket URL(s) the browser connects to: ws:// or wss://. */
  servers: string[];
  stream: string;
  subject: string;
  /** How many of the newest stream messages to load before going live. */
  historyLimit: number;
  /** What a tab's log may hold before it evicts finished executions (SEQSCOPE_MEMORY_MIB); 0: no budget. */
  memoryBudgetMiB?: number;
  /** Index summaries a tab's list holds at most, the most recently active (SEQSCOPE_INDEX_LIST). */
  indexListLimit?: number;
  user?: string;
  pass?: string;
  token?: string;
  /** Contents of a NATS .creds file (JWT + NKEY seed). */
  creds?: string;
  /** Ed25519 public keys (SEQSCOPE_JWKS) the browser verifies signed events against. */
  jwks?: Jwks;
}

export interface EmbeddedConfig {
  /** true when SEQSCOPE_NATS_URL is unset: `npm start` runs its own server and demo producers. */
  enabled: boolean;
  natsPort: number;
  wsPort: number;
  /** As configured: relative to the project folder, or absolute (scripts/lib/data-dir.ts resolves it). */
  dataDir: string;
  demoRate: number;
  appPort: number;
}

export const DEFAULTS = {
  stream: "AUDIT_EVENTS",
  subject: "auditEvent",
  historyLimit: 200_000,
  memoryBudgetMiB: 512,
  indexListLimit: 20_000,
  natsPort: 14222,
  wsPort: 14280,
  dataDir: ".seqscope",
  demoRate: 2,
  appPort: 3000,
} as const;

type Env = Record<string, string | undefined>;

/** Every variable seqscope reads, with its default and meaning (a test checks that the README lists each). */
export const ENV_VARS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: "SEQSCOPE_NATS_URL",
    default: "(unset: embedded server)",
    meaning:
      "WebSocket URL(s) of your NATS cluster, comma-separated (`wss://nats.example.com:443`). When set, `npm start` starts no server and no demo producers.",
  },
  { name: "SEQSCOPE_NATS_USER", default: "", meaning: "User name for user/password auth." },
  { name: "SEQSCOPE_NATS_PASSWORD", default: "", meaning: "Password for user/password auth." },
  { name: "SEQSCOPE_NATS_TOKEN", default: "", meaning: "Token auth." },
  {
    name: "SEQSCOPE_NATS_CREDS",
    default: "",
    meaning: "Path to a `.creds` file (JWT + NKEY), read by the server and handed to the browser.",
  },
  { name: "SEQSCOPE_STREAM", default: DEFAULTS.stream, meaning: "JetStream stream holding the audit events." },
  {
    name: "SEQSCOPE_SUBJECT",
    default: DEFAULTS.subject,
    meaning: "Subject the producers publish to (the embedded stream captures it).",
  },
  {
    name: "SEQSCOPE_HISTORY",
    default: String(DEFAULTS.historyLimit),
    meaning: "How many of the newest stream messages the browser loads before following live.",
  },
  {
    name: "SEQSCOPE_MEMORY_MIB",
    default: String(DEFAULTS.memoryBudgetMiB),
    meaning:
      "Memory budget of a browser tab's event log, in MiB. Past it, finished executions are evicted oldest first and stay listed as summaries; opening one reads it again. 0: no budget.",
  },
  {
    name: "SEQSCOPE_INDEX_LIST",
    default: String(DEFAULTS.indexListLimit),
    meaning:
      "Executions a tab's list holds at most from the stream's index, the most recently active; older ones stay on the server and are reached by filtering (workflow, status, time window, exact id).",
  },
  { name: "PORT", default: String(DEFAULTS.appPort), meaning: "HTTP port of the dashboard." },
  {
    name: "SEQSCOPE_EMBEDDED_NATS_PORT",
    default: String(DEFAULTS.natsPort),
    meaning:
      "Client port of the embedded nats-server (loopback only; not 4222, so it never collides with your own NATS).",
  },
  {
    name: "SEQSCOPE_EMBEDDED_WS_PORT",
    default: String(DEFAULTS.wsPort),
    meaning: "WebSocket port of the embedded nats-server (loopback only).",
  },
  {
    name: "SEQSCOPE_DATA_DIR",
    default: DEFAULTS.dataDir,
    meaning:
      "Where the embedded server keeps its JetStream store, pid and logs: relative to the project folder, or an absolute path.",
  },
  {
    name: "SEQSCOPE_DEMO_RATE",
    default: String(DEFAULTS.demoRate),
    meaning: "Demo workflow executions started per second (0 disables the demo producers).",
  },
  {
    name: "SEQSCOPE_JWKS",
    default: "(unset: signatures not checked)",
    meaning:
      "Path to a JWKS JSON file of Ed25519 public keys (`kty` OKP, `crv` Ed25519, `kid`, `x`); signed events (`kid`/`sigp`/`sig`) are verified against it and failures reported as bad signatures.",
  },
];

export class ConfigError extends Error {}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function nonNegative(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

function name(env: Env, key: string, fallback: string): string {
  const v = env[key]?.trim();
  return v ? v : fallback;
}

export function embeddedConfig(env: Env): EmbeddedConfig {
  return {
    enabled: !env.SEQSCOPE_NATS_URL?.trim(),
    natsPort: positiveInt(env, "SEQSCOPE_EMBEDDED_NATS_PORT", DEFAULTS.natsPort),
    wsPort: positiveInt(env, "SEQSCOPE_EMBEDDED_WS_PORT", DEFAULTS.wsPort),
    dataDir: name(env, "SEQSCOPE_DATA_DIR", DEFAULTS.dataDir),
    demoRate: nonNegative(env, "SEQSCOPE_DEMO_RATE", DEFAULTS.demoRate),
    appPort: positiveInt(env, "PORT", DEFAULTS.appPort),
  };
}

/** A JWKS file's text, checked: its Ed25519 keys (others are skipped). `source` names it in errors. */
export function parseJwks(text: string, source: string): Jwks {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source} is not JSON: ${(e as Error).message}`);
  }
  const keys = (o as { keys?: unknown } | null)?.keys;
  if (typeof o !== "object" || o === null || !Array.isArray(keys)) {
    throw new ConfigError(`${source} is not a JWKS (an object with a "keys" array)`);
  }
  const out: Jwks["keys"][number][] = [];
  for (const k of keys as unknown[]) {
    const j = k as Record<string, unknown> | null;
    if (j === null || typeof j !== "object" || j.kty !== "OKP" || j.crv !== "Ed25519") continue;
    if (typeof j.kid !== "string" || typeof j.x !== "string") {
      throw new ConfigError(`${source}: every Ed25519 key needs string "kid" and "x"`);
    }
    out.push({ kty: "OKP", crv: "Ed25519", kid: j.kid, x: j.x });
  }
  return { keys: out };
}

/**
 * The config the browser needs. `credsFile` is the already-read content of
 * SEQSCOPE_NATS_CREDS, `jwksFile` that of SEQSCOPE_JWKS (reading files is the caller's I/O).
 */
export function browserNatsConfig(env: Env, credsFile?: string, jwksFile?: string): BrowserNatsConfig {
  const url = env.SEQSCOPE_NATS_URL?.trim();
  const servers = url
    ? url
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [`ws://127.0.0.1:${embeddedConfig(env).wsPort}`];
  for (const s of servers) {
    if (!/^wss?:\/\//.test(s)) {
      throw new ConfigError(
        `SEQSCOPE_NATS_URL must be a WebSocket URL (ws:// or wss://) because the browser connects directly; got "${s}". Enable the websocket block in your nats-server config and use its port.`,
      );
    }
  }
  const cfg: BrowserNatsConfig = {
    servers,
    stream: name(env, "SEQSCOPE_STREAM", DEFAULTS.stream),
    subject: name(env, "SEQSCOPE_SUBJECT", DEFAULTS.subject),
    historyLimit: positiveInt(env, "SEQSCOPE_HISTORY", DEFAULTS.historyLimit),
    memoryBudgetMiB: positiveInt(env, "SEQSCOPE_MEMORY_MIB", DEFAULTS.memoryBudgetMiB),
    indexListLimit: Math.max(1, positiveInt(env, "SEQSCOPE_INDEX_LIST", DEFAULTS.indexListLimit)),
  };
  if (env.SEQSCOPE_NATS_USER) cfg.user = env.SEQSCOPE_NATS_USER;
  if (env.SEQSCOPE_NATS_PASSWORD) cfg.pass = env.SEQSCOPE_NATS_PASSWORD;
  if (env.SEQSCOPE_NATS_TOKEN) cfg.token = env.SEQSCOPE_NATS_TOKEN;
  if (credsFile) cfg.creds = credsFile;
  if (jwksFile !== undefined) cfg.jwks = parseJwks(jwksFile, `SEQSCOPE_JWKS (${env.SEQSCOPE_JWKS ?? "file"})`);
  return cfg;
}

/** A server URL without the user:password@ some deployments write into it. */
export function redactUrl(url: string): string {
  return url.replace(/^(wss?:\/\/)[^@/]*@/, "$1");
}

/** Where to show in the UI what we are connected to, without secrets. */
export function describeTarget(cfg: BrowserNatsConfig): string {
  return `${cfg.servers.map(redactUrl).join(", ")} · stream ${cfg.stream} · subject ${cfg.subject}`;
}
