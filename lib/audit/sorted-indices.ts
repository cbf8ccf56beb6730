// A stable index sort of numeric keys, for the engine (a partition's rows by seq)
// and the timeline (marks by x). Pure.

/**
 * Indices 0..n-1 sorted by `key`, ties by index. When every key is an integer
 * (or a quarter: seq-mode positions) and the span fits, each (key, index) pair
 * is packed into one exact double and sorted natively, several times faster
 * than a comparator; otherwise a comparator sort.
 */
export function sortedIndices(key: ArrayLike<number>): Int32Array {
  const n = key.length;
  const out = new Int32Array(n);
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    out[i] = i;
    const v = key[i] as number;
    if (i > 0 && v < (key[i - 1] as number)) sorted = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (sorted || n < 2) return out;
  const radix = 2 ** Math.ceil(Math.log2(n + 1));
  for (const scale of [1, 4]) {
    if (!Number.isFinite(min) || !Number.isFinite(max) || (max - min) * scale * radix + radix > Number.MAX_SAFE_INTEGER)
      break;
    const packed = new Float64Array(n);
    let exact = true;
    for (let i = 0; i < n && exact; i++) {
      const v = ((key[i] as number) - min) * scale;
      if (!Number.isInteger(v)) exact = false;
      else packed[i] = v * radix + i;
    }
    if (!exact) continue;
    packed.sort();
    for (let k = 0; k < n; k++) out[k] = (packed[k] as number) % radix;
    return out;
  }
  return out.sort((a, b) => (key[a] as number) - (key[b] as number) || a - b);
}
