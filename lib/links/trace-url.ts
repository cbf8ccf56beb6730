// A link from an event to its trace in a tracing UI (Jaeger, Tempo/Grafana …),
// from one URL template the deployment configures (SEQSCOPE_TRACE_URL):
// `{trace_id}` and `{span_id}` stand for the event's OpenTelemetry ids. The
// template is checked once, at config time; an event's ids are text from the
// stream, so they become part of a link only when they are exactly what the
// contract says they are (lowercase hex of the right length, not all zeros as
// W3C Trace Context rules out) — anything else makes no link at all. Pure.

export type TracePlaceholder = "trace_id" | "span_id";

/** Literal text of the template, or a placeholder. Plain data: it travels to the browser in the config. */
export type TraceUrlPart = { text: string } | { placeholder: TracePlaceholder };

export interface TraceUrlTemplate {
  /** The template as configured. */
  template: string;
  parts: TraceUrlPart[];
  /** Every link it makes stays on this origin (placeholders may not reach the scheme, host or port). */
  origin: string;
  /** What the link says it opens ("jaeger.example", with a port when there is one). */
  host: string;
}

export type TraceUrlParse = { ok: true; template: TraceUrlTemplate } | { ok: false; error: string };

const TRACE_ID = /^(?!0{32}$)[0-9a-f]{32}$/;
const SPAN_ID = /^(?!0{16}$)[0-9a-f]{16}$/;

/** An OpenTelemetry trace id as the contract writes it: 32 lowercase hex, not all zeros. */
export function isTraceId(v: unknown): v is string {
  return typeof v === "string" && TRACE_ID.test(v);
}

/** An OpenTelemetry span id as the contract writes it: 16 lowercase hex, not all zeros. */
export function isSpanId(v: unknown): v is string {
  return typeof v === "string" && SPAN_ID.test(v);
}

const VALID: Record<TracePlaceholder, (v: unknown) => v is string> = { trace_id: isTraceId, span_id: isSpanId };

/**
 * `{word}` is a placeholder; other braces (a Grafana explore URL's JSON, `{"datasource":…}`) are
 * literal text. A `{word}` that is neither known placeholder is a typo to report, not text to keep:
 * write it as `%7Bword%7D` to mean the braces.
 */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Stand-ins for checking that the template makes a URL at all. */
const SAMPLE: Record<TracePlaceholder, string> = { trace_id: "7".repeat(32), span_id: "e".repeat(16) };

/** Parses and checks a template; `error` says what is wrong in words a config error can show. */
export function parseTraceUrlTemplate(template: string): TraceUrlParse {
  const parts: TraceUrlPart[] = [];
  let at = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (name !== "trace_id" && name !== "span_id") {
      return { ok: false, error: `has an unknown placeholder {${name}} (the known ones are {trace_id} and {span_id})` };
    }
    if (m.index > at) parts.push({ text: template.slice(at, m.index) });
    parts.push({ placeholder: name });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ text: template.slice(at) });
  if (!parts.some((p) => "placeholder" in p && p.placeholder === "trace_id")) {
    return { ok: false, error: "has no {trace_id} placeholder, so every event would link to the same page" };
  }
  // The scheme and the whole host must be written out before the first placeholder: an event's id never
  // chooses where a link goes.
  const head = parts[0] !== undefined && "text" in parts[0] ? parts[0].text : "";
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+[/?#]/.exec(head);
  const inHost = "may use {trace_id} and {span_id} only after the host (in the path, query or fragment)";
  if (authority === null && /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(head)) return { ok: false, error: inHost };
  let url: URL;
  try {
    url = new URL(fill(parts, SAMPLE));
  } catch {
    return { ok: false, error: "is not an absolute URL (write it as https://host/…{trace_id}…)" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: `must be an http:// or https:// URL, not ${url.protocol}` };
  }
  if (authority === null || new URL(authority[0]).origin !== url.origin) return { ok: false, error: inHost };
  // "{trace_id}../" in a path resolves the id away: a link that never names the trace is a config error.
  for (const name of ["trace_id", "span_id"] as const) {
    const uses = parts.filter((p) => "placeholder" in p && p.placeholder === name).length;
    if (url.href.split(SAMPLE[name]).length - 1 < uses) {
      return { ok: false, error: `loses {${name}} when the URL is resolved (is a ../ after it?)` };
    }
  }
  return { ok: true, template: { template, parts, origin: url.origin, host: url.host } };
}

function fill(parts: readonly TraceUrlPart[], values: Record<TracePlaceholder, string>): string {
  let s = "";
  for (const p of parts) s += "text" in p ? p.text : encodeURIComponent(values[p.placeholder]);
  return s;
}

/** The ids an event carries (typed loosely: they are the stream's text, checked here). */
export interface TraceIds {
  trace_id?: unknown;
  span_id?: unknown;
}

/**
 * The link to the event's trace, or undefined when the event has no valid id for a placeholder
 * the template uses (a template with {span_id} makes no link for an event without one).
 */
export function traceUrlFor(t: TraceUrlTemplate, ids: TraceIds): string | undefined {
  const values = { trace_id: "", span_id: "" };
  for (const p of t.parts) {
    if (!("placeholder" in p)) continue;
    const v = ids[p.placeholder];
    if (!VALID[p.placeholder](v)) return undefined;
    values[p.placeholder] = v;
  }
  let url: URL;
  try {
    url = new URL(fill(t.parts, values));
  } catch {
    return undefined;
  }
  // Cannot differ for hex values and a checked template; checked anyway, since this is what a user clicks.
  return url.origin === t.origin ? url.href : undefined;
}
