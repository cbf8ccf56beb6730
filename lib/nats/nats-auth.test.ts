// A real nats-server in operator mode (memory resolver): what the dashboard mints for a
// browser reads the audit stream over WebSocket and can do nothing else; an expired one
// is refused; a renewed one carries a reading tab across its expiry without a reload or a
// lost message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { readerPermissions } from "../config/reader-permissions";
import { indexNames } from "../index/index-keys";
import { CredentialLease } from "../live/credential-lease";
import type { RawMessage } from "../audit/types";
import { connectBrowser } from "./browser-connection";
import { AuditPublisher } from "./publish";
import { readAuditStream, type ReaderStatus } from "./audit-reader";
import { grantFor } from "./browser-grant";
import { startOperatorRig, type OperatorRig } from "./auth-testing";
import { mintBrowserJwt, type OperatorSetup } from "./nats-auth";

const STREAM = "AUDIT_EVENTS";
const SUBJECT = "auditEvent";
const names = indexNames(STREAM);

let rig: OperatorRig;
let setup: OperatorSetup;
let server: OperatorRig["server"];
let admin: NatsConnection;
let pub: AuditPublisher;
let published = 0;

async function publish(n: number) {
  for (let i = 0; i < n; i++) {
    published++;
    await pub.publish(`{"ts":"2026-11-24T10:00:00Z","event":"tool_exec","seq":${published}}`);
  }
}

beforeAll(async () => {
  rig = await startOperatorRig(STREAM, SUBJECT);
  ({ setup, server, admin } = rig);
  // The indexer's own user makes the index's bucket, which a tab must not be able to write.
  await new Kvm(admin).create(names.bucket, { history: 1 });
  pub = new AuditPublisher(admin, SUBJECT);
  await publish(3);
});

afterAll(async () => {
  await rig?.stop();
});

async function minted(ttlSec = 600, nowMs = Date.now()) {
  const inboxPrefix = "_INBOX_test";
  const { jwt } = await mintBrowserJwt({
    signerSeed: setup.signerSeed,
    account: setup.account,
    name: "test tab",
    permissions: readerPermissions(STREAM, inboxPrefix),
    ttlSec,
    nowMs,
  });
  return { jwt, inboxPrefix };
}

/** Reads until `until` says so (or `timeoutMs`); returns what it got. */
async function read(nc: NatsConnection, until: (msgs: RawMessage[], s: ReaderStatus) => boolean, timeoutMs = 15_000) {
  const msgs: RawMessage[] = [];
  const statuses: ReaderStatus[] = [];
  const controller = new AbortController();
  await new Promise<void>((done) => {
    const timer = setTimeout(done, timeoutMs);
    void readAuditStream(nc, {
      stream: STREAM,
      historyLimit: 1_000,
      signal: controller.signal,
      onMessage: (m) => msgs.push(m),
      onStatus: (s) => {
        statuses.push(s);
        if (!until(msgs, s)) return;
        clearTimeout(timer);
        done();
      },
    });
  });
  controller.abort();
  return { msgs, statuses };
}

function permissionErrors(nc: NatsConnection): string[] {
  const seen: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error") seen.push(String(s.error));
  })();
  return seen;
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("a minted browser credential", () => {
  it("reads the audit stream over WebSocket", async () => {
    const { jwt, inboxPrefix } = await minted();
    const nc = await connectBrowser({ servers: [server.wsUrl] }, "tab", { jwt: () => jwt, inboxPrefix });
    const { msgs, statuses } = await read(nc, (_m, s) => s.phase === "live" || s.phase === "error");
    await nc.close();
    expect(statuses.at(-1)?.phase).toBe("live");
    expect(msgs.map((m) => m.streamSeq)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
  });

  it("may not publish events, delete the stream or a consumer, write the index or read others' inboxes", async () => {
    const { jwt, inboxPrefix } = await minted();
    const nc = await connectBrowser({ servers: [server.wsUrl] }, "tab", { jwt: () => jwt, inboxPrefix });
    const errors = permissionErrors(nc);
    await expect(new AuditPublisher(nc, SUBJECT).publish('{"forged":true}')).rejects.toThrow(/permission/i);
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.delete(STREAM)).rejects.toThrow(/permission/i);
    await expect(jsm.consumers.delete(STREAM, names.durable)).rejects.toThrow(/permission/i);
    await expect(jsm.streams.purge(STREAM)).rejects.toThrow(/permission/i);
    const kv = await new Kvm(nc).open(names.bucket);
    await expect(kv.put("forged", "x")).rejects.toThrow(/permission/i);
    nc.subscribe("_INBOX.>");
    await until(() => errors.some((e) => /subscription to "_INBOX\.>"/i.test(e)), "the refused subscription");
    await nc.close();
    // Nothing reached the stream.
    expect((await (await jetstreamManager(admin)).streams.info(STREAM)).state.messages).toBe(published);
  });

  it("follows a KV watch big enough for the server's flow control to its end", async () => {
    // Flow control asks the client for a reply every few MB: a credential that may not send it stalls the watch.
    const bucket = await new Kvm(admin).open(names.bucket);
    const value = "x".repeat(32_000);
    const n = 300;
    for (let i = 0; i < n; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => bucket.put(`fc.${i + j}`, value)));
    }
    const { jwt, inboxPrefix } = await minted();
    const nc = await connectBrowser({ servers: [server.wsUrl] }, "tab", { jwt: () => jwt, inboxPrefix });
    const watch = await (await new Kvm(nc).open(names.bucket)).watch({ key: "fc.>" });
    const timer = setTimeout(() => watch.stop(), 15_000);
    const keys = new Set<string>();
    for await (const e of watch) if (keys.add(e.key).size === n) break;
    clearTimeout(timer);
    await nc.close();
    expect(keys.size).toBe(n);
  });

  it("is refused over plain TCP: it is for WebSocket connections only", async () => {
    const { jwt } = await minted();
    await expect(
      (async () => {
        const { connect } = await import("@nats-io/transport-node");
        const nc = await connect({ servers: server.url, authenticator: () => ({ jwt }), reconnect: false });
        await nc.close();
      })(),
    ).rejects.toThrow(/authorization/i);
  });

  it("is refused once expired", async () => {
    const { jwt, inboxPrefix } = await minted(60, Date.now() - 3_600_000);
    await expect(
      (async () => {
        const { wsconnect } = await import("@nats-io/nats-core");
        const nc = await wsconnect({
          servers: server.wsUrl,
          authenticator: () => ({ jwt }),
          inboxPrefix,
          reconnect: false,
        });
        await nc.close();
      })(),
    ).rejects.toThrow(/authorization|expired/i);
  });

  it("is renewed before it expires: a reading tab reconnects on the new one and loses nothing", async () => {
    const env = { ...rig.env, SEQSCOPE_BROWSER_CREDENTIAL_TTL: "2" };
    const grants: string[] = [];
    const lease = new CredentialLease({
      fetchGrant: async () => {
        const g = await grantFor(env, { viewer: { id: "u1", name: "tester" }, stream: STREAM });
        if (g.kind === "jwt") grants.push(g.inboxPrefix);
        return g;
      },
    });
    const nc = await connectBrowser({ servers: [server.wsUrl] }, "tab", await lease.connectionAuth());
    let reconnects = 0;
    let expiredSeen = 0;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "reconnect") reconnects++;
        if (s.type === "error" && /expired/i.test(String(s.error))) expiredSeen++;
      }
    })();
    const before = published;
    const reading = read(nc, (m) => m.length === before + 6, 30_000);
    // After the first credential's expiry: the server dropped the connection, the client came back on a renewed one.
    await until(() => reconnects >= 1 && expiredSeen >= 1, "an expiry and a reconnect", 20_000);
    await publish(3);
    // And across a second expiry, with the second credential.
    await until(() => reconnects >= 2, "a second reconnect", 20_000);
    await publish(3);
    const { msgs } = await reading;
    lease.stop();
    await nc.close();
    expect(grants.length).toBeGreaterThanOrEqual(3);
    expect(new Set(grants).size).toBe(1);
    expect(msgs.map((m) => m.streamSeq)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
  }, 60_000);
});
