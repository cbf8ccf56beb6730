// Which context a message belongs to, by the same rule the log files it under
// (ingest.ts, context-ref.ts): the workflow execution its event (or what a
// malformed line still shows) names, else the invocation it names. For readers
// that route messages without keeping them (the indexer).

import { contextKey, contextOfIds } from "./context-ref";
import { scanBytes } from "./json-scan";
import { parseMessage } from "./parse";
import { newScanned } from "./scan";
import type { RawMessage } from "./types";

const scratch = newScanned();

/** The log's key of the message's context (an execution's id, or an invocation's key); undefined: none. */
export function executionOf(msg: RawMessage): string | undefined {
  let ref;
  if (scanBytes(msg.data, scratch)) ref = contextOfIds(scratch.workflow_execution_id, scratch.correlation_id);
  else {
    const rec = parseMessage(msg);
    ref = contextOfIds(rec.workflow_execution_id, rec.correlation_id);
  }
  return ref === undefined ? undefined : contextKey(ref);
}
