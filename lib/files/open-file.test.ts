// The page's side of opening a file, with the worker replaced by a stand-in
// that answers what a test tells it to: every answer must settle the promise
// (a pending one keeps the progress bar up for good) and end the worker.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AuditLog } from "../audit/audit-log";
import type { AuditLogSnapshot } from "../audit/snapshot";
import { BASE_TS_MS, makeWire, messagesFrom } from "../audit/testing";
import type { IngestProgress } from "./ingest";
import type { IngestResponse } from "./ingest.worker";
import { openFile, OpenFileCancelled } from "./open-file";
import { BUILTIN_KEYS } from "../audit/partition-key";
import { runSimulation } from "../sim/simulator";

class FakeWorker {
  static made: FakeWorker[] = [];
  onmessage: ((e: MessageEvent<IngestResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  posted: unknown[] = [];
  terminated = false;
  constructor() {
    FakeWorker.made.push(this);
  }
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  answer(m: IngestResponse) {
    this.onmessage?.({ data: m } as MessageEvent<IngestResponse>);
  }
}

const progress: IngestProgress = { bytesRead: 10, totalBytes: 10, lines: 2, malformed: 0, elapsedMs: 1 };
const file = () => new File(["{}\n{}\n"], "run.ndjson", { type: "application/x-ndjson" });

beforeEach(() => {
  FakeWorker.made = [];
  vi.stubGlobal("Worker", FakeWorker);
});
afterEach(() => vi.unstubAllGlobals());

describe("openFile", () => {
  it("rejects and ends the worker when the finished log cannot be rebuilt from its snapshot", async () => {
    const opening = openFile(file(), () => undefined);
    const worker = FakeWorker.made[0]!;
    const snapshot = { ...new AuditLog().snapshot(), format: "not-a-snapshot" } as unknown as AuditLogSnapshot;
    expect(() => AuditLog.fromSnapshot(snapshot)).toThrow();
    // The handler itself must not throw: the exception belongs in the promise.
    expect(() => worker.answer({ type: "done", snapshot, progress })).not.toThrow();
    await expect(opening.done).rejects.toThrow(/could not be rebuilt: audit log snapshot format not-a-snapshot/);
    expect(worker.terminated).toBe(true);
  });

  it("resolves with the rebuilt log, reports progress on the way and ends the worker", async () => {
    const seen: IngestProgress[] = [];
    const f = file();
    const opening = openFile(f, (p) => seen.push(p));
    const worker = FakeWorker.made[0]!;
    expect(worker.posted).toEqual([{ type: "open", file: f }]);
    const log = new AuditLog();
    const wire = (seq: number) => makeWire({ seq, workflow_execution_id: "wfx-open-file" }, BASE_TS_MS + seq * 1000);
    log.add(messagesFrom([wire(1), wire(2)]));
    expect(log.events()).toHaveLength(2);
    worker.answer({ type: "progress", progress: { ...progress, bytesRead: 5 } });
    expect(worker.terminated).toBe(false);
    worker.answer({ type: "done", snapshot: log.snapshot(), progress });
    const opened = await opening.done;
    expect(seen).toEqual([{ ...progress, bytesRead: 5 }]);
    expect(opened).toMatchObject({ name: "run.ndjson", size: f.size, progress });
    expect(opened.log.events().map((e) => e.seq)).toEqual([1, 2]);
    expect(worker.terminated).toBe(true);
  });

  it("rejects with the worker's error message", async () => {
    const opening = openFile(file(), () => undefined);
    FakeWorker.made[0]!.answer({ type: "error", message: "the stream broke" });
    await expect(opening.done).rejects.toThrow("the stream broke");
    expect(FakeWorker.made[0]!.terminated).toBe(true);
  });

  it("rejects with OpenFileCancelled when cancelled, and ends the worker", async () => {
    const opening = openFile(file(), () => undefined);
    opening.cancel();
    await expect(opening.done).rejects.toBeInstanceOf(OpenFileCancelled);
    expect(FakeWorker.made[0]!.terminated).toBe(true);
  });
});

describe("openFile with signing keys", () => {
  it("checks a file's signed lines with the keys it is given, like the live stream", async () => {
    // A signed run with one line altered after signing; the worker's log has no keys.
    const { lines, jwks } = runSimulation({ seed: 7, executions: 2, sign: true });
    const dec = new TextDecoder();
    const i = lines.findIndex((l) => {
      const t = dec.decode(l.bytes);
      return t.includes('"sig"') && t.includes('"workflow_execution_id"') && t.includes('"schema_version":"1.0"');
    });
    expect(i).toBeGreaterThanOrEqual(0);
    const altered = dec.decode(lines[i]!.bytes).replace('"schema_version":"1.0"', '"schema_version":"1.1"');
    const executionId = (JSON.parse(altered) as { workflow_execution_id: string }).workflow_execution_id;
    const log = new AuditLog();
    log.add(
      messagesFrom(
        lines.map((l, n) => (n === i ? altered : l.bytes)),
        { subject: "file" },
      ),
    );
    const key = BUILTIN_KEYS[0]!;

    const withKeys = openFile(file(), () => undefined, jwks);
    FakeWorker.made.at(-1)!.answer({ type: "done", snapshot: log.snapshot(), progress });
    const checked = (await withKeys.done).log.analyze(key, { executionId });
    expect(checked.counts["bad-signature"]).toBe(1);
    expect(checked.anomalies.find((a) => a.kind === "bad-signature")?.streamSeqs).toEqual([i + 1]);

    const withoutKeys = openFile(file(), () => undefined);
    FakeWorker.made.at(-1)!.answer({ type: "done", snapshot: log.snapshot(), progress });
    expect((await withoutKeys.done).log.analyze(key, { executionId }).counts["bad-signature"]).toBe(0);
  });
});
