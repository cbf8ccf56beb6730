// `npm run bench:sim -- [--executions N] [--publish-executions N] [--window N]`
// Is the simulator ever the bottleneck of a load test? Measures, in one run:
// model-only generation, publish-with-acks through the simulator publisher, and
// bare JetStream publishes of payloads of the same size on the same private
// nats-server. Goal: generation >= 10x the publish rate.
import { parseArgs } from "node:util";
import { startNatsServer } from "../lib/node/nats-server";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream } from "../lib/nats/stream";
import { AuditPublisher } from "../lib/nats/publish";
import { demoSimOptions } from "../lib/sim/options";
import { Simulator, type SimRuntime } from "../lib/sim/simulator";
import { NODE_SIM_RUNTIME, publishSimulation } from "./lib/sim-publisher";

const { values } = parseArgs({
  options: {
    executions: { type: "string", default: "4000" },
    "publish-executions": { type: "string", default: "500" },
    window: { type: "string", default: "256" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run bench:sim -- [options]
  --executions N           executions generated for the model-only rate (default 4000)
  --publish-executions N   executions published through the simulator publisher (default 500)
  --window N               publishes awaiting their ack at once, for both publish runs (default 256)`);
  process.exit(0);
}
const genExecutions = Number(values.executions);
const pubExecutions = Number(values["publish-executions"]);
const window = Number(values.window);
// The demo preset: mixed scopes and every fault, like the live demo.
const options = { ...demoSimOptions(7), executions: genExecutions };

function generate(runtime: SimRuntime): { lines: number; bytes: number; ms: number } {
  const sim = new Simulator(options, runtime);
  const t = performance.now();
  let lines = 0;
  let bytes = 0;
  for (let item = sim.next(); item !== undefined; item = sim.next()) {
    if (item.kind === "line") {
      lines++;
      bytes += item.line.bytes.length;
    }
  }
  return { lines, bytes, ms: performance.now() - t };
}

const perSec = (n: number, ms: number) => (n / ms) * 1000;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);

// Warm up the JIT on a small run first, so the figures are steady-state.
generate(NODE_SIM_RUNTIME);
const genNode = generate(NODE_SIM_RUNTIME);
const genPortable = generate({});
const avgSize = Math.round(genNode.bytes / genNode.lines);

const server = await startNatsServer();
const nc = await connectNode(server.url, "seqscope-bench-sim");
try {
  const names = { stream: "BENCH_SIM", subject: "benchSim" };
  await ensureStream(nc, names);

  // Bare JetStream publishes: same payload size, same in-flight window, no model.
  const payload = new TextEncoder().encode(`{"pad":"${"x".repeat(Math.max(0, avgSize - 10))}"}`);
  const bareCount = 30_000;
  const bare = async (win: number, count: number) => {
    const pub = new AuditPublisher(nc, names.subject);
    const inFlight = new Set<Promise<unknown>>();
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      while (inFlight.size >= win) await Promise.race(inFlight);
      const p = pub.publish(payload).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    return perSec(count, performance.now() - t);
  };
  await bare(window, 2_000); // warm-up
  const bareRate = await bare(window, bareCount);
  const bareSerial = await bare(1, 3_000);

  const t = performance.now();
  const pub = await publishSimulation(nc, {
    subject: names.subject,
    sim: { ...options, executions: pubExecutions },
    speed: 0,
    maxInFlight: window,
    signal: new AbortController().signal,
  });
  const simPublish = perSec(pub.lines, performance.now() - t);

  const gen = perSec(genNode.lines, genNode.ms);
  console.log(`seqscope simulator bench (Node ${process.version}, avg line ${avgSize} B, window ${window})

                                                events/s
  model-only generation, node:crypto chains   ${fmt(gen)}   (${genNode.lines} lines, ${(perSec(genNode.bytes, genNode.ms) / 1e6).toFixed(1)} MB/s)
  model-only generation, portable @noble      ${fmt(perSec(genPortable.lines, genPortable.ms))}   (what a browser worker gets)
  publish with acks, simulator publisher      ${fmt(simPublish)}   (${pub.lines} lines)
  bare JetStream publish, ${String(avgSize).padStart(4)} B payloads     ${fmt(bareRate)}   (${bareCount} msgs)
  bare JetStream publish, one at a time       ${fmt(bareSerial)}

  generation / simulator publish   ${(gen / simPublish).toFixed(1)}x
  generation / bare publish        ${(gen / bareRate).toFixed(1)}x   (goal >= 10x)`);
} finally {
  await nc.close();
  await server.stop();
}
