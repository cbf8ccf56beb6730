// Public surface of the analysis engine. Pure TypeScript: no React, DOM or NATS.

export type * from "./types";
export { parseMessage, CONTRACT_FIELDS } from "./parse";
export { DEFAULT_PRODUCER_RULES, UNKNOWN_PRODUCER, resolveProducer } from "./producer";
export { BUILTIN_KEYS, IDENTITY_FIELD, customKey, fieldReader, keyById, type PartitionKey } from "./partition-key";
export {
  ANOMALY_KINDS,
  emptyCounts,
  type Analysis,
  type Anomaly,
  type AnomalyKind,
  type Duplicate,
  type PartitionSummary,
} from "./anomaly";
export { DEFAULT_QUIET_PERIOD_MS, activityMs, analyzeEvents, type AnalysisInput, type AnalyzeOptions } from "./analyze";
export {
  FAILED_STATUSES,
  INVOCATION_CLOSING_EVENTS,
  RUN_CLOSING_EVENTS,
  STEP_FAILED_EVENT,
  closesInvocation,
  closesRun,
  statusSaysFailed,
  isStepFailure,
  isWorkflowEvent,
} from "./event-kinds";
export { GENESIS_HASH, findChainBreaks, type ChainBreak } from "./chain";
export { sha256Hex } from "./sha256";
export { SIG_PROFILE, type BadSignature, type Ed25519Jwk, type Jwks } from "./signature";
export { parseRfc3339 } from "./rfc3339";
export {
  AuditLog,
  type AuditLogOptions,
  type ExecutionStatus,
  type ExecutionSummary,
  type LogAnalyzeOptions,
} from "./audit-log";
export { EXECUTION_STATUSES } from "./execution-index";
export type { FoldedTotals } from "./folded-contexts";
export { buildLanes, compareLanes, leadsLane, type Lane, type LaneOrderKey } from "./lane-model";
