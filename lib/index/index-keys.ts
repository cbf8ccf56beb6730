// Where the index keys things, as NATS subjects and KV keys. An execution's
// summary lives under `<org>.<workflow>.<hour>.<status>.<execution>` so that
// subject-token filters answer the list's questions on the server: one
// workflow (`*.<wf>.*.*.*`), one hour (`*.*.<hour>.*.*`), one status
// (`*.*.*.failed.*`), one id (`*.*.*.*.<id>`), or any mix in one filter. The
// tenant comes first so that NATS permissions, not the browser, keep a tenant
// to its own: a credential allowed only `<org>.>` (KV keys, copies subjects,
// `meta.workflows.<org>.>`) reads that tenant's executions and nothing else
// (lib/config/reader-permissions.ts tenantReaderPermissions). The hour
// is the one the execution was last active in (its newest message's server
// time): a time window ("active in the last hour") is a few hour filters, and
// the list's newest executions are the newest hours. A summary whose hour or
// status changes moves to its new key. Every id is made a single safe token by
// `encodeToken` (reversible, readable for plain ids).

import { sha256Hex } from "../audit/sha256";

/** Characters a token keeps as they are; everything else is `=XX` per UTF-8 byte. */
const SAFE = /^[A-Za-z0-9_-]$/;
const encoder = new TextEncoder();

/**
 * Longest token kept readable. A subject has to fit the server's control line (4 KB by default): one
 * producer with a huge id must not be able to make every copy and summary of it unpublishable.
 */
export const MAX_TOKEN = 120;

/**
 * A token for any string: `=` for the empty one, `=XX` escapes for bytes outside [A-Za-z0-9_-]; past
 * MAX_TOKEN, `=H` and a SHA-256 prefix of the string instead (not reversible: the summary keeps the id).
 */
export function encodeToken(s: string): string {
  if (s === "") return "=";
  let out = "";
  for (const ch of s) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of encoder.encode(ch)) out += `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
    if (out.length > MAX_TOKEN) return `=H${sha256Hex(encoder.encode(s)).slice(0, 40)}`;
  }
  return out;
}

/** The string a token was made from; undefined when it is not one encodeToken makes, or a hashed one. */
export function decodeToken(t: string): string | undefined {
  if (t === "=") return "";
  if (!/^(?:[A-Za-z0-9_-]|=[0-9A-F]{2})+$/.test(t)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < t.length;) {
    if (t[i] === "=") {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(t.charCodeAt(i));
      i++;
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

export const HOUR_MS = 3_600_000;

/** `YYYYMMDDHH` (UTC) of a time: the hour token. */
export function hourToken(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}`;
}

/** The statuses a summary key holds ("stalled" is the viewer's call: such a run's key says running). */
export const KEY_STATUSES = ["running", "complete", "failed", "cancelled"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** Bumped when the layout of keys changes: an index in another layout is rebuilt. 3: the tenant first. */
export const KEY_LAYOUT = 3;

/**
 * The org token of an execution that belongs to no tenant: its messages name no `org_id`, or more than one
 * (index-entry.ts orgOfMessages). Only unrestricted readers see it.
 */
export const NO_ORG = "_";

/** First tokens that are not a tenant's: `meta.*` keys and the no-org token. */
const RESERVED_FIRST = new Set(["meta", NO_ORG]);

/**
 * The first token for a tenant (NO_ORG for none). encodeToken, except that a token that would be reserved
 * (`meta`, `_`) has its first character escaped too — decodeToken reads it back the same — so that an org
 * named "meta" cannot be granted `meta.>` (every tenant's workflow names) nor one named "_" the untenanted.
 */
export function orgToken(org: string | undefined): string {
  if (org === undefined) return NO_ORG;
  const t = encodeToken(org);
  if (!RESERVED_FIRST.has(t)) return t;
  const first = t.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
  return `=${first}${t.slice(1)}`;
}

/** The hour tokens from `fromMs`'s hour to `toMs`'s, newest first (none when `toMs`'s hour is the earlier). */
export function hoursBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  const first = Math.floor(fromMs / HOUR_MS);
  for (let h = Math.floor(toMs / HOUR_MS); h >= first; h--) out.push(hourToken(h * HOUR_MS));
  return out;
}

/** The start of an hour token's hour (ms); NaN for a string that is not one. */
export function hourStartMs(token: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(token);
  return m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
}

export interface SummaryKeyParts {
  /** The execution's tenant (undefined: none, NO_ORG). */
  org?: string;
  executionId: string;
  workflowId?: string;
  /** Server time of the execution's newest message (its stream timestamp). */
  lastSeenMs: number;
  status: KeyStatus;
}

export function summaryKey(p: SummaryKeyParts): string {
  const w = encodeToken(p.workflowId ?? "");
  return `${orgToken(p.org)}.${w}.${hourToken(p.lastSeenMs)}.${p.status}.${encodeToken(p.executionId)}`;
}

export interface SummaryFilterParts {
  /** One tenant's summaries only (undefined: every tenant's, and those of none). */
  org?: string;
  workflowId?: string;
  hour?: string;
  status?: KeyStatus;
  executionId?: string;
}

/** A KV key filter (NATS wildcards) for the list's questions: a single filter, as 2.9 allows. */
export function summaryFilter(q: SummaryFilterParts = {}): string {
  const w = q.workflowId === undefined ? "*" : encodeToken(q.workflowId);
  const x = q.executionId === undefined ? "*" : encodeToken(q.executionId);
  const o = q.org === undefined ? "*" : orgToken(q.org);
  return `${o}.${w}.${q.hour ?? "*"}.${q.status ?? "*"}.${x}`;
}

const HASHED = /^=H[0-9a-f]{40}$/;

export interface ParsedSummaryKey {
  /** The tenant; undefined for none (NO_ORG), or one too long for a token (hashed: the summary holds it). */
  org: string | undefined;
  workflowId: string | undefined;
  hour: string;
  status: KeyStatus;
  executionId: string | undefined;
}

/**
 * The parts of a summary key, or undefined for any other key (`meta.*` keys). An id too long for a token
 * (hashed) comes back undefined: the summary holds it.
 */
export function parseSummaryKey(key: string): ParsedSummaryKey | undefined {
  const t = key.split(".");
  if (t.length !== 5) return undefined;
  const [o, w, hour, status, x] = t as [string, string, string, string, string];
  if (o === "meta") return undefined;
  const org = o === NO_ORG ? undefined : decodeToken(o);
  if (org === undefined && o !== NO_ORG && !HASHED.test(o)) return undefined;
  const workflowId = decodeToken(w);
  const executionId = decodeToken(x);
  if ((workflowId === undefined && !HASHED.test(w)) || (executionId === undefined && !HASHED.test(x))) return undefined;
  if (!/^\d{10}$/.test(hour) || !(KEY_STATUSES as readonly string[]).includes(status)) return undefined;
  return { org, workflowId, hour, status: status as KeyStatus, executionId };
}

/** Names of the index's NATS resources for one audit stream. */
export interface IndexNames {
  /** The audit stream indexed. */
  audit: string;
  /** KV bucket of execution summaries (and `meta.*` keys). */
  bucket: string;
  /** KV bucket holding the active indexer's lease (its entries expire). */
  leaseBucket: string;
  /** Stream of every message again, on a subject per execution. */
  byExecution: string;
  /** Subject prefix in it: `<prefix>.<org token>.<execution token>`. */
  subjectPrefix: string;
  /** The indexer's durable consumer on the audit stream. */
  durable: string;
}

export function indexNames(stream: string): IndexNames {
  const s = stream.replace(/[^A-Za-z0-9_-]/g, "_");
  return {
    audit: stream,
    bucket: `seqscope_${s}`,
    leaseBucket: `seqscope_${s}_lease`,
    byExecution: `seqscope_${s}_by_execution`,
    subjectPrefix: `seqscope.${s}.x`,
    durable: `seqscope-indexer`,
  };
}

/**
 * The subject of an execution's copies: under its tenant (undefined: none), so a tenant's credential reads
 * `<prefix>.<org>.>` only. `org: "*"` is every tenant's (a filter for unrestricted readers, never published to).
 */
export function executionSubject(names: IndexNames, executionId: string, org: string | undefined | "*"): string {
  return `${names.subjectPrefix}.${org === "*" ? "*" : orgToken(org)}.${encodeToken(executionId)}`;
}

/** Headers a message carries into the per-execution stream: where it lies in the audit stream. */
export const H_STREAM_SEQ = "Seqscope-Stream-Seq";
export const H_STREAM_TIME = "Seqscope-Stream-Time";
export const H_SUBJECT = "Seqscope-Subject";
/** The copy has no body: its message is too big to carry again with headers; read it from the audit stream. */
export const H_BY_REFERENCE = "Seqscope-By-Reference";

/** KV key of the indexer's progress record. */
export const META_PROGRESS = "meta.progress";
/**
 * Under it, a key per tenant and workflow the index has seen (`meta.workflows.<org>.<workflow>`, the id as
 * value): the list's choices. Per tenant, or one would learn the others' workflow names.
 */
export const WORKFLOWS_PREFIX = "meta.workflows";

export function workflowKey(org: string | undefined, workflowId: string): string {
  return `${WORKFLOWS_PREFIX}.${orgToken(org)}.${encodeToken(workflowId)}`;
}

/** The filter of the workflows one tenant's executions named (undefined: every tenant's). */
export function workflowsFilter(org?: string): string {
  return `${WORKFLOWS_PREFIX}.${org === undefined ? "*" : orgToken(org)}.*`;
}
export const LEASE_KEY = "lease";
