// How file sizes and read rates are written in the file views.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** Bytes per second over `ms`, as "12.3 MiB/s"; "" before there is anything to say. */
export function formatRate(bytes: number, ms: number): string {
  return ms > 0 && bytes > 0 ? `${formatBytes((bytes * 1000) / ms)}/s` : "";
}
