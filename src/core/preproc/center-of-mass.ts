/**
 * Thresholded centre of mass of the direct beam, ../shared/spec/preprocessing.md §4
 * (diffractem `proc2d.center_of_mass`). Pixel-centre convention.
 */
import type { Frame } from "../image/frame.ts";

export interface ComOptions {
  /** Fraction of the 99.995th percentile used as threshold (`com_threshold`). */
  readonly threshold: number;
  /** Width of the central column band (`com_xrng`). */
  readonly xrng: number;
}

/**
 * numpy-style linear-interpolated quantile `q` of the finite values of `pixels` in columns [x0, x1),
 * computed from the top values only (fast for q close to 1).
 */
export function bandQuantile(frame: Frame, x0: number, x1: number, q: number): number {
  const [H, W] = frame.shape;
  const px = frame.pixels;
  // need(n) = n − floor((n−1)q) top values are used; it never decreases with n, so keeping the
  // K = need(band size) largest values while counting the finite ones takes one pass.
  const nMax = H * Math.max(0, x1 - x0);
  if (nMax === 0) return NaN;
  const K = nMax - Math.floor((nMax - 1) * q);
  if (K > 4096) {
    let n = 0;
    for (let y = 0; y < H; y++) for (let x = x0; x < x1; x++) if (Number.isFinite(px[y * W + x]!)) n++;
    if (n === 0) return NaN;
    const h = (n - 1) * q, lo = Math.floor(h);
    const vals = new Float32Array(n);
    let k = 0;
    for (let y = 0; y < H; y++) for (let x = x0; x < x1; x++) { const v = px[y * W + x]!; if (Number.isFinite(v)) vals[k++] = v; }
    vals.sort();
    return vals[lo]! + (h - lo) * ((vals[Math.min(lo + 1, n - 1)]!) - vals[lo]!);
  }
  // The K largest finite values in an ascending buffer (−∞ = empty slot).
  const top = new Float64Array(K).fill(-Infinity);
  let n = 0;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = x0; x < x1; x++) {
      const v = px[row + x]!;
      if (!(v - v === 0)) continue;
      n++;
      if (v > top[0]!) insertTop(top, v);
    }
  }
  return n === 0 ? NaN : quantileFromTop(top, n, q);
}

/** Puts `v` (> top[0]) into the ascending buffer `top` of the largest values, dropping the smallest. */
function insertTop(top: Float64Array, v: number): void {
  const K = top.length;
  let j = 0;
  while (j + 1 < K && top[j + 1]! < v) { top[j] = top[j + 1]!; j++; }
  top[j] = v;
}

/**
 * numpy-style linear-interpolated quantile `q` of `n` values from the buffer of their largest ones
 * (enough of them: ranks lo..n−1 are the `need` largest, top[K − need] and top[K − need + 1]).
 */
function quantileFromTop(top: Float64Array, n: number, q: number): number {
  const K = top.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const need = n - lo;
  const a = top[K - need]!, b = need > 1 ? top[K - need + 1]! : a;
  return a + (h - lo) * (b - a);
}

/** Band pixel indices that may pass the COM threshold (grown on demand; one per thread). */
let candidates = new Int32Array(0);

/** Returns (x, y) of the thresholded centre of mass, NaN if no pixel passes the threshold. */
export function thresholdedCenterOfMass(frame: Frame, opts: ComOptions): { x: number; y: number } {
  const [H, W] = frame.shape;
  const x0 = Math.max(0, Math.floor((W - opts.xrng) / 2));
  const x1 = Math.min(W, Math.floor((W + opts.xrng) / 2));
  const px = frame.pixels;
  const thr = opts.threshold;
  const nMax = H * Math.max(0, x1 - x0);
  const K = nMax - Math.floor((nMax - 1) * (1 - 5e-5));
  let s = 0, sx = 0, sy = 0;
  if (thr > 0 && nMax > 0 && K <= 4096) {
    // One pass: the top-K quantile buffer of bandQuantile, and the pixels above thr × (current smallest
    // of the top K). The final threshold thr × quantile is ≥ that bound (the quantile is ≥ the final
    // smallest top value, which only grows), so every pixel passing it is a candidate; the sums then
    // run over the candidates in raster order, i.e. the same terms in the same order as a full pass.
    if (candidates.length < nMax) candidates = new Int32Array(nMax);
    const cand = candidates;
    const top = new Float64Array(K).fill(-Infinity);
    let bound = -Infinity; // thr × top[0]
    let n = 0, nc = 0;
    for (let y = 0; y < H; y++) {
      const row = y * W;
      for (let x = x0; x < x1; x++) {
        const v = px[row + x]!;
        if (v > bound) cand[nc++] = row + x;
        if (!(v - v === 0)) continue;
        n++;
        if (!(v > top[0]!)) continue;
        insertTop(top, v);
        bound = thr * top[0]!;
      }
    }
    if (n === 0) return { x: NaN, y: NaN };
    const t = thr * quantileFromTop(top, n, 1 - 5e-5);
    for (let k = 0; k < nc; k++) {
      const i = cand[k]!, v = px[i]!;
      if (v > t) { const y = Math.floor(i / W); s += v; sx += v * (i - y * W); sy += v * y; }
    }
  } else {
    const t = thr * bandQuantile(frame, x0, x1, 1 - 5e-5);
    for (let y = 0; y < H; y++) {
      const row = y * W;
      for (let x = x0; x < x1; x++) {
        const v = px[row + x]!;
        if (v > t) { s += v; sx += v * x; sy += v * y; }
      }
    }
  }
  if (!(s > 0)) return { x: NaN, y: NaN };
  return { x: sx / s, y: sy / s };
}
