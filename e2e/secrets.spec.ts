// The app started with every secret seqscope can be given — the server side's own NATS
// user, password, token and .creds (with its seed), the account signing key the dashboard
// mints with, the sign-in secrets — against a real operator-mode nats-server. Every
// response a browser can get (pages, RSC payloads, every JS chunk served, the credential
// route) is searched for each secret: none may appear. And the tab still reads the stream,
// on the credential minted for it, whose claims say read-only, WebSocket-only, expiring.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { test, expect } from "@playwright/test";
import { freePort, startNatsServer, stopChild, type RunningNatsServer } from "../lib/node/nats-server";
import { mintProcessCreds } from "../lib/nats/nats-auth";
import { connectNode, type NatsConnection } from "../lib/nats/node-connection";
import { AuditPublisher } from "../lib/nats/publish";
import { ensureStream } from "../lib/nats/stream";
import { embeddedAuth, type EmbeddedAuth } from "../scripts/lib/embedded-auth";
import { serveApp, type ServedApp } from "../scripts/lib/next-server";
import { disconnectsOf, readConnectionLog } from "../scripts/lib/chaos-rig";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STREAM = "AUDIT_EVENTS";
const SUBJECT = "auditEvent";
const EXECUTION = "wfx-secret-check";
/** Short-lived credentials, so that a tab's renewals happen within the test. */
const TTL_SEC = 4;

let dir: string;
let auth: EmbeddedAuth;
let nats: RunningNatsServer;
let app: ServedApp;
let admin: NatsConnection;

function publish(executionId: string, seq: number) {
  return new AuditPublisher(admin, SUBJECT).publish(
    JSON.stringify({
      ts: `2026-12-01T10:00:${String(seq).padStart(2, "0")}Z`,
      event: "tool_exec",
      seq,
      workflow_execution_id: executionId,
      workflow_id: "secret-check",
      entity_type: "workflow",
      entity_id: "orchestrator",
    }),
  );
}
/** Name → value of every secret the app was started with. */
const secrets: Record<string, string> = {};

const rand = (n = 24) => randomBytes(n).toString("hex");

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seqscope-secrets-"));
  auth = await embeddedAuth(dir, STREAM, SUBJECT);
  nats = await startNatsServer({ extraConfig: auth.serverConfig });
  const ownCreds = await mintProcessCreds(auth.setup, "server-side", { pub: { allow: [">"] }, sub: { allow: [">"] } });
  const credsPath = join(dir, "own.creds");
  writeFileSync(credsPath, ownCreds, { mode: 0o600 });
  admin = await connectNode(nats.url, "admin", { creds: ownCreds });
  await ensureStream(admin, { stream: STREAM, subject: SUBJECT });
  for (let seq = 1; seq <= 3; seq++) await publish(EXECUTION, seq);

  Object.assign(secrets, {
    SEQSCOPE_NATS_USER: `own-user-${rand(6)}`,
    SEQSCOPE_NATS_PASSWORD: `own-pass-${rand()}`,
    SEQSCOPE_NATS_TOKEN: `own-token-${rand()}`,
    SEQSCOPE_AUTH_SECRET: `auth-secret-${rand()}`,
    SEQSCOPE_OIDC_CLIENT_SECRET: `client-secret-${rand()}`,
    "creds JWT": ownCreds.split("\n")[1] ?? "",
    "creds seed": ownCreds.match(/SU[A-Z2-7]{50,}/)?.[0] ?? "",
    "signing key seed": auth.setup.signerSeed,
    "account seed": auth.setup.accountSeed,
    "operator seed": auth.setup.operatorSeed,
  });
  for (const [k, v] of Object.entries(secrets)) expect(v.length, k).toBeGreaterThan(16);

  app = await serveApp(ROOT, await freePort(), {
    SEQSCOPE_NATS_URL: nats.wsUrl,
    SEQSCOPE_STREAM: STREAM,
    SEQSCOPE_SUBJECT: SUBJECT,
    ...auth.appEnv,
    SEQSCOPE_NATS_USER: secrets.SEQSCOPE_NATS_USER as string,
    SEQSCOPE_NATS_PASSWORD: secrets.SEQSCOPE_NATS_PASSWORD as string,
    SEQSCOPE_NATS_TOKEN: secrets.SEQSCOPE_NATS_TOKEN as string,
    SEQSCOPE_NATS_CREDS: credsPath,
    SEQSCOPE_AUTH_SECRET: secrets.SEQSCOPE_AUTH_SECRET as string,
    SEQSCOPE_OIDC_CLIENT_ID: "seqscope",
    SEQSCOPE_OIDC_CLIENT_SECRET: secrets.SEQSCOPE_OIDC_CLIENT_SECRET as string,
    SEQSCOPE_BROWSER_CREDENTIAL_TTL: String(TTL_SEC),
  });
});

test.afterAll(async () => {
  await admin?.close();
  if (app) await stopChild(app.child);
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function leaks(where: string, body: string): string[] {
  return Object.entries(secrets)
    .filter(([, v]) => body.includes(v))
    .map(([k]) => `${k} in ${where}`);
}

function files(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
  );
}

test("no response the app serves holds a secret, and the tab reads on its minted credential", async ({ page }) => {
  const found: string[] = [];
  const bodies: Promise<void>[] = [];
  let responses = 0;
  page.on("response", (r) => {
    responses++;
    bodies.push(
      r.body().then(
        (b) => void found.push(...leaks(r.url(), b.toString("utf8"))),
        () => undefined, // a redirect or a stream has no body to read
      ),
    );
  });

  await page.goto(app.url);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  const row = page.locator(`[data-testid=execution-row][data-execution-id="${EXECUTION}"]`);
  await expect(row).toBeVisible();
  // A client-side navigation: the RSC payload of the execution page.
  await row.getByRole("link").first().click();
  await expect(page.getByTestId("execution-id")).toHaveText(EXECUTION);
  await expect(page.getByTestId("event-mark")).toHaveCount(3);
  await page.goto(`${app.url}/lab`);
  await page.goto(`${app.url}/bench/timeline`);
  await Promise.all(bodies);
  expect(responses).toBeGreaterThan(10);

  // Every route as a plain request and as an RSC request, and every static file the server serves.
  const routes = ["/", `/executions/${EXECUTION}`, "/lab", "/bench/timeline", "/api/nats/credentials", "/nope"];
  for (const path of routes) {
    for (const headers of [{}, { RSC: "1" }] as Record<string, string>[]) {
      const res = await fetch(`${app.url}${path}`, { headers });
      found.push(...leaks(`${path} ${JSON.stringify(headers)}`, await res.text()));
    }
  }
  const staticDir = join(ROOT, ".next", "static");
  const statics = files(staticDir);
  expect(statics.length).toBeGreaterThan(5);
  for (const f of statics) {
    const res = await fetch(`${app.url}/_next/static/${relative(staticDir, f)}`);
    found.push(...leaks(relative(ROOT, f), await res.text()));
  }
  expect(found).toEqual([]);

  // What the tab holds: a bearer JWT for WebSocket only, reading only, expiring as configured.
  const grant = (await (await fetch(`${app.url}/api/nats/credentials`)).json()) as {
    kind: string;
    jwt: string;
    expiresAtMs: number;
  };
  expect(grant.kind).toBe("jwt");
  const claims = JSON.parse(Buffer.from(grant.jwt.split(".")[1] as string, "base64url").toString()) as {
    exp: number;
    nats: { bearer_token: boolean; allowed_connection_types: string[]; pub: { allow: string[] } };
  };
  expect(claims.nats.bearer_token).toBe(true);
  expect(claims.nats.allowed_connection_types).toEqual(["WEBSOCKET"]);
  expect(claims.nats.pub.allow).not.toContain(SUBJECT);
  // JetStream API requests and flow-control replies only.
  expect(claims.nats.pub.allow.filter((s) => !s.startsWith("$JS.API.") && !s.startsWith("$JS.FC."))).toEqual([]);
  expect(claims.exp * 1000).toBeGreaterThan(Date.now());
  expect(claims.exp * 1000).toBeLessThanOrEqual(Date.now() + TTL_SEC * 1000 + 1_000);
});

test("a tab reads on across its credential's expiries, without a reload and without losing a message", async ({
  page,
}) => {
  const id = "wfx-renewals";
  await publish(id, 1);
  await page.goto(`${app.url}/executions/${id}`);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await expect(page.getByTestId("event-mark")).toHaveCount(1);
  await page.evaluate(() => ((window as unknown as { seqscopeMark: number }).seqscopeMark = 1));
  // Each expiry: the server drops the connection, the client comes back on the credential renewed meanwhile.
  for (let seq = 2; seq <= 3; seq++) {
    await expect.poll(() => disconnectsOf(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(seq - 1);
    await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
    await publish(id, seq);
    await expect(page.getByTestId("event-mark")).toHaveCount(seq);
  }
  const log = await readConnectionLog(page);
  expect(log.some((e) => /expired/i.test(e.detail))).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { seqscopeMark?: number }).seqscopeMark)).toBe(1);
});
