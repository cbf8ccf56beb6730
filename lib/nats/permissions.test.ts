// The README tells operators which permissions a dedicated browser user needs (the same
// rights a minted credential gets: lib/config/reader-permissions.ts, the one definition).
// This checks that claim against a real server: with exactly those permissions the
// browser's reader works; without them it fails with a reason, not a hang.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type RunningNatsServer } from "../node/nats-server";
import { connectBrowser } from "./browser-connection";
import { connectNode } from "./node-connection";
import { AuditPublisher } from "./publish";
import { ensureStream } from "./stream";
import { readerPermissionsConfig } from "../config/reader-permissions";
import { readAuditStream, type ReaderStatus } from "./audit-reader";
import type { RawMessage } from "../audit/types";

const STREAM = "AUDIT_EVENTS";
const SUBJECT = "auditEvent";

const READER_PERMISSIONS = readerPermissionsConfig(STREAM);

let server: RunningNatsServer;

beforeAll(async () => {
  server = await startNatsServer({
    extraConfig: `accounts {
      AUDIT: {
        jetstream: enabled
        users: [
          { user: admin, password: admin }
          { user: reader, password: reader, permissions: ${READER_PERMISSIONS} }
          { user: nobody, password: nobody, permissions: { publish: { deny: [">"] }, subscribe: { allow: ["_INBOX.>"] } } }
        ]
      }
    }`,
  });
  const nc = await connectNode(server.url, "admin", { user: "admin", pass: "admin" });
  await ensureStream(nc, { stream: STREAM, subject: SUBJECT });
  const pub = new AuditPublisher(nc, SUBJECT);
  for (let i = 1; i <= 3; i++) await pub.publish(`{"ts":"2026-11-24T10:00:0${i}Z","event":"tool_exec","seq":${i}}`);
  await nc.close();
});

afterAll(async () => {
  await server?.stop();
});

async function read(user: string) {
  const nc = await connectBrowser({ servers: [server.wsUrl] }, "tab", { user, pass: user });
  const msgs: RawMessage[] = [];
  const statuses: ReaderStatus[] = [];
  const controller = new AbortController();
  await new Promise<void>((done) => {
    const timer = setTimeout(done, 8_000);
    void readAuditStream(nc, {
      stream: STREAM,
      historyLimit: 100,
      signal: controller.signal,
      onMessage: (m) => msgs.push(m),
      onStatus: (s) => {
        statuses.push(s);
        if (s.phase !== "live" && s.phase !== "error") return;
        clearTimeout(timer);
        done();
      },
    });
  });
  controller.abort();
  await nc.close();
  return { msgs, statuses };
}

describe("a read-only user", () => {
  it("is what the README prints", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(READER_PERMISSIONS);
  });

  it("can read the stream with the documented permissions", async () => {
    const { msgs, statuses } = await read("reader");
    expect(statuses.at(-1)?.phase).toBe("live");
    expect(msgs.map((m) => m.streamSeq)).toEqual([1, 2, 3]);
  });

  it("without them gets an error that names the credentials", async () => {
    const { statuses } = await read("nobody");
    const last = statuses.at(-1);
    expect(last?.phase).toBe("error");
    expect(last?.reason).toMatch(/Not allowed|permission/i);
  });
});
