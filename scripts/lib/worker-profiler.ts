// A CPU profile of a page's dedicated worker (the tab's reader): Playwright opens CDP sessions on pages
// only, so this attaches to the worker's target from the browser's session and speaks to it through
// Target.sendMessageToTarget (the non-flat mode, which needs no session routing of its own).
import type { Browser } from "@playwright/test";

export interface WorkerProfiler {
  start(): Promise<void>;
  /** The .cpuprofile JSON of what the worker ran since start. */
  stop(): Promise<unknown>;
}

/** Profiles the first dedicated worker whose URL contains `urlPart`; undefined when there is none. */
export async function workerProfiler(browser: Browser, urlPart = ""): Promise<WorkerProfiler | undefined> {
  const s = await browser.newBrowserCDPSession();
  const { targetInfos } = await s.send("Target.getTargets");
  const w = targetInfos.find((t) => t.type === "worker" && t.url.includes(urlPart));
  if (!w) return undefined;
  const { sessionId } = await s.send("Target.attachToTarget", { targetId: w.targetId, flatten: false });
  let next = 0;
  const pending = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  s.on("Target.receivedMessageFromTarget", (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (m.id === undefined) return;
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  const call = async (method: string, params: object = {}): Promise<unknown> => {
    const id = ++next;
    const reply = new Promise<{ result?: unknown; error?: { message: string } }>((res) => pending.set(id, res));
    await s.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) });
    const m = await reply;
    if (m.error) throw new Error(`${method} in the worker: ${m.error.message}`);
    return m.result;
  };
  return {
    async start() {
      await call("Profiler.enable");
      await call("Profiler.setSamplingInterval", { interval: 250 });
      await call("Profiler.start");
    },
    async stop() {
      const { profile } = (await call("Profiler.stop")) as { profile: unknown };
      await s.detach();
      return profile;
    },
  };
}
