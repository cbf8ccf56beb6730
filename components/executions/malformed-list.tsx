"use client";

import { useMemo } from "react";
import { useAuditFeed } from "@/hooks/use-audit-feed";
import { showBytes } from "@/lib/format";
import { visible } from "@/lib/text/visible";

export interface MalformedListProps {
  /** Only the messages that belong to this execution (by a best-effort read of its id). */
  executionId?: string;
}

/** Messages that are not usable events: shown with their reason and raw bytes, never dropped. */
export function MalformedList({ executionId }: MalformedListProps) {
  const { log, version } = useAuditFeed();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const items = useMemo(() => log.malformed(executionId), [log, version, executionId]);
  if (items.length === 0) return null;
  return (
    <details
      className="my-3 rounded border border-red-200 bg-red-50 p-3 text-sm dark:border-red-900 dark:bg-red-950/40"
      data-testid="malformed-list"
    >
      <summary className="cursor-pointer font-medium text-red-800 dark:text-red-300">
        {items.length} malformed message{items.length === 1 ? "" : "s"}
      </summary>
      <ul className="mt-2 space-y-2">
        {items.slice(-200).map((m) => (
          <li key={`${m.streamSeq}-${m.deliveryCount}`}>
            <div>
              <span className="font-mono text-xs text-slate-500">stream seq {m.streamSeq}</span> — {visible(m.reason)}
            </div>
            <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-white/70 p-1 font-mono text-xs dark:bg-black/40">
              {visible(showBytes(m.raw, 500), { keepLineBreaks: true })}
            </pre>
          </li>
        ))}
      </ul>
      {items.length > 200 && <p className="mt-2 text-xs text-slate-500">Showing the newest 200.</p>}
    </details>
  );
}
