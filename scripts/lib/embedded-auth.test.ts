// npm start's operator mode, made on first start and kept: owner-only files, the same trust
// chain on the next start, a lab account added to a setup made before it existed — and, on a
// real server, the lab's user cannot see the audit account's streams at all.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startNatsServer } from "../../lib/node/nats-server";
import { connectNode } from "../../lib/nats/node-connection";
import { ensureStream, streamInfo } from "../../lib/nats/stream";
import type { OperatorSetup } from "../../lib/nats/nats-auth";
import { embeddedAuth } from "./embedded-auth";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "seqscope-embedded-auth-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the embedded server's auth", () => {
  it("is made once, owner-only, and the same on the next start", async () => {
    const dir = fresh();
    const first = await embeddedAuth(dir, "AUDIT_EVENTS", "auditEvent");
    const second = await embeddedAuth(dir, "AUDIT_EVENTS", "auditEvent");
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.setup.account).toBe(first.setup.account);
    expect(second.serverConfig).toBe(first.serverConfig);
    expect(statSync(join(dir, "auth")).mode & 0o777).toBe(0o700);
    for (const f of ["operator.json", "browser-signer.nk", "indexer.creds", "producer.creds", "lab.creds"])
      expect(statSync(join(dir, "auth", f)).mode & 0o777, f).toBe(0o600);
  });

  it("adds the lab account to a setup made before it existed, and keeps it", async () => {
    const dir = fresh();
    const made = await embeddedAuth(dir, "AUDIT_EVENTS", "auditEvent");
    const path = join(dir, "auth", "operator.json");
    const old = { ...made.setup } as Partial<OperatorSetup>;
    delete old.lab;
    writeFileSync(path, JSON.stringify(old), { mode: 0o600 });
    const again = await embeddedAuth(dir, "AUDIT_EVENTS", "auditEvent");
    expect(again.setup.account).toBe(made.setup.account);
    expect(again.setup.lab?.account).toMatch(/^A/);
    expect((JSON.parse(readFileSync(path, "utf8")) as OperatorSetup).lab?.account).toBe(again.setup.lab?.account);
  });

  it("gives the lab a user that cannot see the audit account's streams", async () => {
    const auth = await embeddedAuth(fresh(), "AUDIT_EVENTS", "auditEvent");
    const server = await startNatsServer({ extraConfig: auth.serverConfig });
    try {
      const producer = await connectNode(server.url, "demo", { creds: auth.producerCreds });
      await ensureStream(producer, { stream: "AUDIT_EVENTS", subject: "auditEvent" });
      await producer.close();
      const lab = await connectNode(server.url, "lab", {
        creds: readFileSync(auth.appEnv.SEQSCOPE_LAB_NATS_CREDS as string, "utf8"),
      });
      await expect(streamInfo(lab, "AUDIT_EVENTS")).rejects.toThrow(/not found/i);
      // Its own account has JetStream: the round trip's scratch streams work.
      await ensureStream(lab, { stream: "SEQSCOPE_LAB_T", subject: "lab.t" });
      await lab.close();
    } finally {
      await server.stop();
    }
  });
});
