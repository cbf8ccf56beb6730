import { createLoader } from "nuqs/server";
import { describe, expect, it } from "vitest";
import {
  executionLink,
  executionParams,
  expansionFromParams,
  roundWindow,
  type ExecutionViewState,
} from "./execution-params";
import { decodeUrlText } from "./url-text";

const load = createLoader(executionParams);
const view: ExecutionViewState = {
  keyId: "custom:workflow_execution_id,@identity",
  order: "arrival",
  window: [-0.51234, 12.3],
  selected: 42,
  anomaly: "gap|p 1|3,4",
  expansion: new Map([
    ["agent:a,b", true],
    ["workflow:wfx-1", false],
  ]),
};

describe("executionLink", () => {
  it("round-trips every piece of view state and the hint through the URL", () => {
    const url = new URL(executionLink("http://host:3000/", "wfx 1/ü", view, { from: 10, to: 99 }));
    expect(url.pathname).toBe("/executions/wfx%201%2F%C3%BC");
    const p = load(url.searchParams);
    expect(p.key).toBe(view.keyId);
    expect(p.order).toBe("arrival");
    expect(p.win).toEqual([-0.512, 12.3]);
    expect(p.sel).toBe(42);
    expect(p.anomaly).toBe(view.anomaly);
    expect(p.open).toEqual(["agent:a,b"]);
    expect(p.shut).toEqual(["workflow:wfx-1"]);
    expect([p.from, p.to]).toEqual([10, 99]);
  });

  it("round-trips hostile ids: the path decodes once to the id, lanes and the anomaly read back exactly", () => {
    const ids = [
      '"><svg onload=alert(1)>',
      "a b/c",
      "100%",
      "%2C",
      "😀",
      "agent\u202Egnp.exe",
      "x\ud800",
      "w".repeat(10_000),
    ];
    for (const id of ids) {
      const lanes = [`agent:${id}`, "agent:a%2Cb", "agent:a,b", "p%"];
      const hostile: ExecutionViewState = {
        ...view,
        anomaly: `gap|${id}|3,4`,
        expansion: new Map(lanes.map((l, i) => [l, i % 2 === 0])),
      };
      const link = executionLink("http://host:3000", id, hostile, { from: 1, to: 2 });
      // Nothing in the link is raw non-ASCII or markup: what a user copies is what a browser sends.
      expect(link).toMatch(/^[\x21-\x7e]+$/);
      expect(link).not.toMatch(/[<>"]/);
      const url = new URL(link);
      expect(decodeUrlText(url.pathname.slice("/executions/".length))).toBe(id);
      const p = load(url.searchParams);
      expect(p.anomaly).toBe(hostile.anomaly);
      expect(expansionFromParams(p.open, p.shut)).toEqual(hostile.expansion);
    }
  });

  it("leaves defaults and absent values out, and carries nothing but view state", () => {
    const url = executionLink("https://s.example", "wfx-1", {
      keyId: null,
      order: "ts",
      window: null,
      selected: null,
      anomaly: null,
      expansion: new Map(),
    });
    expect(url).toBe("https://s.example/executions/wfx-1");
  });

  it("reads garbage as absent rather than failing", () => {
    const p = load(new URLSearchParams("order=sideways&win=5_1&sel=-3&from=x&to=1e3"));
    expect([p.order, p.win, p.sel, p.from, p.to]).toEqual(["ts", null, null, null, null]);
  });
});

describe("roundWindow", () => {
  it("keeps whole milliseconds by time and thousandths otherwise, never an empty window", () => {
    expect(roundWindow("ts", [1_731_492_000_123.4, 1_731_492_004_500.6])).toEqual([
      1_731_492_000_123, 1_731_492_004_501,
    ]);
    expect(roundWindow("seq", [1.23456, 7.00001])).toEqual([1.235, 7]);
    expect(roundWindow("ts", [5.2, 5.3])).toEqual([5, 6]);
  });
});
