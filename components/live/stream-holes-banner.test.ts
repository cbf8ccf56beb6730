import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { HoleCause, StreamHole } from "@/lib/live/stream-holes";
import { IntegrityNote, StreamHolesNotice } from "./stream-holes-banner";

const AT = new Date(2026, 0, 2, 14, 30, 0, 0).getTime();
const hole = (from: number, to: number, cause: HoleCause, detail = `${cause} here`): StreamHole => ({
  from,
  to,
  cause,
  detail,
  at: AT,
});
const causes = (html: string) =>
  [...html.matchAll(/data-testid="stream-hole" data-cause="([a-z]+)"/g)].map((m) => m[1]);

describe("StreamHolesNotice", () => {
  it("renders nothing for a stream without holes", () => {
    expect(renderToStaticMarkup(createElement(StreamHolesNotice, { holes: [] }))).toBe("");
  });

  it("totals the missing messages by cause and lists each hole", () => {
    // Stream seq 1–1,000 aged out before the tab read them; 200 were deleted one by one later on.
    const holes = [hole(1, 1_000, "expired"), hole(5_001, 5_150, "deleted"), hole(6_000, 6_049, "deleted")];
    const html = renderToStaticMarkup(createElement(StreamHolesNotice, { holes }));
    expect(html).toContain('data-testid="stream-holes-banner"');
    expect(html).toContain("missing 1,200 messages this tab never received: 1,000 expired (");
    expect(html).toContain(", 200 deleted (");
    expect(html).toContain("not producer anomalies");
    expect(causes(html)).toEqual(["expired", "deleted", "deleted"]);
    expect(html).toContain("stream seq 5,001–5,150");
    expect(html).toContain("found 14:30:00.000");
  });

  it("says a recreation started a new log, and counts it as no missing message", () => {
    const html = renderToStaticMarkup(createElement(StreamHolesNotice, { holes: [hole(1, 9_000, "recreated")] }));
    expect(html).toContain("The stream was recreated at 14:30: its sequences restarted");
    expect(html).toContain("stream seq 1–9,000");
    expect(html).not.toContain("missing");
    expect(causes(html)).toEqual(["recreated"]);
  });
});

describe("IntegrityNote", () => {
  const note = (holes: StreamHole[], from: number, to: number) =>
    renderToStaticMarkup(createElement(IntegrityNote, { holes, from, to }));

  it("counts only what lies inside the execution's range", () => {
    const html = note([hole(1, 50, "expired"), hole(120, 129, "expired"), hole(190, 260, "deleted")], 100, 200);
    expect(html).toContain('data-testid="integrity-note"');
    expect(html).toContain('data-lost="21"');
    expect(html).toContain(
      "lost 21 messages inside this execution&#x27;s range (stream seq 120–129: expired; 190–200: deleted)",
    );
  });

  it("is absent when no hole touches the range, and ignores recreations", () => {
    expect(note([hole(1, 99, "expired"), hole(201, 300, "deleted"), hole(1, 500, "recreated")], 100, 200)).toBe("");
  });
});
