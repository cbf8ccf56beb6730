// Small statistics for the lab's verdict. Pure.

/** The 95 % Wilson score interval of a proportion k/n; [0, 1] when n is 0 (nothing was measured). */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const mid = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const den = 1 + z2 / n;
  return [Math.max(0, (mid - half) / den), Math.min(1, (mid + half) / den)];
}
