"use client";

import { useEffect, useRef, useState } from "react";

export interface CopyLinkButtonProps {
  /** Builds the link when clicked, so it holds the view as it is at that moment. */
  link(): string;
}

/**
 * Copies a link to exactly this view. Where the Clipboard API is unavailable
 * (plain http on a LAN address is not a secure context) it falls back to a
 * selected text field the user copies by hand.
 */
export function CopyLinkButton({ link }: CopyLinkButtonProps) {
  const [copied, setCopied] = useState<{ url: string; ok: boolean } | undefined>();
  const fieldRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (copied && !copied.ok) fieldRef.current?.select();
    if (!copied?.ok) return;
    const t = setTimeout(() => setCopied(undefined), 4_000);
    return () => clearTimeout(t);
  }, [copied]);

  const copy = async () => {
    const url = link();
    try {
      await navigator.clipboard.writeText(url);
      setCopied({ url, ok: true });
    } catch {
      setCopied({ url, ok: false });
    }
  };

  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-slate-700 dark:hover:bg-slate-800"
        onClick={() => void copy()}
        title="Copy a link that opens this execution with this key, order, window, selection and lanes"
        data-testid="copy-link"
      >
        Copy link
      </button>
      {copied?.ok && (
        <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400" data-testid="copy-link-done">
          Link copied
        </span>
      )}
      {copied && !copied.ok && (
        <input
          ref={fieldRef}
          readOnly
          value={copied.url}
          aria-label="Link to this view (copy it with Ctrl+C)"
          className="w-80 rounded border border-slate-300 bg-transparent px-2 py-1 font-mono text-xs dark:border-slate-700"
          data-testid="copy-link-field"
        />
      )}
      <output className="sr-only" data-testid="copied-link" data-url={copied?.url} />
    </span>
  );
}
