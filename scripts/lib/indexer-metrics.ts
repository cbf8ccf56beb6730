// The indexer's Prometheus metrics (prom-client), served on /metrics. Totals
// come from a watch of the whole index, so whichever indexer is active wrote
// them, every indexer (active or standing by) reports the same index.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Indexer } from "../../lib/nats/indexer";
import type { IndexTotals } from "../../lib/index/index-totals";
import { DEFAULT_QUIET_PERIOD_MS } from "../../lib/audit/analyze";

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export function indexerRegistry(indexer: Indexer, totals: IndexTotals): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "seqscope_indexer_" });
  const s = indexer.stats;
  new Gauge({
    name: "seqscope_index_anomalies",
    help: "Anomalies in the indexed executions, by kind, producer (lane) and partition key",
    labelNames: ["kind", "producer", "key"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const a of totals.anomalyTotals()) this.set({ kind: a.kind, producer: a.producer, key: a.key }, a.count);
    },
  });
  new Gauge({
    name: "seqscope_index_executions",
    help: "Indexed workflow executions by status (stalled: running and quiet for the quiet period)",
    labelNames: ["status"] as const,
    registers: [registry],
    collect() {
      for (const [status, n] of Object.entries(totals.byStatus(Date.now(), DEFAULT_QUIET_PERIOD_MS)))
        this.set({ status }, n);
    },
  });
  new Gauge({
    name: "seqscope_index_lag_messages",
    help: "Audit messages not yet indexed (pending and unacknowledged on the indexer's durable consumer)",
    registers: [registry],
    collect() {
      this.set(s.lagMessages);
    },
  });
  new Gauge({
    name: "seqscope_index_lag_seconds",
    help: "Seconds since the index was last caught up with the stream (0 while it is)",
    registers: [registry],
    collect() {
      this.set(s.lagSeconds);
    },
  });
  new Gauge({
    name: "seqscope_indexer_active",
    help: "1 while this indexer holds the lease and indexes, 0 while it stands by",
    registers: [registry],
    collect() {
      this.set(s.active ? 1 : 0);
    },
  });
  let counted = 0;
  new Counter({
    name: "seqscope_index_messages_indexed_total",
    help: "Audit messages this indexer process indexed",
    registers: [registry],
    collect() {
      this.inc(s.messagesIndexed - counted);
      counted = s.messagesIndexed;
    },
  });
  return registry;
}

/** Serves `registry` on http://host:port/metrics (port 0: one the system picks). */
export function serveMetrics(registry: Registry, port: number, host = "127.0.0.1"): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end("see /metrics\n");
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const { port: p } = server.address() as AddressInfo;
      ok({
        url: `http://${host}:${p}/metrics`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
