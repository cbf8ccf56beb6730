// npm run bench:indexer — how fast the indexer keeps up, against the fastest
// possible reader of the same stream in the same run.
//
// Fills a private nats-server's stream with simulated events, then, on the same
// stream and the same connection kind (WebSocket, as the indexer runs):
//   - baseline: a bare durable consumer that fetches and acknowledges every
//     message and does nothing else;
//   - the indexer: the same consumer, plus routing, the per-execution copies,
//     the summaries written to KV, and only then the acks.
// Prints both rates and their ratio (median of --runs), and the storage the
// index took beside the stream. No thresholds: a measurement, not a test.
//
//   npm run bench:indexer -- [--events=200000] [--runs=3] [--batch=1000]
import { startNatsServer } from "../lib/node/nats-server";
import { connectBrowser, type NatsConnection } from "../lib/nats/browser-connection";
import { IndexStore } from "../lib/nats/index-store";
import { consumeAndAck, indexCaughtUp, Indexer } from "../lib/nats/indexer";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../lib/nats/stream";
import { Simulator } from "../lib/sim/simulator";
import { arg } from "./lib/bench-util";

const EVENTS = Math.round(arg("events", 200_000));
const RUNS = Math.round(arg("runs", 3));
const BATCH = Math.round(arg("batch", 1_000));
const names = { stream: "AUDIT_EVENTS", subject: "auditEvent" };
const nf = (n: number) => Math.round(n).toLocaleString("en-US");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function fill(url: string): Promise<number> {
  const nc = await connectNode(url);
  await ensureStream(nc, names);
  const sim = new Simulator({ seed: 5, startMs: Date.now() - 3_600_000, executionsPerSecond: 2 });
  let n = 0;
  for (const item of sim) {
    if (item.kind !== "line") continue;
    nc.publish(names.subject, item.line.bytes);
    if (++n % 20_000 === 0) await nc.flush();
    if (n >= EVENTS) break;
  }
  await nc.flush();
  const info = await streamInfo(nc, names.stream);
  await nc.close();
  return info.state.bytes;
}

async function indexOnce(nc: NatsConnection): Promise<number> {
  const stop = new AbortController();
  const indexer = new Indexer(nc, { stream: names.stream, rebuild: true, batch: BATCH });
  const t0 = performance.now();
  const running = indexer.run(stop.signal);
  // This run's own count first: the consumer a previous run left is caught up before the rebuild removes it.
  while (indexer.stats.messagesIndexed < EVENTS || !(await indexCaughtUp(nc, names.stream)))
    await new Promise((ok) => setTimeout(ok, 200));
  const ms = performance.now() - t0;
  stop.abort();
  await running;
  return (EVENTS * 1000) / ms;
}

async function main() {
  const nats = await startNatsServer();
  try {
    console.log(`filling ${names.stream} with ${nf(EVENTS)} simulated events…`);
    const bytes = await fill(nats.url);
    const nc = await connectBrowser({
      servers: [nats.wsUrl],
      stream: names.stream,
      subject: names.subject,
      historyLimit: 0,
    });
    const bare: number[] = [];
    const indexed: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      bare.push((EVENTS * 1000) / (await consumeAndAck(nc, names.stream, EVENTS)));
      indexed.push(await indexOnce(nc));
      console.log(`  run ${r + 1}: bare consume ${nf(bare[r] as number)}/s, indexer ${nf(indexed[r] as number)}/s`);
    }
    const store = (await IndexStore.open(nc, names.stream)) as IndexStore;
    const copies = await store.jsm.streams.info(store.names.byExecution);
    const kv = await store.jsm.streams.info(`KV_${store.names.bucket}`);
    await nc.close();
    const b = median(bare);
    const i = median(indexed);
    console.log(
      [
        "",
        `${nf(EVENTS)} events (median of ${RUNS}, over WebSocket):`,
        `  bare durable consume + ack: ${nf(b)} events/s`,
        `  indexer (copies, summaries, acks): ${nf(i)} events/s = ${(i / b).toFixed(2)}× the bare consume`,
        `  storage: stream ${(bytes / 1e6).toFixed(1)} MB; per-execution copies ${(copies.state.bytes / 1e6).toFixed(1)} MB ` +
          `(${(copies.state.bytes / bytes).toFixed(2)}×); summaries ${(kv.state.bytes / 1e6).toFixed(1)} MB in ${nf(kv.state.messages)} keys`,
      ].join("\n"),
    );
  } finally {
    await nats.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
