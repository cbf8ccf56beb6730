import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSpanId, isTraceId, parseTraceUrlTemplate, traceUrlFor, type TraceUrlTemplate } from "./trace-url";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

function template(t: string): TraceUrlTemplate {
  const r = parseTraceUrlTemplate(t);
  if (!r.ok) throw new Error(r.error);
  return r.template;
}

function errorOf(t: string): string {
  const r = parseTraceUrlTemplate(t);
  if (r.ok) throw new Error(`"${t}" was accepted`);
  return r.error;
}

describe("parseTraceUrlTemplate", () => {
  it("takes a Jaeger template: its origin and the host a link names", () => {
    const t = template("https://jaeger.example/trace/{trace_id}");
    expect(t).toMatchObject({ origin: "https://jaeger.example", host: "jaeger.example" });
    expect(t.parts).toEqual([{ text: "https://jaeger.example/trace/" }, { placeholder: "trace_id" }]);
    expect(template("http://127.0.0.1:16686/trace/{trace_id}").host).toBe("127.0.0.1:16686");
  });

  it("keeps other braces as text: a Grafana explore URL's JSON", () => {
    const t = template(
      'https://grafana.example/explore?left={"datasource":"tempo","queries":[{"query":"{trace_id}"}]}&span={span_id}',
    );
    expect(t.parts.filter((p) => "placeholder" in p)).toEqual([
      { placeholder: "trace_id" },
      { placeholder: "span_id" },
    ]);
    expect(t.origin).toBe("https://grafana.example");
  });

  it("names an unknown placeholder", () => {
    expect(errorOf("https://j.example/trace/{traceId}")).toMatch(/unknown placeholder \{traceId\}.*\{trace_id\}/);
    expect(errorOf("https://j.example/trace/{trace_id}?s={spanid}")).toMatch(/\{spanid\}/);
  });

  it("wants {trace_id}", () => {
    expect(errorOf("https://j.example/span/{span_id}")).toMatch(/no \{trace_id\}/);
    expect(errorOf("https://j.example/search")).toMatch(/no \{trace_id\}/);
  });

  it("takes only absolute http and https URLs", () => {
    expect(errorOf("/trace/{trace_id}")).toMatch(/absolute URL/);
    expect(errorOf("jaeger.example/trace/{trace_id}")).toMatch(/absolute URL/);
    expect(errorOf("javascript:alert('{trace_id}')")).toMatch(/http:\/\/ or https:\/\/.*javascript:/);
    expect(errorOf("data:text/html,{trace_id}")).toMatch(/data:/);
    expect(errorOf("ftp://files.example/{trace_id}")).toMatch(/ftp:/);
  });

  it("lets no placeholder choose the host, port or scheme", () => {
    expect(errorOf("https://{trace_id}.traces.example/")).toMatch(/only after the host/);
    expect(errorOf("https://traces.example:{span_id}/{trace_id}")).toMatch(/only after the host/);
    expect(errorOf("https://traces.example{trace_id}")).toMatch(/only after the host/);
    expect(errorOf("https://traces.example/{trace_id}../../")).toMatch(/loses \{trace_id\}/);
    expect(errorOf("https://traces.example/t/{trace_id}/s/{span_id}/..")).toMatch(/loses \{span_id\}/);
    expect(template("https://traces.example?t={trace_id}").origin).toBe("https://traces.example");
    expect(template("https://traces.example#/t/{trace_id}").origin).toBe("https://traces.example");
  });
});

describe("ids", () => {
  it("are lowercase hex of the contract's length, not all zeros", () => {
    expect(isTraceId(TRACE)).toBe(true);
    expect(isSpanId(SPAN)).toBe(true);
    expect(isTraceId(TRACE.toUpperCase())).toBe(false);
    expect(isTraceId(TRACE.slice(1))).toBe(false);
    expect(isTraceId(`${TRACE}0`)).toBe(false);
    expect(isTraceId("0".repeat(32))).toBe(false);
    expect(isSpanId("0".repeat(16))).toBe(false);
    expect(isSpanId(TRACE)).toBe(false);
    expect(isTraceId(42)).toBe(false);
    expect(isTraceId(undefined)).toBe(false);
    // A trailing newline slips past a `$` that is not the end of input in some regex flavours; not here.
    expect(isTraceId(`${TRACE}\n`)).toBe(false);
  });
});

describe("traceUrlFor", () => {
  const jaeger = template("https://jaeger.example/trace/{trace_id}");
  const tempo = template("https://grafana.example/explore?trace={trace_id}&span={span_id}");

  it("fills the template with the event's ids", () => {
    expect(traceUrlFor(jaeger, { trace_id: TRACE, span_id: SPAN })).toBe(`https://jaeger.example/trace/${TRACE}`);
    expect(traceUrlFor(tempo, { trace_id: TRACE, span_id: SPAN })).toBe(
      `https://grafana.example/explore?trace=${TRACE}&span=${SPAN}`,
    );
  });

  it("needs a span id only when the template uses one", () => {
    expect(traceUrlFor(jaeger, { trace_id: TRACE })).toBe(`https://jaeger.example/trace/${TRACE}`);
    expect(traceUrlFor(tempo, { trace_id: TRACE })).toBeUndefined();
    expect(traceUrlFor(tempo, { trace_id: TRACE, span_id: "nope" })).toBeUndefined();
    expect(traceUrlFor(jaeger, {})).toBeUndefined();
  });

  it("makes no link of hostile text", () => {
    const hostile = [
      "javascript:alert(1)",
      "javascript:alert(1)//4bf92f3577b34da6a3ce929d",
      `"><script>alert(1)</script>`,
      `${TRACE.slice(0, 31)}"`,
      "../../../../admin",
      "..%2F..%2Fadmin",
      "//evil.example/",
      "@evil.example",
      "４bf92f3577b34da6a3ce929d0e0e4736", // a fullwidth digit
      "4bf92f3577b34da6a3ce929d0e0e473\u0661", // an Arabic-Indic digit
      "4bf92f3577b34da6a3ce929d0e0e47\u202E6", // a bidi override
      "😀".repeat(16),
      ` ${TRACE}`,
      "",
    ];
    for (const v of hostile) {
      expect(traceUrlFor(jaeger, { trace_id: v })).toBeUndefined();
      expect(traceUrlFor(tempo, { trace_id: TRACE, span_id: v })).toBeUndefined();
    }
    expect(traceUrlFor(jaeger, { trace_id: { toString: () => TRACE } })).toBeUndefined();
  });

  it("makes, from any template it accepts and any ids, a URL on the template's origin", () => {
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
    const literal = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc
        .array(fc.constantFrom("../", "%", "%2F", "#", "?", "&", "@", "\\", "//", "{", "}", '"', ":", " ", "\u202E"), {
          maxLength: 6,
        })
        .map((xs) => xs.join("")),
    );
    const host = fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([d, p]) => `${d}:${p}`),
    );
    const templateText = fc
      .tuple(
        fc.constantFrom("http", "https", "HTTPS"),
        host,
        fc.constantFrom("/", "?", "#", "/trace/", "/explore?left="),
        fc.array(fc.tuple(literal, fc.constantFrom("{trace_id}", "{span_id}")), { maxLength: 3 }),
        literal,
      )
      .map(
        ([scheme, h, sep, middle, tail]) =>
          `${scheme}://${h}${sep}{trace_id}${middle.map(([text, p]) => text + p).join("")}${tail}`,
      );
    const id = (n: number) => fc.oneof(hex(n), fc.string({ maxLength: n + 2 }), fc.constant(undefined));
    fc.assert(
      fc.property(templateText, id(32), id(16), (text, trace_id, span_id) => {
        const parsed = parseTraceUrlTemplate(text);
        // Literal text may itself break the URL or bring a {word}: then the template is refused, fine.
        if (!parsed.ok) return;
        const href = traceUrlFor(parsed.template, { trace_id, span_id });
        const usesSpan = parsed.template.parts.some((p) => "placeholder" in p && p.placeholder === "span_id");
        const wanted = isTraceId(trace_id) && (!usesSpan || isSpanId(span_id));
        expect(href !== undefined).toBe(wanted);
        if (href === undefined) return;
        const url = new URL(href);
        expect(url.origin).toBe(parsed.template.origin);
        expect(["http:", "https:"]).toContain(url.protocol);
        // The link names the trace (and the span, when the template has it).
        expect(href).toContain(trace_id);
        if (usesSpan) expect(href).toContain(span_id);
      }),
      { numRuns: 500 },
    );
  });
});
