// One `npm start` at a time per checkout. The lock records the children too, so
// a start after a crash (kill -9) can clean up what the dead one left running.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface LockInfo {
  pid: number;
  url: string;
  children: { pid: number; name: string }[];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A killed process nobody has reaped yet (containers' init may be slow) is dead.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true; // no /proc (macOS): kill(0) is all we can know
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

export function readLock(path: string): LockInfo | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

/** Kills children a crashed instance left behind (only if the pid still runs the same program) and waits until they are gone. */
export async function reapOrphans(lock: LockInfo, timeoutMs = 5_000): Promise<string[]> {
  const reaped: string[] = [];
  for (const c of lock.children) {
    if (isAlive(c.pid) && cmdline(c.pid).includes(c.name)) {
      try {
        process.kill(c.pid, "SIGKILL");
        reaped.push(`${c.name} (pid ${c.pid})`);
      } catch {
        // already gone
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (lock.children.some((c) => isAlive(c.pid) && cmdline(c.pid).includes(c.name)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return reaped;
}

export function writeLock(path: string, info: LockInfo) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(info, null, 2));
}

export function removeLock(path: string) {
  rmSync(path, { force: true });
}
