import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HashChain, signEvent, signingKey, toJwk } from "../sim/chain";
import { AuditLog } from "./audit-log";
import { BASE_TS_MS, makeMessage, makeWire } from "./testing";
import type { RawMessage } from "./types";

const enc = new TextEncoder();

type Wire = Record<string, unknown>;

/** A producer process: writes lines chained from genesis, as a Forge agent does. */
class Proc {
  private readonly chain = new HashChain();
  private n = 0;
  private static pids = 0;
  /** Replicas write the same fields at the same time: the pid keeps their lines apart, as real ones differ. */
  private readonly pid = ++Proc.pids;
  constructor(
    readonly agent: string,
    private readonly sign?: Parameters<typeof signEvent>[1],
  ) {}

  line(fields: Wire = {}): Uint8Array {
    this.n++;
    const w = makeWire(
      {
        entity_type: "agent",
        entity_id: this.agent,
        seq: this.n,
        fields: { pid: this.pid },
        ...fields,
        prev_hash: this.chain.prevHash,
      },
      BASE_TS_MS + this.n * 1000,
    );
    if (this.sign) signEvent(w, this.sign);
    const bytes = enc.encode(JSON.stringify(w));
    this.chain.advance(bytes);
    return bytes;
  }
}

/** Lines as the stream holds them: stream seq 1, 2, … in the order given. */
function stream(lines: Uint8Array[]): RawMessage[] {
  return lines.map((data, i) => makeMessage(data, { streamSeq: i + 1 }));
}

function ledgerOf(msgs: RawMessage[], opts: ConstructorParameters<typeof AuditLog>[0] = {}) {
  const log = new AuditLog(opts);
  log.add(msgs);
  return { log, ledger: log.processLedger() };
}

describe("processLedger", () => {
  it("reports a lost line at exactly the stream sequence of the line after it, with the window", () => {
    // a: lines 1 2 [3 lost] 4 5  → stream seqs 1 2 3 4; the break is at stream seq 3, after 2.
    const a = new Proc("billing");
    const lines = [1, 2, 3, 4, 5].map(() => a.line());
    lines.splice(2, 1);
    const { ledger } = ledgerOf(stream(lines));
    expect(ledger.processes).toHaveLength(1);
    const p = ledger.processes[0]!;
    expect(p).toMatchObject({
      id: "agent:billing@1",
      rule: "entity",
      status: "breaks",
      start: "genesis",
      events: 4,
      chained: 4,
      verified: 3,
      first: { streamSeq: 1 },
      last: { streamSeq: 4 },
    });
    expect(p.breaks).toEqual([
      expect.objectContaining({
        at: 3,
        kind: "missing",
        after: 2,
        afterTsMs: BASE_TS_MS + 2000,
        atTsMs: BASE_TS_MS + 4000,
      }),
    ]);
    expect(ledger.requested).toMatchObject({ first: { streamSeq: 1 }, last: { streamSeq: 4 }, lines: 4 });
  });

  it("says continuous from genesis, starts mid-chain, or no chain", () => {
    const a = new Proc("a");
    const all = [1, 2, 3, 4].map(() => a.line());
    expect(ledgerOf(stream(all)).ledger.processes[0]).toMatchObject({ status: "continuous", verified: 4 });
    const mid = ledgerOf(stream(all.slice(2))).ledger.processes[0];
    expect(mid).toMatchObject({ status: "mid-chain", start: "mid-chain", events: 2, verified: 1, breaks: [] });
    const plain = [1, 2].map((i) => enc.encode(JSON.stringify(makeWire({ producer: "shipper", seq: i }))));
    expect(ledgerOf(stream(plain)).ledger.processes[0]).toMatchObject({
      id: "producer:shipper@1",
      rule: "producer",
      status: "no-chain",
      start: "unchained",
      events: 2,
      chained: 0,
    });
  });

  it("tells replicas and restarts of one deployment apart by their chains", () => {
    // Two replicas of agent r interleave (each from genesis), then replica 1 restarts (a new genesis).
    const r1 = new Proc("r");
    const r2 = new Proc("r");
    const lines = [r1.line(), r2.line(), r1.line(), r2.line(), r2.line()];
    const r3 = new Proc("r");
    lines.push(r3.line(), r3.line(), r2.line());
    const { ledger } = ledgerOf(stream(lines));
    expect(ledger.processes.map((p) => [p.id, p.status, p.events])).toEqual([
      ["agent:r@1", "continuous", 2],
      ["agent:r@2", "continuous", 4],
      ["agent:r@6", "continuous", 2],
    ]);
    expect(ledger.processes.every((p) => p.verified === p.events)).toBe(true);
  });

  it("reports a fork at the second follower", () => {
    const a = new Proc("a");
    const l1 = a.line();
    const l2 = a.line();
    const prev = new TextDecoder().decode(l2).match(/"prev_hash":"([0-9a-f]{64})"/)?.[1];
    const fork = enc.encode(
      JSON.stringify(makeWire({ entity_type: "agent", entity_id: "a", seq: 9, prev_hash: prev })),
    );
    const p = ledgerOf(stream([l1, l2, fork])).ledger.processes[0]!;
    expect(p.events).toBe(3);
    expect(p.breaks).toEqual([expect.objectContaining({ at: 3, kind: "fork", after: 1, forkWith: 2 })]);
  });

  it("lists what a process served: executions, invocations and process-level events", () => {
    const a = new Proc("a");
    const lines = [
      a.line({ event: "policy_loaded", seq: undefined }),
      a.line({ workflow_execution_id: "x1", correlation_id: "c1" }),
      a.line({ workflow_execution_id: "x2", correlation_id: "c2" }),
      a.line({ correlation_id: "c3" }),
      a.line({ workflow_execution_id: "x1", correlation_id: "c1" }),
    ];
    const p = ledgerOf(stream(lines)).ledger.processes[0]!;
    expect(p.executions).toEqual(["x1", "x2"]);
    expect(p.invocations).toEqual(["c1", "c2", "c3"]);
    expect(p.processLevel).toBe(1);
    expect(p.status).toBe("continuous");
  });

  it("keeps malformed lines out of every process but in the range", () => {
    const a = new Proc("a");
    const { ledger } = ledgerOf(stream([a.line(), enc.encode("{not json"), a.line()]));
    expect(ledger.malformed).toBe(1);
    expect(ledger.requested?.lines).toBe(3);
    expect(ledger.processes[0]).toMatchObject({ events: 2, status: "continuous" });
  });

  it("counts signatures by kid: verified, bad, unknown kid, unsigned, unchecked without a JWKS", () => {
    const k1 = signingKey("k1", new Uint8Array(32).fill(1));
    const k2 = signingKey("k2", new Uint8Array(32).fill(2));
    const a = new Proc("a", k1);
    const b = new Proc("b", k2);
    const c = new Proc("c");
    const good = [a.line(), a.line()];
    // A signed line altered after signing: its signature (and its chain) no longer hold.
    const bad = enc.encode(new TextDecoder().decode(a.line()).replace('"seq":3', '"seq":33'));
    const lines = [...good, bad, b.line(), c.line()];
    const jwks = { keys: [toJwk(k1)] };
    const { log, ledger } = ledgerOf(stream(lines), { jwks });
    const [pa, pb, pc] = ledger.processes;
    expect(log.processSignatures(pa!.id)).toEqual({
      checked: true,
      unsigned: 0,
      byKid: [{ kid: "k1", verified: 2, bad: 1, unknownKid: 0, unchecked: 0 }],
      problems: [{ streamSeq: 3, kid: "k1", message: "signature does not verify with kid k1" }],
    });
    expect(log.processSignatures(pb!.id)?.byKid).toEqual([
      { kid: "k2", verified: 0, bad: 0, unknownKid: 1, unchecked: 0 },
    ]);
    expect(log.processSignatures(pc!.id)).toMatchObject({ unsigned: 1, byKid: [] });
    const unchecked = ledgerOf(stream(lines));
    expect(unchecked.log.processSignatures(unchecked.ledger.processes[0]!.id)).toMatchObject({
      checked: false,
      byKid: [{ kid: "k1", unchecked: 3 }],
    });
    expect(log.processSignatures("nobody@1")).toBeUndefined();
  });

  it("follows live batches: a break appears and goes with the line that fills it", () => {
    const a = new Proc("a");
    const lines = [1, 2, 3, 4].map(() => a.line());
    const msgs = stream(lines);
    const log = new AuditLog();
    log.add([msgs[0]!, msgs[1]!, msgs[3]!]);
    expect(log.processLedger().processes[0]?.breaks.map((b) => b.at)).toEqual([4]);
    log.add([msgs[2]!]);
    expect(log.processLedger().processes[0]).toMatchObject({ status: "continuous", events: 4, breaks: [] });
  });

  it("withdraws a break when the predecessor comes later in the stream (a publisher retried it)", () => {
    // a writes 1 2 3; line 2 reached the stream after line 3: stream seqs 1 (a1), 2 (a3), 3 (a2).
    const a = new Proc("a");
    const [l1, l2, l3] = [a.line(), a.line(), a.line()];
    const msgs = stream([l1!, l3!, l2!]);
    const log = new AuditLog();
    log.add([msgs[0]!]);
    log.add([msgs[1]!]);
    expect(log.processLedger().processes[0]).toMatchObject({ status: "breaks", verified: 1 });
    log.add([msgs[2]!]);
    const p = log.processLedger().processes[0];
    expect(p).toMatchObject({ status: "continuous", events: 3, verified: 3, breaks: [] });
    expect(p).toEqual(ledgerOf(msgs).ledger.processes[0]);
  });

  it("keeps the counts and verdicts of lines the memory budget let go", () => {
    // a: 1 policy_loaded, 2 x1, (the orchestrator closes x1: evicted at once), 4 x2, 5 x2, [lost], 7 x2.
    const a = new Proc("a");
    const orch = (x: string) =>
      enc.encode(JSON.stringify(makeWire({ event: "workflow_complete", workflow_execution_id: x })));
    const l = [a.line({ event: "policy_loaded" }), a.line({ workflow_execution_id: "x1" }), orch("x1")];
    const x2 = [1, 2, 3, 4].map(() => a.line({ workflow_execution_id: "x2" }));
    const msgs = stream([...l, x2[0]!, x2[1]!, x2[3]!]);
    const log = new AuditLog({ budgetBytes: 1 });
    log.add(msgs.slice(0, 1));
    log.processLedger(); // asked once: kept up to date before every eviction from now on
    log.add(msgs.slice(1, 3));
    expect(log.execution("x1")?.evicted).toBeDefined();
    log.add(msgs.slice(3));
    const [pa, po] = log.processLedger().processes;
    expect(pa).toMatchObject({
      id: "agent:a@1",
      events: 5,
      verified: 4,
      start: "genesis",
      status: "breaks",
      executions: ["x1", "x2"],
      processLevel: 1,
      breaks: [expect.objectContaining({ at: 6, after: 5 })],
    });
    expect(po).toMatchObject({ id: "workflow:x1@3", events: 1, status: "no-chain" });
    expect(log.processLedger().rowsOf.get("agent:a@1")).toHaveLength(4); // the held ones
  });
});

/** A scenario: processes (distinct agents), how many lines each writes, an interleaving, one line lost. */
const scenario = fc.record({
  lengths: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
  order: fc.array(fc.nat(), { maxLength: 80 }),
  lose: fc.option(fc.record({ proc: fc.nat(), line: fc.nat() }), { nil: undefined }),
  batches: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 }),
  shuffle: fc.boolean(),
  /** A publisher retry: this kept line stored again at the end of the stream (same bytes, a duplicate). */
  retry: fc.option(fc.nat(), { nil: undefined }),
  seed: fc.nat(),
});

describe("processLedger (property)", () => {
  it("reports a lost line at exactly the next line's stream sequence; counts add up to what was ingested", () => {
    fc.assert(
      fc.property(scenario, ({ lengths, order, lose, batches, shuffle, retry, seed }) => {
        const procs = lengths.map((_, i) => new Proc(`agent-${i}`));
        const left = [...lengths];
        // Interleave: `order` picks the next writer; then everyone finishes in turn.
        const written: { proc: number; line: number; bytes: Uint8Array }[] = [];
        const counters = lengths.map(() => 0);
        const pick = [...order.map((o) => o % lengths.length), ...lengths.flatMap((n, i) => Array<number>(n).fill(i))];
        for (const i of pick) {
          if ((left[i] as number) === 0) continue;
          left[i]!--;
          written.push({
            proc: i,
            line: counters[i]!++,
            bytes: procs[i]!.line({ workflow_execution_id: `x${i % 2}` }),
          });
        }
        const lostProc = lose === undefined ? -1 : lose.proc % lengths.length;
        const lostLine = lose === undefined ? -1 : lose.line % (lengths[lostProc] as number);
        const kept = written.filter((w) => !(w.proc === lostProc && w.line === lostLine));
        const msgs = stream(kept.map((w) => w.bytes));
        const again = retry === undefined || kept.length === 0 ? undefined : kept[retry % kept.length];
        if (again !== undefined) msgs.push(makeMessage(again.bytes, { streamSeq: msgs.length + 1 }));
        // Arrival: in stream order or shuffled, in random batches.
        let x = seed;
        const arrival = [...msgs];
        if (shuffle)
          for (let i = arrival.length - 1; i > 0; i--) {
            x = (x * 1103515245 + 12345) >>> 0;
            const j = x % (i + 1);
            [arrival[i], arrival[j]] = [arrival[j]!, arrival[i]!];
          }
        const log = new AuditLog();
        for (let i = 0, b = 0; i < arrival.length; b++) {
          const size = batches[b % batches.length] as number;
          log.add(arrival.slice(i, i + size));
          i += size;
          log.processLedger(); // incremental chain state between batches
        }
        const ledger = log.processLedger();
        // The lost line's successor, if it was read: the break is at its stream sequence, after its predecessor.
        const succ = kept.findIndex((w) => w.proc === lostProc && w.line === lostLine + 1);
        const pred = kept.findIndex((w) => w.proc === lostProc && w.line === lostLine - 1);
        const breaks = ledger.processes.flatMap((p) => p.breaks.map((b) => ({ id: p.identity.id, ...b })));
        if (succ >= 0 && lostLine > 0) {
          expect(breaks).toEqual([
            expect.objectContaining({ id: `agent:agent-${lostProc}`, at: succ + 1, kind: "missing", after: pred + 1 }),
          ]);
        } else {
          expect(breaks).toEqual([]);
        }
        // One process per agent; its events are the lines it wrote that were read.
        expect(ledger.processes).toHaveLength(new Set(kept.map((w) => w.proc)).size);
        for (const p of ledger.processes) {
          const i = Number(p.identity.id.slice("agent:agent-".length));
          expect(p.events).toBe(kept.filter((w) => w.proc === i).length);
          expect(p.events).toBe(p.verified + p.breaks.length + (p.start === "mid-chain" ? 1 : 0));
          expect(p.status).toBe(
            p.breaks.length > 0 ? "breaks" : i === lostProc && lostLine === 0 ? "mid-chain" : "continuous",
          );
        }
        expect(ledger.processes.reduce((n, p) => n + p.events, 0)).toBe(log.size);
        expect(ledger.requested?.lines ?? 0).toBe(kept.length);
        // Kept up to date batch by batch, it answers what one pass over the same messages does.
        const once = new AuditLog();
        once.add(msgs);
        expect(ledger.processes).toEqual(once.processLedger().processes);
      }),
      { numRuns: 300 },
    );
  });
});
