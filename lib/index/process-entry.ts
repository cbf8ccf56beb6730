// The per-process integrity ledger as the index keeps it: one KV entry per
// producer process (process-ledger.ts), written by the indexer from the whole
// stream, under `meta.processes.<process>`. A process writes for many
// executions and tenants, so its entry lies under `meta.` where no tenant's
// credential reaches (lib/config/reader-permissions.ts): only unrestricted
// readers see the ledger. The lists of what it served are capped (the entry
// must fit a KV value); their full lengths are kept. An entry changes only
// when its process does; the range the ledger has verified (from the stream's
// first line to the last one indexed) is one entry of its own, LEDGER_KEY. Pure.

import type { LedgerRange, ProcessLedger, ProducerProcess } from "../audit/process-ledger";
import { encodeToken } from "./index-keys";

export const PROCESS_ENTRY_VERSION = 1;
export const PROCESSES_PREFIX = "meta.processes";
/** Executions and invocations kept by name per process entry; the counts say how many there are. */
export const MAX_SERVED = 200;

export interface ProcessEntry {
  v: typeof PROCESS_ENTRY_VERSION;
  /** The process, its `executions` and `invocations` cut to MAX_SERVED names. */
  process: ProducerProcess;
  executionCount: number;
  invocationCount: number;
}

/** What the indexer's ledger has read: the range verified, and how many processes it found there. */
export interface LedgerEntry {
  v: typeof PROCESS_ENTRY_VERSION;
  range: LedgerRange;
  processes: number;
  /** Malformed lines read: no process can be named for them. */
  malformed: number;
}

export const LEDGER_KEY = "meta.ledger";

export function processKey(processId: string): string {
  return `${PROCESSES_PREFIX}.${encodeToken(processId)}`;
}

/** Every process entry's filter. */
export const PROCESSES_FILTER = `${PROCESSES_PREFIX}.*`;

/**
 * The ledger as KV entries: key → stored form, each the same text while nothing about its process changed,
 * plus LEDGER_KEY (empty until something was read).
 */
export function processEntries(ledger: ProcessLedger): Map<string, string> {
  const out = new Map<string, string>();
  const range = ledger.requested;
  if (range === undefined) return out;
  const head: LedgerEntry = {
    v: PROCESS_ENTRY_VERSION,
    range,
    processes: ledger.processes.length,
    malformed: ledger.malformed,
  };
  out.set(LEDGER_KEY, JSON.stringify(head));
  for (const p of ledger.processes) {
    const entry: ProcessEntry = {
      v: PROCESS_ENTRY_VERSION,
      process: { ...p, executions: p.executions.slice(0, MAX_SERVED), invocations: p.invocations.slice(0, MAX_SERVED) },
      executionCount: p.executions.length,
      invocationCount: p.invocations.length,
    };
    out.set(processKey(p.id), JSON.stringify(entry));
  }
  return out;
}

function parse(data: Uint8Array | string): Record<string, unknown> | undefined {
  try {
    const o: unknown = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data));
    return typeof o === "object" && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A stored process entry read back; undefined for anything else (another version, a damaged value). */
export function decodeProcessEntry(data: Uint8Array | string): ProcessEntry | undefined {
  const o = parse(data);
  const p = o?.process as Partial<ProducerProcess> | undefined;
  return o?.v === PROCESS_ENTRY_VERSION && typeof p?.id === "string" ? (o as unknown as ProcessEntry) : undefined;
}

/** The stored LEDGER_KEY read back. */
export function decodeLedgerEntry(data: Uint8Array | string): LedgerEntry | undefined {
  const o = parse(data);
  return o?.v === PROCESS_ENTRY_VERSION && typeof o.range === "object" ? (o as unknown as LedgerEntry) : undefined;
}
