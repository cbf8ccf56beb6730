// Display formatting shared by views. Pure.

const COUNT = new Intl.NumberFormat("en-US");

/**
 * `1,234,567`: every count the app shows. One formatter made once, since
 * Chromium's Number.prototype.toLocaleString builds one per call (~17 µs
 * against ~0.7 µs here), and a live header formats its counts every frame.
 */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** `14:03:07.250` in UTC: audit ts are UTC and producers' clocks are compared, so never local time. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return new Date(ms).toISOString().slice(11, 23);
}

/** `2026-11-24 14:03:07Z` */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ") + "Z";
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1_000);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Raw bytes for people: the text where it decodes, with undecodable bytes as \xNN. */
export function showBytes(data: Uint8Array, max = 2_000): string {
  const slice = data.subarray(0, max);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(slice);
  } catch {
    text = Array.from(slice, (b) =>
      b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`,
    ).join("");
  }
  return data.length > max ? `${text}… (${formatCount(data.length)} bytes)` : text;
}
