// Tenants in the browser, with real parts: an OpenID issuer whose users carry an
// `org_id` claim, an operator-mode nats-server, the real indexer, and the app minting
// each session's credential. A user of org acme signs in and sees acme's executions
// only — the list, an execution page, the header's tenant note — and another tenant's
// execution is not found; the server raised no permission error on the tab's requests.
// A user without an org sees every tenant's.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { freePort, startNatsServer, stopChild, type RunningNatsServer } from "../lib/node/nats-server";
import { indexCaughtUp, Indexer } from "../lib/nats/indexer";
import { mintProcessCreds } from "../lib/nats/nats-auth";
import { connectNode, type NatsConnection } from "../lib/nats/node-connection";
import { AuditPublisher } from "../lib/nats/publish";
import { ensureStream } from "../lib/nats/stream";
import { embeddedAuth } from "../scripts/lib/embedded-auth";
import { readConnectionLog } from "../scripts/lib/chaos-rig";
import { serveApp, type ServedApp } from "../scripts/lib/next-server";
import { startOidcIssuer, type OidcIssuer } from "./support/oidc-issuer";
import { loopbackOnly, signIn } from "./support/sign-in";

const STREAM = "AUDIT_EVENTS";
const SUBJECT = "auditEvent";
const EXECUTIONS: [string, string, number][] = [
  ["acme-run-1", "acme", 3],
  ["globex-run-1", "globex", 2],
  ["acme-run-2", "acme", 2],
  ["globex-run-2", "globex", 4],
];

let dir: string;
let nats: RunningNatsServer;
let admin: NatsConnection;
let issuer: OidcIssuer;
let app: ServedApp;
let appUrl: string;
const stopIndexer = new AbortController();
let indexing: Promise<void>;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(join(tmpdir(), "seqscope-tenant-e2e-"));
  const auth = await embeddedAuth(dir, STREAM, SUBJECT);
  nats = await startNatsServer({ extraConfig: auth.serverConfig });
  admin = await connectNode(nats.url, "admin", {
    creds: await mintProcessCreds(auth.setup, "admin", { pub: { allow: [">"] }, sub: { allow: [">"] } }),
  });
  await ensureStream(admin, { stream: STREAM, subject: SUBJECT });
  const pub = new AuditPublisher(admin, SUBJECT);
  let seq = 0;
  for (const [id, org, n] of EXECUTIONS) {
    for (let i = 0; i < n; i++) {
      seq++;
      await pub.publish(
        JSON.stringify({
          ts: new Date(Date.now() - 60_000 + seq * 100).toISOString(),
          event: i === 0 ? "workflow_started" : i === n - 1 ? "workflow_complete" : "tool_exec",
          seq: i + 1,
          workflow_id: `${org}-flow`,
          workflow_execution_id: id,
          org_id: org,
          entity_type: "workflow",
          entity_id: "orchestrator",
        }),
      );
    }
  }
  indexing = new Indexer(admin, { stream: STREAM }).run(stopIndexer.signal);
  await expect.poll(() => indexCaughtUp(admin, STREAM), { timeout: 30_000 }).toBe(true);

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  issuer = await startOidcIssuer({
    redirectUri: `${appUrl}/api/auth/callback/seqscope`,
    accounts: {
      ann: { name: "Ann Acme", email: "ann@acme.example", groups: ["seqscope-viewer"], org_id: "acme" },
      root: { name: "Root Everyone", email: "root@example.com", groups: ["seqscope-viewer"] },
    },
  });
  app = await serveApp(fileURLToPath(new URL("..", import.meta.url)), port, {
    SEQSCOPE_NATS_URL: nats.wsUrl,
    SEQSCOPE_STREAM: STREAM,
    SEQSCOPE_SUBJECT: SUBJECT,
    ...auth.appEnv,
    SEQSCOPE_OIDC_ISSUER: issuer.url,
    SEQSCOPE_OIDC_CLIENT_ID: issuer.clientId,
    SEQSCOPE_OIDC_CLIENT_SECRET: issuer.clientSecret,
    SEQSCOPE_OIDC_SCOPES: "openid profile email groups",
    SEQSCOPE_OIDC_ORG_CLAIM: "org_id",
    SEQSCOPE_AUTH_SECRET: "e2e-tenant-session-secret-0123456789abcdef",
    SEQSCOPE_PUBLIC_URL: appUrl,
    SEQSCOPE_HOST: "127.0.0.1",
  });
});

test.afterAll(async () => {
  if (app) await stopChild(app.child);
  await issuer?.stop();
  stopIndexer.abort();
  await indexing;
  await admin?.close();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const rows = (page: import("@playwright/test").Page) => page.getByTestId("execution-row");

test("a user of one tenant sees that tenant's executions only, and the server refused nothing", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: appUrl });
  await loopbackOnly(context);
  const page = await context.newPage();
  await page.goto("/");
  await signIn(page, issuer, appUrl, "ann");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await expect(page.getByTestId("tenant-note")).toContainText("tenant acme");
  await expect(rows(page)).toHaveCount(2);
  const ids = await rows(page).evaluateAll((r) => r.map((e) => e.getAttribute("data-execution-id")).sort());
  expect(ids).toEqual(["acme-run-1", "acme-run-2"]);

  await page.goto("/executions/acme-run-1");
  await expect(page.getByTestId("execution-id")).toHaveText("acme-run-1");
  await expect(page.getByTestId("event-mark")).toHaveCount(3);

  // Another tenant's execution, by its URL: not found, and none of its lines reached the tab.
  await page.goto("/executions/globex-run-2");
  await expect(page.getByText(/not in the part of the index this tab may read/)).toBeVisible();
  await expect(page.getByTestId("event-mark")).toHaveCount(0);

  const log = await readConnectionLog(page);
  expect(log.filter((e) => /permission|not allowed/i.test(e.detail))).toEqual([]);
  await context.close();
});

test("a user without a tenant sees every tenant's executions", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: appUrl });
  await loopbackOnly(context);
  const page = await context.newPage();
  await page.goto("/");
  await signIn(page, issuer, appUrl, "root");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await expect(rows(page)).toHaveCount(EXECUTIONS.length);
  await expect(page.getByTestId("tenant-note")).toHaveCount(0);
  await context.close();
});
