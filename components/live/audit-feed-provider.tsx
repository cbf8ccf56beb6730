"use client";

import { createContext, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useSearchParams } from "next/navigation";
import { AuditFeedContext } from "@/hooks/audit-feed-context";
import type { BrowserNatsConfig } from "@/lib/config/runtime-config";
import type { IngestProgress } from "@/lib/files/ingest";
import { openFile, OpenFileCancelled, type OpenedFile, type OpeningFile } from "@/lib/files/open-file";
import { AuditFeed } from "@/lib/live/audit-feed";
import { CredentialLease, fetchGrantFromDashboard } from "@/lib/live/credential-lease";
import { StaticFeed } from "@/lib/live/static-feed";
import { inThisThread, inWorker } from "@/lib/live/worker-reader";

export interface FileOpening {
  name: string;
  size: number;
  progress?: IngestProgress;
  startedAt: number;
}

/** The tab's choice of source: the live stream, or a local file opened in it. */
export interface FileSourceApi {
  /** The file shown instead of the live stream. */
  file?: OpenedFile;
  /** A file being read (off the main thread). */
  opening?: FileOpening;
  /** Why the last file could not be opened. */
  error?: string;
  /** The URL says `?source=file` but this tab has no file: a link to someone's local view. */
  orphanLink: boolean;
  /** The live stream the tab reads otherwise (for exports and messages). */
  nats: { stream: string; subject: string };
  open(file: File): void;
  cancel(): void;
  /** Back to the live stream. */
  close(): void;
  dismissError(): void;
}

export const FileSourceContext = createContext<FileSourceApi | null>(null);

/**
 * `?source=file` marks views of a local file: a link to one must say it cannot
 * show the data. Set with the history API (Next keeps useSearchParams in step),
 * not a router navigation: nothing is re-rendered on the server for it.
 */
function setSourceParam(value: "file" | null): void {
  const url = new URL(window.location.href);
  if (value === null) url.searchParams.delete("source");
  else url.searchParams.set("source", value);
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}

export interface AuditFeedProviderProps {
  config: BrowserNatsConfig;
  children: ReactNode;
}

/**
 * Owns the tab's single connection; pages share it, so navigating never
 * re-reads the stream. A file opened in the tab replaces it for the views
 * (the connection stays, so going back to live is instant).
 */
export function AuditFeedProvider({ config, children }: AuditFeedProviderProps) {
  // The tab's NATS credential comes from the dashboard, made for this session (never part of the page).
  const [{ lease, feed }] = useState(() => {
    const made: { feed?: AuditFeed } = {};
    const lease = new CredentialLease({
      fetchGrant: () => fetchGrantFromDashboard(),
      // A renewal that fails says why with the connection's status (the session ended: sign in again).
      onProblem: (reason) => made.feed?.credentialProblem(reason),
      onRecovered: () => made.feed?.credentialProblem(undefined),
    });
    // The reader runs in a worker, off the frames; `?reader=page` keeps it on the page (to compare, or debug).
    const inPage =
      typeof window !== "undefined" && new URLSearchParams(window.location.search).get("reader") === "page";
    made.feed = new AuditFeed(config, undefined, {
      credential: () => lease.credential(),
      reader: inPage ? inThisThread : inWorker,
    });
    return { lease, feed: made.feed };
  });
  useEffect(() => {
    void feed.start();
    return () => void feed.stop();
  }, [feed]);
  useEffect(() => () => lease.stop(), [lease]);
  // A hidden tab gets no frames and slow timers: tell the feed, so it flushes and re-verifies on return.
  useEffect(() => {
    const onVisibility = () => feed.setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, [feed]);

  const [file, setFile] = useState<OpenedFile>();
  const [opening, setOpening] = useState<FileOpening>();
  const [error, setError] = useState<string>();
  const handle = useRef<OpeningFile | null>(null);
  const source = useSearchParams()?.get("source") ?? null;

  // Links inside the app drop the query: put the marker back on every page while a file is shown.
  useEffect(() => {
    if (file !== undefined && source !== "file") setSourceParam("file");
  }, [file, source]);
  useEffect(() => () => handle.current?.cancel(), []);

  const open = useCallback(
    (f: File) => {
      handle.current?.cancel();
      setError(undefined);
      const startedAt = performance.now();
      setOpening({ name: f.name, size: f.size, startedAt });
      const h = openFile(
        f,
        (progress) => setOpening((o) => (o !== undefined && handle.current === h ? { ...o, progress } : o)),
        config.jwks,
      );
      handle.current = h;
      h.done.then(
        (opened) => {
          if (handle.current !== h) return;
          handle.current = null;
          setOpening(undefined);
          setFile(opened);
        },
        (e: unknown) => {
          if (handle.current === h) {
            handle.current = null;
            setOpening(undefined);
          }
          if (!(e instanceof OpenFileCancelled))
            setError(`Could not open ${f.name}: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    },
    [config.jwks],
  );

  const cancel = useCallback(() => {
    const h = handle.current;
    handle.current = null;
    setOpening(undefined);
    h?.cancel();
  }, []);

  const close = useCallback(() => {
    setFile(undefined);
    setSourceParam(null);
  }, []);

  const dismissError = useCallback(() => setError(undefined), []);

  const fileFeed = useMemo(
    () =>
      file === undefined
        ? undefined
        : new StaticFeed(file.log, {
            kind: "file",
            name: file.name,
            bytes: file.size,
            lines: file.progress.lines,
            malformed: file.progress.malformed,
          }),
    [file],
  );

  const api = useMemo<FileSourceApi>(
    () => ({
      file,
      opening,
      error,
      orphanLink: source === "file" && file === undefined,
      nats: { stream: config.stream, subject: config.subject },
      open,
      cancel,
      close,
      dismissError,
    }),
    [file, opening, error, source, config.stream, config.subject, open, cancel, close, dismissError],
  );

  return (
    <FileSourceContext.Provider value={api}>
      <AuditFeedContext.Provider value={fileFeed ?? feed}>{children}</AuditFeedContext.Provider>
    </FileSourceContext.Provider>
  );
}
