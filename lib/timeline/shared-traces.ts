// Which lanes of an execution share an OpenTelemetry trace with other lanes: a
// trace that runs through several producers is the cross-link to follow (the
// orchestrator's step and the agent invocation it caused). Only ids that are
// valid trace ids count, by the same rule that makes trace links, so hostile
// text never joins two lanes. Pure.

import type { Lane } from "../audit";
import { isTraceId } from "../links/trace-url";

export interface TracedEvent {
  /** Which lane the event is drawn in. */
  lane: string;
  trace_id?: unknown;
}

export interface SharedTrace {
  traceId: string;
  /** How many lanes other than this one have an event of the trace. */
  otherLanes: number;
}

/**
 * Per lane, the traces it shares with at least one other lane, most widely shared
 * first (then by id); lanes that share none are absent.
 */
export function sharedTraces(events: Iterable<TracedEvent>): Map<string, SharedTrace[]> {
  const lanesOfTrace = new Map<string, Set<string>>();
  for (const e of events) {
    if (!isTraceId(e.trace_id)) continue;
    let lanes = lanesOfTrace.get(e.trace_id);
    if (lanes === undefined) lanesOfTrace.set(e.trace_id, (lanes = new Set()));
    lanes.add(e.lane);
  }
  const out = new Map<string, SharedTrace[]>();
  for (const [traceId, lanes] of lanesOfTrace) {
    if (lanes.size < 2) continue;
    for (const lane of lanes) {
      let list = out.get(lane);
      if (list === undefined) out.set(lane, (list = []));
      list.push({ traceId, otherLanes: lanes.size - 1 });
    }
  }
  for (const list of out.values()) {
    list.sort((a, b) => b.otherLanes - a.otherLanes || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
  }
  return out;
}

/** sharedTraces of a timeline's lanes, keyed by producer id (a lane's identity). */
export function sharedTracesOfLanes(lanes: readonly Lane[]): Map<string, SharedTrace[]> {
  return sharedTraces(
    (function* () {
      for (const lane of lanes) {
        const id = lane.producer.id;
        // One trace per run is the common case: yield each lane's ids once, not once per event.
        const seen = new Set<string | undefined>();
        for (const e of lane.events) {
          if (seen.has(e.trace_id)) continue;
          seen.add(e.trace_id);
          yield { lane: id, trace_id: e.trace_id };
        }
      }
    })(),
  );
}

const short = (traceId: string) => `${traceId.slice(0, 6)}…`;
const lanesText = (n: number) => `${n} other lane${n === 1 ? "" : "s"}`;

/** What a lane's marker says on hover: "shares trace 4bf92f… with 2 other lanes". */
export function describeSharedTraces(shared: readonly SharedTrace[]): string {
  const [first] = shared;
  if (first === undefined) return "";
  if (shared.length === 1) return `shares trace ${short(first.traceId)} with ${lanesText(first.otherLanes)}`;
  const listed = shared.slice(0, 3).map((s) => `${short(s.traceId)} with ${lanesText(s.otherLanes)}`);
  const more = shared.length > 3 ? `, and ${shared.length - 3} more` : "";
  return `shares ${shared.length} traces: ${listed.join(", ")}${more}`;
}
