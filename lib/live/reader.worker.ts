// The tab's live reader off the main thread: its own NATS connection over
// WebSocket and the same AuditStreamReader as everywhere else. The client's
// WebSocket delivery and protocol parsing take 10–28 % of a thread at 2 000
// msg/s, which the page's frames no longer pay. Messages go to the page in
// batches (message-batch.ts), at most one per BATCH_MS, each with the status
// that holds after it, so a status never runs ahead of the messages it counts.
// Once the stream shows a hash chain (a "prev_hash" in any message), each
// batch carries its payloads' SHA-256 too: the page's chain ledger then hashes
// nothing on its main thread.
//
// Flow control: the page says how many payload bytes it has taken in; once
// BACKLOG_FULL are posted and not yet taken (a page busy with a long task, a
// slow machine) the reader stops reading until the page is down to
// BACKLOG_LOW (resumable-reader.ts, "Flow control"). Without it the batches
// would queue in the page's event loop, outside the memory budget.
import { AuditStreamReader, type ReaderStatus } from "../nats/audit-reader";
import {
  connectBrowser,
  READER_CONNECTION_NAME,
  type ConnectionAuth,
  type NatsConnection,
} from "../nats/browser-connection";
import type { RawMessage } from "../audit/types";
import type { ConnectionEventKind } from "./connection-log";
import { describeConnectError } from "./connect-error";
import { mentionsPrevHash, packBatch, type MessageBatch } from "./message-batch";
import type { StreamHole } from "./stream-holes";
import type { ReaderTiming } from "../nats/resumable-reader";
import type { BrowserNatsConfig } from "../config/runtime-config";

/** Credentials as data: a JWT is sent again whenever the page's lease renews it. */
export type WorkerAuth = Omit<ConnectionAuth, "jwt"> & { jwt?: string };

export type ReaderRequest =
  | {
      type: "start";
      config: Pick<BrowserNatsConfig, "servers" | "stream" | "historyLimit">;
      auth: WorkerAuth;
      timing?: Partial<ReaderTiming>;
    }
  | { type: "jwt"; jwt: string }
  | { type: "poke" }
  /** The page took in batches of this many payload bytes. */
  | { type: "taken"; bytes: number }
  | { type: "stop" };

export type ReaderResponse =
  | { type: "batch"; batch?: MessageBatch; status?: ReaderStatus }
  | { type: "event"; kind: ConnectionEventKind; detail?: string }
  | { type: "holes"; holes: StreamHole[] }
  | { type: "recreated"; previous: { from: number; to: number } | undefined }
  | { type: "ended" };

/** How long messages wait to be batched: well under a frame, so the page's next frame has them. */
const BATCH_MS = 4;
/** A batch this large goes at once. */
const BATCH_MAX = 1_000;
/** Payload bytes posted and not yet taken in by the page at which reading pauses, and resumes. */
const BACKLOG_FULL = 8 << 20;
const BACKLOG_LOW = 2 << 20;

const scope = self as unknown as {
  postMessage(m: ReaderResponse, transfer?: Transferable[]): void;
  close(): void;
};

let pending: RawMessage[] = [];
let status: ReaderStatus | undefined;
let postedPhase: string | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let jwt = "";
/** A message carried a prev_hash: from this batch on, payloads are hashed here. */
let chained = false;
let reader: AuditStreamReader | undefined;
/** Payload bytes posted to the page and not yet taken in (flow control). */
let untaken = 0;
let drainedWaiters: (() => void)[] = [];

const backlog = {
  full: () => untaken >= BACKLOG_FULL,
  drained: (signal: AbortSignal) =>
    new Promise<void>((ok) => {
      flush(); // what is held back counts, and the page cannot take it in from here
      if (untaken <= BACKLOG_LOW || signal.aborted) return ok();
      drainedWaiters.push(ok);
      signal.addEventListener("abort", () => ok(), { once: true });
    }),
};

function taken(bytes: number): void {
  untaken = Math.max(0, untaken - bytes);
  if (untaken > BACKLOG_LOW) return;
  const waiters = drainedWaiters;
  drainedWaiters = [];
  for (const w of waiters) w();
}
let closed: Promise<void> = Promise.resolve();
const controller = new AbortController();

/** Everything held back goes now, messages before the status that counts them. */
function flush(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  if (pending.length === 0 && status === undefined) return;
  if (!chained) chained = pending.some((m) => mentionsPrevHash(m.data));
  const packed = pending.length > 0 ? packBatch(pending, chained) : undefined;
  pending = [];
  untaken += packed?.batch.bytes.byteLength ?? 0;
  const s = status;
  status = undefined;
  if (s !== undefined) postedPhase = s.phase;
  scope.postMessage({ type: "batch", batch: packed?.batch, status: s }, packed?.transfer ?? []);
}

function soon(): void {
  if (timer === undefined) timer = setTimeout(flush, BATCH_MS);
}

/** Anything but a message or a status: after what came before it. */
function post(m: ReaderResponse): void {
  flush();
  scope.postMessage(m);
}

async function connect(
  config: Extract<ReaderRequest, { type: "start" }>["config"],
  auth: WorkerAuth,
): Promise<NatsConnection | undefined> {
  const { jwt: first, ...rest } = auth;
  if (first !== undefined) jwt = first;
  const withJwt: ConnectionAuth = first === undefined ? rest : { ...rest, jwt: () => jwt };
  for (let attempt = 0; !controller.signal.aborted; attempt++) {
    try {
      return await connectBrowser(config, READER_CONNECTION_NAME, withJwt);
    } catch (e) {
      const wait = Math.min(30_000, 1_000 * 2 ** attempt);
      const reason = describeConnectError(e, config.servers, wait);
      post({ type: "event", kind: "error", detail: `reader: ${reason}` });
      status = { phase: "error", reason };
      flush();
      await new Promise((ok) => setTimeout(ok, wait));
    }
  }
  return undefined;
}

async function start(m: Extract<ReaderRequest, { type: "start" }>): Promise<void> {
  const nc = await connect(m.config, m.auth);
  if (nc === undefined) return;
  const { signal } = controller;
  if (signal.aborted) return void nc.close().catch(() => undefined);
  signal.addEventListener("abort", () => (closed = nc.close().catch(() => undefined)), { once: true });
  reader = new AuditStreamReader(nc, {
    stream: m.config.stream,
    historyLimit: m.config.historyLimit,
    signal,
    timing: m.timing,
    backlog,
    onMessage: (msg) => {
      pending.push(msg);
      if (pending.length >= BATCH_MAX) flush();
      else soon();
    },
    onStatus: (s) => {
      status = s;
      // A new phase shows at once; progress rides with the next batch.
      if (s.phase !== postedPhase) flush();
      else soon();
    },
    onEvent: (kind, detail) => post({ type: "event", kind, detail }),
    onHoles: (holes) => post({ type: "holes", holes }),
    onRecreated: (previous) => post({ type: "recreated", previous }),
  });
  await reader.run();
  post({ type: "ended" });
}

self.addEventListener("message", (e: MessageEvent<ReaderRequest>) => {
  const m = e.data;
  if (m?.type === "start") void start(m);
  else if (m?.type === "jwt") jwt = m.jwt;
  else if (m?.type === "poke") reader?.poke();
  else if (m?.type === "taken") taken(m.bytes);
  else if (m?.type === "stop") {
    controller.abort();
    flush();
    // Closed, not dropped: the server lets go of the connection at once.
    void closed.then(() => scope.close());
  }
});
