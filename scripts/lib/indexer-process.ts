// `npm start`'s indexer: scripts/indexer.ts as a child process, its lines passed
// through, started again if it dies (it is stateless: the durable consumer and
// the index in NATS carry everything), stopped with everything else.
import { spawn, type ChildProcess } from "node:child_process";
import { indexerArgs } from "../../lib/node/indexer-command";
import { stopChild } from "../../lib/node/nats-server";

export interface IndexerChild {
  /** The current process (a new one after a restart). */
  readonly pid: number;
  stop(): Promise<void>;
}

export function runIndexer(
  root: string,
  opts: { env?: Record<string, string>; log: (s: string) => void; onPid?: (pid: number) => void; detached?: boolean },
): IndexerChild {
  let child: ChildProcess;
  let stopping = false;
  const restarts: number[] = [];
  const start = () => {
    child = spawn(process.execPath, indexerArgs(), {
      cwd: root,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "inherit", "inherit"],
      detached: opts.detached,
    });
    opts.onPid?.(child.pid ?? -1);
    child.once("exit", (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift();
      if (restarts.length > 5) {
        opts.log(
          `the indexer keeps exiting (${code ?? signal}); not starting it again. Run \`npm run indexer\` to see why.`,
        );
        return;
      }
      opts.log(`the indexer exited (${code ?? signal}); starting it again (the index resumes where it was)`);
      setTimeout(() => stopping || start(), 2_000);
    });
  };
  start();
  return {
    get pid() {
      return child.pid ?? -1;
    },
    stop: async () => {
      stopping = true;
      await stopChild(child);
    },
  };
}
