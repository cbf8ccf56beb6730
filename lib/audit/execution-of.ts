// Which workflow execution a message belongs to, by the same rule the log files
// it under (ingest.ts): the event's workflow_execution_id, or the one a
// malformed line still names. For readers that route messages without keeping
// them (the indexer).

import { scanBytes } from "./json-scan";
import { parseMessage } from "./parse";
import { newScanned } from "./scan";
import type { RawMessage } from "./types";

const scratch = newScanned();

export function executionOf(msg: RawMessage): string | undefined {
  const x = scanBytes(msg.data, scratch) ? scratch.workflow_execution_id : parseMessage(msg).workflow_execution_id;
  return typeof x === "string" && x !== "" ? x : undefined;
}
