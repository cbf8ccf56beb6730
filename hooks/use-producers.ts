"use client";

import { useMemo } from "react";
import type { ProcessLedger, SignatureStatus } from "@/lib/audit/process-ledger";
import type { ProcessTimelineModel } from "@/lib/audit/process-ledger-timeline";
import { useAuditFeed } from "./use-audit-feed";
import { useThrottled } from "./use-throttled";

/**
 * Every producer process the tab holds lines of (AuditLog.processLedger), recomputed at most once a second
 * while live; `selected`'s signatures by kid (verified once per line, only for the process shown) and timeline.
 */
export function useProducers(selected?: string): {
  ledger: ProcessLedger;
  signatures: SignatureStatus | undefined;
  signaturesOf: (processId: string) => SignatureStatus | undefined;
  timeline: ProcessTimelineModel | undefined;
  eventAt: (streamSeq: number) => string | undefined;
} {
  const { log, version } = useAuditFeed();
  const throttled = useThrottled(version, 1_000);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the log mutates in place: its version is the input
  const ledger = useMemo(() => log.processLedger(), [log, throttled]);
  const signatures = useMemo(
    () => (selected === undefined ? undefined : log.processSignatures(selected)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above: the ledger stands for the log's version
    [log, ledger, selected],
  );
  const timeline = useMemo(
    () => (selected === undefined ? undefined : log.processTimeline(selected)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above
    [log, ledger, selected],
  );
  const eventAt = (streamSeq: number) => {
    const r = log.recordAt(streamSeq);
    return r?.kind === "event" ? r.event : undefined;
  };
  return { ledger, signatures, signaturesOf: (id) => log.processSignatures(id), timeline, eventAt };
}
