"use client";

import { contextOfKey } from "@/lib/audit/context-ref";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "next/navigation";
import { BUILTIN_KEYS, keyById, type AuditLog, type PartitionKey } from "@/lib/audit";
import { timelinePng, timelineSvg } from "@/lib/export/capture-timeline";
import { download, fileSafe } from "@/lib/export/download";
import { messagesNdjson } from "@/lib/export/ndjson";
import { anomalyReport, reportJson, type ReportSource } from "@/lib/export/report";
import { useFileSource } from "@/components/files/use-file-source";
import { useFeed } from "@/hooks/use-audit-feed";

export interface ExecutionExportsProps {
  log: AuditLog;
  executionId: string;
}

const DEFAULT_KEY = "invocation";
/** In the key choice: whatever the timeline shows. */
const SHOWN = "";

/**
 * The key the timeline shows: its URL parameter when there is one, else its
 * key switcher (found next to this menu), else Forge's default.
 */
function shownKey(params: URLSearchParams | null, near: Element | null): PartitionKey {
  const fromUrl = params?.get("key");
  const fromPage = near
    ?.closest("[data-testid=execution-timeline]")
    ?.querySelector<HTMLSelectElement>("select[data-testid=partition-key]")?.value;
  return keyById(fromUrl ?? "") ?? keyById(fromPage ?? "") ?? (keyById(DEFAULT_KEY) as PartitionKey);
}

const ITEM =
  "block w-full px-3 py-1.5 text-left text-sm hover:bg-slate-100 focus-visible:bg-slate-100 focus-visible:outline-none dark:hover:bg-slate-800 dark:focus-visible:bg-slate-800";

/** Downloads of what is on screen: the raw messages (re-importable), the anomaly report, the visible timeline. */
export function ExecutionExports({ log, executionId }: ExecutionExportsProps) {
  const [open, setOpen] = useState(false);
  const [reportKey, setReportKey] = useState(SHOWN);
  const [error, setError] = useState<string>();
  const [shown, setShown] = useState<PartitionKey>(() => keyById(DEFAULT_KEY) as PartitionKey);
  const menu = useRef<HTMLDivElement>(null);
  const params = useSearchParams();
  const { file, nats } = useFileSource();
  const feed = useFeed();
  const name = contextOfKey(executionId).id;
  const base = fileSafe(name);

  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", away);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("pointerdown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);

  const run = async (what: () => void | Promise<void>) => {
    setError(undefined);
    try {
      await what();
      setOpen(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const source: ReportSource =
    file === undefined
      ? { source: "nats", stream: nats.stream, subject: nats.subject }
      : { source: "file", file: file.name, bytes: file.size };
  const title = () => `${name} — ${shownKey(params, menu.current).label}`;

  return (
    <div ref={menu} className="relative" data-testid="export-menu">
      <button
        type="button"
        className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:hover:bg-slate-800"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => {
          setShown(shownKey(params, menu.current));
          setOpen((o) => !o);
        }}
        data-testid="export"
      >
        Export ▾
      </button>
      {open && (
        <div
          role="menu"
          aria-label="Export"
          className="absolute right-0 z-30 mt-1 w-72 rounded border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <button
            type="button"
            role="menuitem"
            className={ITEM}
            data-testid="export-ndjson"
            onClick={() =>
              void run(() => download(`${base}.ndjson`, "application/x-ndjson", messagesNdjson(log, executionId)))
            }
          >
            Messages (NDJSON)
            <span className="block text-xs text-slate-500">as received, in stream order; opens here again</span>
          </button>
          <button
            type="button"
            role="menuitem"
            className={ITEM}
            data-testid="export-report"
            onClick={() =>
              void run(() => {
                const key = reportKey === SHOWN ? shownKey(params, menu.current) : (keyById(reportKey) as PartitionKey);
                // The stream's holes as of the click; a file has line numbers, not a stream to have holes in.
                const holes = file === undefined ? feed.getSnapshot().holes : [];
                const report = anomalyReport(log, executionId, key, source, new Date(), holes);
                download(`${base}.anomalies.${fileSafe(key.id)}.json`, "application/json", reportJson(report));
              })
            }
          >
            Anomaly report (JSON)
          </button>
          <label className="flex items-center gap-2 px-3 pb-1.5 text-xs text-slate-500">
            under
            <select
              className="min-w-0 flex-1 rounded border border-slate-300 bg-transparent px-1 py-0.5 dark:border-slate-700 dark:bg-slate-900"
              value={reportKey}
              onChange={(e) => setReportKey(e.target.value)}
              data-testid="export-report-key"
            >
              <option value={SHOWN}>the key shown ({shown.label})</option>
              {BUILTIN_KEYS.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
          <div className="my-1 border-t border-slate-200 dark:border-slate-700" />
          <button
            type="button"
            role="menuitem"
            className={ITEM}
            data-testid="export-png"
            onClick={() =>
              void run(async () =>
                download(`${base}.timeline.png`, "image/png", await timelinePng(menu.current as Element, title())),
              )
            }
          >
            Visible timeline (PNG)
          </button>
          <button
            type="button"
            role="menuitem"
            className={ITEM}
            data-testid="export-svg"
            onClick={() =>
              void run(() =>
                download(`${base}.timeline.svg`, "image/svg+xml", timelineSvg(menu.current as Element, title())),
              )
            }
          >
            Visible timeline (SVG)
          </button>
          {error && (
            <p className="px-3 py-1 text-xs text-red-700 dark:text-red-400" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
