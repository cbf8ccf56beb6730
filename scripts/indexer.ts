// `npm run indexer -- [options]`: keeps seqscope's index of the audit stream on
// NATS (lib/nats/indexer.ts) and serves its Prometheus metrics. Same env vars
// as the dashboard (SEQSCOPE_NATS_URL, SEQSCOPE_STREAM, credentials). Safe to
// run twice: one holds the lease and indexes, the other stands by.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { browserNatsConfig, ConfigError, redactUrl, serverNatsAuth } from "../lib/config/runtime-config";
import { connectBrowser, type NatsConnection } from "../lib/nats/browser-connection";
import { IndexStore } from "../lib/nats/index-store";
import { Indexer } from "../lib/nats/indexer";
import { IndexTotals } from "../lib/index/index-totals";
import { command, integer } from "./lib/cli";
import { indexerRegistry, serveMetrics } from "./lib/indexer-metrics";

interface Flags {
  rebuild?: true;
  metricsPort: number;
  metricsHost: string;
  batch: number;
  maxHeld: number;
}

const flags = command(
  "indexer",
  "Indexes the audit stream on NATS: a summary per workflow execution in a KV bucket, every message again on a " +
    "subject per execution, anomaly metrics for alerting. Reads SEQSCOPE_NATS_URL, SEQSCOPE_STREAM and the " +
    "credential variables like the dashboard.",
)
  .option("--rebuild", "remove the index and index the stream again from its first message")
  .option(
    "--metrics-port <port>",
    "Prometheus metrics on http://HOST:PORT/metrics (0: a free port, printed)",
    integer({ min: 0, max: 65_535 }),
    Number(process.env.SEQSCOPE_INDEXER_METRICS_PORT ?? 9464),
  )
  .option(
    "--metrics-host <host>",
    "address the metrics listen on",
    process.env.SEQSCOPE_INDEXER_METRICS_HOST ?? "127.0.0.1",
  )
  .option("--batch <n>", "audit messages per batch at most", integer({ min: 1 }), 1_000)
  .option(
    "--max-held <n>",
    "audit messages kept in memory across executions (the least recently touched are let go and re-read)",
    integer({ min: 1_000 }),
    500_000,
  )
  .parse()
  .opts<Flags>();

const log = (s: string) => process.stdout.write(`[indexer] ${s}\n`);

let cfg;
let auth;
try {
  const credsPath = process.env.SEQSCOPE_NATS_CREDS;
  let creds: string | undefined;
  try {
    creds = credsPath ? readFileSync(credsPath, "utf8") : undefined;
  } catch (e) {
    throw new ConfigError(`SEQSCOPE_NATS_CREDS points at ${credsPath}, which cannot be read: ${(e as Error).message}`);
  }
  cfg = browserNatsConfig(process.env);
  auth = serverNatsAuth(process.env, creds);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`indexer: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}

const stop = new AbortController();
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => stop.abort());

const where = cfg.servers.map(redactUrl).join(", ");
log(`connecting to ${where}`);
let nc: NatsConnection | undefined;
for (let attempt = 0; nc === undefined && !stop.signal.aborted; attempt++) {
  try {
    nc = await connectBrowser(cfg, "seqscope-indexer", auth);
  } catch (e) {
    const wait = Math.min(30, 2 ** attempt);
    log(
      `cannot reach NATS at ${where} (${e instanceof Error ? e.message : String(e)}). Is the server running with ` +
        `WebSocket enabled, and is SEQSCOPE_NATS_URL right? Trying again in ${wait} s.`,
    );
    await new Promise((ok) => setTimeout(ok, wait * 1_000));
  }
}
if (nc === undefined) process.exit(0);
const indexer = new Indexer(nc, {
  stream: cfg.stream,
  rebuild: flags.rebuild === true,
  batch: flags.batch,
  maxHeldMessages: flags.maxHeld,
  holder: `${hostname()}:${process.pid}`,
  onLog: log,
});
const totals = new IndexTotals();
const registry = indexerRegistry(indexer, totals);
const metricsPortGiven =
  process.env.SEQSCOPE_INDEXER_METRICS_PORT !== undefined || process.argv.some((a) => a.startsWith("--metrics-port"));
const metrics = await serveMetrics(registry, flags.metricsPort, flags.metricsHost).catch((e: unknown) => {
  // The default port taken (another indexer on this machine): any free one, said below.
  if (metricsPortGiven || (e as { code?: string }).code !== "EADDRINUSE") throw e;
  log(`port ${flags.metricsPort} is in use; serving the metrics on a free port instead`);
  return serveMetrics(registry, 0, flags.metricsHost);
});
log(`metrics: ${metrics.url}`);

// Totals follow the whole index, whoever writes it; the watch starts once the index exists.
const watching = (async () => {
  while (!stop.signal.aborted) {
    const store = await IndexStore.open(nc, cfg.stream).catch(() => undefined);
    if (store !== undefined) {
      totals.clear(); // a rebuilt index starts empty; the watch sends every summary again
      await store.watch((key, entry) => totals.set(key, entry), stop.signal).catch(() => undefined);
    }
    if (!stop.signal.aborted) await new Promise((ok) => setTimeout(ok, 2_000));
  }
})();

await indexer.run(stop.signal);
await watching;
await metrics.close();
await nc.drain().catch(() => undefined);
log("stopped");
