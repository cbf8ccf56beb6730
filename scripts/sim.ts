// `npm run sim -- [options]`: simulated production audit traffic with known
// ground truth. Publishes to JetStream (acks, optional Nats-Msg-Id) or writes
// NDJSON; the same seed gives the same bytes. `--help` lists every option.
import { parseArgs } from "node:util";
import { createWriteStream, writeFileSync, type WriteStream } from "node:fs";
import { DEFAULTS } from "../lib/config/runtime-config";
import { connectNode } from "../lib/nats/node-connection";
import { ensureStream, isStreamNotFound, streamInfo } from "../lib/nats/stream";
import {
  DEFAULT_START_MS,
  resolveSimOptions,
  SimOptionsError,
  type SeqScope,
  type SimOptions,
  type SimOptionsInput,
} from "../lib/sim/options";
import { Simulator } from "../lib/sim/simulator";
import { NODE_SIM_RUNTIME, publishSimulation, simOptionsForRate, type SimProgress } from "./lib/sim-publisher";

const HELP = `Usage: npm run sim -- [options]

Simulated workflow executions (an orchestrator plus agent processes, over A2A)
on the audit subject, with seeded faults and a ground-truth record per execution.

Where to
  --url URL                 NATS server (default nats://127.0.0.1:${DEFAULTS.natsPort}, the one \`npm start\` runs)
  --stream NAME             stream that must capture the subject (default ${DEFAULTS.stream})
  --subject NAME            subject of the audit lines (default ${DEFAULTS.subject})
  --create-stream           create the stream if it is missing
  --msg-id                  send Nats-Msg-Id = event id (JetStream then drops duplicate copies)
  --truth-subject-prefix P  truth of each execution on P.<execution_id>, core NATS (default seqscope.truth; "" for none)
  --out FILE|-              write the NDJSON lines to FILE (or stdout) instead of publishing
  --truth-out FILE          also write every truth record to FILE, one JSON per line
  --jwks-out FILE           write the agents' public signing keys as a JWKS (with --sign)

How much, how fast
  --seed N                  seed: the same seed and options give the same bytes (default: random, printed)
  --executions N            stop after N executions (default: run until Ctrl-C; 100 with --out)
  --rate N|max              about N audit events per second, in real time (default: 2 executions/s,
                            ~120 events/s); max = as fast as acks allow. Ignored with --out.
  --start TIME|now          simulated start, RFC 3339 (default: now when publishing,
                            ${new Date(DEFAULT_START_MS).toISOString()} with --out so output is reproducible)

Seq scope (what a producer's seq counts)
  --agent-scope S           per-invocation (Forge today) | per-execution | per-process | mixed (default per-invocation);
                            add per-agent overrides: --agent-scope per-invocation,risk-agent=per-process
  --orchestrator-scope S    per-execution (default) | per-invocation (= its run) | per-process
  --producer-field          stamp the proposed explicit \`producer\` field (<agent>@<boot id>)

Faults (P in [0,1) = probability per event, per invocation for --crash; N >= 1 = exactly N per execution)
  --drop P|N                emitted (seq and chain advance) but never published
  --duplicate P|N           published twice, byte-identical
  --reorder P|N             published late, overtaken by up to --reorder-window later lines
  --reorder-window N        lines (default 8)
  --crash P|N               the agent process dies mid-invocation: every invocation in flight on it
                            loses its tail; it restarts with a genesis chain and fresh counters
  --malformed P|N           the producer writes a truncated line or a wrongly typed field
  --skew-ms MS              each producer's clock is off by a fixed amount within ±MS (default 150)

Signing
  --sign                    Ed25519-sign agent lines (kid, sigp "jcs-1", sig base64url over the JCS form without sig)

  --help                    this text

Exit status: 0 done, 1 server unreachable / stream missing / publish failed, 2 bad option.`;

const fail = (msg: string, code = 1): never => {
  process.stderr.write(`sim: ${msg}\n`);
  process.exit(code);
};

function parseFlags(): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({
      options: {
        url: { type: "string", default: `nats://127.0.0.1:${DEFAULTS.natsPort}` },
        stream: { type: "string", default: DEFAULTS.stream },
        subject: { type: "string", default: DEFAULTS.subject },
        "truth-subject-prefix": { type: "string", default: "seqscope.truth" },
        "create-stream": { type: "boolean", default: false },
        "msg-id": { type: "boolean", default: false },
        out: { type: "string" },
        "truth-out": { type: "string" },
        "jwks-out": { type: "string" },
        seed: { type: "string" },
        executions: { type: "string" },
        rate: { type: "string" },
        start: { type: "string" },
        "agent-scope": { type: "string", default: "per-invocation" },
        "orchestrator-scope": { type: "string", default: "per-execution" },
        "producer-field": { type: "boolean", default: false },
        drop: { type: "string", default: "0" },
        duplicate: { type: "string", default: "0" },
        reorder: { type: "string", default: "0" },
        "reorder-window": { type: "string", default: "8" },
        crash: { type: "string", default: "0" },
        malformed: { type: "string", default: "0" },
        "skew-ms": { type: "string", default: "150" },
        sign: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)} (see --help)`, 2);
  }
}
const values = parseFlags();
const str = (k: string): string | undefined => values[k] as string | undefined;

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function num(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) fail(`--${flag} wants a number, got "${raw}"`, 2);
  return n;
}

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

const toFile = str("out");
const publishing = toFile === undefined;
const seed = num("seed", str("seed")) ?? Math.floor(Math.random() * 2 ** 31);
const startRaw = str("start") ?? (publishing ? "now" : undefined);
const startMs = startRaw === undefined ? DEFAULT_START_MS : startRaw === "now" ? Date.now() : Date.parse(startRaw);
if (Number.isNaN(startMs)) fail(`--start wants an RFC 3339 time or "now", got "${startRaw}"`, 2);
const rateRaw = str("rate");
const rate = rateRaw === undefined || rateRaw === "max" ? undefined : num("rate", rateRaw);
const executions = num("executions", str("executions")) ?? (publishing ? undefined : 100);

let sim: SimOptions;
try {
  const input: SimOptionsInput = {
    seed,
    startMs,
    executions,
    ...agentScopes(str("agent-scope")!),
    orchestratorScope: str("orchestrator-scope") as SeqScope,
    producerField: values["producer-field"] === true,
    sign: values.sign === true,
    skewMs: num("skew-ms", str("skew-ms")),
    faults: {
      drop: num("drop", str("drop")),
      duplicate: num("duplicate", str("duplicate")),
      reorder: { rate: num("reorder", str("reorder")), window: num("reorder-window", str("reorder-window")) },
      crash: num("crash", str("crash")),
      malformed: num("malformed", str("malformed")),
    },
  };
  sim = publishing ? simOptionsForRate(input, rate) : resolveSimOptions(input);
} catch (e) {
  if (e instanceof SimOptionsError || e instanceof RangeError) fail(e.message, 2);
  throw e;
}

const jwksOut = str("jwks-out");
if (jwksOut !== undefined) {
  if (!sim.sign) fail("--jwks-out needs --sign", 2);
  writeFileSync(jwksOut, JSON.stringify(new Simulator(sim).jwks(), null, 2) + "\n");
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

const truthOutPath = str("truth-out");
const truthOut = truthOutPath !== undefined ? openOut(truthOutPath) : undefined;
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

const url = str("url")!;
const stream = str("stream")!;
const subject = str("subject")!;
const nc = await connectNode(url, "seqscope-sim").catch((e: Error) =>
  fail(`cannot reach NATS at ${url}: ${e.message}. Start one with \`npm start\`, or pass --url.`),
);
try {
  if (values["create-stream"]) await ensureStream(nc, { stream, subject });
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
  `sim: seed ${seed}, ${sim.executions ?? "continuous"} executions at ${rateRaw === "max" ? "max speed" : `~${sim.executionsPerSecond.toFixed(2)} executions/s`} → ${subject} on ${url}\n`,
);
let failed: unknown;
const result = await publishSimulation(nc, {
  subject,
  truthSubjectPrefix: str("truth-subject-prefix") || undefined,
  sim,
  speed: rateRaw === "max" ? 0 : 1,
  msgId: values["msg-id"] === true,
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
