/**
 * Paralyzable dead-time model of a counting detector (preprocessing.md §3): a pixel with true count n in a
 * frame of exposure T records m = n·exp(−n·τ/T). diffractem inverts it with the 5th-order Lambert-W series.
 */

/** Recorded counts for true counts n (both per frame), s = τ/T (dimensionless). */
export function paralyzableCounts(n: number, s: number): number {
  return n * Math.exp(-n * s);
}

/** True counts from recorded counts by the exact inverse on the rising branch (n·s < 1), Newton on n·e^(−ns) = m. */
export function invertParalyzable(m: number, s: number): number {
  if (m <= 0 || s <= 0) return m;
  if (m * s >= 1 / Math.E) return 1 / s; // beyond the maximum: not invertible, return the turning point
  let n = m;
  for (let i = 0; i < 60; i++) {
    const e = Math.exp(-n * s);
    const f = n * e - m;
    const df = e * (1 - n * s);
    const step = f / df;
    n -= step;
    if (Math.abs(step) < 1e-12 * Math.max(1, n)) break;
  }
  return n;
}

/** diffractem's correction: −W5(−s·m)/s with W5(x) = x − x² + 3/2 x³ − 8/3 x⁴ + 125/24 x⁵. */
export function diffractemSaturationCorrection(m: number, s: number): number {
  if (s <= 0) return m;
  const x = -s * m;
  const w = x - x * x + 1.5 * x ** 3 - (8 / 3) * x ** 4 + (125 / 24) * x ** 5;
  return -w / s;
}
