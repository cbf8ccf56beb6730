// What the indexer's tests share (tests only): the stream's own messages, the
// index they must give, what the index holds, and `npm run indexer` as its own
// process (so kill -9 is a real crash).
import { spawn, type ChildProcess } from "node:child_process";
import { executionOf } from "../audit/execution-of";
import type { RawMessage } from "../audit/types";
import { encodeEntry, IndexedExecution } from "../index/index-entry";
import { parseSummaryKey } from "../index/index-keys";
import { findNatsServer } from "../node/binaries.mjs";
import { indexerArgs } from "../node/indexer-command";
import { stopChild } from "../node/nats-server";
import type { NatsConnection } from "./browser-connection";
import { IndexStore } from "./index-store";
import { readStreamRange } from "./range-reader";

/** Why the indexer's process tests cannot run here, if they cannot (the CLI reads NATS over WebSocket). */
export const indexerTestsMissing: string | undefined =
  findNatsServer() === undefined
    ? "no nats-server (PATH or SEQSCOPE_NATS_SERVER_BIN)"
    : typeof WebSocket === "undefined"
      ? "no WebSocket in this Node (run under vitest.config.ts, which adds --experimental-websocket)"
      : undefined;

/** Every message the stream holds, in order, as the indexer reads them. */
export async function streamMessages(nc: NatsConnection, stream: string): Promise<RawMessage[]> {
  const msgs: RawMessage[] = [];
  await readStreamRange(nc, {
    stream,
    startSeq: 1,
    endSeq: Number.MAX_SAFE_INTEGER,
    onMessage: (m) => void msgs.push(m),
    signal: new AbortController().signal,
  });
  return msgs;
}

/** Each execution's entry as the engine makes it from these messages, one at a time: key → stored form. */
export function expectedIndex(msgs: readonly RawMessage[]): Map<string, string> {
  const byExec = new Map<string, IndexedExecution>();
  for (const m of msgs) {
    const x = executionOf(m);
    if (x === undefined) continue;
    (byExec.get(x) ?? byExec.set(x, new IndexedExecution(x)).get(x)!).add([m]);
  }
  return new Map([...byExec.values()].map((x) => [x.key()!, encodeEntry(x.entry()!)]));
}

/** Every summary in the stream's index, by key (empty without an index). */
export async function indexContents(nc: NatsConnection, stream: string): Promise<Map<string, string>> {
  const store = await IndexStore.open(nc, stream);
  const out = new Map<string, string>();
  if (store === undefined) return out;
  for await (const key of await store.kv.keys()) {
    if (parseSummaryKey(key) === undefined) continue;
    const e = await store.kv.get(key);
    if (e?.operation === "PUT") out.set(key, e.string());
  }
  return out;
}

/** `npm run indexer -- --metrics-port 0 ...args` on `servers` (ws URLs) and `stream`, its output kept. */
export class IndexerProcess {
  readonly child: ChildProcess;
  out = "";

  constructor(servers: readonly string[], stream: string, args: readonly string[] = []) {
    this.child = spawn(process.execPath, [...indexerArgs(), "--metrics-port", "0", ...args], {
      env: { ...process.env, SEQSCOPE_NATS_URL: servers.join(","), SEQSCOPE_STREAM: stream },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (d: Buffer) => (this.out += d.toString()));
    this.child.stderr?.on("data", (d: Buffer) => (this.out += d.toString()));
  }

  /** It said it holds the lease. */
  get active(): boolean {
    return /\bactive \(lease/.test(this.out);
  }

  get metricsUrl(): string | undefined {
    return /metrics: (http:\S+)/.exec(this.out)?.[1];
  }

  /** Signals it and waits for it to exit (default SIGKILL: a crash). */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((ok) => this.child.once("exit", ok));
    this.child.kill(signal);
    await gone;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
