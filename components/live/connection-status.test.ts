import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { FeedSnapshot } from "@/lib/live/audit-feed";
import { AuditLog } from "@/lib/audit/audit-log";
import type { FeedSource, ReaderStatus } from "@/lib/live/static-feed";
import { AuditFeedContext } from "@/hooks/audit-feed-context";
import { ConnectionStatus, describeLag, phaseLabel } from "./connection-status";

const NOW = 1_700_000_000_000;

/** The header as the server renders it, over a feed that only ever shows `status`. */
function render(status: ReaderStatus): string {
  const snapshot: FeedSnapshot = {
    log: new AuditLog(),
    version: 1,
    status,
    received: 0,
    holes: [],
    epoch: 0,
    connectionLog: [{ at: NOW, kind: "connected" }],
    index: "absent",
  };
  const feed: FeedSource = {
    subscribe: () => () => undefined,
    getSnapshot: () => snapshot,
    streamStats: async () => undefined,
  };
  return renderToStaticMarkup(
    createElement(
      QueryClientProvider,
      { client: new QueryClient() },
      createElement(AuditFeedContext.Provider, { value: feed }, createElement(ConnectionStatus, { stream: "S" })),
    ),
  );
}

describe("ConnectionStatus", () => {
  it("always says how far behind the tab is, and carries phase, lag and last seq for the browser tests", () => {
    const html = render({ phase: "live", behind: 0, lastSeq: 12_345, verifiedAt: NOW });
    expect(html).toContain('data-phase="live"');
    expect(html).toContain('data-behind="0"');
    expect(html).toContain('data-last-seq="12345"');
    expect(html).toContain("Live");
    expect(html).toContain(" · 0 behind");
    expect(html).toMatch(/data-testid="connection-log-button"[^>]*>Connection log · 1</);
  });

  it("shows why it is stalled", () => {
    const html = render({ phase: "stalled", behind: 340, lastSeq: 9, reason: "nothing arriving" });
    expect(html).toContain("Stalled");
    expect(html).toMatch(/data-testid="connection-reason"[^>]*>nothing arriving</);
  });
});

describe("describeLag", () => {
  it("catching up after the history shows the lag; loading the history also shows its progress", () => {
    const after = { phase: "loading", startSeq: 1, targetSeq: 1_000, lastSeq: 2_000, behind: 12_300 } as const;
    expect(phaseLabel(after)).toBe("Catching up");
    expect(describeLag(after, undefined)).toBe(" · 12,300 behind");
    const during = { ...after, lastSeq: 250, behind: 11_000 };
    expect(phaseLabel(during)).toBe("Loading history");
    expect(describeLag(during, undefined)).toBe(" · 250 / 1,000 · 11,000 behind");
  });

  it("stalled and reconnecting say how long nothing has arrived", () => {
    const stalled: ReaderStatus = { phase: "stalled", behind: 340, lastMessageAt: NOW - 42_400 };
    expect(describeLag(stalled, NOW)).toBe(" · 340 behind · last message 42 s ago");
    const reconnecting: ReaderStatus = { phase: "reconnecting", behind: 3, lastMessageAt: NOW - 5_000 };
    expect(phaseLabel(reconnecting)).toBe("Reconnecting");
    expect(describeLag(reconnecting, NOW)).toBe(" · last message 5 s ago");
    expect(describeLag({ phase: "reconnecting" }, NOW)).toBe(" · no message yet");
    expect(describeLag({ ...stalled, lastMessageAt: NOW - 10 * 60_000 }, NOW)).toContain("last message 10 min ago");
  });

  it("an error says nothing it cannot know", () => {
    expect(describeLag({ phase: "error", reason: "x" }, undefined)).toBe("");
    expect(describeLag({ phase: "live" }, undefined)).toBe(" · lag unknown");
  });
});
