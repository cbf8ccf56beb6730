// Cross-links to traces end to end: with SEQSCOPE_TRACE_URL set (global setup), an event's
// detail links to its trace — the template filled with the event's own ids, opened in a new
// tab with no opener — and lanes whose events share a trace are marked so. An event whose
// trace_id is hostile text gets no link and joins no lane.
import { expect, test, type Page } from "@playwright/test";
import { connectE2E } from "./nats-admin";
import { AuditPublisher } from "../lib/nats/publish";
import { E2E_SUBJECT, E2E_TRACE_URL } from "./global-setup";

const executionId = `wfx-trace-links-${Date.now().toString(36)}`;
const SHARED = "4bf92f3577b34da6a3ce929d0e0e4736";
const ALONE = "0af7651916cd43dd8448eb211c80319c";
const HOSTILE = `javascript:alert(1)//${SHARED}`;
const span = (n: number) => `00f067aa0ba902${String(n).padStart(2, "0")}`;

/*
 * One run: the orchestrator and agent "planner" write under one trace (SHARED), agent
 * "checker" under a trace of its own (ALONE), agent "rogue" with a hostile trace_id that
 * merely contains SHARED. Only the orchestrator's and planner's lanes share a trace.
 */
function lines(t0: number): { line: string; role: string }[] {
  const at = (s: number) => new Date(t0 + s * 1_000).toISOString();
  const base = { schema_version: "1.0", workflow_id: "wf-trace", workflow_execution_id: executionId };
  const agent = (name: string) => ({
    entity_type: "agent",
    entity_id: name,
    correlation_id: `c-${name}`,
    task_id: "t1",
  });
  const events = [
    { role: "orchestrator", ts: at(0), event: "workflow_started", seq: 1, trace_id: SHARED, span_id: span(1) },
    {
      role: "planner",
      ts: at(1),
      event: "session_start",
      seq: 1,
      ...agent("planner"),
      trace_id: SHARED,
      span_id: span(2),
    },
    {
      role: "planner",
      ts: at(2),
      event: "invocation_complete",
      seq: 2,
      ...agent("planner"),
      trace_id: SHARED,
      span_id: span(3),
    },
    {
      role: "checker",
      ts: at(3),
      event: "session_start",
      seq: 1,
      ...agent("checker"),
      trace_id: ALONE,
      span_id: span(4),
    },
    {
      role: "checker",
      ts: at(4),
      event: "invocation_complete",
      seq: 2,
      ...agent("checker"),
      trace_id: ALONE,
      span_id: span(5),
    },
    {
      role: "rogue",
      ts: at(5),
      event: "session_start",
      seq: 1,
      ...agent("rogue"),
      trace_id: HOSTILE,
      span_id: span(6),
    },
    { role: "orchestrator", ts: at(6), event: "workflow_complete", seq: 2, trace_id: SHARED, span_id: span(7) },
  ];
  return events.map(({ role, ...e }) => ({ role, line: JSON.stringify({ ...e, ...base }) }));
}

/** Stream sequence of each published line, by role, in publish order. */
const streamSeqs = new Map<string, number[]>();

test.beforeAll(async () => {
  const nc = await connectE2E();
  try {
    const pub = new AuditPublisher(nc, E2E_SUBJECT);
    for (const { line, role } of lines(Date.now())) {
      const { streamSeq } = await pub.publish(line);
      streamSeqs.set(role, [...(streamSeqs.get(role) ?? []), streamSeq]);
    }
  } finally {
    await nc.close();
  }
});

const expectedHref = (traceId: string, spanId: string) =>
  E2E_TRACE_URL.replace("{trace_id}", traceId).replace("{span_id}", spanId);

async function openRun(page: Page, query = "") {
  await page.goto(`/executions/${executionId}${query}`);
  await expect(page.getByTestId("execution-id")).toHaveText(executionId);
  await expect(page.getByTestId("lane")).toHaveCount(4);
}

test("an event's detail links to its trace, opened in a new tab without an opener", async ({ page, context }) => {
  // The tracing UI is not there: answer its host here, so the opened tab has a page to show.
  await context.route("https://traces.example/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>trace</title><p>a trace</p>" }),
  );
  await openRun(page);

  // Click the orchestrator's first event (the first lane's first mark) with the keyboard's Enter.
  await page.getByTestId("timeline-plot").focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("timeline-focus")).toHaveAttribute(
    "data-stream-seq",
    String(streamSeqs.get("orchestrator")![0]),
  );
  await page.keyboard.press("Enter");
  const detail = page.getByTestId("event-detail");
  await expect(detail).toHaveAttribute("data-stream-seq", String(streamSeqs.get("orchestrator")![0]));

  const link = detail.getByRole("link", { name: "Open trace in traces.example" });
  await expect(link).toHaveAttribute("href", expectedHref(SHARED, span(1)));
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer");
  // The id stays as text beside the link, to select and copy.
  await expect(detail.getByTestId("detail-fields")).toContainText(SHARED);

  const opened = context.waitForEvent("page");
  await link.click();
  const tab = await opened;
  await tab.waitForLoadState();
  expect(tab.url()).toBe(expectedHref(SHARED, span(1)));
  expect(await tab.evaluate(() => window.opener)).toBeNull();
  await tab.close();

  // Another event links with its own span.
  await page.goto(`/executions/${executionId}?sel=${streamSeqs.get("checker")![1]}`);
  await expect(detail.getByTestId("trace-link")).toHaveAttribute("href", expectedHref(ALONE, span(5)));
});

test("a hostile trace_id is shown as text and never becomes a link", async ({ page }) => {
  await openRun(page, `?sel=${streamSeqs.get("rogue")![0]}`);
  const detail = page.getByTestId("event-detail");
  await expect(detail).toHaveAttribute("data-stream-seq", String(streamSeqs.get("rogue")![0]));
  await expect(detail.getByTestId("detail-fields")).toContainText(HOSTILE);
  await expect(detail.getByTestId("trace-link")).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
});

test("lanes that share a trace are marked with which trace and how many other lanes", async ({ page }) => {
  await openRun(page);
  const lane = (name: string) =>
    page.getByTestId("lane").filter({ has: page.getByTestId("lane-label").getByText(name) });
  for (const name of ["orchestrator", "planner"]) {
    const marker = lane(name).getByTestId("lane-shared-trace");
    await expect(marker).toHaveAttribute("title", "shares trace 4bf92f… with 1 other lane");
    await expect(marker).toHaveAttribute("data-trace-ids", SHARED);
    await expect(lane(name).getByRole("img", { name: "shares trace 4bf92f… with 1 other lane" })).toBeVisible();
  }
  // A trace of its own, and text that only contains a trace id, share nothing.
  await expect(lane("checker").getByTestId("lane-shared-trace")).toHaveCount(0);
  await expect(lane("rogue").getByTestId("lane-shared-trace")).toHaveCount(0);
  await expect(page.getByTestId("lane-shared-trace")).toHaveCount(2);
});
