import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditLog, buildLanes, BUILTIN_KEYS, keyById, type PartitionKey } from "../audit";
import { messagesFrom } from "../audit/testing";
import { benchFixture } from "./bench-fixture";
import {
  laneBuckets,
  laneGroups,
  recordLanes,
  recordFinder,
  recordPartitions,
  recordPositions,
  timelineRecords,
  xOrder,
} from "./model-steps";
import {
  buildTimelineModel,
  createTimelineModelBuilder,
  type OrderMode,
  type TimelineInput,
  type TimelineStep,
} from "./timeline-model";

/*
 * A generated run: an orchestrator and 6 agents counting seq per invocation,
 * with a little loss and duplicate delivery (so gaps and duplicates), in one
 * execution; plus an unrelated second execution to feed live batches with.
 */
function run(events = 600) {
  const fx = benchFixture({ events, producers: 7, seed: 3, dropRate: 0.02, duplicateRate: 0.02 });
  const log = new AuditLog();
  log.add(fx.messages);
  return { log, x: fx.executionId, next: fx.messages.length + 1 };
}

function inputOf(log: AuditLog, x: string, key: PartitionKey, order: OrderMode, expansion?: Map<string, boolean>) {
  const input: TimelineInput = {
    events: log.events(x),
    analysis: log.analyze(key, { executionId: x }),
    malformed: log.malformed(x),
    order,
  };
  if (expansion !== undefined) input.expansion = expansion;
  return input;
}

/** The steps that compute for each call of a watched builder. */
function watched() {
  let computed: TimelineStep[] = [];
  const build = createTimelineModelBuilder({ onCompute: (s) => computed.push(s) });
  return (input: TimelineInput) => {
    computed = [];
    const model = build(input);
    return { model, computed: new Set(computed) };
  };
}

const INVOCATION = keyById("invocation") as PartitionKey;
const EXECUTION = keyById("execution") as PartitionKey;
const PER_RECORD: TimelineStep[] = [
  "lanesOf",
  "timelineRecords",
  "recordLanes",
  "recordPositions",
  "xOrder",
  "laneBuckets",
  "recordColumns",
  "findCausalitySkews",
];
const PER_KEY: TimelineStep[] = ["recordPartitions", "laneGroups", "laneAnomalyCounts"];

describe("the memoised timeline builder", () => {
  it("builds what buildTimelineModel builds, whatever the sequence of inputs", () => {
    const { log, x } = run();
    const lanes = buildLanes(log.events(x)).map((l) => l.producer.id);
    const change = fc.record({
      key: fc.constantFrom(...BUILTIN_KEYS),
      order: fc.constantFrom<OrderMode>("ts", "arrival", "seq"),
      toggle: fc.option(fc.tuple(fc.constantFrom(...lanes), fc.boolean()), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 8 }), (changes) => {
        const build = createTimelineModelBuilder();
        let expansion = new Map<string, boolean>();
        for (const c of changes) {
          if (c.toggle !== undefined) expansion = new Map(expansion).set(c.toggle[0], c.toggle[1]);
          const input = inputOf(log, x, c.key, c.order, expansion);
          // The mark index is a function: compare what it answers instead.
          const { markOfStreamSeq: a, ...got } = build(input);
          const { markOfStreamSeq: b, ...want } = buildTimelineModel(input);
          expect(got).toEqual(want);
          for (const e of input.events!) expect(a.get(e.streamSeq)).toBe(b.get(e.streamSeq));
        }
      }),
      { numRuns: 25 },
    );
  });

  it("returns the same model for the same input, and for a new list of the same events", () => {
    const { log, x } = run();
    const build = watched();
    const input = inputOf(log, x, INVOCATION, "ts");
    const first = build(input).model;
    const again = build({ ...input, events: [...input.events!], malformed: [...input.malformed!] });
    expect(again.model).toBe(first);
    expect(again.computed.size).toBe(0);
  });

  it("on a key switch recomputes the partitions and what follows, nothing per record", () => {
    const { log, x } = run();
    const build = watched();
    build(inputOf(log, x, INVOCATION, "ts"));
    const { computed } = build(inputOf(log, x, EXECUTION, "ts"));
    for (const s of PER_RECORD) expect(computed, s).not.toContain(s);
    for (const s of [...PER_KEY, "layoutRows", "markColumns", "anomalyOverlays"] as const)
      expect(computed, s).toContain(s);
  });

  it("on a lane toggle recomputes the rows and marks only", () => {
    const { log, x } = run();
    const build = watched();
    const before = build(inputOf(log, x, INVOCATION, "ts")).model;
    const lane = before.rows.find((r) => r.partitionCount > 1)!;
    const after = build(inputOf(log, x, INVOCATION, "ts", new Map([[lane.key, !lane.expanded]])));
    for (const s of [...PER_RECORD, ...PER_KEY]) expect(after.computed, s).not.toContain(s);
    expect(after.computed).toContain("layoutRows");
    expect(after.model.skews).toBe(before.skews);
    expect(after.model.rows.find((r) => r.key === lane.key)!.expanded).toBe(!lane.expanded);
  });

  it("on a new order recomputes positions and what follows, not the lanes, the partitions or the skews", () => {
    const { log, x } = run();
    const build = watched();
    build(inputOf(log, x, INVOCATION, "ts"));
    const { computed } = build(inputOf(log, x, INVOCATION, "seq"));
    for (const s of ["lanesOf", "timelineRecords", "recordLanes", "recordPartitions", "findCausalitySkews"] as const)
      expect(computed, s).not.toContain(s);
    for (const s of ["recordPositions", "xOrder", "layoutRows"] as const) expect(computed, s).toContain(s);
  });

  it("on a live batch for another execution does no per-record work for this one", () => {
    const { log, x, next } = run();
    const build = watched();
    build(inputOf(log, x, INVOCATION, "ts"));
    const ts = new Date(Date.UTC(2026, 0, 1, 12)).toISOString();
    log.add(
      messagesFrom([{ ts, event: "workflow_started", seq: 1, workflow_execution_id: "wfx-other" }], {
        firstStreamSeq: next,
      }),
    );
    const { computed } = build(inputOf(log, x, INVOCATION, "ts"));
    for (const s of PER_RECORD) expect(computed, s).not.toContain(s);
  });
});

describe("timeline model steps", () => {
  it("finds a record by stream sequence, through a direct table or a binary search", () => {
    const { log, x } = run(200);
    const events = log.events(x);
    const dense = timelineRecords(events, log.malformed(x));
    expect(dense.dense).toBeDefined();
    // The same events spread far apart on the stream (other runs in between): no table.
    const spread = events.map((e) => ({ ...e, streamSeq: e.streamSeq * 1_000 }));
    const sparse = timelineRecords(spread, []);
    expect(sparse.dense).toBeUndefined();
    const inDense = recordFinder(dense);
    const inSparse = recordFinder(sparse);
    events.forEach((e, i) => {
      expect(inDense(e.streamSeq)).toBe(dense.records.indexOf(e));
      expect(inSparse(e.streamSeq * 1_000)).toBe(i);
    });
    for (const s of [0, -5, 0.5, 1e12]) {
      expect(inDense(s)).toBe(-1);
      expect(inSparse(s)).toBe(-1);
    }
  });

  it("xOrder sorts by x, then by record (stream order)", () => {
    expect(Array.from(xOrder(Float64Array.from([3, 1, 3, 0, 1])))).toEqual([3, 1, 4, 0, 2]);
    expect(Array.from(xOrder(Float64Array.from([0, 1, 1, 2])))).toEqual([0, 1, 2, 3]);
  });

  it("buckets each lane's records in x order, and groups them by the analysis's partitions in order of first x", () => {
    const { log, x } = run(300);
    const events = log.events(x);
    const analysis = log.analyze(INVOCATION, { executionId: x });
    const lanes = buildLanes(events);
    const recs = timelineRecords(events, log.malformed(x));
    const laneOf = recordLanes(recs, lanes);
    const xs = recordPositions(recs, "ts");
    const buckets = laneBuckets(recs, xOrder(xs), laneOf, lanes.length);
    const recPart = recordPartitions(recs, analysis);
    const groups = laneGroups(buckets, recPart, xs, analysis.partitions.length);
    lanes.forEach((lane, l) => {
      const items = Array.from(buckets.items.subarray(buckets.start[l], buckets.start[l + 1]));
      expect(items.map((i) => recs.records[i])).toEqual(
        [...lane.events].sort((a, b) => a.tsMs - b.tsMs || a.streamSeq - b.streamSeq),
      );
      const parts = Array.from(groups.parts.subarray(groups.start[l], groups.start[l + 1]));
      const firstX = new Map<number, number>();
      for (const i of items) if (!firstX.has(recPart[i]!)) firstX.set(recPart[i]!, xs[i]!);
      expect(parts).toEqual([...firstX.keys()].sort((a, b) => firstX.get(a)! - firstX.get(b)! || a - b));
      const sizes = Array.from(groups.sizes.subarray(groups.start[l], groups.start[l + 1]));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(lane.events.length);
    });
  });

  it("takes each event's partition from the analysis, and refuses an analysis of other events", () => {
    const { log, x } = run(200);
    const events = log.events(x);
    const analysis = log.analyze(INVOCATION, { executionId: x });
    const recs = timelineRecords(events, []);
    expect(Array.from(recordPartitions(recs, analysis))).toEqual(Array.from(analysis.partitionOfRow));
    expect(() => recordPartitions(timelineRecords(events.slice(1), []), analysis)).toThrow(/the events the analysis/);
  });
});
