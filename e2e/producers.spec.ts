// The Producers page end to end: a process's chained lines published to the
// real stream with one line never published; the page must name the break at
// exactly the stream sequence the server gave the line after the lost one,
// with the right counts, and lead to the executions the process served.
import { expect, test } from "@playwright/test";
import { connectE2E } from "./nats-admin";
import { AuditPublisher } from "../lib/nats/publish";
import { HashChain, signEvent, signingKey, type SigningKey } from "../lib/sim/chain";
import { E2E_SUBJECT } from "./global-setup";

const enc = new TextEncoder();

interface Written {
  bytes: Uint8Array;
  executionId?: string;
}

/** One producer process's lines, chained from genesis as a Forge agent writes them. */
function processLines(agent: string, specs: { event: string; executionId?: string }[], key?: SigningKey): Written[] {
  const chain = new HashChain();
  const t0 = Date.now();
  return specs.map((s, i) => {
    const wire: Record<string, unknown> = {
      ts: new Date(t0 + i * 1000).toISOString(),
      event: s.event,
      entity_type: "agent",
      entity_id: agent,
    };
    if (s.executionId !== undefined) {
      wire.workflow_execution_id = s.executionId;
      wire.correlation_id = `${s.executionId}-call`;
      wire.seq = i;
    }
    wire.prev_hash = chain.prevHash;
    if (key !== undefined) signEvent(wire, key);
    const bytes = enc.encode(JSON.stringify(wire));
    chain.advance(bytes);
    return { bytes, ...(s.executionId !== undefined ? { executionId: s.executionId } : {}) };
  });
}

test("the Producers page reports a lost line at exactly its stream sequence, with the right counts", async ({
  page,
}) => {
  await page.goto("/producers");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");

  const tag = Date.now().toString(36);
  const agent = `ledger-agent-${tag}`;
  const steady = `steady-agent-${tag}`;
  const xa = `ledger-x-a-${tag}`;
  const xb = `ledger-x-b-${tag}`;
  // agent: policy_loaded, then 3 lines for xa and 3 for xb; line 4 (xb's first) is never published.
  const lines = processLines(agent, [
    { event: "policy_loaded" },
    { event: "session_start", executionId: xa },
    { event: "tool_exec", executionId: xa },
    { event: "session_end", executionId: xa },
    { event: "session_start", executionId: xb },
    { event: "tool_exec", executionId: xb },
    { event: "session_end", executionId: xb },
  ]);
  // A second process, signed: the e2e app has no JWKS, so its signatures are listed by kid, not checked.
  const key = signingKey(`kid-${tag}`, new Uint8Array(32).fill(7));
  const other = processLines(steady, [{ event: "policy_loaded" }, { event: "agent_card_published" }], key);
  const LOST = 4;

  const nc = await connectE2E();
  const seqs: number[] = [];
  const otherSeqs: number[] = [];
  try {
    const pub = new AuditPublisher(nc, E2E_SUBJECT);
    for (let i = 0; i < lines.length; i++) {
      if (i === LOST) continue;
      seqs[i] = (await pub.publish(lines[i]!.bytes)).streamSeq;
      if (i < other.length) otherSeqs.push((await pub.publish(other[i]!.bytes)).streamSeq);
    }
  } finally {
    await nc.close();
  }
  const before = seqs[LOST - 1]!;
  const at = seqs[LOST + 1]!;

  const row = page.locator(`[data-testid=producer-row][data-process-id="agent:${agent}@${seqs[0]}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId("producer-events")).toHaveText(String(lines.length - 1));
  await expect(row.getByTestId("producer-breaks")).toHaveText("1");
  await expect(row.locator("[data-status]")).toHaveAttribute("data-status", "breaks");
  const steadyRow = page.locator(`[data-testid=producer-row][data-process-id="agent:${steady}@${otherSeqs[0]}"]`);
  await expect(steadyRow.locator("[data-status]")).toHaveAttribute("data-status", "continuous");

  await row.getByRole("button", { name: agent }).click();
  const detail = page.getByTestId("process-detail");
  await expect(detail.getByTestId("verification-summary")).toHaveText(
    `${lines.length - 2} of ${lines.length - 1} lines verified, 1 break, 0 bad signatures`,
  );
  await expect(detail.getByTestId("range-verified")).toContainText(`stream seq ${seqs[0]}–${seqs[lines.length - 1]}`);
  await expect(detail.getByTestId("chain-status-text")).toHaveText(`breaks at stream seq ${at}`);
  const breaks = detail.getByTestId("chain-break");
  await expect(breaks).toHaveCount(1);
  await expect(breaks.first()).toHaveAttribute("data-at", String(at));
  await expect(breaks.first()).toContainText(`missing after stream seq ${before}`);
  await expect(breaks.first()).toContainText(`before stream seq ${at}`);

  // The open process is a link: a reload (the feed reads the stream again) opens it again.
  await expect(page).toHaveURL(/[?&]process=/);
  await page.reload();
  await expect(detail.getByTestId("verification-summary")).toHaveText(
    `${lines.length - 2} of ${lines.length - 1} lines verified, 1 break, 0 bad signatures`,
  );

  // The process timeline: every line it wrote, across both executions, the break marked.
  const strip = detail.getByTestId("process-timeline").getByRole("img");
  await expect(strip).toHaveAttribute(
    "aria-label",
    `${lines.length - 1} lines from stream seq ${seqs[0]} to ${seqs[lines.length - 1]}, 1 breaks`,
  );
  const boxOf = await strip.boundingBox();
  if (boxOf === null) throw new Error("the process timeline has no box");
  await page.mouse.move(boxOf.x + boxOf.width - 1, boxOf.y + boxOf.height / 2);
  await expect(detail.getByTestId("process-timeline-line")).toContainText(`stream seq ${seqs[lines.length - 1]}`);
  await expect(detail.getByTestId("process-timeline-line")).toContainText("session_end");

  // The export says the same.
  const download = page.waitForEvent("download");
  await detail.getByTestId("export-process").click();
  const file = await download;
  const path = await file.path();
  const { readFile } = await import("node:fs/promises");
  const report = JSON.parse(await readFile(path, "utf8")) as {
    processes: {
      lines: number;
      verified: number;
      breaks: { at: { streamSeq: number }; after: { streamSeq: number } }[];
    }[];
  };
  expect(report.processes).toHaveLength(1);
  expect(report.processes[0]).toMatchObject({ lines: lines.length - 1, verified: lines.length - 2 });
  expect(report.processes[0]!.breaks.map((b) => [b.after.streamSeq, b.at.streamSeq])).toEqual([[before, at]]);
  await test.info().attach("producers", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

  // The signed process: continuous, its kid listed, not checked without a JWKS.
  await steadyRow.getByRole("button", { name: steady }).click();
  await expect(detail.getByTestId("verification-summary")).toHaveText(
    "2 of 2 lines verified, 0 breaks, signatures not checked (no JWKS)",
  );
  await expect(detail.getByTestId("signatures")).toContainText(`kid-${tag}`);
  await row.getByRole("button", { name: agent }).click();

  // Follow the process to an execution it served.
  await expect(detail.getByTestId("process-executions").getByRole("link")).toHaveCount(2);
  await detail.getByTestId("process-executions").getByRole("link", { name: xb }).click();
  await expect(page).toHaveURL(new RegExp(`/executions/${xb}$`));
  await expect(page.getByTestId("execution-id")).toHaveText(xb);
});
