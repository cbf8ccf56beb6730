// The last result of a pure function, kept for as long as it is called with
// the same arguments (by identity), like jaeger's use of memoize-one: each
// step of a derivation holds only its latest value, so memory stays bounded
// and a changed input recomputes exactly the steps that read it.

export function memoizeOne<A extends readonly unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | undefined;
  return (...args: A): R => {
    if (last !== undefined && last.args.length === args.length && last.args.every((a, i) => Object.is(a, args[i]))) {
      return last.result;
    }
    const result = fn(...args);
    last = { args, result };
    return result;
  };
}

/**
 * The previous array while a new one holds the same elements (by identity):
 * a log hands out a fresh list on every change anywhere, and a view of one
 * execution should not redo its work when another one changed.
 */
export function keepWhileSame<T>(): (next: readonly T[]) => readonly T[] {
  let last: readonly T[] | undefined;
  return (next) => {
    if (last === next) return last;
    if (last !== undefined && last.length === next.length && last.every((v, i) => v === next[i])) return last;
    last = next;
    return next;
  };
}
