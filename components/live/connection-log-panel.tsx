"use client";

import { useEffect, useRef, useState, type RefObject } from "react";
import type { ConnectionEventKind, ConnectionLogEntry } from "@/lib/live/connection-log";
import { formatCount } from "@/lib/format";

type Severity = "problem" | "ok" | "neutral";

/** A short label per kind, and how it reads: trouble, recovery, or just a fact. */
const KIND: Record<ConnectionEventKind, { label: string; severity: Severity }> = {
  connecting: { label: "connecting", severity: "neutral" },
  connected: { label: "connected", severity: "ok" },
  disconnect: { label: "disconnected", severity: "problem" },
  reconnecting: { label: "reconnecting", severity: "problem" },
  reconnect: { label: "reconnected", severity: "ok" },
  server_error: { label: "server error", severity: "problem" },
  heartbeats_missed: { label: "heartbeats missed", severity: "problem" },
  consumer_created: { label: "consumer created", severity: "ok" },
  consumer_not_found: { label: "consumer lost", severity: "problem" },
  consumer_deleted: { label: "consumer deleted", severity: "problem" },
  consumer_recreated: { label: "consumer recreated", severity: "ok" },
  stream_not_found: { label: "stream not found", severity: "problem" },
  stream_recreated: { label: "stream recreated", severity: "problem" },
  stalled: { label: "stalled", severity: "problem" },
  caught_up: { label: "caught up", severity: "ok" },
  hole: { label: "hole", severity: "problem" },
  hidden: { label: "tab hidden", severity: "neutral" },
  visible: { label: "tab visible", severity: "neutral" },
  credential_failed: { label: "credential not renewed", severity: "problem" },
  credential_renewed: { label: "credential renewed", severity: "ok" },
  error: { label: "error", severity: "problem" },
};

const BADGE: Record<Severity, string> = {
  problem: "bg-red-100 text-red-800 dark:bg-red-950/60 dark:text-red-300",
  ok: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-300",
  neutral: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
};

const BUTTON =
  "rounded px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:text-slate-300 dark:hover:bg-slate-800";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `14:03:07.250` in the viewer's local time: when something happened to this tab, on the viewer's clock. */
export function localClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function connectionKindLabel(kind: ConnectionEventKind): string {
  return KIND[kind].label;
}

/** The log as plain text, newest first (what "Copy as text" puts on the clipboard). */
export function connectionLogText(entries: readonly ConnectionLogEntry[]): string {
  return [...entries]
    .reverse()
    .map(
      (e) =>
        `${new Date(e.at).toISOString()}  ${e.kind}${e.detail ? `  ${e.detail}` : ""}${e.repeat ? `  ×${e.repeat}` : ""}`,
    )
    .join("\n");
}

export interface ConnectionLogPanelProps {
  /** Oldest first, as the feed keeps them; shown newest first. */
  entries: readonly ConnectionLogEntry[];
  onClose(): void;
  /** Gets the focus back when the panel is closed by key or its Close button (not by a click elsewhere). */
  returnFocusTo?: RefObject<HTMLElement | null>;
}

/** The flight recorder: what happened to this tab's connection and consumers, and when. */
export function ConnectionLogPanel({ entries, onClose, returnFocusTo }: ConnectionLogPanelProps) {
  const panel = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed">();

  useEffect(() => close.current?.focus(), []);
  useEffect(() => {
    const esc = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      onClose();
      returnFocusTo?.current?.focus();
    };
    const away = (e: PointerEvent) => {
      const target = e.target as Element | null;
      // The header's own button toggles the panel; leave that click to it.
      if (panel.current?.contains(target) || target?.closest?.("[data-testid=connection-log-button]")) return;
      onClose();
    };
    document.addEventListener("keydown", esc);
    document.addEventListener("pointerdown", away);
    return () => {
      document.removeEventListener("keydown", esc);
      document.removeEventListener("pointerdown", away);
    };
  }, [onClose, returnFocusTo]);

  const copy = () =>
    navigator.clipboard.writeText(connectionLogText(entries)).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );

  return (
    <div
      ref={panel}
      role="dialog"
      aria-label="Connection log"
      className="absolute top-full right-0 z-40 mt-1 w-[34rem] max-w-[92vw] rounded-lg border border-slate-200 bg-white text-left shadow-xl dark:border-slate-700 dark:bg-slate-900"
      data-testid="connection-log"
    >
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h2 className="text-sm font-semibold">Connection log</h2>
        <span className="text-xs text-slate-500">
          {formatCount(entries.length)} entr{entries.length === 1 ? "y" : "ies"}, newest first, local time
        </span>
        <span className="flex-1" />
        {entries.length > 0 && (
          <button type="button" className={BUTTON} onClick={() => void copy()} data-testid="connection-log-copy">
            {copied === "yes" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy as text"}
          </button>
        )}
        <button
          ref={close}
          type="button"
          className={BUTTON}
          onClick={() => {
            onClose();
            returnFocusTo?.current?.focus();
          }}
        >
          Close
        </button>
      </div>
      {entries.length === 0 ? (
        <p className="px-3 py-4 text-sm text-slate-500">Nothing has happened to this tab&apos;s connection yet.</p>
      ) : (
        <ol className="max-h-96 overflow-y-auto py-1 text-xs">
          {[...entries].reverse().map((e, i) => (
            <ConnectionLogRow key={entries.length - i} entry={e} />
          ))}
        </ol>
      )}
    </div>
  );
}

function ConnectionLogRow({ entry }: { entry: ConnectionLogEntry }) {
  const { label, severity } = KIND[entry.kind];
  return (
    <li
      className="grid grid-cols-[6.5rem_8.5rem_1fr] items-baseline gap-x-2 px-3 py-0.5 hover:bg-slate-50 dark:hover:bg-slate-800/50"
      data-testid="connection-log-entry"
      data-kind={entry.kind}
    >
      <time className="font-mono text-slate-500 tabular-nums" dateTime={new Date(entry.at).toISOString()}>
        {localClock(entry.at)}
      </time>
      <span className={`justify-self-start rounded px-1.5 font-medium ${BADGE[severity]}`} data-severity={severity}>
        {label}
      </span>
      <span className="break-words text-slate-700 dark:text-slate-300">
        {entry.detail}
        {entry.repeat !== undefined && (
          <span className="ml-1 text-slate-500 tabular-nums" title="the same event, repeated within a second">
            ×{entry.repeat}
          </span>
        )}
      </span>
    </li>
  );
}
