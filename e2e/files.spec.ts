// Exports and files without a server, end to end: a seeded run on the real
// nats-server, exported from the live view, opened again as a file in the same
// tab; a file with broken lines; a large generated stderr-style log; links to
// a local view opened where the file is not.
import { linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Download, type Page } from "@playwright/test";
import { generateWorkload } from "../lib/audit/testing";
import type { AnomalyReport } from "../lib/export/report";
import { connectE2E } from "./nats-admin";
import type { TruthEvent, TruthRecord } from "../lib/sim/truth";
import { publishSimulation } from "../scripts/lib/sim-publisher";
import { E2E_SUBJECT } from "./global-setup";

const FIVE_BAD = fileURLToPath(new URL("./fixtures/five-bad-lines.ndjson", import.meta.url));

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "seqscope-files-"));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Clicks an item of the execution's export menu and saves what it downloads. */
async function exportItem(page: Page, testId: string): Promise<{ path: string; download: Download }> {
  await page.getByTestId("export").click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  // One folder per download: the file keeps the name the app gave it (opening it shows that name).
  const path = join(mkdtempSync(join(dir, "download-")), download.suggestedFilename());
  await download.saveAs(path);
  return { path, download };
}

async function openFile(page: Page, path: string) {
  await page.getByTestId("open-file-input").setInputFiles(path);
}

/**
 * What two reports of one execution must agree on when one came from the
 * stream and one from its NDJSON export: everything but stream sequences. A
 * file has none, so the engine numbers its lines instead (1, 2, … in the
 * export's stream order), and the anomalies' `streamSeqs`, and messages that
 * quote them ("stream seq 812 repeats stream seq 809"), name line numbers.
 */
function comparable(r: AnomalyReport) {
  return {
    executionId: r.executionId,
    key: r.key,
    counts: r.counts,
    withoutSeq: r.withoutSeq,
    noKey: r.noKey,
    partitions: r.partitions,
    anomalies: r.anomalies.map((a) => ({
      kind: a.kind,
      partition: a.partition,
      seq: a.seq,
      seqRange: a.seqRange,
      window: a.window,
      involved: a.streamSeqs.length,
      message: a.message.replace(/stream seqs? \d+/g, "stream seq N"),
    })),
    // Where the execution lies is in stream sequences live and in line numbers in a file: not comparable.
    execution: r.execution && { ...r.execution, firstStreamSeq: undefined, lastStreamSeq: undefined },
  };
}

/** What the live view of one simulated execution must count, from its ground truth alone. */
function expectedFromTruth(truth: TruthRecord) {
  // A truncated line is not JSON, so it names no execution; a wrong-typed one still does.
  const ofExecution = (e: TruthEvent) => e.fate !== "malformed" || e.malformed !== "truncated";
  const events = truth.events.filter((e) => e.published.length > 0 && e.fate !== "malformed");
  const inInvocation = (e: TruthEvent) => e.correlationId !== undefined && e.taskId !== undefined;
  const sameInvocation = (a: TruthEvent, b: TruthEvent) => a.correlationId === b.correlationId && a.taskId === b.taskId;
  return {
    // Every copy of every published line of the run (process lines carry no execution id).
    lines: truth.events.filter(ofExecution).reduce((n, e) => n + e.published.length, 0),
    events: events.length,
    duplicates: truth.events.reduce((n, e) => n + Math.max(0, e.published.length - 1), 0),
    malformed: truth.events.filter((e) => e.fate === "malformed" && ofExecution(e)).length,
    // Under (correlation_id, task_id) the events outside any invocation have no key.
    noKey: events.filter((e) => !inInvocation(e)).length,
    // A reordered event is out of order in its partition when a higher seq of it reached the stream first.
    outOfOrder: truth.events.filter(
      (e) =>
        e.fate === "reordered" &&
        inInvocation(e) &&
        events.some((o) => sameInvocation(o, e) && o.seq > e.seq && o.published[0]! < e.published[0]!),
    ).length,
    drops: truth.events
      .filter((e) => e.fate === "dropped" && inInvocation(e))
      .map((e) => ({ seq: e.seq, partition: [e.correlationId!, e.taskId!] })),
  };
}

test("an execution's NDJSON export, opened as a file, gives the same anomaly report as the live view", async ({
  page,
}) => {
  // One run with exactly two drops, two byte-identical duplicates, two reordered lines and a malformed one.
  const nc = await connectE2E();
  const truths: TruthRecord[] = [];
  try {
    await publishSimulation(nc, {
      subject: E2E_SUBJECT,
      sim: {
        seed: 6006,
        executions: 1,
        startMs: Date.now(),
        agentScope: "mixed",
        faults: { drop: 2, duplicate: 2, reorder: { rate: 2, window: 4 }, malformed: 1 },
      },
      speed: 0,
      signal: new AbortController().signal,
      onExecutionDone: (t) => truths.push(t),
    });
  } finally {
    await nc.close();
  }
  const truth = truths[0]!;
  const executionId = truth.executionId;
  // The faults the comment above promises are the run's, as its ground truth records them.
  expect(truth.counts).toMatchObject({ dropped: 2, duplicated: 2, reordered: 2, malformed: 1, crashLost: 0 });
  const expected = expectedFromTruth(truth);

  await page.goto(`/executions/${executionId}`);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await expect(page.getByTestId("execution-id")).toHaveText(executionId);

  const ndjson = await exportItem(page, "export-ndjson");
  expect(ndjson.download.suggestedFilename()).toBe(`${executionId}.ndjson`);
  const lines = readFileSync(ndjson.path, "utf8").split("\n").slice(0, -1);
  // Every message that reached the stream for this run, copies included.
  expect(lines).toHaveLength(expected.lines);
  const live = JSON.parse(readFileSync((await exportItem(page, "export-report")).path, "utf8")) as AnomalyReport;
  expect(live).toMatchObject({
    executionId,
    key: { id: "invocation" },
    generatedFrom: { source: "nats", streamSeqsAre: "stream sequences" },
    execution: { events: expected.events, malformed: expected.malformed, duplicates: expected.duplicates },
    noKey: expected.noKey,
  });
  expect(live.counts.duplicate).toBe(expected.duplicates);
  expect(live.counts.malformed).toBe(expected.malformed);
  expect(live.counts["out-of-order"]).toBe(expected.outOfOrder);
  // Each drop inside an invocation is a missing seq of that invocation's partition; a drop outside any
  // invocation (the orchestrator's) is among the events without a key, counted in noKey above.
  for (const d of expected.drops) {
    const covering = live.anomalies.filter(
      (a) =>
        (a.kind === "gap" || a.kind === "missing-head") &&
        a.partition === JSON.stringify(d.partition) &&
        a.seqRange !== undefined &&
        a.seqRange[0] <= d.seq &&
        d.seq <= a.seqRange[1],
    );
    expect(covering, `seq ${d.seq} of ${d.partition.join("/")} reported missing`).toHaveLength(1);
  }

  // The visible timeline as pictures.
  const svg = readFileSync((await exportItem(page, "export-svg")).path, "utf8");
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain("<image"); // the canvas marks
  expect(svg).toContain('data-testid="anomaly-overlay"');
  expect(svg).toContain(truths[0]!.producers.find((p) => p.producer.startsWith("agent:"))!.producer.slice(6));
  const png = readFileSync((await exportItem(page, "export-png")).path);
  expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
  expect(png.readUInt32BE(16)).toBeGreaterThan(200); // IHDR width

  // The same export, opened in the same tab through the file picker.
  await openFile(page, ndjson.path);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  await expect(page.getByTestId("local-file-banner")).toContainText(
    `Local file ${ndjson.download.suggestedFilename()} — this view cannot be shared; export NDJSON instead`,
  );
  await expect(page).toHaveURL(/[?&]source=file/);
  await expect(page.getByTestId("execution-id")).toHaveText(executionId);
  const fromFile = JSON.parse(readFileSync((await exportItem(page, "export-report")).path, "utf8")) as AnomalyReport;
  expect(fromFile.generatedFrom).toMatchObject({
    source: "file",
    file: ndjson.download.suggestedFilename(),
    streamSeqsAre: "line numbers",
  });
  expect(fromFile.counts).toEqual(live.counts);
  expect(comparable(fromFile)).toEqual(comparable(live));
  // Line numbers are the positions in the export: the first anomaly's lines exist in the file.
  for (const a of fromFile.anomalies) for (const s of a.streamSeqs) expect(s).toBeLessThanOrEqual(lines.length);

  // Navigating keeps the file and the marker; going back to live drops both.
  await page.getByRole("link", { name: "Executions" }).click();
  await expect(page).toHaveURL(/\/\?source=file$/);
  await expect(page.locator(`[data-testid=execution-row][data-execution-id="${executionId}"]`)).toBeVisible();
  await page.getByTestId("back-to-live").click();
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await expect(page).not.toHaveURL(/source=file/);
});

test("a file with five lines that are not events lists them by line number with the reason", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  await openFile(page, FIVE_BAD);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  await expect(page.getByTestId("stream-info")).toContainText("20 lines");
  await expect(page.locator('[data-testid=execution-row][data-execution-id="wfx-fixture-five-bad"]')).toBeVisible();

  await page.getByTestId("bad-lines-toggle").click();
  const items = page.getByTestId("bad-line");
  await expect(items).toHaveCount(5);
  expect(await items.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-line"))))).toEqual([
    3, 7, 11, 14, 17,
  ]);
  const reason = (line: number) => page.locator(`[data-testid=bad-line][data-line="${line}"]`);
  await expect(reason(3)).toContainText("line 3 — not JSON");
  await expect(reason(3)).toContainText("INFO forge: agent kyc-checker listening");
  await expect(reason(7)).toContainText("not JSON");
  await expect(reason(11)).toContainText("seq must be a positive integer");
  await expect(reason(14)).toContainText("JSON array, expected object");
  await expect(reason(17)).toContainText("ts is missing");
  await test.info().attach("bad lines", { body: await page.screenshot(), contentType: "image/png" });

  // The good lines make the execution: its timeline opens from the file.
  await page.getByRole("link", { name: "wfx-fixture-five-bad" }).click();
  await expect(page.getByTestId("execution-id")).toHaveText("wfx-fixture-five-bad");
  await expect(page).toHaveURL(/source=file/);
});

test("a file dropped anywhere on the page opens", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  const text = readFileSync(FIVE_BAD, "utf8");
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], "dropped.ndjson", { type: "application/x-ndjson" }));
    return dt;
  }, text);
  await page.dispatchEvent("main", "dragenter", { dataTransfer });
  await expect(page.getByTestId("drop-zone")).toBeVisible();
  await page.dispatchEvent("main", "drop", { dataTransfer });
  await expect(page.getByTestId("drop-zone")).toBeHidden();
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  await expect(page.getByTestId("local-file-banner")).toContainText("dropped.ndjson");
});

test("a link to a local file's view, opened without the file, says it cannot be shared and offers to open one", async ({
  page,
}) => {
  await page.goto("/executions/wfx-fixture-five-bad?source=file");
  const notice = page.getByRole("alertdialog");
  await expect(notice).toContainText("This link showed a local file");
  await expect(notice).toContainText("a link cannot share it");
  await expect(notice.getByTestId("open-file")).toBeVisible();
  // Opening the file it was made from shows the view.
  await notice.getByTestId("open-file-input").setInputFiles(FIVE_BAD);
  await expect(page.getByTestId("execution-id")).toHaveText("wfx-fixture-five-bad");
  await expect(notice).toBeHidden();

  await page.goto("/?source=file");
  await page.getByTestId("shared-file-link-live").click();
  await expect(page.getByRole("alertdialog")).toBeHidden();
  await expect(page).not.toHaveURL(/source=file/);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
});

test("a large stderr-style log streams in with progress while the page keeps painting, and can be cancelled", async ({
  page,
}) => {
  test.setTimeout(240_000);
  // ~50 MB: generated audit lines with a producer's own log line after every 40th (those are listed, not dropped).
  const path = join(dir, "large-stderr.log");
  const parts: string[] = [];
  let size = 0;
  let noise = 0;
  let lineCount = 0;
  const dec = new TextDecoder();
  for (let seed = 1; size < 50 * 1024 * 1024; seed++) {
    const { messages } = generateWorkload({ seed, executions: 400, faults: ["drop", "retry", "reorder", "open-tail"] });
    for (const m of messages) {
      const line = dec.decode(m.data);
      parts.push(line);
      size += line.length + 1;
      if (++lineCount % 40 === 0) {
        const log = `2026/01/01 10:00:00 INFO forge: heartbeat ${lineCount}`;
        parts.push(log);
        size += log.length + 1;
        noise++;
        lineCount++;
      }
    }
  }
  writeFileSync(path, parts.join("\n") + "\n");
  parts.length = 0;

  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "live");
  // Counted in the page: animation frames painted while the progress bar shows, and the progress values seen.
  await page.evaluate(() => {
    const w = window as unknown as { framesWhileReading: number; progressSeen: number[] };
    w.framesWhileReading = 0;
    w.progressSeen = [];
    const tick = () => {
      const bar = document.querySelector("[data-testid=file-progressbar]");
      if (bar !== null) {
        w.framesWhileReading++;
        const v = Number(bar.getAttribute("aria-valuenow"));
        if (w.progressSeen[w.progressSeen.length - 1] !== v) w.progressSeen.push(v);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await openFile(page, path);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file", { timeout: 180_000 });
  const seen = await page.evaluate(() => {
    const w = window as unknown as { framesWhileReading: number; progressSeen: number[] };
    return { frames: w.framesWhileReading, progress: w.progressSeen };
  });
  test.info().annotations.push({ type: "large file", description: JSON.stringify({ bytes: size, ...seen }) });
  // Progress moved through intermediate values, and the main thread kept painting frames while the worker read.
  expect(seen.progress.some((v) => v > 0 && v < 100)).toBe(true);
  expect(seen.frames).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId("bad-lines-toggle")).toContainText(`${noise.toLocaleString("en-US")} lines not events`);
  await expect(page.getByTestId("execution-row").first()).toBeVisible();

  // A second open of the same bytes under another name, cancelled half-way: the file shown before stays.
  // The page notes the progress at the moment Cancel is clicked, and whether the banner ever names the
  // cancelled file: a read that simply finished would have no Cancel to click, or would show that name.
  const again = join(dir, "large-stderr-again.log");
  linkSync(path, again);
  const banner = page.getByTestId("local-file-banner");
  await expect(banner).toContainText("Local file large-stderr.log");
  await page.evaluate(() => {
    const w = window as unknown as { cancelledAt?: number; bannerNamedAgain: boolean };
    w.bannerNamedAgain = false;
    new MutationObserver(() => {
      const b = document.querySelector("[data-testid=local-file-banner]");
      if (b?.textContent?.includes("large-stderr-again.log")) w.bannerNamedAgain = true;
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
    document.addEventListener(
      "click",
      (e) => {
        if (!(e.target instanceof Element) || e.target.closest("[data-testid=file-cancel]") === null) return;
        w.cancelledAt = Number(document.querySelector("[data-testid=file-progressbar]")?.getAttribute("aria-valuenow"));
      },
      { capture: true },
    );
  });
  await openFile(page, again);
  const bar = page.getByTestId("file-progressbar");
  await expect(bar).toHaveAttribute("aria-label", "Reading large-stderr-again.log");
  await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow"))).toBeGreaterThan(0);
  await page.getByTestId("file-cancel").click();
  await expect(page.getByTestId("file-progress")).toBeHidden();
  const cancelledAt = await page.evaluate(() => (window as unknown as { cancelledAt?: number }).cancelledAt);
  expect(cancelledAt).toBeGreaterThan(0);
  expect(cancelledAt).toBeLessThan(100);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-phase", "file");
  await expect(banner).toContainText("Local file large-stderr.log");
  await expect(page.getByTestId("bad-lines-toggle")).toContainText(`${noise.toLocaleString("en-US")} lines not events`);
  await expect(page.getByTestId("file-error")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { bannerNamedAgain: boolean }).bannerNamedAgain)).toBe(false);
});
