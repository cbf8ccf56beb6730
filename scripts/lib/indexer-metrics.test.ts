// The indexer's /metrics against a real nats-server and the real CLI: a seeded
// workload with faults is published, `npm run indexer` indexes it, and every
// figure it exports must equal what the published messages say — executions
// (by status), anomalies by kind and key (and by producer), messages indexed,
// no lag, active. The truth is computed here from the messages themselves (the
// engine over the stream's own messages), not read from the index. Then more is
// published while it runs, and the figures must follow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionOf } from "../../lib/audit/execution-of";
import { generateWorkload } from "../../lib/audit/testing";
import type { RawMessage } from "../../lib/audit/types";
import { IndexedExecution, type IndexEntry } from "../../lib/index/index-entry";
import { startNatsServer, type RunningNatsServer } from "../../lib/node/nats-server";
import { waitUntil } from "../../lib/nats/fault-testing";
import { IndexerProcess, indexerTestsMissing as missing, streamMessages } from "../../lib/nats/index-testing";
import { indexCaughtUp } from "../../lib/nats/indexer";
import { connectNode, type NatsConnection } from "../../lib/nats/node-connection";
import { AuditPublisher } from "../../lib/nats/publish";
import { ensureStream, streamInfo } from "../../lib/nats/stream";

const STREAM = "METRICS";
const SUBJECT = "metrics.audit";

let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  if (missing !== undefined) return;
  server = await startNatsServer();
  nc = await connectNode(server.url);
  await ensureStream(nc, { stream: STREAM, subject: SUBJECT });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** Publishes a seeded workload's lines (each stream seq once, as the broker stored them); returns the lines. */
async function publish(seed: number, executions: number): Promise<RawMessage[]> {
  const pub = new AuditPublisher(nc, SUBJECT);
  const { messages, stats } = generateWorkload({ seed, executions, faultRate: 0.08 });
  // Anomalies need faults: a seed that made none would leave the anomaly checks nothing to check.
  expect(stats.faults.drop + stats.faults.reorder + stats.faults.retry + stats.faults.malformed).toBeGreaterThan(0);
  const lines = [...new Map(messages.map((m) => [m.streamSeq, m])).values()];
  for (const m of lines) await pub.publish(m.data);
  return lines;
}

/** Each execution's entry as the engine makes it from the stream's messages. */
function entriesOf(msgs: readonly RawMessage[]): IndexEntry[] {
  const byExec = new Map<string, IndexedExecution>();
  for (const m of msgs) {
    const x = executionOf(m);
    if (x === undefined) continue;
    (byExec.get(x) ?? byExec.set(x, new IndexedExecution(x)).get(x)!).add([m]);
  }
  return [...byExec.values()].map((x) => x.entry()!);
}

interface Truth {
  /** Distinct workflow executions among the lines published. */
  executions: number;
  /** Executions by status (the entry's: never "stalled"). */
  byStatus: Record<string, number>;
  /** Σ over executions of entry.anomalies[key][kind], by `kind key`. */
  anomalies: Record<string, number>;
  /** Σ over executions of entry.byProducer[producer][key][kind], by `kind producer key`. */
  byProducer: Record<string, number>;
  /** Messages the stream holds. */
  messages: number;
}

async function truth(published: readonly RawMessage[]): Promise<Truth> {
  const executions = new Set(published.map((m) => executionOf(m)).filter((x) => x !== undefined)).size;
  const msgs = await streamMessages(nc, STREAM);
  const byStatus: Record<string, number> = {};
  const anomalies: Record<string, number> = {};
  const byProducer: Record<string, number> = {};
  for (const e of entriesOf(msgs)) {
    byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    for (const [key, counts] of Object.entries(e.anomalies))
      for (const [kind, n] of Object.entries(counts))
        anomalies[`${kind} ${key}`] = (anomalies[`${kind} ${key}`] ?? 0) + n;
    for (const [producer, keys] of Object.entries(e.byProducer))
      for (const [key, counts] of Object.entries(keys))
        for (const [kind, n] of Object.entries(counts)) {
          const id = `${kind} ${producer} ${key}`;
          byProducer[id] = (byProducer[id] ?? 0) + n;
        }
  }
  const { state } = await streamInfo(nc, STREAM);
  return { executions, byStatus, anomalies, byProducer, messages: state.messages };
}

// ---------------------------------------------------------------------------------------------
// Prometheus text exposition (what prom-client serves), just enough of it

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const at = LABEL.lastIndex;
      const l = LABEL.exec(body);
      if (l === null) throw new Error(`bad labels at ${at} in ${JSON.stringify(line)}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    const v = m[3]!;
    const value = v === "+Inf" ? Infinity : v === "-Inf" ? -Infinity : Number(v);
    // prom-client writes "Nan" for a gauge with no samples yet (the event-loop lag before its first
    // reading); Prometheus reads floats with Go's ParseFloat, which takes NaN in any case.
    if (Number.isNaN(value) && v.toLowerCase() !== "nan") throw new Error(`bad value in ${JSON.stringify(line)}`);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

function samples(all: readonly Sample[], name: string): Sample[] {
  return all.filter((s) => s.name === name);
}

function sum(all: readonly Sample[], name: string): number {
  return samples(all, name).reduce((n, s) => n + s.value, 0);
}

/** The one sample of an unlabelled metric (a missing one fails the test, it does not read as 0). */
function single(all: readonly Sample[], name: string): number {
  const s = samples(all, name);
  expect(s, name).toHaveLength(1);
  return s[0]!.value;
}

/** Sums of a metric's samples grouped by some of their labels, as `a b c` → value. */
function grouped(all: readonly Sample[], name: string, labels: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples(all, name)) {
    const id = labels.map((l) => s.labels[l] ?? "").join(" ");
    out[id] = (out[id] ?? 0) + s.value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The CLI as its own process

/** waitUntil, saying what the indexer printed and what it last exported when it times out. */
async function until(what: string, pred: () => boolean | Promise<boolean>, p: IndexerProcess, last = () => "") {
  try {
    await waitUntil(what, pred, 60_000);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast scrape: ${last()}\nindexer output:\n${p.out}`);
  }
}

const METRICS = [
  "seqscope_index_executions",
  "seqscope_index_lag_messages",
  "seqscope_index_lag_seconds",
  "seqscope_indexer_active",
  "seqscope_index_messages_indexed_total",
];

/**
 * Waits until the index is caught up and the exported executions (fed by a KV watch) reach the truth,
 * with the lag measured at 0 (it is asked of the server every 2 s), then checks every figure on one scrape.
 */
async function expectMetrics(p: IndexerProcess, want: Truth): Promise<void> {
  await until("the indexer's durable consumer is caught up", () => indexCaughtUp(nc, STREAM), p);
  const url = p.metricsUrl!;
  let got: Sample[] = [];
  const brief = () => JSON.stringify(got.filter((s) => METRICS.includes(s.name)));
  await until(
    `the metrics report ${want.executions} executions and no lag`,
    async () => {
      got = await scrape(url);
      return (
        sum(got, "seqscope_index_executions") === want.executions &&
        samples(got, "seqscope_index_lag_messages")[0]?.value === 0
      );
    },
    p,
    brief,
  );
  expect(sum(got, "seqscope_index_executions")).toBe(want.executions);
  // Stalled is running and quiet, judged on the clock: only their sum is the engine's "running".
  const st = grouped(got, "seqscope_index_executions", ["status"]);
  expect({
    running: (st.running ?? 0) + (st.stalled ?? 0),
    complete: st.complete ?? 0,
    failed: st.failed ?? 0,
    cancelled: st.cancelled ?? 0,
  }).toEqual({
    running: want.byStatus.running ?? 0,
    complete: want.byStatus.complete ?? 0,
    failed: want.byStatus.failed ?? 0,
    cancelled: want.byStatus.cancelled ?? 0,
  });
  expect(grouped(got, "seqscope_index_anomalies", ["kind", "key"])).toEqual(want.anomalies);
  expect(grouped(got, "seqscope_index_anomalies", ["kind", "producer", "key"])).toEqual(want.byProducer);
  expect(single(got, "seqscope_index_messages_indexed_total")).toBe(want.messages);
  expect(single(got, "seqscope_index_lag_messages")).toBe(0);
  expect(single(got, "seqscope_index_lag_seconds")).toBe(0);
  expect(single(got, "seqscope_indexer_active")).toBe(1);
}

describe("the indexer's metrics", () => {
  it("export what the published messages say: executions, anomalies by kind and key, messages, no lag", async (ctx) => {
    ctx.skip(missing !== undefined, `skipped: ${missing}`);
    const first = await publish(31, 30);
    const p = new IndexerProcess([server.wsUrl], STREAM, ["--batch", "100"]);
    try {
      await until("the indexer prints its metrics URL", () => p.metricsUrl !== undefined, p);
      const want1 = await truth(first);
      expect(want1.executions).toBeGreaterThan(5);
      expect(want1.messages).toBe(first.length);
      expect(Object.keys(want1.anomalies).length).toBeGreaterThan(0);
      await expectMetrics(p, want1);

      // More while it runs: the figures follow (the counter counts on, the watch sees the new summaries).
      const second = await publish(32, 20);
      const want2 = await truth([...first, ...second]);
      expect(want2.executions).toBeGreaterThan(want1.executions);
      expect(want2.messages).toBe(first.length + second.length);
      await expectMetrics(p, want2);
    } finally {
      await p.stop();
    }
  }, 120_000);
});
