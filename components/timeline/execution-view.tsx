"use client";

import Link from "next/link";
import { useMemo } from "react";
import { MalformedList } from "@/components/executions/malformed-list";
import { ExecutionExports } from "@/components/exports/execution-exports";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { ExecutionTimeline } from "./execution-timeline";

export interface ExecutionViewProps {
  executionId: string;
  /** Partition key to open with (a BUILTIN_KEYS id or `custom:a,b`); default Forge's invocation key. */
  initialKeyId?: string;
}

/** The live execution page: the tab's feed into the timeline, or why the execution is not there. */
export function ExecutionView({ executionId, initialKeyId }: ExecutionViewProps) {
  const { log, version, status } = useAuditFeed();
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` tracks the mutable log
  const known = useMemo(() => log.execution(executionId) !== undefined, [log, version, executionId]);

  if (!known) {
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
    <ExecutionTimeline
      log={log}
      version={version}
      executionId={executionId}
      initialKeyId={initialKeyId}
      footer={<MalformedList executionId={executionId} />}
      toolbar={<ExecutionExports log={log} executionId={executionId} />}
    />
  );
}
