// Hostile ids and text end to end: executions whose ids hold markup, spaces,
// "/", "%", quotes, emoji, 10 000 characters and a right-to-left override are
// published to the real stream; each must open from the list by its link and
// from a URL typed or shared by hand, the bidi override must be shown marked
// (⟨U+202E⟩) wherever it is drawn, and no id may ever run as script.
import { expect, test, type Page } from "@playwright/test";
import { executionPath } from "../lib/links/url-text";
import { connectE2E } from "./nats-admin";
import { AuditPublisher } from "../lib/nats/publish";
import { visible } from "../lib/text/visible";
import { E2E_SUBJECT } from "./global-setup";

const RLO = "\u202E";
const nonce = Date.now().toString(36);
/** A unique prefix, so that searching the list for one id finds that execution alone. */
const tag = (i: number) => `h${i}-${nonce}-`;
const HOSTILE = [
  `"><svg onload=alert(1)>`,
  `<img src=x onerror="window.__pwned=1">`,
  "a b c",
  "run/2026/01",
  "100% done %2F %E0",
  `it's "quoted"`,
  "😀 wfx 🏳️‍🌈",
  `wfx${RLO}gnp.exe`,
  "x".repeat(10_000),
];
const ids = HOSTILE.map((h, i) => `${tag(i)}${h}`);
const bidiId = ids[HOSTILE.indexOf(`wfx${RLO}gnp.exe`)]!;
/** The agent of every execution: "agent‮gnp.exe" would read as "agentexe.png". */
const bidiEntity = `agent${RLO}gnp.exe`;

/* Each execution: orchestrator started → one agent invocation (seq 1, 2) → orchestrator complete. */
function lines(id: string, t0: number): string[] {
  const at = (s: number) => new Date(t0 + s * 1_000).toISOString();
  const agent = { entity_type: "agent", entity_id: bidiEntity, correlation_id: `c-${id}`, task_id: "t1" };
  const base = { schema_version: "1.0", workflow_id: "wf-hostile", workflow_execution_id: id };
  return [
    { ts: at(0), event: "workflow_started", ...base, seq: 1 },
    { ts: at(1), event: "session_start", ...base, ...agent, seq: 1, fields: { note: `hidden${RLO}text` } },
    { ts: at(2), event: "invocation_complete", ...base, ...agent, seq: 2 },
    { ts: at(3), event: "workflow_complete", ...base, seq: 2 },
  ].map((e) => JSON.stringify(e));
}

test.beforeAll(async () => {
  const nc = await connectE2E();
  try {
    const pub = new AuditPublisher(nc, E2E_SUBJECT);
    const t0 = Date.now();
    for (const [i, id] of ids.entries()) for (const line of lines(id, t0 + i * 10_000)) await pub.publish(line);
  } finally {
    await nc.close();
  }
});

/** Every dialog a page opens (an id run as script would open one): must stay empty. */
function watchForScript(page: Page): string[] {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

async function expectNoScriptRan(page: Page, dialogs: string[]) {
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  await expect(page.locator("svg[onload], img[onerror]")).toHaveCount(0);
}

/** The execution page shows this id (marked as the rule shows it) with its lanes. */
async function expectOpened(page: Page, id: string) {
  await expect(page.getByTestId("execution-id")).toHaveText(visible(id));
  await expect(page.getByTestId("lane")).toHaveCount(2);
  await expect(page.getByTestId("execution-missing")).toHaveCount(0);
}

test("every hostile id is listed, opens from its link, and its page URL opens it again", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const dialogs = watchForScript(page);
  await page.goto("/");
  for (const id of ids) {
    await page.getByRole("searchbox", { name: "Search execution id" }).fill(id);
    const row = page.getByTestId("execution-row");
    await expect(row).toHaveCount(1);
    expect(await row.getAttribute("data-execution-id")).toBe(id);
    const link = row.getByRole("link");
    await expect(link).toHaveText(visible(id));
    await link.click();
    await expectOpened(page, id);
    // Encoded once: the path is the id's one encoding, no double "%25" and nothing raw.
    expect(new URL(page.url()).pathname).toBe(executionPath(id));

    // The address as shared: a fresh browser opens it.
    const shared = page.url();
    const other = await browser.newContext();
    const fresh = await other.newPage();
    const freshDialogs = watchForScript(fresh);
    await fresh.goto(shared);
    await expectOpened(fresh, id);
    await expectNoScriptRan(fresh, freshDialogs);
    await other.close();

    await page.goBack();
    await expect(page.getByTestId("execution-row")).toHaveCount(1);
  }
  await expectNoScriptRan(page, dialogs);
});

test("an id typed into the address bar as it is opens (the browser encodes it, the route decodes it once)", async ({
  page,
}) => {
  const dialogs = watchForScript(page);
  // Typed raw: everything but "%", "/", "?" and "#", which a URL gives meanings of its own.
  for (const id of ids.filter((x) => !/[%/?#]/.test(x))) {
    await page.goto(`/executions/${id}`);
    await expectOpened(page, id);
  }
  await expectNoScriptRan(page, dialogs);
});

test("a right-to-left override in an execution id and an entity_id is shown marked in the list, lanes and details", async ({
  page,
}) => {
  const dialogs = watchForScript(page);
  await page.goto("/");
  await page.getByRole("searchbox", { name: "Search execution id" }).fill(bidiId);
  const row = page.getByTestId("execution-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("link")).toHaveText(`${tag(HOSTILE.indexOf(`wfx${RLO}gnp.exe`))}wfx⟨U+202E⟩gnp.exe`);
  await expect(row).toContainText("agent⟨U+202E⟩gnp.exe");
  expect(await page.evaluate(() => document.body.innerText.includes("\u202E"))).toBe(false);

  await row.getByRole("link").click();
  await expect(page.getByTestId("execution-id")).toContainText("wfx⟨U+202E⟩gnp.exe");
  const labels = page.getByTestId("lane-label");
  await expect(labels).toHaveText([`orchestrator ${visible(bidiId)}`, "agent⟨U+202E⟩gnp.exe"]);
  expect(await labels.last().getAttribute("title")).toBe("agent:agent⟨U+202E⟩gnp.exe");

  // Details of the agent's first event: producer, fields and the raw message, all marked.
  await page.getByTestId("timeline-plot").focus();
  await page.keyboard.press("ArrowRight"); // focus: the orchestrator's first event
  await page.keyboard.press("ArrowDown"); // the agent's nearest one
  await expect(page.getByTestId("timeline-focus")).toHaveAttribute("data-producer", `agent:${bidiEntity}`);
  await expect(page.getByTestId("timeline-focus")).toContainText("agent⟨U+202E⟩gnp.exe");
  await page.keyboard.press("Enter");
  const detail = page.getByTestId("event-detail");
  await expect(detail).toBeVisible();
  await expect(detail).toContainText("agent⟨U+202E⟩gnp.exe");
  await expect(page.getByTestId("detail-fields")).toContainText('"hidden⟨U+202E⟩text"');
  await expect(page.getByTestId("detail-raw")).toContainText('"entity_id":"agent⟨U+202E⟩gnp.exe"');
  expect(await page.evaluate(() => document.body.innerText.includes("\u202E"))).toBe(false);
  await test.info().attach("bidi", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  await expectNoScriptRan(page, dialogs);
});
