// Benchmark of the analysis engine (lib/audit). Not a test: it prints figures
// as ratios against a bare TextDecoder + JSON.parse pass measured in the same
// run on the same buffers, so the numbers mean something on any machine.
//
//   npx tsx --expose-gc scripts/bench-engine.ts [events=1000000]
//
// --expose-gc is needed for the retained-memory figure (skipped without it).
// A smaller event count (e.g. 200000) gives quick, noisier figures while iterating.

import { createHash } from "node:crypto";
import { AuditLog, BUILTIN_KEYS, type PartitionKey, type RawMessage } from "../lib/audit";
import { generateWorkload } from "../lib/audit/testing";
import { packLikeNetwork, pct } from "./lib/bench-util";

const N = Number(process.argv[2] ?? 1_000_000);
const SWITCH_N = 100_000;
const BATCH = 1_000; // what a live consumer hands over per animation frame, roughly
const gc = (globalThis as { gc?: () => void }).gc;

function mem(): number {
  if (gc === undefined) return NaN;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function ingest(msgs: readonly RawMessage[], log = new AuditLog()): AuditLog {
  for (let i = 0; i < msgs.length; i += BATCH) log.add(msgs.slice(i, i + BATCH));
  return log;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

const m0 = mem();
const t0 = performance.now();
// ~40 messages per run: this many runs gives N messages (the tail is trimmed).
function workload() {
  return generateWorkload({
    seed: 42,
    executions: Math.ceil(N / 38),
    concurrency: 64,
    faultRate: 0.03,
    hash: (line) => createHash("sha256").update(line).digest("hex"),
  });
}
const gen = workload();
let messages: RawMessage[] | undefined = packLikeNetwork(gen.messages.slice(0, N));
gen.messages.length = 0;
const payloadBytes = messages.reduce((s, m) => s + m.data.length, 0);
const executions = new Set<string>();
console.log(
  `generated ${fmt(messages.length)} messages (${fmt(payloadBytes / messages.length)} B avg, ${fmt(payloadBytes / 1e6, 1)} MB) ` +
    `in ${fmt((performance.now() - t0) / 1000, 1)} s; faults injected: ${JSON.stringify(gen.stats.faults)}`,
);

// (a) bare decode + parse. Warm up on a slice first so both sides run optimised code.
const decoder = new TextDecoder();
function bare(msgs: readonly RawMessage[]): number {
  let x = 0;
  for (const m of msgs) {
    try {
      const o = JSON.parse(decoder.decode(m.data)) as { workflow_execution_id?: string };
      if (o.workflow_execution_id !== undefined) x++;
    } catch {
      x--; // the injected malformed lines; any real consumer needs this try
    }
  }
  return x;
}
bare(messages.slice(0, 50_000));
ingest(messages.slice(0, 50_000)).analyze(BUILTIN_KEYS[2] as PartitionKey, { chains: false });

const [, bareMs] = time(() => bare(messages as RawMessage[]));
const bareRate = (messages.length / bareMs) * 1000;

// (b) full ingest (parse, identity, dedupe, per-execution index) + analysis under Forge's key.
let log: AuditLog | undefined;
let small: AuditLog | undefined;
const [, ingestMs] = time(() => {
  log = ingest(messages as RawMessage[]);
});
const [analysis, analyzeMs] = time(() => (log as AuditLog).analyze(BUILTIN_KEYS[2] as PartitionKey, { chains: false }));
const fullMs = ingestMs + analyzeMs;
const fullRate = (messages.length / fullMs) * 1000;
for (const e of (log as AuditLog).executions()) executions.add(e.id);
const [chainBreaks, chainMs] = time(() => (log as AuditLog).chainBreaks());

console.log("");
console.log(`(a) bare TextDecoder + JSON.parse   ${fmt(bareRate)} events/s  (${fmt(bareMs)} ms)`);
console.log(
  `(b) ingest + analysis               ${fmt(fullRate)} events/s  (ingest ${fmt(ingestMs)} ms + analyze ${fmt(analyzeMs)} ms)`,
);
console.log(`    throughput (b)/(a)              ${fmt(fullRate / bareRate, 2)}x   goal >= 0.70x`);
console.log(
  `    chain verification (extra)      ${fmt(chainMs)} ms, ${fmt((messages.length / chainMs) * 1000)} lines/s, ` +
    `${chainBreaks.length} breaks   (@noble/hashes SHA-256 of every line, once; cached afterwards)`,
);
console.log(
  `    found: ${executions.size} executions, ${fmt((log as AuditLog).size)} distinct, counts ${JSON.stringify(analysis.counts)}`,
);

// Key switch on 100k events: the second analyze under a new key re-partitions what is in memory.
small = ingest((messages as RawMessage[]).slice(0, SWITCH_N));
const first = (small as AuditLog).analyze(BUILTIN_KEYS[0] as PartitionKey, { chains: false });
// Counted from the analysis: small.events() would materialise (and memoise) an object per event, which the UI never asks for.
const switchEvents = first.partitions.reduce((s, p) => s + p.eventCount, 0);
console.log("");
console.log(`key switch on ${fmt(switchEvents)} events (goal < 150 ms):`);
let worst = 0;
for (let round = 0; round < 2; round++) {
  for (const key of BUILTIN_KEYS) {
    // A fresh key object with a new id defeats the memo, as a first visit to that key would.
    const k = { ...key, id: `${key.id}#${round}` };
    const [a, ms] = time(() => (small as AuditLog).analyze(k, { chains: false }));
    if (round === 1) {
      worst = Math.max(worst, ms);
      console.log(
        `    -> ${key.id.padEnd(20)} ${fmt(ms, 1).padStart(7)} ms  ${a.partitions.length} partitions, ${a.anomalies.length} anomalies`,
      );
    }
  }
}
console.log(`    worst ${fmt(worst, 1)} ms`);

// What the timeline pays on first view of an execution: its events are made from the kept bytes on demand.
const biggest = (log as AuditLog).executions().reduce((a, b) => (b.eventCount > a.eventCount ? b : a));
const [viewed, viewMs] = time(() => (log as AuditLog).events(biggest.id));
console.log(`events(executionId) for the largest execution: ${fmt(viewed.length)} events in ${fmt(viewMs, 1)} ms`);

// Live: what one batch costs a tab holding a little history and one holding nearly all of it. A batch's
// ingest, the chain ledger's sync (SHA-256 of its lines here; the tab's reader worker hashes them there) and
// the open execution re-derived as its timeline does (stamp, summary, analysis, events). Work proportional
// to what arrived makes the two alike: the ratio of the medians near 1, however much is held. The open
// execution is one already running when the batches start, as a run someone opened is.
small = undefined;
const LIVE_BATCH = 100;
const LIVE_BATCHES = 200;
const liveTail = LIVE_BATCH * LIVE_BATCHES;
function liveBatchCosts(history: number): number[] {
  const all = messages as RawMessage[];
  const held = ingest(all.slice(0, history));
  held.chainBreaks(); // the history's chains checked, as a tab has done by the time it is live
  const tail = all.slice(history, history + liveTail);
  const idOf = (m: RawMessage) => {
    try {
      return (JSON.parse(decoder.decode(m.data)) as { workflow_execution_id?: string }).workflow_execution_id;
    } catch {
      return undefined; // a malformed line names no execution
    }
  };
  // The open execution: a running one (its lines before and after the cut) the tail brings most lines to.
  const running = new Set(all.slice(Math.max(0, history - 5_000), history).map(idOf));
  const lines = new Map<string, number>();
  for (const m of tail) {
    const x = idOf(m);
    if (typeof x === "string" && running.has(x)) lines.set(x, (lines.get(x) ?? 0) + 1);
  }
  const open = [...lines].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  const key = BUILTIN_KEYS[0] as PartitionKey;
  const costs: number[] = [];
  for (let i = 0; i < tail.length; i += LIVE_BATCH) {
    const t = performance.now();
    held.add(tail.slice(i, i + LIVE_BATCH));
    held.executionStamp(open);
    held.execution(open);
    held.analyze(key, { executionId: open });
    held.events(open);
    costs.push(performance.now() - t);
  }
  return costs.sort((a, b) => a - b);
}
const LIVE_SMALL = Math.min(20_000, Math.max(0, N - liveTail));
const LIVE_BIG = Math.max(LIVE_SMALL, N - liveTail);
const liveSmall = liveBatchCosts(LIVE_SMALL);
const liveBig = liveBatchCosts(LIVE_BIG);
console.log("");
console.log(
  `live batch (${LIVE_BATCH} messages, then the open execution re-derived; ${LIVE_BATCHES} batches), median · p95:`,
);
console.log(
  `    holding ${fmt(LIVE_SMALL)} messages    ${fmt(pct(liveSmall, 50), 2)} ms · ${fmt(pct(liveSmall, 95), 2)} ms`,
);
console.log(
  `    holding ${fmt(LIVE_BIG)} messages  ${fmt(pct(liveBig, 50), 2)} ms · ${fmt(pct(liveBig, 95), 2)} ms` +
    `   → ${fmt(pct(liveBig, 50) / pct(liveSmall, 50), 2)}x the small tab's median (proportional to the batch: near 1)`,
);

// Retained memory: drop every reference except the log, then measure what is left.
messages = undefined;
const distinct = (log as AuditLog).size;
const m1 = mem();
if (Number.isNaN(m1)) {
  console.log("\nretained memory: run with --expose-gc to measure");
} else {
  const retained = m1 - m0;
  console.log("");
  console.log(
    `retained by the log: ${fmt(retained / 1e6, 1)} MB = ${fmt(retained / distinct)} B/event, ` +
      `${fmt(retained / payloadBytes, 2)}x the raw payload (${fmt(payloadBytes / 1e6, 1)} MB, raw bytes included)   goal <= 2.00x`,
  );
}
// The same messages through a log with a memory budget: what it holds stays near the budget, however many came.
if (!Number.isNaN(m1)) {
  const withoutBudget = (m1 - m0) / distinct;
  log = small = undefined;
  const BUDGET = Number(process.env.BENCH_BUDGET_MIB ?? 64) * 2 ** 20;
  const mb0 = mem();
  let again: RawMessage[] | undefined = packLikeNetwork(workload().messages.slice(0, N));
  const seenCount = again.length;
  const budgeted = new AuditLog({ budgetBytes: BUDGET });
  const [, budgetMs] = time(() => ingest(again as RawMessage[], budgeted));
  again = undefined;
  const retained = mem() - mb0;
  const st = budgeted.memory();
  const listed = budgeted.executions();
  console.log(
    `with a ${fmt(BUDGET / 2 ** 20)} MiB budget (BENCH_BUDGET_MIB): retained ${fmt(retained / 1e6, 1)} MB ` +
      `= ${fmt(retained / seenCount)} B per message seen (${fmt(withoutBudget)} without a budget), ${fmt(retained / BUDGET, 2)}x the budget; ` +
      `holds ${fmt(st.heldMessages)} of ${fmt(seenCount)} (estimate ${fmt(st.heldBytes / 2 ** 20, 1)} MiB), ` +
      `${fmt(listed.length)} executions listed (${fmt(listed.filter((x) => x.evicted !== undefined).length)} of them as summaries), ` +
      `${fmt(budgeted.folded().execution.contexts)} older only counted; ` +
      `ingest ${fmt((seenCount / budgetMs) * 1000)} events/s (evictions included)`,
  );
}
