// Ground truth of one execution, or of one invocation outside any run: every
// event that was meant to happen, with what became of it and the seq it would
// carry under each scope, so a scorer can derive the expected gaps and
// collisions under any partition key.
import type { SeqScope } from "./options";
import type { MalformedKind } from "./faults";

/** At most one fault per event, so one fate. */
export type Fate = "published" | "dropped" | "duplicated" | "reordered" | "malformed" | "crash-lost";

export interface TruthEvent {
  /** `<executionId>/<n>` (`<correlationId>/<n>` in a standalone invocation), unique in the run; also the line's Nats-Msg-Id with `--msg-id`. */
  id: string;
  event: string;
  /** The lane: `agent:<name>` or `workflow:<executionId>`. */
  producer: string;
  /** The producer process incarnation: `agent:<name>#2` after one restart; `orchestrator#1`. */
  process: string;
  /** The scope the producer actually counts in. */
  scope: SeqScope;
  /** The seq on the wire (as a number, even when a wrong-type fault wrote it as a string). */
  seq: number;
  /** The seq under each scope; for crash-lost events, what it would have been had the process lived. */
  wouldBe: Record<SeqScope, number>;
  /** The counter the event belongs to under each scope (its true partition). */
  partition: Record<SeqScope, string>;
  correlationId?: string;
  taskId?: string;
  stageId?: string;
  stepId?: string;
  fate: Fate;
  malformed?: MalformedKind;
  /** Simulated ms since the run's start when it was (or would have been) emitted. */
  atMs: number;
  /** Position in the order producers wrote lines, across the run (absent when crash-lost). */
  emitIndex?: number;
  /** Positions in the publish order of the whole run (0-based), one per copy; empty when never published. */
  published: number[];
  /** sha256 hex of the bytes as published, and the prev_hash they carry (agents only; absent when crash-lost). */
  hash?: string;
  prevHash?: string;
}

export interface TruthProducer {
  producer: string;
  process: string;
  entityType: "agent" | "workflow";
  entityId: string;
  scope: SeqScope;
  /** The `producer` wire value when `producerField` is on. */
  producerField?: string;
}

export interface TruthInvocation {
  correlationId: string;
  taskId: string;
  agent: string;
  /** Incarnation that served it; undefined if it never started. */
  process?: string;
  stageId: string;
  stepId: string;
  outcome: "ok" | "error" | "crashed";
}

export interface TruthCrash {
  /** The incarnation that died, and the one that replaced it (genesis chain, counters at 0). */
  process: string;
  restartedAs: string;
  atMs: number;
  /** Invocations of this execution that lost their tail. */
  correlationIds: string[];
}

export interface TruthCounts {
  intended: number;
  published: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  malformed: number;
  crashLost: number;
  /** Messages put on the wire for this execution (or standalone invocation; duplicates count twice). */
  lines: number;
}

export interface TruthRecord {
  executionId: string;
  workflowId: string;
  /** Ordinal of the execution in the run, 0-based. */
  index: number;
  seed: number;
  startMs: number;
  endMs: number;
  outcome: "completed" | "cancelled";
  producers: TruthProducer[];
  invocations: TruthInvocation[];
  crashes: TruthCrash[];
  /** In emission order; crash-lost events at the moment of the crash. */
  events: TruthEvent[];
  counts: TruthCounts;
}

/**
 * Ground truth of one invocation an agent served directly, outside any workflow run: the context the app files
 * under its correlation_id. Its events carry no stage or step; their partitions are those of any agent event
 * (per-invocation: correlation/task; per-process: the process, whose counter and chain run on across
 * executions and standalone invocations alike; per-execution: the invocation itself, there being no run).
 */
export interface StandaloneTruthRecord {
  /** Its key, and the prefix of its events' ids. */
  correlationId: string;
  taskId: string;
  agent: string;
  /** The `invocation_caller` on its events. */
  caller: string;
  /** Ordinal among the run's standalone invocations, 0-based. */
  index: number;
  seed: number;
  startMs: number;
  endMs: number;
  /** The process incarnation that served it. */
  process: string;
  outcome: "ok" | "error" | "crashed";
  /** The one agent process that wrote its events. */
  producers: TruthProducer[];
  /** Crashes of its process that cut it short (at most one). */
  crashes: TruthCrash[];
  /** In emission order; crash-lost events at the moment of the crash. */
  events: TruthEvent[];
  counts: TruthCounts;
}

export function countFates(events: readonly TruthEvent[]): TruthCounts {
  const c: TruthCounts = {
    intended: events.length,
    published: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    malformed: 0,
    crashLost: 0,
    lines: 0,
  };
  for (const e of events) {
    c.lines += e.published.length;
    switch (e.fate) {
      case "published":
        c.published++;
        break;
      case "dropped":
        c.dropped++;
        break;
      case "duplicated":
        c.duplicated++;
        break;
      case "reordered":
        c.reordered++;
        break;
      case "malformed":
        c.malformed++;
        break;
      case "crash-lost":
        c.crashLost++;
        break;
    }
  }
  return c;
}
