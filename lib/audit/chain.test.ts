import { describe, expect, it } from "vitest";
import { AuditLog } from "./audit-log";
import { findChainBreaks, GENESIS_HASH } from "./chain";
import { parseMessage } from "./parse";
import { sha256Hex, sha256Words } from "./sha256";
import { BASE_TS_MS, generateWorkload, makeMessage, makeWire, messagesFrom, type Fault } from "./testing";
import type { ParsedMessage, RawMessage } from "./types";

/** One producer process writing `n` chained lines; returns every line as written. */
function chainedLines(agent: string, n: number, prev = GENESIS_HASH): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    const line = new TextEncoder().encode(
      JSON.stringify(
        makeWire({ entity_type: "agent", entity_id: agent, seq: i, prev_hash: prev }, BASE_TS_MS + i * 1000),
      ),
    );
    prev = sha256Hex(line);
    lines.push(line);
  }
  return lines;
}

function records(lines: Uint8Array[]): ParsedMessage[] {
  return messagesFrom(lines).map((m) => parseMessage(m));
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

  it("reports one break per detectable run of dropped lines in a generated stream, through the log", () => {
    const opts = { seed: 3, executions: 20, faults: ["drop"] as Fault[], hash: sha256Hex };
    const { messages, stats } = generateWorkload({ ...opts, faultRate: 0.05 });
    // With "drop" the only fault, the same seed at rate 0 draws the same numbers and writes every line the producers wrote.
    const written = generateWorkload({ ...opts, faultRate: 0 }).messages;
    const text = (m: RawMessage) => new TextDecoder().decode(m.data);
    const delivered = new Map(messages.map((m) => [text(m), m.streamSeq]));
    expect(written.map(text).filter((t) => delivered.has(t))).toEqual(messages.map(text));
    expect(written.length - messages.length).toBe(stats.faults.drop);
    expect(stats.faults.drop).toBeGreaterThan(0);

    // Each producer process chains its own lines (an agent deployment, or the one orchestrator). A delivered line
    // whose predecessor was lost breaks, so back-to-back losses make one break and a process's lost last line none.
    // The detector forgives a line that is the first it reads of its lane (agent, or one execution's orchestrator):
    // its chain may have begun before the read.
    const predecessorLost = new Map<string, boolean>();
    const lanesSeen = new Set<string>();
    const expected: number[] = [];
    let lost = 0;
    for (const m of written) {
      const line = JSON.parse(text(m)) as { entity_id?: string; workflow_execution_id: string };
      const process = line.entity_id ?? "orchestrator";
      const lane = line.entity_id ?? `workflow:${line.workflow_execution_id}`;
      const at = delivered.get(text(m));
      if (at !== undefined) {
        if (predecessorLost.get(process) === true && lanesSeen.has(lane)) expected.push(at);
        lanesSeen.add(lane);
      } else lost++;
      predecessorLost.set(process, at === undefined);
    }
    expect(lost).toBe(stats.faults.drop);

    const log = new AuditLog();
    log.add(messages);
    expect(log.chainBreaks().map((b) => b.at)).toEqual(expected);
    expect(log.analyze({ id: "execution", label: "", fields: ["workflow_execution_id"] }).counts["chain-break"]).toBe(
      expected.length,
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

  it.each([1, 2, 3])("takes each line's digest as the reader hashed it, with the same breaks (seed %i)", (seed) => {
    const { messages } = generateWorkload({ seed, executions: 12, concurrency: 4, faultRate: 0.2, hash: sha256Hex });
    const hashed = messages.map((m) => {
      const sha256 = new Int32Array(8);
      sha256Words(m.data, sha256, 0);
      return { ...m, sha256 };
    });
    const plain = new AuditLog();
    plain.add(messages);
    const log = new AuditLog();
    log.add(hashed);
    expect(log.chainBreaks().length).toBeGreaterThan(0);
    expect(log.chainBreaks()).toEqual(plain.chainBreaks());
  });

  it("does not hash a line the reader hashed: a digest it was handed is the line's digest", () => {
    const [a, b] = messagesFrom(chainedLines("a", 2)) as [RawMessage, RawMessage];
    // Line a handed in with the wrong digest: b's prev_hash (a's true hash) then matches no line read.
    const log = new AuditLog();
    log.add([{ ...a, sha256: new Int32Array(8).fill(7) }, b]);
    expect(log.chainBreaks().map((x) => x.at)).toEqual([b.streamSeq]);
    const honest = new AuditLog();
    honest.add([a, b]);
    expect(honest.chainBreaks()).toEqual([]);
  });
});
