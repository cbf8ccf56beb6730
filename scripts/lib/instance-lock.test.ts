import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive, readLock, reapOrphans, removeLock, writeLock } from "./instance-lock";

describe("instance lock", () => {
  it("round-trips and removes", () => {
    const path = join(mkdtempSync(join(tmpdir(), "lock-")), "sub", "start.lock");
    expect(readLock(path)).toBeUndefined();
    writeLock(path, { pid: 123, url: "http://localhost:3000", children: [{ pid: 5, name: "nats-server" }] });
    expect(readLock(path)).toEqual({
      pid: 123,
      url: "http://localhost:3000",
      children: [{ pid: 5, name: "nats-server" }],
    });
    removeLock(path);
    expect(readLock(path)).toBeUndefined();
  });

  it("kills children a crashed run left behind, but not a process that merely reuses the pid", async () => {
    const orphan = spawn("sleep", ["60"]);
    const bystander = spawn("sleep", ["60"]);
    const exited = new Promise((r) => orphan.once("exit", r));
    expect(isAlive(orphan.pid!)).toBe(true);
    const reaped = await reapOrphans({
      pid: 999_999,
      url: "",
      children: [
        { pid: orphan.pid!, name: "sleep" },
        { pid: bystander.pid!, name: "nats-server" }, // same pid, other program: left alone
      ],
    });
    await exited;
    expect(reaped).toEqual([`sleep (pid ${orphan.pid})`]);
    expect(isAlive(bystander.pid!)).toBe(true);
    bystander.kill();
  });
});
