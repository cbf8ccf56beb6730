"use client";

import { memo, useCallback, useMemo, useRef, useState, type ReactNode } from "react";
import { StatusBadge } from "@/components/executions/status-badge";
import { useTimelineTheme } from "@/hooks/use-timeline-theme";
import { useTimelineViewState, useWindowInUrl } from "@/hooks/use-view-state";
import { BUILTIN_KEYS, keyById, type Anomaly, type AuditLog } from "@/lib/audit";
import { formatCount, formatDateTime, formatDuration } from "@/lib/format";
import { executionLink } from "@/lib/links/execution-params";
import type { CausalitySkew } from "@/lib/timeline/causality";
import { sharedTracesOfLanes } from "@/lib/timeline/shared-traces";
import { createTimelineModelBuilder, type OrderMode } from "@/lib/timeline/timeline-model";
import { EMPTY_VIEWPORT, ViewportStore, zoomToArgsFor } from "@/lib/timeline/viewport";
import { CopyLinkButton } from "./copy-link-button";
import { AnomalyPanel } from "./anomaly-panel";
import { AnomalySummary } from "./anomaly-summary";
import { EventDetail } from "./event-detail";
import { KeySwitcher } from "./key-switcher";
import { KeyboardHelp } from "./keyboard-help";
import { Legend } from "./legend";
import { OrderSwitcher } from "./order-switcher";
import { TimelinePlot, type TimelinePlotHandle } from "./timeline-plot";
import { visible } from "@/lib/text/visible";

export interface ExecutionTimelineProps {
  log: AuditLog;
  /**
   * What changes when the answers about this execution may: `log.executionStamp(executionId)`, or
   * `log.version`. The log is mutable; the timeline re-renders on this.
   */
  version: number | string;
  executionId: string;
  /** Partition key to open with; default Forge's documented (correlation_id, task_id). */
  initialKeyId?: string;
  /**
   * Keep the view state (key, order, window, selection, lanes) in the URL and
   * offer "Copy link": the live execution page. Off for logs no link can reach.
   */
  linkable?: boolean;
  /** Shown under the timeline (the live page puts the malformed list there). */
  footer?: ReactNode;
  /** Extra controls at the end of the toolbar (exports). */
  toolbar?: ReactNode;
  onPainted?(): void;
}

/** Smallest window "zoom to anomaly" opens, per order mode's units. */
const ANOMALY_SPAN: Record<OrderMode, number> = { ts: 1_500, arrival: 40, seq: 12 };

function anomalyId(a: Anomaly): string {
  return `${a.kind}|${a.partition}|${a.streamSeqs.join(",")}`;
}

/**
 * One workflow execution: a lane per producer (sub-lanes per partition of the
 * chosen key), the engine's anomalies drawn where they happened, a side panel
 * listing them, and the detail of any event. Selection, focus and zoom are
 * kept by stream sequence and data window, so a live run grows in place.
 */
export const ExecutionTimeline = memo(function ExecutionTimeline(props: ExecutionTimelineProps) {
  const { log, version, executionId, footer, toolbar, onPainted } = props;
  const linkable = props.linkable ?? false;
  const [view, setView] = useTimelineViewState({ linkable, initialKeyId: props.initialKeyId });
  const { keyId, order, expansion } = view;
  const selected = view.selected ?? undefined;
  const active = view.anomaly ?? undefined;
  const [focused, setFocused] = useState<number | undefined>(selected);
  const [help, setHelp] = useState(false);
  // A linked window is where the plot starts; it is clamped to the run if the run is shorter.
  const [store] = useState(
    () =>
      new ViewportStore(
        view.window === null
          ? EMPTY_VIEWPORT
          : { ...EMPTY_VIEWPORT, x0: view.window[0], x1: view.window[1], fit: false },
      ),
  );
  const plotRef = useRef<TimelinePlotHandle>(null);
  const theme = useTimelineTheme();

  const applyWindow = useCallback(
    (w: readonly [number, number] | null) => {
      if (w === null) {
        store.set({ fit: true });
        plotRef.current?.fit();
        return;
      }
      store.set({ x0: w[0], x1: w[1], fit: false });
      const [a, b] = zoomToArgsFor(w);
      plotRef.current?.zoomTo(a, b, 0);
    },
    [store],
  );
  useWindowInUrl({ enabled: linkable, store, order, window: view.window, setView, apply: applyWindow });

  const key = useMemo(() => keyById(keyId) ?? BUILTIN_KEYS[0]!, [keyId]);
  /* eslint-disable react-hooks/exhaustive-deps -- `version` tracks the mutable log */
  const summary = useMemo(() => log.execution(executionId), [log, version, executionId]);
  const analysis = useMemo(() => log.analyze(key, { executionId }), [log, version, executionId, key]);
  const events = useMemo(() => log.events(executionId), [log, version, executionId]);
  const malformed = useMemo(() => log.malformed(executionId), [log, version, executionId]);
  /* eslint-enable react-hooks/exhaustive-deps */
  // Each step of the model is memoised on its own inputs: a key switch, a lane toggle or a live batch
  // that did not touch this execution redoes only what it reaches.
  const [buildModel] = useState(createTimelineModelBuilder);
  const model = useMemo(
    () => buildModel({ events, analysis, malformed, order, expansion }),
    [buildModel, events, analysis, malformed, order, expansion],
  );

  // Keyed on the lanes alone: a key switch or a lane toggle keeps them, a live batch to this run does not.
  const sharedTraces = useMemo(() => sharedTracesOfLanes(model.lanes), [model.lanes]);

  const selectedMark = selected === undefined ? undefined : model.markOfStreamSeq.get(selected);
  const focusedMark = focused === undefined ? undefined : model.markOfStreamSeq.get(focused);
  const activeIndex = useMemo(
    () => (active === undefined ? undefined : analysis.anomalies.findIndex((a) => anomalyId(a) === active)),
    [active, analysis],
  );
  const activeOverlay = activeIndex === undefined || activeIndex < 0 ? undefined : model.overlayOfAnomaly[activeIndex];

  const streamSeqOf = useCallback((mark: number) => model.marks.streamSeq[mark], [model]);

  const setOrder = useCallback(
    (o: OrderMode) => {
      // A window in ms means nothing in seq units: a new order starts from the whole run.
      store.set({ fit: true });
      setView({ order: o, window: null });
    },
    [store, setView],
  );
  const setKey = useCallback((id: string) => setView({ keyId: id, anomaly: null }), [setView]);
  const toggleLane = useCallback(
    (laneKey: string, expanded: boolean) => setView({ expansion: new Map(expansion).set(laneKey, expanded) }),
    [setView, expansion],
  );
  const setSelected = (streamSeq: number | undefined) => setView({ selected: streamSeq ?? null });

  const activate = (i: number) => {
    const a = analysis.anomalies[i];
    if (!a) return;
    setView({ anomaly: anomalyId(a) });
    const ov = model.overlays[model.overlayOfAnomaly[i] ?? -1];
    if (!ov) return;
    plotRef.current?.zoomTo(ov.x0, ov.x1, ANOMALY_SPAN[order]);
    const mk = "mark" in ov ? ov.mark : "marks" in ov ? ov.marks[0] : model.markOfStreamSeq.get(a.streamSeqs[0] ?? -1);
    if (mk !== undefined) {
      setFocused(streamSeqOf(mk));
      plotRef.current?.reveal(mk, true);
    }
  };

  const showSkew = (s: CausalitySkew) => {
    const a = model.markOfStreamSeq.get(s.cause);
    const b = model.markOfStreamSeq.get(s.effect);
    if (a === undefined || b === undefined) return;
    const xa = model.marks.x[a] as number;
    const xb = model.marks.x[b] as number;
    plotRef.current?.zoomTo(Math.min(xa, xb), Math.max(xa, xb), ANOMALY_SPAN[order]);
    setFocused(s.effect);
    plotRef.current?.reveal(b, true);
  };

  const escape = () => {
    if (help) setHelp(false);
    else if (selected !== undefined) setSelected(undefined);
    else setView({ anomaly: null });
  };

  const link = useCallback(() => {
    const vp = store.getSnapshot();
    // Asked when clicked: the run may have grown since this render.
    const run = log.execution(executionId);
    return executionLink(
      window.location.origin,
      executionId,
      { ...view, window: vp.fit || !(vp.x1 > vp.x0) ? null : [vp.x0, vp.x1] },
      // Where the run's messages lie on the stream: the receiver reads just there.
      run ? { from: run.firstStreamSeq, to: run.lastStreamSeq } : undefined,
    );
  }, [store, log, executionId, view]);

  // The controls change with the view, not with the run: a live batch re-renders none of them.
  const controls = useMemo(
    () => (
      <div className="flex flex-wrap items-center gap-3">
        <KeySwitcher key={keyId} keyId={keyId} onChange={setKey} />
        <OrderSwitcher order={order} onChange={setOrder} />
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={() => plotRef.current?.fit()}
          data-testid="fit"
        >
          Fit to run
        </button>
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={() => setHelp(true)}
          aria-keyshortcuts="?"
        >
          Keys ?
        </button>
        {linkable && <CopyLinkButton link={link} />}
        {toolbar}
      </div>
    ),
    [keyId, setKey, order, setOrder, linkable, link, toolbar],
  );

  const focusRec = focusedMark === undefined ? undefined : model.marks.records[focusedMark];

  return (
    <div className="space-y-2" data-testid="execution-timeline">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        {summary?.kind === "invocation" && <span className="text-sm text-slate-500">Invocation</span>}
        <h1 className="font-mono text-base font-semibold" data-testid="execution-id">
          {visible(summary?.name ?? executionId)}
        </h1>
        {summary && <StatusBadge status={summary.status} />}
        {summary && (
          <span className="text-sm text-slate-500">
            {summary.kind === "invocation"
              ? summary.taskIds === undefined
                ? "no task id"
                : `task ${visible(summary.taskIds.join(", "))}`
              : summary.workflowId === undefined
                ? "no workflow id"
                : visible(summary.workflowId)}{" "}
            · {formatCount(summary.eventCount)} events · {summary.producers.length} producers ·{" "}
            {formatDateTime(summary.firstTsMs)} · {formatDuration(summary.lastTsMs - summary.firstTsMs)}
          </span>
        )}
      </div>
      {controls}
      <AnomalySummary analysis={analysis} />
      <Legend />
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <TimelinePlot
            ref={plotRef}
            model={model}
            sharedTraces={sharedTraces}
            store={store}
            theme={theme}
            selected={selectedMark}
            focused={focusedMark}
            activeOverlay={activeOverlay}
            onSelect={(mk) => setSelected(mk === undefined ? undefined : streamSeqOf(mk))}
            onFocusMark={(mk) => setFocused(streamSeqOf(mk))}
            onToggleLane={toggleLane}
            onActivateAnomaly={activate}
            onEscape={escape}
            onHelp={() => setHelp((h) => !h)}
            onPainted={onPainted}
          />
          <div
            className="sr-only"
            aria-live="polite"
            data-testid="timeline-focus"
            data-stream-seq={focusRec?.streamSeq}
            data-seq={focusRec?.kind === "event" ? focusRec.seq : undefined}
            data-producer={focusRec?.kind === "event" ? focusRec.identity.id : undefined}
          >
            {visible(
              focusRec?.kind === "event"
                ? `${focusRec.event}, ${focusRec.seq === undefined ? "no seq" : `seq ${focusRec.seq}`}, ${focusRec.identity.label}`
                : focusRec
                  ? `malformed message: ${focusRec.reason}`
                  : "",
            )}
          </div>
        </div>
        <aside className="sticky top-2 w-80 shrink-0" style={{ height: "max(320px, calc(100vh - 240px))" }}>
          {selectedMark !== undefined ? (
            <EventDetail
              model={model}
              mark={selectedMark}
              onClose={() => {
                setSelected(undefined);
                plotRef.current?.focus();
              }}
              onGo={(mk) => {
                setSelected(streamSeqOf(mk));
                setFocused(streamSeqOf(mk));
                plotRef.current?.reveal(mk);
              }}
            />
          ) : (
            <AnomalyPanel
              analysis={analysis}
              model={model}
              active={activeIndex}
              onActivate={activate}
              onSkew={showSkew}
            />
          )}
        </aside>
      </div>
      {footer}
      {help && <KeyboardHelp onClose={() => setHelp(false)} />}
    </div>
  );
});
