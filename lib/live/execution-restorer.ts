// Brings back an execution the memory budget evicted: reads the stretch of the
// stream where it lies (its summary knows: first to last stream sequence) and
// hands every message to the log marked `reread`, so the log takes back that
// execution's messages and drops the ones it still holds without counting
// them as duplicates. Messages that expired from the stream meanwhile cannot
// come back; the state says how many.
import type { OpenerDeps } from "./execution-opener";

export type RestorePhase = "reading" | "done" | "error" | "cancelled";

export interface RestoreState {
  executionId: string;
  phase: RestorePhase;
  from: number;
  to: number;
  /** Messages read in the stretch so far. */
  read: number;
  /** Once done: messages of the execution that did not come back (expired from the stream). */
  missing?: number;
  reason?: string;
}

/** The opener's reads, adds and flush waits, and where an evicted execution lies. */
export interface RestorerDeps extends Pick<OpenerDeps, "readRange" | "add" | "flushed"> {
  /** The execution's stretch and how many of its messages are not held; undefined when nothing is evicted. */
  evicted(executionId: string): { from: number; to: number; messages: number } | undefined;
}

const PROGRESS_EVERY = 2_000;

export class ExecutionRestorer {
  private state: RestoreState;
  private readonly listeners = new Set<() => void>();
  private readonly controller = new AbortController();

  constructor(
    private readonly deps: RestorerDeps,
    executionId: string,
  ) {
    const e = deps.evicted(executionId);
    this.state = { executionId, phase: "reading", from: e?.from ?? 0, to: e?.to ?? -1, read: 0 };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): RestoreState => this.state;

  cancel(): void {
    if (this.state.phase !== "reading") return;
    this.controller.abort();
    this.set({ phase: "cancelled" });
  }

  /** Reads the stretch; never throws (a failure becomes the `error` phase). */
  async run(): Promise<RestoreState> {
    const { executionId: id, from, to } = this.state;
    const signal = this.controller.signal;
    try {
      if (to >= from) {
        let read = 0;
        await this.deps.readRange({
          startSeq: from,
          endSeq: to,
          signal,
          onMessage: (msg) => {
            this.deps.add({ ...msg, reread: true });
            if (++read % PROGRESS_EVERY === 0) this.set({ read });
          },
        });
        this.set({ read });
        await this.deps.flushed();
      }
      if (signal.aborted) return this.state;
      this.set({ phase: "done", missing: this.deps.evicted(id)?.messages ?? 0 });
    } catch (e) {
      if (!signal.aborted) this.set({ phase: "error", reason: e instanceof Error ? e.message : String(e) });
    }
    return this.state;
  }

  private set(patch: Partial<RestoreState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
