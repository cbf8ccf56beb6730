// `npm run sim -- [options]`: simulated production audit traffic with known
// ground truth. Publishes to JetStream (acks, optional Nats-Msg-Id) or writes
// NDJSON; the same seed gives the same bytes. `--help` lists every option.
import { createWriteStream, existsSync, readFileSync, writeFileSync, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULTS, embeddedConfig } from "../lib/config/runtime-config";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream, isStreamNotFound, streamInfo } from "../lib/nats/stream";
import {
  DEFAULT_START_MS,
  resolveSimOptions,
  SEQ_SCOPES,
  SimOptionsError,
  type SeqScope,
  type SimOptions,
  type SimOptionsInput,
} from "../lib/sim/options";
import { Simulator } from "../lib/sim/simulator";
import { BAD_OPTION, command, integer, InvalidArgumentError, number, Option, probabilityOrCount } from "./lib/cli";
import { producerCredsPath } from "./lib/embedded-auth";
import { dataDirPaths } from "./lib/data-dir";
import { NODE_SIM_RUNTIME, publishSimulation, simOptionsForRate, type SimProgress } from "./lib/sim-publisher";

const fail = (msg: string, code = 1): never => {
  process.stderr.write(`sim: ${msg}\n`);
  process.exit(code);
};

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Flags {
  url: string;
  creds?: string;
  stream: string;
  subject: string;
  createStream?: true;
  msgId?: true;
  truthSubjectPrefix: string;
  out?: string;
  truthOut?: string;
  jwksOut?: string;
  seed?: number;
  executions?: number;
  rate?: number | "max";
  start?: number | "now";
  agentScope: string;
  orchestratorScope: SeqScope;
  producerField?: true;
  drop: number;
  duplicate: number;
  reorder: number;
  reorderWindow: number;
  crash: number;
  malformed: number;
  skewMs: number;
  sign?: true;
}

const rateArg = (raw: string): number | "max" => (raw === "max" ? "max" : number()(raw));
const startArg = (raw: string): number | "now" => {
  if (raw === "now") return "now";
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('It must be an RFC 3339 time or "now".');
  return ms;
};

const values = command(
  "sim",
  "Simulated workflow executions (an orchestrator plus agent processes, over A2A) on the audit subject, " +
    "with seeded faults and a ground-truth record per execution.",
)
  .optionsGroup("Where to:")
  .option("--url <url>", "NATS server (the one `npm start` runs)", `nats://127.0.0.1:${DEFAULTS.natsPort}`)
  .option(
    "--creds <file>",
    "NATS .creds file to publish with (default: SEQSCOPE_NATS_CREDS, else the demo producers' user of `npm start`'s embedded server)",
  )
  .option("--stream <name>", "stream that must capture the subject", DEFAULTS.stream)
  .option("--subject <name>", "subject of the audit lines", DEFAULTS.subject)
  .option("--create-stream", "create the stream if it is missing")
  .option("--msg-id", "send Nats-Msg-Id = event id (JetStream then drops duplicate copies)")
  .option(
    "--truth-subject-prefix <p>",
    'truth of each execution on <p>.<execution_id>, core NATS ("" for none)',
    "seqscope.truth",
  )
  .option("--out <file|->", "write the NDJSON lines to <file> (or stdout) instead of publishing")
  .option("--truth-out <file>", "also write every truth record to <file>, one JSON per line")
  .option("--jwks-out <file>", "write the agents' public signing keys as a JWKS (with --sign)")
  .optionsGroup("How much, how fast:")
  .option("--seed <n>", "the same seed and options give the same bytes (default: random, printed)", integer())
  .option(
    "--executions <n>",
    "stop after <n> executions (default: run until Ctrl-C; 100 with --out)",
    integer({ min: 0 }),
  )
  .option(
    "--rate <n|max>",
    "about <n> audit events per second, in real time (default: 2 executions/s, ~120 events/s); " +
      "max = as fast as acks allow. Ignored with --out.",
    rateArg,
  )
  .option(
    "--start <time|now>",
    `simulated start, RFC 3339 (default: now when publishing, ${new Date(DEFAULT_START_MS).toISOString()} ` +
      "with --out so output is reproducible)",
    startArg,
  )
  .optionsGroup("Seq scope (what a producer's seq counts):")
  .option(
    "--agent-scope <s>",
    "per-invocation (Forge today) | per-execution | per-process | mixed (agents take the three in turn); " +
      "add per-agent overrides: --agent-scope per-invocation,risk-agent=per-process",
    "per-invocation",
  )
  .addOption(
    new Option(
      "--orchestrator-scope <s>",
      "the orchestrator has no A2A ingress: its invocation is the run, so per-invocation counts like per-execution",
    )
      .choices(SEQ_SCOPES)
      .default("per-execution"),
  )
  .option("--producer-field", "stamp the proposed explicit `producer` field (<agent>@<boot id>)")
  .optionsGroup("Faults (P: a probability 0 ≤ P < 1 per event; N: exactly N ≥ 1 per execution):")
  .option("--drop <P|N>", "emitted (seq and chain advance) but never published", probabilityOrCount, 0)
  .option("--duplicate <P|N>", "published twice, byte-identical", probabilityOrCount, 0)
  .option("--reorder <P|N>", "published late, overtaken by up to --reorder-window later lines", probabilityOrCount, 0)
  .option("--reorder-window <n>", "lines", integer({ min: 1 }), 8)
  .option(
    "--crash <P|N>",
    "the agent process dies mid-invocation (P per invocation, not per event): every invocation in flight on it " +
      "loses its tail; it restarts with a genesis chain and fresh counters",
    probabilityOrCount,
    0,
  )
  .option("--malformed <P|N>", "the producer writes a truncated line or a wrongly typed field", probabilityOrCount, 0)
  .option("--skew-ms <ms>", "each producer's clock is off by a fixed amount within ±<ms>", number({ min: 0 }), 150)
  .optionsGroup("Signing:")
  .option("--sign", 'Ed25519-sign agent lines (kid, sigp "jcs-1", sig base64url over the JCS form without sig)')
  .addHelpText("after", "\nExit status: 0 done, 1 server unreachable / stream missing / publish failed, 2 bad option.")
  .parse()
  .opts<Flags>();

function agentScopes(raw: string): Pick<SimOptionsInput, "agentScope" | "agentScopes"> {
  const out: Pick<SimOptionsInput, "agentScope" | "agentScopes"> = { agentScopes: {} };
  for (const part of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, scope] = part.includes("=") ? part.split("=", 2) : [undefined, part];
    if (name !== undefined) out.agentScopes![name.trim()] = scope!.trim() as SeqScope;
    else out.agentScope = scope as SeqScope | "mixed";
  }
  return out;
}

const toFile = values.out;
const publishing = toFile === undefined;
const seed = values.seed ?? Math.floor(Math.random() * 2 ** 31);
const start = values.start ?? (publishing ? "now" : DEFAULT_START_MS);
const startMs = start === "now" ? Date.now() : start;
const rate = values.rate === "max" ? undefined : values.rate;
const executions = values.executions ?? (publishing ? undefined : 100);

let sim: SimOptions;
try {
  const input: SimOptionsInput = {
    seed,
    startMs,
    executions,
    ...agentScopes(values.agentScope),
    orchestratorScope: values.orchestratorScope,
    producerField: values.producerField === true,
    sign: values.sign === true,
    skewMs: values.skewMs,
    faults: {
      drop: values.drop,
      duplicate: values.duplicate,
      reorder: { rate: values.reorder, window: values.reorderWindow },
      crash: values.crash,
      malformed: values.malformed,
    },
  };
  sim = publishing ? simOptionsForRate(input, rate) : resolveSimOptions(input);
} catch (e) {
  if (e instanceof SimOptionsError || e instanceof RangeError) fail(e.message, BAD_OPTION);
  throw e;
}

if (values.jwksOut !== undefined) {
  if (!sim.sign) fail("--jwks-out needs --sign", BAD_OPTION);
  writeFileSync(values.jwksOut, JSON.stringify(new Simulator(sim).jwks(), null, 2) + "\n");
}

function openOut(path: string): WriteStream | NodeJS.WriteStream {
  return path === "-" ? process.stdout : createWriteStream(path);
}

async function write(out: WriteStream | NodeJS.WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((ok) => out.once("drain", ok));
}

function close(out: WriteStream | NodeJS.WriteStream): Promise<void> {
  if (out === process.stdout) return Promise.resolve();
  return new Promise((ok) => (out as WriteStream).end(ok));
}

const truthOut = values.truthOut !== undefined ? openOut(values.truthOut) : undefined;
const tty = process.stderr.isTTY;
const status = (s: string) => tty && process.stderr.write(`\r\x1b[K${s}`);
const describe = (p: SimProgress) =>
  `${p.executions} executions, ${p.lines} events, ${Math.round(p.lines / Math.max(p.elapsedMs / 1000, 0.001))} events/s` +
  (p.deduplicated ? `, ${p.deduplicated} deduplicated by the server` : "");

const controller = new AbortController();
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => controller.abort());
// A closed pipe (`| head`) is a normal end, not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" ? process.exit(0) : fail(e.message)));

if (!publishing) {
  // Batch lines into large writes: one write per line would make the file the bottleneck.
  const out = openOut(toFile);
  const runner = new Simulator(sim, NODE_SIM_RUNTIME);
  const started = performance.now();
  const nl = new Uint8Array([10]);
  let batch: Uint8Array[] = [];
  let size = 0;
  let lines = 0;
  let executionsDone = 0;
  const flush = async () => {
    if (size === 0) return;
    const buf = new Uint8Array(size);
    let o = 0;
    for (const b of batch) buf.set(b, (o += b.length) - b.length);
    batch = [];
    size = 0;
    await write(out, buf);
  };
  for (let item = runner.next(); item && !controller.signal.aborted; item = runner.next()) {
    if (item.kind === "line") {
      batch.push(item.line.bytes, nl);
      size += item.line.bytes.length + 1;
      lines++;
      if (size > 256 * 1024) await flush();
    } else {
      executionsDone++;
      if (truthOut) await write(truthOut, JSON.stringify(item.truth) + "\n");
      if (executionsDone % 100 === 0)
        status(
          describe({ executions: executionsDone, lines, deduplicated: 0, elapsedMs: performance.now() - started }),
        );
    }
  }
  await flush();
  await close(out);
  if (truthOut) await close(truthOut);
  status("");
  process.stderr.write(
    `sim: seed ${seed}: ${executionsDone} executions, ${lines} lines written to ${toFile === "-" ? "stdout" : toFile}\n`,
  );
  process.exit(0);
}

const { url, stream, subject } = values;
const embeddedCreds = producerCredsPath(dataDirPaths(ROOT, embeddedConfig(process.env).dataDir).dataDir);
const credsPath =
  values.creds ?? process.env.SEQSCOPE_NATS_CREDS ?? (existsSync(embeddedCreds) ? embeddedCreds : undefined);
const nc = await connectNode(url, "seqscope-sim", credsPath ? { creds: readFileSync(credsPath, "utf8") } : {}).catch(
  (e: Error) =>
    fail(
      `cannot reach NATS at ${url}: ${e.message}. Start one with \`npm start\`, or pass --url` +
        (credsPath ? ` (credentials: ${credsPath})` : " (and --creds if it needs credentials)") +
        ".",
    ),
);
try {
  if (values.createStream) await ensureStream(nc, { stream, subject });
  else await streamInfo(nc, stream);
} catch (e) {
  await nc.close();
  fail(
    isStreamNotFound(e)
      ? `stream ${stream} does not exist on ${url}. Pass --create-stream to create it (capturing subject ${subject}).`
      : `cannot read stream ${stream} on ${url}: ${e instanceof Error ? e.message : String(e)}`,
  );
}

process.stderr.write(
  `sim: seed ${seed}, ${sim.executions ?? "continuous"} executions at ${values.rate === "max" ? "max speed" : `~${sim.executionsPerSecond.toFixed(2)} executions/s`} → ${subject} on ${url}\n`,
);
let failed: unknown;
const result = await publishSimulation(nc, {
  subject,
  truthSubjectPrefix: values.truthSubjectPrefix || undefined,
  sim,
  speed: values.rate === "max" ? 0 : 1,
  msgId: values.msgId === true,
  signal: controller.signal,
  onProgress: (p) => status(describe(p)),
  onExecutionDone: (t) => {
    if (truthOut) truthOut.write(JSON.stringify(t) + "\n");
  },
  onError: (e) => (failed = e),
});
await nc.drain().catch(() => undefined);
if (truthOut) await close(truthOut);
status("");
process.stderr.write(`sim: ${describe(result)}\n`);
if (failed !== undefined) fail(`publish failed: ${failed instanceof Error ? failed.message : String(failed)}`);
process.exit(0);
