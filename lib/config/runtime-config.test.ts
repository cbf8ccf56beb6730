import { describe, expect, it } from "vitest";
import {
  browserCredentialPolicy,
  browserNatsConfig,
  DEFAULT_CREDENTIAL_TTL_SEC,
  labRoundTripConfig,
  serverNatsAuth,
  ConfigError,
  DEFAULTS,
  describeTarget,
  embeddedConfig,
  ENV_VARS,
  redactUrl,
} from "./runtime-config";

describe("runtime config", () => {
  it("defaults to the embedded server on loopback, away from 4222", () => {
    const cfg = browserNatsConfig({});
    expect(cfg.servers).toEqual([`ws://127.0.0.1:${DEFAULTS.wsPort}`]);
    expect(cfg).toMatchObject({ stream: "AUDIT_EVENTS", subject: "auditEvent", historyLimit: 200_000 });
    expect(embeddedConfig({})).toMatchObject({ enabled: true, natsPort: 14222 });
    expect(embeddedConfig({}).natsPort).not.toBe(4222);
  });

  it("uses a real cluster when SEQSCOPE_NATS_URL is set, with its names and never its credentials", () => {
    const env = {
      SEQSCOPE_NATS_URL: "wss://a.example:443, wss://b.example:443",
      SEQSCOPE_NATS_USER: "reader",
      SEQSCOPE_NATS_PASSWORD: "s3cret",
      SEQSCOPE_STREAM: "AUDIT",
      SEQSCOPE_SUBJECT: "audit.>",
      SEQSCOPE_HISTORY: "5000",
      SEQSCOPE_MEMORY_MIB: "256",
      SEQSCOPE_INDEX_LIST: "500",
    };
    expect(browserNatsConfig(env)).toEqual({
      servers: ["wss://a.example:443", "wss://b.example:443"],
      stream: "AUDIT",
      subject: "audit.>",
      historyLimit: 5000,
      memoryBudgetMiB: 256,
      indexListLimit: 500,
    });
    expect(JSON.stringify(browserNatsConfig(env))).not.toContain("s3cret");
    expect(embeddedConfig(env).enabled).toBe(false);
    expect(serverNatsAuth(env, "creds file")).toEqual({ user: "reader", pass: "s3cret", creds: "creds file" });
  });

  it("never shows credentials written into the URL", () => {
    const cfg = browserNatsConfig({ SEQSCOPE_NATS_URL: "wss://reader:s3cret@nats.example:443,wss://b.example" });
    expect(describeTarget(cfg)).toBe(
      "wss://nats.example:443, wss://b.example · stream AUDIT_EVENTS · subject auditEvent",
    );
    expect(redactUrl("ws://127.0.0.1:14280")).toBe("ws://127.0.0.1:14280");
  });

  it("hands browsers a minted, a dedicated or no credential, never the server's own", () => {
    expect(browserCredentialPolicy({})).toEqual({ kind: "none" });
    expect(browserCredentialPolicy({ SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY: "/k.nk", SEQSCOPE_NATS_USER: "own" })).toEqual({
      kind: "minted",
      signingKeyPath: "/k.nk",
      account: undefined,
      ttlSec: DEFAULT_CREDENTIAL_TTL_SEC,
    });
    expect(
      browserCredentialPolicy({
        SEQSCOPE_NATS_USER: "own",
        SEQSCOPE_NATS_PASSWORD: "own-secret",
        SEQSCOPE_BROWSER_NATS_USER: "tab",
        SEQSCOPE_BROWSER_NATS_PASSWORD: "tab-pw",
      }),
    ).toEqual({ kind: "user", user: "tab", pass: "tab-pw" });
    expect(browserCredentialPolicy({ SEQSCOPE_BROWSER_NATS_TOKEN: "t" })).toEqual({ kind: "token", token: "t" });
    for (const own of ["SEQSCOPE_NATS_USER", "SEQSCOPE_NATS_TOKEN", "SEQSCOPE_NATS_CREDS"]) {
      expect(() => browserCredentialPolicy({ [own]: "x" })).toThrow(new RegExp(`${own} is the server side's own`));
    }
    expect(() =>
      browserCredentialPolicy({ SEQSCOPE_NATS_ACCOUNT_SIGNING_KEY: "/k", SEQSCOPE_BROWSER_CREDENTIAL_TTL: "0" }),
    ).toThrow(/at least 1/);
  });

  it("passes a JWKS file's Ed25519 keys through, and rejects one that is not a JWKS", () => {
    const file = JSON.stringify({
      keys: [
        { kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: "a-1", x: "AAAA" },
        { kty: "RSA", kid: "r", n: "x", e: "AQAB" },
      ],
    });
    expect(browserNatsConfig({}, file).jwks).toEqual({
      keys: [{ kty: "OKP", crv: "Ed25519", kid: "a-1", x: "AAAA" }],
    });
    expect(browserNatsConfig({}).jwks).toBeUndefined();
    expect(() => browserNatsConfig({ SEQSCOPE_JWKS: "/k.json" }, "{}")).toThrow(/SEQSCOPE_JWKS.*JWKS/);
    expect(() => browserNatsConfig({}, "not json")).toThrow(ConfigError);
  });

  it("hands the browser a checked trace URL template, and refuses a bad one by name", () => {
    expect(browserNatsConfig({}).traceUrl).toBeUndefined();
    expect(browserNatsConfig({ SEQSCOPE_TRACE_URL: "  " }).traceUrl).toBeUndefined();
    const cfg = browserNatsConfig({ SEQSCOPE_TRACE_URL: " https://jaeger.example/trace/{trace_id}?uiFind={span_id} " });
    expect(cfg.traceUrl).toMatchObject({
      template: "https://jaeger.example/trace/{trace_id}?uiFind={span_id}",
      origin: "https://jaeger.example",
      host: "jaeger.example",
    });
    // It reaches the tab as a page prop: plain data that survives JSON.
    expect(JSON.parse(JSON.stringify(cfg))).toEqual(cfg);
    const bad: [string, RegExp][] = [
      ["https://jaeger.example/trace/{traceid}", /SEQSCOPE_TRACE_URL .*unknown placeholder \{traceid\}/],
      ["javascript:alert('{trace_id}')", /SEQSCOPE_TRACE_URL .*http:\/\/ or https:\/\//],
      ["/trace/{trace_id}", /SEQSCOPE_TRACE_URL .*absolute URL/],
      ["https://{trace_id}.example/", /SEQSCOPE_TRACE_URL .*after the host/],
      ["https://jaeger.example/", /SEQSCOPE_TRACE_URL .*no \{trace_id\}/],
    ];
    for (const [v, message] of bad) {
      expect(() => browserNatsConfig({ SEQSCOPE_TRACE_URL: v })).toThrow(ConfigError);
      expect(() => browserNatsConfig({ SEQSCOPE_TRACE_URL: v })).toThrow(message);
    }
  });

  it("rejects a nats:// URL with what to do instead, since browsers only speak WebSocket", () => {
    expect(() => browserNatsConfig({ SEQSCOPE_NATS_URL: "nats://x:4222" })).toThrow(ConfigError);
    expect(() => browserNatsConfig({ SEQSCOPE_NATS_URL: "nats://x:4222" })).toThrow(/ws:\/\/ or wss:\/\//);
  });

  it("rejects bad numbers by name", () => {
    expect(() => embeddedConfig({ PORT: "eighty" })).toThrow(/PORT must be a non-negative integer, got "eighty"/);
    expect(() => browserNatsConfig({ SEQSCOPE_HISTORY: "-1" })).toThrow(/SEQSCOPE_HISTORY/);
    expect(() => embeddedConfig({ SEQSCOPE_DEMO_RATE: "fast" })).toThrow(/SEQSCOPE_DEMO_RATE/);
  });

  it("documents every variable it reads", () => {
    const src = [browserNatsConfig, embeddedConfig, serverNatsAuth, browserCredentialPolicy, labRoundTripConfig].join(
      "\n",
    );
    const read = new Set([...src.matchAll(/(?:"|env\.)((?:SEQSCOPE_|PORT)[A-Z_]*)/g)].map((m) => m[1]));
    const documented = new Set(ENV_VARS.map((v) => v.name));
    expect(read.size).toBeGreaterThanOrEqual(10);
    for (const name of read) expect(documented).toContain(name);
  });
});

describe("README", () => {
  it("has a row for every environment variable", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const v of ENV_VARS) expect(readme).toContain(`| \`${v.name}\``);
  });
});
