import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ConnectionLogEntry } from "@/lib/live/connection-log";
import { ConnectionLogPanel, connectionLogText, localClock } from "./connection-log-panel";

/* A tab that connected, lost its consumer, got it back and caught up. Oldest first, as the feed keeps it. */
const T0 = new Date(2026, 0, 2, 9, 5, 7, 42).getTime();
const ENTRIES: ConnectionLogEntry[] = [
  { at: T0, kind: "connected", detail: "ws://localhost:14280" },
  { at: T0 + 1_000, kind: "consumer_not_found", detail: "<b>resuming</b> after stream seq 12 034" },
  { at: T0 + 1_200, kind: "consumer_created" },
  { at: T0 + 2_000, kind: "caught_up", detail: "at stream seq 12 100" },
];

const render = (entries: readonly ConnectionLogEntry[]) =>
  renderToStaticMarkup(createElement(ConnectionLogPanel, { entries, onClose: () => undefined }));

describe("ConnectionLogPanel", () => {
  it("lists entries newest first with their kind, local time to the millisecond and detail as text", () => {
    const html = render(ENTRIES);
    expect(html).toContain('role="dialog"');
    expect(html).toContain('aria-label="Connection log"');
    const kinds = [...html.matchAll(/data-testid="connection-log-entry" data-kind="([a-z_]+)"/g)].map((m) => m[1]);
    expect(kinds).toEqual(["caught_up", "consumer_created", "consumer_not_found", "connected"]);
    expect(html).toContain(">09:05:07.042<");
    expect(html).toContain(">09:05:09.042<");
    expect(html).toContain('data-severity="problem">consumer lost<');
    expect(html).toContain('data-severity="ok">caught up<');
    expect(html).toContain("&lt;b&gt;resuming&lt;/b&gt;");
    expect(html).not.toContain("<b>");
  });

  it("says when there is nothing yet", () => {
    const html = render([]);
    expect(html).not.toContain("connection-log-entry");
    expect(html).toContain("Nothing has happened");
  });
});

describe("connectionLogText", () => {
  it("is one line per entry, newest first, with UTC timestamps", () => {
    const lines = connectionLogText(ENTRIES).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`${new Date(T0 + 2_000).toISOString()}  caught_up  at stream seq 12 100`);
    expect(lines[1]).toBe(`${new Date(T0 + 1_200).toISOString()}  consumer_created`);
  });

  it("localClock pads every field", () => {
    expect(localClock(new Date(2026, 0, 1, 3, 4, 5, 6).getTime())).toBe("03:04:05.006");
  });
});
