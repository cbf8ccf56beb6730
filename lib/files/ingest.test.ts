import { describe, expect, it } from "vitest";
import { AuditLog } from "../audit/audit-log";
import { BUILTIN_KEYS } from "../audit/partition-key";
import { generateWorkload } from "../audit/testing";
import { FILE_SUBJECT, ingestStream, type IngestProgress } from "./ingest";

const enc = new TextEncoder();

function streamOf(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

describe("ingestStream", () => {
  /*
   * A Forge stderr log: the audit lines of a workload, with the process's own
   * log lines and a blank line in between (CRLF, as a Windows pipe writes them).
   */
  const { messages } = generateWorkload({ seed: 3, executions: 20, faultRate: 0 });
  const lines: string[] = [];
  const noise = new Map<number, string>();
  messages.forEach((m, i) => {
    if (i % 25 === 0) {
      const text = i === 50 ? "" : `2026/01/01 10:00:${String(i % 60).padStart(2, "0")} INFO agent: tick ${i}`;
      lines.push(text);
      noise.set(lines.length, text);
    }
    lines.push(new TextDecoder().decode(m.data));
  });
  const file = enc.encode(lines.join("\r\n"));

  it("turns every line into a message: events analysed, other lines malformed with their line number and reason", async () => {
    const reports: IngestProgress[] = [];
    let clock = 0;
    const { log, progress } = await ingestStream(streamOf(file, 4096), {
      totalBytes: file.length,
      onProgress: (p) => reports.push(p),
      progressMs: 0,
      now: () => clock++,
    });
    expect(progress).toMatchObject({ bytesRead: file.length, totalBytes: file.length, lines: lines.length });
    expect(progress.malformed).toBe(noise.size);
    expect(log.malformed().map((m) => [m.streamSeq, m.reason])).toEqual(
      [...noise].map(([line, text]) => [line, text === "" ? "empty message" : expect.stringMatching(/^not JSON/)]),
    );
    expect(log.events().length).toBe(messages.length);
    expect(log.events()[0]!.subject).toBe(FILE_SUBJECT);
    expect(reports.length).toBeGreaterThan(3);
    expect(reports.map((r) => r.bytesRead)).toEqual([...reports.map((r) => r.bytesRead)].sort((a, b) => a - b));
  });

  it("gives the analysis the same messages give when added directly", async () => {
    const { log } = await ingestStream(streamOf(file, 70_000));
    const direct = new AuditLog();
    direct.add(messages);
    for (const key of BUILTIN_KEYS) {
      // Stream sequences differ (line numbers), so compare what does not name them.
      const strip = (a: ReturnType<AuditLog["analyze"]>) => ({
        counts: { ...a.counts, malformed: 0 },
        // The noise lines only add malformed anomalies to the "no key" bucket.
        partitions: a.partitions
          .filter((p) => !(p.noKey === true && p.eventCount === 0))
          .map((p) => (p.noKey === true ? { ...p, anomalyCount: 0 } : p)),
        kinds: a.anomalies.filter((x) => x.kind !== "malformed").map((x) => [x.kind, x.partition, x.seq]),
      });
      expect(strip(log.analyze(key))).toEqual(strip(direct.analyze(key)));
    }
  });

  it("stops when aborted", async () => {
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await expect(ingestStream(streamOf(file, 4096), { signal: ac.signal })).rejects.toThrow("stop");
  });
});
