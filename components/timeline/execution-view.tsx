"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { useElementWidth } from "@/hooks/use-element-width";
import { BUILTIN_KEYS, buildLanes, type AuditEvent } from "@/lib/audit";
import { formatDateTime, formatDuration } from "@/lib/format";
import { StatusBadge } from "@/components/executions/status-badge";
import { MalformedList } from "@/components/executions/malformed-list";
import { Swimlanes } from "./swimlanes";
import { Legend } from "./legend";
import { AnomalySummary } from "./anomaly-summary";
import { EventDetail } from "./event-detail";

export interface ExecutionViewProps {
  executionId: string;
}

/** One workflow execution: a lane per producer, the anomalies under the chosen partition key. */
export function ExecutionView({ executionId }: ExecutionViewProps) {
  const { log, version, status } = useAuditFeed();
  const [keyId, setKeyId] = useState<string>("invocation");
  const [selected, setSelected] = useState<AuditEvent | undefined>();
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const key = BUILTIN_KEYS.find((k) => k.id === keyId) ?? BUILTIN_KEYS[0]!;

  /* eslint-disable react-hooks/exhaustive-deps -- `version` tracks the mutable log */
  const summary = useMemo(() => log.execution(executionId), [log, version, executionId]);
  const analysis = useMemo(() => log.analyze(key, { executionId }), [log, version, executionId, key]);
  const lanes = useMemo(() => buildLanes(log.events(executionId), analysis), [log, version, executionId, analysis]);
  /* eslint-enable react-hooks/exhaustive-deps */
  const flagged = useMemo(
    () => new Set(analysis.anomalies.filter((a) => a.kind !== "open-tail").flatMap((a) => a.streamSeqs)),
    [analysis],
  );

  if (!summary) {
    return (
      <div className="py-12 text-center text-slate-500" data-testid="execution-missing">
        {status.phase === "live" ? (
          <>
            Execution <span className="font-mono">{executionId}</span> is not among the {log.size.toLocaleString()}{" "}
            messages loaded from the stream. It may have expired, or lie before the loaded history (SEQSCOPE_HISTORY).{" "}
            <Link href="/" className="text-sky-700 underline dark:text-sky-400">
              All executions
            </Link>
          </>
        ) : (
          <>Loading the stream…</>
        )}
      </div>
    );
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="font-mono text-base font-semibold" data-testid="execution-id">
          {executionId}
        </h1>
        <StatusBadge status={summary.status} />
        <span className="text-sm text-slate-500">
          {summary.workflowId ?? "no workflow id"} · {summary.eventCount} events · {summary.producers.length} producers
          · {formatDateTime(summary.firstTsMs)} · {formatDuration(summary.lastTsMs - summary.firstTsMs)}
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <label className="flex items-center gap-2">
          Partition key
          <select
            className="rounded border border-slate-300 bg-transparent px-2 py-1 dark:border-slate-700"
            value={keyId}
            onChange={(e) => setKeyId(e.target.value)}
            data-testid="partition-key"
          >
            {BUILTIN_KEYS.map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <AnomalySummary analysis={analysis} />
      </div>
      <Legend />
      <MalformedList executionId={executionId} />
      <div ref={ref} className="overflow-x-auto rounded border border-slate-200 dark:border-slate-800">
        {width > 0 && (
          <Swimlanes
            lanes={lanes}
            width={width}
            selected={selected?.streamSeq}
            flagged={flagged}
            onSelect={setSelected}
          />
        )}
      </div>
      {selected && <EventDetail event={selected} onClose={() => setSelected(undefined)} />}
    </div>
  );
}
