// Runtime configuration, read from the environment of the Next.js server at
// request time (never inlined at build time) so one build serves any deployment.
// Pure: takes an env record, so tests and scripts share the same rules.

import type { Jwks } from "../audit/signature";
import { AUTH_ENV_VARS } from "../auth/auth-config";
import { parseTraceUrlTemplate, type TraceUrlTemplate } from "../links/trace-url";

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
  /** Ed25519 public keys (SEQSCOPE_JWKS) the browser verifies signed events against. */
  jwks?: Jwks;
  /** Where an event's trace opens (SEQSCOPE_TRACE_URL), checked: see lib/links/trace-url.ts. */
  traceUrl?: TraceUrlTemplate;
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
  ...AUTH_ENV_VARS,
  {
    name: "SEQSCOPE_NATS_URL",
    default: "(unset: embedded server)",
    meaning:
      "WebSocket URL(s) of your NATS cluster, comma-separated (`wss://nats.example.com:443`). When set, `npm start` starts no server and no demo producers.",
  },
  {
    name: "SEQSCOPE_NATS_USER",
    default: "",
    meaning: "User name of the server side's own NATS user (the indexer). Never handed to a browser.",
  },
  { name: "SEQSCOPE_NATS_PASSWORD", default: "", meaning: "Its password. Never handed to a browser." },
  {
    name: "SEQSCOPE_NATS_TOKEN",
    default: "",
    meaning: "Token of the server side's own user. Never handed to a browser.",
  },
  {
    name: "SEQSCOPE_NATS_CREDS",
    default: "",
    meaning: "Path to the server side's own `.creds` file (JWT + NKEY seed). Never handed to a browser.",
  },
  {
    name: "SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY",
    default: "(embedded: generated)",
    meaning:
      "Operator mode: path to a seed file (`SA…`) of a signing key of the audit stream's account. The dashboard server mints each signed-in browser a read-only bearer user JWT with it; the seed stays on the server.",
  },
  {
    name: "SEQSCOPE_NATS_ACCOUNT",
    default: "(the signing key's own)",
    meaning:
      "Operator mode: public key (`A…`) of the account the signing key signs for, when it is a signing key and not the account's identity key.",
  },
  {
    name: "SEQSCOPE_BROWSER_CREDENTIAL_TTL",
    default: String(3600),
    meaning: "Lifetime in seconds of a minted browser credential; a tab renews it while its session lives.",
  },
  {
    name: "SEQSCOPE_LAB_NATS_URL",
    default: "(embedded: the lab account)",
    meaning:
      "A nats:// URL where the dashboard server runs the decision lab's round trip for the page (it creates, fills and deletes scratch streams there): give it a scratch account, never the audit stream's. Unset: the page's switch is off (the CLI's `--nats` still works).",
  },
  {
    name: "SEQSCOPE_LAB_NATS_CREDS",
    default: "(embedded: generated)",
    meaning: "`.creds` file of the lab's user there (server side only).",
  },
  {
    name: "SEQSCOPE_BROWSER_NATS_USER",
    default: "",
    meaning:
      "Without operator mode: a dedicated read-only NATS user handed to signed-in browsers (with `SEQSCOPE_BROWSER_NATS_PASSWORD`). Give it only the permissions in the security section.",
  },
  { name: "SEQSCOPE_BROWSER_NATS_PASSWORD", default: "", meaning: "Its password (handed to signed-in browsers)." },
  {
    name: "SEQSCOPE_BROWSER_NATS_TOKEN",
    default: "",
    meaning: "Without operator mode: a token of a dedicated read-only user, handed to signed-in browsers.",
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
  {
    name: "SEQSCOPE_TRACE_URL",
    default: "(unset: no trace links)",
    meaning:
      'URL template of your tracing UI, http:// or https://, with `{trace_id}` and optionally `{span_id}` after the host (`https://jaeger.example/trace/{trace_id}`); an event whose ids are valid OpenTelemetry hex gets an "Open trace" link.',
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

/** The server side's own NATS credentials (the indexer's): never part of anything sent to a browser. */
export interface ServerNatsAuth {
  user?: string;
  pass?: string;
  token?: string;
  /** Contents of a .creds file (JWT + NKEY seed). */
  creds?: string;
}

/** `credsFile` is the already-read content of SEQSCOPE_NATS_CREDS (reading files is the caller's I/O). */
export function serverNatsAuth(env: Env, credsFile?: string): ServerNatsAuth {
  const a: ServerNatsAuth = {};
  if (env.SEQSCOPE_NATS_USER) a.user = env.SEQSCOPE_NATS_USER;
  if (env.SEQSCOPE_NATS_PASSWORD) a.pass = env.SEQSCOPE_NATS_PASSWORD;
  if (env.SEQSCOPE_NATS_TOKEN) a.token = env.SEQSCOPE_NATS_TOKEN;
  if (credsFile) a.creds = credsFile;
  return a;
}

/** How the dashboard server gives a browser its NATS credential (lib/nats/browser-grant.ts carries it out). */
export type BrowserCredentialPolicy =
  | { kind: "minted"; signingKeyPath: string; account: string | undefined; ttlSec: number }
  | { kind: "user"; user: string; pass: string }
  | { kind: "token"; token: string }
  | { kind: "none" };

export const DEFAULT_CREDENTIAL_TTL_SEC = 3600;

export function browserCredentialPolicy(env: Env): BrowserCredentialPolicy {
  const signingKeyPath = env.SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY?.trim();
  if (signingKeyPath) {
    const ttlSec = positiveInt(env, "SEQSCOPE_BROWSER_CREDENTIAL_TTL", DEFAULT_CREDENTIAL_TTL_SEC);
    if (ttlSec < 1) throw new ConfigError("SEQSCOPE_BROWSER_CREDENTIAL_TTL must be at least 1 (seconds)");
    return { kind: "minted", signingKeyPath, account: env.SEQSCOPE_NATS_ACCOUNT?.trim() || undefined, ttlSec };
  }
  const user = env.SEQSCOPE_BROWSER_NATS_USER;
  if (user) return { kind: "user", user, pass: env.SEQSCOPE_BROWSER_NATS_PASSWORD ?? "" };
  const token = env.SEQSCOPE_BROWSER_NATS_TOKEN;
  if (token) return { kind: "token", token };
  const own = ["SEQSCOPE_NATS_USER", "SEQSCOPE_NATS_TOKEN", "SEQSCOPE_NATS_CREDS"].find((k) => env[k]);
  if (own) {
    throw new ConfigError(
      `${own} is the server side's own NATS credential and is never handed to a browser. Say what browsers get: ` +
        "SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY (operator mode: each session gets a minted, read-only, expiring credential), " +
        "or a dedicated read-only user in SEQSCOPE_BROWSER_NATS_USER / SEQSCOPE_BROWSER_NATS_PASSWORD (or SEQSCOPE_BROWSER_NATS_TOKEN).",
    );
  }
  return { kind: "none" };
}

/** Where the dashboard server runs the lab's NATS round trip for the page; undefined: nowhere (the switch is off). */
export function labRoundTripConfig(env: Env): { url: string; credsPath: string | undefined } | undefined {
  const url = env.SEQSCOPE_LAB_NATS_URL?.trim();
  if (!url) return undefined;
  if (!/^(nats|tls):\/\//.test(url))
    throw new ConfigError(
      `SEQSCOPE_LAB_NATS_URL must be a nats:// or tls:// URL (the dashboard server connects), got "${url}"`,
    );
  return { url, credsPath: env.SEQSCOPE_LAB_NATS_CREDS?.trim() || undefined };
}

/** The config the browser needs (no credential: see browserCredentialPolicy). `jwksFile`: SEQSCOPE_JWKS's content. */
export function browserNatsConfig(env: Env, jwksFile?: string): BrowserNatsConfig {
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
  if (jwksFile !== undefined) cfg.jwks = parseJwks(jwksFile, `SEQSCOPE_JWKS (${env.SEQSCOPE_JWKS ?? "file"})`);
  const traceUrl = env.SEQSCOPE_TRACE_URL?.trim();
  if (traceUrl) {
    const t = parseTraceUrlTemplate(traceUrl);
    if (!t.ok) throw new ConfigError(`SEQSCOPE_TRACE_URL "${traceUrl}" ${t.error}`);
    cfg.traceUrl = t.template;
  }
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
