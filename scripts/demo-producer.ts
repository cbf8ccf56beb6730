// `npm run demo:produce -- [--url nats://…] [--rate 0.5] [--seed N] [--executions N]`
// Publishes demo workflow executions to a running NATS (the minimal producer of
// the walking skeleton; the simulator issue replaces it).
import { parseArgs } from "node:util";
import { DEFAULTS } from "../lib/config/runtime-config";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream, isStreamNotFound, streamInfo } from "../lib/nats/stream";
import { publishDemo } from "./lib/demo-publisher";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: `nats://127.0.0.1:${DEFAULTS.natsPort}` },
    stream: { type: "string", default: DEFAULTS.stream },
    subject: { type: "string", default: DEFAULTS.subject },
    rate: { type: "string", default: String(DEFAULTS.demoRate) },
    seed: { type: "string", default: String(Date.now() % 2 ** 31) },
    executions: { type: "string" },
    "drop-rate": { type: "string", default: "0.02" },
    "duplicate-rate": { type: "string", default: "0.01" },
    "create-stream": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run demo:produce -- [options]
  --url URL             NATS server (default nats://127.0.0.1:${DEFAULTS.natsPort}, the embedded one)
  --stream NAME         stream to check (default ${DEFAULTS.stream})
  --subject NAME        subject to publish to (default ${DEFAULTS.subject})
  --rate N              executions started per second (default ${DEFAULTS.demoRate})
  --seed N              seed of the run
  --executions N        stop after N executions (default: run until Ctrl-C)
  --drop-rate P         probability an agent event is lost (default 0.02)
  --duplicate-rate P    probability an event is published twice (default 0.01)
  --create-stream       create the stream if it is missing`);
  process.exit(0);
}

const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => controller.abort());

const nc = await connectNode(values.url!).catch((e: Error) => {
  console.error(`Cannot reach NATS at ${values.url}: ${e.message}. Start one with \`npm start\` or pass --url.`);
  process.exit(1);
});
if (values["create-stream"]) {
  await ensureStream(nc, { stream: values.stream!, subject: values.subject! });
} else {
  try {
    await streamInfo(nc, values.stream!);
  } catch (e) {
    console.error(
      isStreamNotFound(e)
        ? `Stream ${values.stream} does not exist on ${values.url}. Pass --create-stream to create it (capturing subject ${values.subject}).`
        : `Cannot read stream ${values.stream}: ${e instanceof Error ? e.message : String(e)}`,
    );
    await nc.close();
    process.exit(1);
  }
}
let n = 0;
await publishDemo(nc, {
  subject: values.subject!,
  rate: Number(values.rate),
  seed: Number(values.seed),
  executions: values.executions ? Number(values.executions) : undefined,
  dropRate: Number(values["drop-rate"]),
  duplicateRate: Number(values["duplicate-rate"]),
  signal: controller.signal,
  onRunDone: () => {
    n++;
    if (process.stdout.isTTY) process.stdout.write(`\r${n} executions published`);
  },
  onError: (e) => {
    console.error(`publish failed: ${e instanceof Error ? e.message : String(e)}`);
    controller.abort();
    process.exitCode = 1;
  },
});
await nc.drain();
console.log(`\n${n} executions published`);
