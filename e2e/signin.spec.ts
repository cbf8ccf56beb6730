// Sign-in end to end with real parts: an OpenID issuer (oidc-provider), a
// nats-server, and the production app started with sign-in on, driven in
// Chromium through the real redirect flow. Anonymous requests to every route
// must get neither data nor a credential; a user without a seqscope role gets
// the 403 page; only an admin opens the benchmark pages.
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { freePort, startNatsServer, stopChild, type RunningNatsServer } from "../lib/node/nats-server";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream } from "../lib/nats/stream";
import { publishSimulation } from "../scripts/lib/sim-publisher";
import { serveApp, type ServedApp } from "../scripts/lib/next-server";
import type { TruthRecord } from "../lib/sim/truth";
import { startOidcIssuer, type OidcIssuer } from "./support/oidc-issuer";
import { loopbackOnly, signIn } from "./support/sign-in";

const STREAM = "AUDIT_EVENTS";
const SUBJECT = "auditEvent";
// Secrets the app holds: none may reach an anonymous client. (The nats-server runs without auth and ignores
// credentials: the server's own user and the one handed to signed-in browsers only need to exist.)
const NATS_USER = "signin-probe-user";
const NATS_PASSWORD = "signin-probe-password-7f3a9c";
const BROWSER_NATS_USER = "signin-browser-user";
const BROWSER_NATS_PASSWORD = "signin-browser-password-41be0d";
const AUTH_SECRET = "e2e-session-secret-0123456789abcdef0123456789";

let nats: RunningNatsServer;
let issuer: OidcIssuer;
let app: ServedApp;
/** The dashboard as the browser and the issuer know it (SEQSCOPE_PUBLIC_URL). */
let appUrl: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  nats = await startNatsServer();
  const nc = await connectNode(nats.url);
  await ensureStream(nc, { stream: STREAM, subject: SUBJECT });
  await nc.close();

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  issuer = await startOidcIssuer({
    redirectUri: `${appUrl}/api/auth/callback/seqscope`,
    accounts: {
      alice: { name: "Alice Viewer", email: "alice@example.com", groups: ["seqscope-viewer", "staff"] },
      root: { name: "Root Admin", email: "root@example.com", groups: ["seqscope-admin"] },
      mallory: { name: "Mallory Nogroup", email: "mallory@example.com", groups: ["staff"] },
    },
  });
  app = await serveApp(fileURLToPath(new URL("..", import.meta.url)), port, {
    SEQSCOPE_NATS_URL: nats.wsUrl,
    SEQSCOPE_NATS_USER: NATS_USER,
    SEQSCOPE_NATS_PASSWORD: NATS_PASSWORD,
    SEQSCOPE_BROWSER_NATS_USER: BROWSER_NATS_USER,
    SEQSCOPE_BROWSER_NATS_PASSWORD: BROWSER_NATS_PASSWORD,
    SEQSCOPE_STREAM: STREAM,
    SEQSCOPE_SUBJECT: SUBJECT,
    SEQSCOPE_BENCH: "1",
    SEQSCOPE_OIDC_ISSUER: issuer.url,
    SEQSCOPE_OIDC_CLIENT_ID: issuer.clientId,
    SEQSCOPE_OIDC_CLIENT_SECRET: issuer.clientSecret,
    SEQSCOPE_OIDC_SCOPES: "openid profile email groups",
    SEQSCOPE_AUTH_SECRET: AUTH_SECRET,
    SEQSCOPE_PUBLIC_URL: appUrl,
    SEQSCOPE_HOST: "127.0.0.1",
  });
});

test.afterAll(async () => {
  if (app) await stopChild(app.child);
  await issuer?.stop();
  await nats?.stop();
});

/** What no anonymous answer may contain: the NATS address and credentials, the client secret, the cookie key. */
function secrets(): string[] {
  const ws = new URL(nats.wsUrl);
  return [
    NATS_USER,
    NATS_PASSWORD,
    BROWSER_NATS_USER,
    BROWSER_NATS_PASSWORD,
    issuer.clientSecret,
    AUTH_SECRET,
    `${ws.hostname}:${ws.port}`,
    nats.wsUrl,
  ];
}

function expectNoSecret(body: string, what: string) {
  for (const s of secrets()) expect(body, `${what} leaks ${s}`).not.toContain(s);
}

async function publishOne(seed: number): Promise<TruthRecord> {
  const nc = await connectNode(nats.url);
  const truths: TruthRecord[] = [];
  try {
    await publishSimulation(nc, {
      subject: SUBJECT,
      sim: { seed, executions: 1, startMs: Date.now() },
      speed: 0,
      signal: new AbortController().signal,
      onExecutionDone: (t) => truths.push(t),
    });
  } finally {
    await nc.close();
  }
  return truths[0]!;
}

const ROUTES = ["/", "/executions/wfx-does-not-matter", "/lab", "/bench/timeline", "/signin", "/forbidden"];
// app/api/nats/credentials/route.ts (the per-session NATS credential, issue 13 part 2): the proxy answers for it
// whether or not the route exists yet, so it is checked like any other.
const API_ROUTES = ["/api/nats/credentials", "/api/anything"];

test("an anonymous request to any route gets neither data nor a credential", async () => {
  for (const path of [...ROUTES, ...API_ROUTES]) {
    // A page: the sign-in redirect (or the sign-in page itself); an API: 401.
    const res = await fetch(`${appUrl}${path}`, { redirect: "manual" });
    const body = await res.text();
    expectNoSecret(body, `GET ${path}`);
    if (path.startsWith("/api/")) expect(res.status, path).toBe(401);
    else if (path === "/signin") expect(res.status).toBe(200);
    else {
      expect(res.status, path).toBe(307);
      expect(new URL(res.headers.get("location")!, appUrl).pathname).toBe("/signin");
      expect(new URL(res.headers.get("location")!, appUrl).searchParams.get("callbackURL")).toBe(path);
    }
    // The same route as an RSC payload (client navigation, prefetch) and as a server action.
    const variants: Record<string, string>[] = [
      { RSC: "1" },
      { RSC: "1", "Next-Router-Prefetch": "1" },
      { "Next-Action": "0123456789abcdef", "Content-Type": "text/plain" },
    ];
    for (const headers of variants) {
      const method = "Next-Action" in headers ? "POST" : "GET";
      const r = await fetch(`${appUrl}${path}`, {
        method,
        headers,
        redirect: "manual",
        body: method === "POST" ? "[]" : undefined,
      });
      const b = await r.text();
      expectNoSecret(b, `${method} ${path} ${JSON.stringify(headers)}`);
      const what = `${method} ${path} ${JSON.stringify(headers)}`;
      // Next hides its RSC headers from the proxy, so an RSC request for a page is redirected to sign-in like
      // the page (/signin itself: to its cache-busting `?_rsc` URL, by Next).
      if (method === "GET" && !path.startsWith("/api/")) {
        expect(r.status, what).toBe(307);
        expect(new URL(r.headers.get("location")!, appUrl).pathname, what).toBe("/signin");
      } else expect(r.status, what).toBe(401);
    }
  }
  // A forged session cookie is no session.
  const forged = await fetch(`${appUrl}/api/nats/credentials`, {
    headers: {
      cookie: "seqscope.session_token=x; seqscope.session_data=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..x.y.z",
    },
  });
  expect(forged.status).toBe(401);
  expectNoSecret(await forged.text(), "forged cookie");
});

test("a viewer signs in through the issuer, lands where they were headed and sees the data", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: appUrl });
  await loopbackOnly(context);
  const page = await context.newPage();
  const run = await publishOne(1301);

  // A deep link opened before signing in: after the issuer, the same execution opens.
  await page.goto(`/executions/${run.executionId}`);
  await expect(page).toHaveURL(/\/signin\?callbackURL=/);
  await signIn(page, issuer, appUrl, "alice");
  await expect(page).toHaveURL(new RegExp(`/executions/${run.executionId}$`));
  await expect(page.getByTestId("auth-user")).toHaveText("Alice Viewer");
  await expect(page.getByTestId("auth-roles")).toHaveText("viewer");
  await expect(page.getByTestId("execution-id")).toHaveText(run.executionId);
  await expect(page.getByTestId("lane").first()).toBeVisible();

  // The list, live: an execution published now appears.
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  const later = await publishOne(1302);
  await expect(page.locator(`[data-testid=execution-row][data-execution-id="${later.executionId}"]`)).toBeVisible();

  // A viewer is not an admin: the benchmark pages send them to the 403 page, and their data answers 403.
  await page.goto("/bench/timeline?events=10&producers=2");
  await expect(page).toHaveURL(/\/forbidden$/);
  await expect(page.getByTestId("admin-only-panel")).toBeVisible();
  const benchAction = await page.request.post("/bench/timeline", { headers: { "Next-Action": "x" }, maxRedirects: 0 });
  expect(benchAction.status()).toBe(403);

  // A viewer cannot make themselves an admin: the routes that write one's own user record are off.
  const escalate = await page.request.post("/api/auth/update-user", { data: { roles: ["viewer", "admin"] } });
  expect(escalate.status()).toBe(404);
  await page.goto("/");
  await expect(page.getByTestId("auth-roles")).toHaveText("viewer");

  // Signing out ends the session: the dashboard asks to sign in again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByTestId("signin-panel")).toBeVisible();
  const after = await page.request.get("/api/nats/credentials", { maxRedirects: 0 });
  expect(after.status()).toBe(401);
  await context.close();
});

test("a user the issuer knows but who has no seqscope role gets the 403 page and no data", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: appUrl });
  await loopbackOnly(context);
  const page = await context.newPage();
  await page.goto("/");
  await signIn(page, issuer, appUrl, "mallory");
  await expect(page.getByTestId("forbidden-panel")).toBeVisible();
  await expect(page.getByTestId("forbidden-panel")).toContainText("Mallory Nogroup");
  const again = await page.goto("/lab");
  await expect(page).toHaveURL(/\/forbidden$/);
  await expect(page.getByTestId("forbidden-panel")).toBeVisible();
  expectNoSecret(await again!.text(), "403 page");
  await expect(page.getByTestId("connection-status")).toHaveCount(0);
  const api = await page.request.get("/api/nats/credentials");
  expect(api.status()).toBe(403);
  expectNoSecret(await api.text(), "403 API");
  await context.close();
});

test("an admin opens the benchmark pages", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: appUrl });
  await loopbackOnly(context);
  const page = await context.newPage();
  await page.goto("/bench/timeline?events=10&producers=2");
  await signIn(page, issuer, appUrl, "root");
  await expect(page).toHaveURL(/\/bench\/timeline\?events=10&producers=2$/);
  await expect(page.getByTestId("auth-roles")).toHaveText("viewer, admin");
  const res = await page.reload();
  expect(res?.status()).toBe(200);
  await context.close();
});
