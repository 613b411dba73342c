/** Binary search over sorted typed arrays (the order books' price ladders). */

/** First index in `a[0..n)` whose value is ≥ `s` (`a` ascending); `n` when none is. */
export function lowerBound(a: Float64Array, n: number, s: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
