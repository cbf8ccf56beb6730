"use client";

import { useMemo } from "react";
import type { ProcessLedger, SignatureStatus } from "@/lib/audit/process-ledger";
import { useAuditFeed } from "./use-audit-feed";
import { useThrottled } from "./use-throttled";

/**
 * Every producer process the tab holds lines of (AuditLog.processLedger), recomputed at most once a second
 * while live; `selected`'s signatures by kid, verified once per line and only for the process shown.
 */
export function useProducers(selected?: string): {
  ledger: ProcessLedger;
  signatures: SignatureStatus | undefined;
  signaturesOf: (processId: string) => SignatureStatus | undefined;
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
  return { ledger, signatures, signaturesOf: (id) => log.processSignatures(id) };
}
