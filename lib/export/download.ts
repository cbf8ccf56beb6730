// Saves bytes as a file through the browser's download (DOM; no server involved).

export function download(name: string, type: string, content: Uint8Array | string | Blob): void {
  const blob = content instanceof Blob ? content : new Blob([content as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from an id: what is safe on every file system, the rest as "_". */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120) || "export";
}
