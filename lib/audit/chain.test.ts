import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { findChainBreaks, GENESIS_HASH } from "./chain";
import { parseMessage } from "./parse";
import { sha256Hex } from "./sha256";
import { BASE_TS_MS, generateWorkload, makeMessage } from "./testing";
import type { ParsedMessage, RawMessage } from "./types";

/** One producer process writing `n` chained lines; returns every line as written. */
function chainedLines(agent: string, n: number, prev = GENESIS_HASH): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    const line = new TextEncoder().encode(
      JSON.stringify({
        ts: new Date(BASE_TS_MS + i * 1000).toISOString(),
        event: "tool_exec",
        entity_type: "agent",
        entity_id: agent,
        seq: i,
        prev_hash: prev,
      }),
    );
    prev = sha256Hex(line);
    lines.push(line);
  }
  return lines;
}

function records(lines: Uint8Array[]): ParsedMessage[] {
  return lines.map((l, i) => parseMessage(makeMessage(l, { streamSeq: i + 1 })));
}

describe("findChainBreaks", () => {
  it("finds nothing in an intact chain, or when nobody chains", () => {
    expect(findChainBreaks(records(chainedLines("a", 5)))).toEqual([]);
    expect(findChainBreaks([parseMessage(makeMessage({ ts: "2025-01-15T10:00:00Z", event: "x" }))])).toEqual([]);
  });

  it("reports exactly one break where a line was lost", () => {
    const lines = chainedLines("a", 5);
    lines.splice(2, 1);
    const breaks = findChainBreaks(records(lines));
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toMatchObject({ at: 3, streamSeqs: [2, 3] });
  });

  it("reports an altered line", () => {
    const lines = chainedLines("a", 3);
    const altered = new TextDecoder().decode(lines[1]).replace('"seq":2', '"seq":9');
    lines[1] = new TextEncoder().encode(altered);
    expect(findChainBreaks(records(lines)).map((b) => b.at)).toEqual([3]);
  });

  it("forgives a chain that began before the first line read", () => {
    const lines = chainedLines("a", 5).slice(2);
    expect(findChainBreaks(records(lines))).toEqual([]);
  });

  it("keeps lanes apart and reports a fork", () => {
    const a = chainedLines("a", 3);
    const b = chainedLines("b", 2);
    expect(findChainBreaks(records([a[0], b[0], a[1], b[1], a[2]] as Uint8Array[]))).toEqual([]);
    const fork = chainedLines("a", 1, sha256Hex(a[0] as Uint8Array))[0] as Uint8Array; // a second line claiming a[0] as predecessor
    const breaks = findChainBreaks(records([a[0], a[1], fork] as Uint8Array[]));
    expect(breaks.map((x) => [x.at, x.streamSeqs])).toEqual([[3, [1, 2, 3]]]);
  });

  it("finds every dropped line of a generated stream through the log", () => {
    const { messages, stats } = generateWorkload({
      seed: 3,
      executions: 20,
      faultRate: 0.05,
      faults: ["drop"],
      hash: sha256Hex,
    });
    const log = new AuditLog();
    log.add(messages as RawMessage[]);
    // A drop is missed only when the dropped line was its process's last: nothing follows it to notice.
    expect(stats.faults.drop).toBeGreaterThan(0);
    expect(log.chainBreaks().length).toBeLessThanOrEqual(stats.faults.drop);
    expect(log.chainBreaks().length).toBeGreaterThanOrEqual(stats.faults.drop - 12);
    expect(log.analyze({ id: "execution", label: "", fields: ["workflow_execution_id"] }).counts["chain-break"]).toBe(
      log.chainBreaks().length,
    );
  });

  it.each([1, 2, 3, 4, 5])("the log's column check agrees with findChainBreaks over its records (seed %i)", (seed) => {
    // Lost, reordered, repeated and truncated lines, several processes per lane.
    const { messages } = generateWorkload({ seed, executions: 12, concurrency: 4, faultRate: 0.2, hash: sha256Hex });
    const log = new AuditLog();
    log.add(messages);
    const records = [...log.events(), ...log.malformed()].sort((a, b) => a.streamSeq - b.streamSeq);
    expect(log.chainBreaks().length).toBeGreaterThan(0);
    expect(log.chainBreaks()).toEqual(findChainBreaks(records));
  });
});
