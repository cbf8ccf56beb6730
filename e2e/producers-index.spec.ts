// The Producers page with an indexer: the tab loads only the stream's tail (a
// history window of 20 lines), so its own ledger sees a process starting
// mid-chain; the index's ledger has read the whole stream and names the break
// at exactly the stream sequence the server gave the line after the lost one.
// The page lands on the index's ledger, and leads to the tab's view of the same
// process and back. Real nats-server, real indexer, real app, real Chromium.
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { IndexStore } from "../lib/nats/index-store";
import { AuditPublisher } from "../lib/nats/publish";
import { HashChain } from "../lib/sim/chain";
import { expect, readTab, test } from "./fault-fixture";

const enc = new TextEncoder();
/** The tab loads the newest 20 lines of the stream. */
const HISTORY = 20;

/** One producer process's lines, chained from genesis (64 zeros) by the sha256 of each line's exact bytes. */
function processLines(agent: string, events: string[], executionId: string): Uint8Array[] {
  const chain = new HashChain();
  const t0 = Date.now();
  return events.map((event, i) => {
    const wire = {
      ts: new Date(t0 + i * 1000).toISOString(),
      event,
      entity_type: "agent",
      entity_id: agent,
      workflow_execution_id: executionId,
      correlation_id: `${executionId}-call`,
      seq: i + 1,
      prev_hash: chain.prevHash,
    };
    const bytes = enc.encode(JSON.stringify(wire));
    chain.advance(bytes);
    return bytes;
  });
}

const row = (page: Page, id: string) => page.locator(`[data-testid=producer-row][data-process-id="${id}"]`);

test("with an indexer the Producers page shows the whole stream's ledger: a break the tab's tail cannot see, at its exact stream sequence", async ({
  page,
  faultRig,
}) => {
  test.setTimeout(180_000);
  const rig = await faultRig({ indexer: true, history: HISTORY });
  const tag = Date.now().toString(36);
  const agent = `ledger-agent-${tag}`;
  const filler = `filler-agent-${tag}`;
  // agent: 8 lines, line 4 never published; lines 0–6 first, then 30 of another process, then agent's line 7 —
  // so the tab's last 20 lines hold only line 7 of agent's (its predecessor not among them: "starts mid-chain").
  const lines = processLines(
    agent,
    ["session_start", "tool_exec", "tool_exec", "tool_exec", "tool_exec", "tool_exec", "tool_exec", "session_end"],
    `ledger-x-${tag}`,
  );
  const others = processLines(
    filler,
    Array.from({ length: 30 }, () => "tool_exec"),
    `filler-x-${tag}`,
  );
  const LOST = 4;
  const pub = new AuditPublisher(rig.admin, rig.subject);
  const seqs: number[] = [];
  for (let i = 0; i < 7; i++) if (i !== LOST) seqs[i] = (await pub.publish(lines[i]!)).streamSeq;
  const otherSeqs: number[] = [];
  for (const l of others) otherSeqs.push((await pub.publish(l)).streamSeq);
  seqs[7] = (await pub.publish(lines[7]!)).streamSeq;
  const last = seqs[7]!;
  const before = seqs[LOST - 1]!;
  const at = seqs[LOST + 1]!;
  const published = lines.length - 1 + others.length;
  expect(last).toBe(published);

  // The index's ledger has read every line: its range ends at the last one, and it has the break.
  await expect
    .poll(
      async () => {
        const store = await IndexStore.open(rig.admin, rig.stream);
        const l = await store?.readLedger(new AbortController().signal);
        const p = l?.processes.find((e) => e.process.id === `agent:${agent}@${seqs[0]}`);
        return { last: l?.head?.range.last.streamSeq, breaks: p?.process.breaks.map((b) => b.at) };
      },
      { message: "the index's ledger has read the whole stream", timeout: 90_000, intervals: [250] },
    )
    .toEqual({ last, breaks: [at] });

  await page.goto(`${rig.appUrl}/producers`);
  await expect
    .poll(() => readTab(page), { timeout: 60_000, intervals: [100] })
    .toMatchObject({ phase: "live", behind: 0, lastSeq: last });

  // The tab holds only the tail: the page opens on the index's ledger, and says what each covers.
  const source = page.getByTestId("ledger-source");
  await expect(source).toHaveAttribute("data-source", "index");
  const tabFirst = last - HISTORY + 1;
  await expect(page.getByRole("radio", { name: /^Whole stream, from the index/ })).toBeChecked();
  await expect(source).toContainText(`This tab (stream seq ${tabFirst}–${last}, ${HISTORY} lines)`);
  await expect(source).toContainText(`Whole stream, from the index (stream seq 1–${last} as of`);
  await expect(page.getByTestId("producers-totals")).toHaveText(
    `2 processes · ${published} lines indexed (stream seq 1–${last}) · 1 chain break`,
  );

  const indexed = row(page, `agent:${agent}@${seqs[0]}`);
  await expect(indexed.locator("[data-status]")).toHaveAttribute("data-status", "breaks");
  await expect(indexed.getByTestId("producer-events")).toHaveText(String(lines.length - 1));
  await expect(indexed.getByTestId("producer-breaks")).toHaveText("1");
  await expect(row(page, `agent:${filler}@${otherSeqs[0]}`).locator("[data-status]")).toHaveAttribute(
    "data-status",
    "continuous",
  );

  await indexed.getByRole("button", { name: agent }).click();
  const detail = page.getByTestId("process-detail");
  await expect(detail.getByTestId("range-requested")).toContainText(`stream seq 1–${last}`);
  await expect(detail.getByTestId("range-verified")).toContainText(`stream seq ${seqs[0]}–${last}`);
  await expect(detail.getByTestId("verification-summary")).toHaveText(
    `${lines.length - 2} of ${lines.length - 1} lines verified, 1 break, signatures not checked`,
  );
  await expect(detail.getByTestId("chain-status-text")).toHaveText(`breaks at stream seq ${at}`);
  const breaks = detail.getByTestId("chain-break");
  await expect(breaks).toHaveCount(1);
  await expect(breaks.first()).toHaveAttribute("data-at", String(at));
  await expect(breaks.first()).toContainText(`missing after stream seq ${before}`);
  await expect(breaks.first()).toContainText(`before stream seq ${at}`);
  await expect(detail.getByTestId("process-executions").getByRole("link")).toHaveCount(1);
  // The lines themselves are the tab's: no timeline or signatures here, a way to the tab's view instead.
  await expect(detail.getByTestId("process-lines-note")).toContainText(
    `shown for the lines this tab holds (stream seq ${tabFirst}–${last})`,
  );
  await expect(detail.getByTestId("process-timeline")).toHaveCount(0);
  await expect(page).toHaveURL(/[?&]process=/);

  // The export is the index's ledger, the break at the same positions.
  const download = page.waitForEvent("download");
  await detail.getByTestId("export-process").click();
  const report = JSON.parse(await readFile(await (await download).path(), "utf8")) as {
    ledger: string;
    rangeRequested: { first: { streamSeq: number }; last: { streamSeq: number } };
    processes: {
      lines: number;
      verified: number;
      breaks: { at: { streamSeq: number }; after: { streamSeq: number } }[];
    }[];
  };
  expect(report.ledger).toBe("index");
  expect([report.rangeRequested.first.streamSeq, report.rangeRequested.last.streamSeq]).toEqual([1, last]);
  expect(report.processes).toHaveLength(1);
  expect(report.processes[0]).toMatchObject({ lines: lines.length - 1, verified: lines.length - 2 });
  expect(report.processes[0]!.breaks.map((b) => [b.after.streamSeq, b.at.streamSeq])).toEqual([[before, at]]);
  await test
    .info()
    .attach("producers-index", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });

  // This tab's view of the same process: it holds its last line only, so there it starts mid-chain.
  await detail.getByTestId("open-in-tab").click();
  await expect(source).toHaveAttribute("data-source", "tab");
  await expect(page.getByRole("radio", { name: /^This tab/ })).toBeChecked();
  await expect(page).toHaveURL(new RegExp(`[?&]ledger=tab`));
  await expect(row(page, `agent:${agent}@${last}`)).toHaveAttribute("aria-selected", "true");
  await expect(detail.getByTestId("chain-status-text")).toHaveText(
    `starts mid-chain at stream seq ${last} (its earlier lines were not read)`,
  );
  await expect(detail.getByTestId("process-timeline")).toBeVisible();
  await expect(row(page, `agent:${agent}@${seqs[0]}`)).toHaveCount(0);

  // And back to the whole stream's, on the same process; the link reopens it after a reload.
  await page.getByTestId("open-in-index").click();
  await expect(source).toHaveAttribute("data-source", "index");
  await expect(detail.getByTestId("chain-status-text")).toHaveText(`breaks at stream seq ${at}`);
  await page.reload();
  await expect(detail.getByTestId("chain-status-text")).toHaveText(`breaks at stream seq ${at}`);
  await expect(source).toHaveAttribute("data-source", "index");

  // The switch itself: this tab's ledger has no break, the index's one.
  await page.getByRole("radio", { name: /^This tab/ }).check();
  await expect(page.getByTestId("producers-totals")).toHaveText(
    `2 processes · ${HISTORY} lines read (stream seq ${tabFirst}–${last}) · 0 chain breaks`,
  );
});
