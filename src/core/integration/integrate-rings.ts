/**
 * Summation integration in rings, like CrystFEL's `--integration=rings-nograd-nocen
 * --int-radius=inner,middle,outer`: pixels whose centre lies within `inner` px of the predicted
 * position form the peak, pixels between `middle` and `outer` px the background annulus.
 * I = Σ_peak (v − b̄), b̄ = mean of the annulus; σ²(I) = Σ_peak max(v, 0)/adu (counting statistics of
 * the peak pixels) + n_peak²·var(annulus)/n_bg (uncertainty of the background level), in counts².
 * Dead/masked pixels (mask ≠ 0, NaN, the integer marker −1) are excluded (background-subtracted
 * float frames may legitimately go negative); a reflection with an
 * excluded or saturated pixel in its peak region, or too few background pixels, is rejected.
 * Positions are in CORNER convention (pixel (fs, ss) has its centre at fs + 0.5, ss + 0.5).
 */
import type { Frame } from "../image/frame.ts";

export interface RingOptions {
  /** Peak radius, background annulus inner/outer radius, px (CrystFEL --int-radius=3,4,6). */
  readonly innerPx: number;
  readonly middlePx: number;
  readonly outerPx: number;
  /** Pixel values ≥ this are saturated (default: none). */
  readonly saturationValue?: number;
  /** Detector units per electron (CrystFEL adu_per_photon), default 1. */
  readonly aduPerCount?: number;
  /** Minimum background pixels (default 10). */
  readonly minBackgroundPixels?: number;
}

export const defaultRingOptions: RingOptions = { innerPx: 3, middlePx: 4, outerPx: 6 };

/** Integration result per input position, columnar; `ok[i]` = 0 where the reflection was rejected. */
export interface RingIntegration {
  readonly count: number;
  readonly ok: Uint8Array;
  readonly intensity: Float64Array;
  readonly sigma: Float64Array;
  /** Highest pixel value in the peak region. */
  readonly peak: Float64Array;
  /** Mean background per pixel. */
  readonly background: Float64Array;
  /** Reason codes: 0 ok, 1 off panel, 2 bad pixel in peak, 3 saturated, 4 too little background. */
  readonly reason: Uint8Array;
}

/**
 * Integrates reflections at (fs, ss) (corner convention) on one frame. `mask` (optional, same
 * shape, row-major) marks bad pixels with non-zero.
 */
export function integrateRings(frame: Frame, fs: ArrayLike<number>, ss: ArrayLike<number>, n: number, o: RingOptions = defaultRingOptions, mask?: Uint8Array): RingIntegration {
  const [nSs, nFs] = frame.shape;
  const px = frame.pixels;
  if (px.length !== nSs * nFs) throw new Error(`integration: frame has ${px.length} pixels, shape says ${nSs}×${nFs}`);
  if (mask && mask.length !== px.length) throw new Error(`integration: mask has ${mask.length} pixels, frame ${px.length}`);
  if (!(o.innerPx > 0 && o.middlePx >= o.innerPx && o.outerPx > o.middlePx)) throw new Error(`integration: need 0 < inner ≤ middle < outer radii, got ${o.innerPx},${o.middlePx},${o.outerPx}`);
  const sat = o.saturationValue ?? Infinity;
  const adu = o.aduPerCount ?? 1;
  const minBg = o.minBackgroundPixels ?? 10;
  const r1 = o.innerPx * o.innerPx, r2 = o.middlePx * o.middlePx, r3 = o.outerPx * o.outerPx;
  const R = Math.ceil(o.outerPx);
  const ok = new Uint8Array(n), reason = new Uint8Array(n);
  const I = new Float64Array(n), S = new Float64Array(n), P = new Float64Array(n), BG = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const cf = fs[t]! - 0.5, cs = ss[t]! - 0.5; // pixel-centre coordinates of the spot
    const if0 = Math.round(cf), is0 = Math.round(cs);
    if (!(if0 - R >= 0 && is0 - R >= 0 && if0 + R < nFs && is0 + R < nSs)) { reason[t] = 1; continue; }
    let nb = 0, sb = 0, sb2 = 0, np = 0, sp = 0, pk = -Infinity, bad = 0, satd = 0;
    for (let dy = -R; dy <= R; dy++) {
      const y = is0 + dy, ddy = y - cs;
      const row = y * nFs;
      for (let dx = -R; dx <= R; dx++) {
        const x = if0 + dx, ddx = x - cf;
        const d2 = ddx * ddx + ddy * ddy;
        if (d2 > r3) continue;
        const inPeak = d2 <= r1;
        const inBg = d2 >= r2;
        if (!inPeak && !inBg) continue;
        const v = px[row + x]!;
        const isBad = !Number.isFinite(v) || v === -1 || (mask !== undefined && mask[row + x] !== 0);
        if (inPeak) {
          if (isBad) { bad++; continue; }
          if (v >= sat) satd++;
          np++; sp += v;
          if (v > pk) pk = v;
        } else if (!isBad && v < sat) {
          nb++; sb += v; sb2 += v * v;
        }
      }
    }
    if (bad > 0) { reason[t] = 2; continue; }
    if (satd > 0) { reason[t] = 3; continue; }
    if (nb < minBg) { reason[t] = 4; continue; }
    const bMean = sb / nb;
    const bVar = Math.max(sb2 / nb - bMean * bMean, 0);
    I[t] = sp - np * bMean;
    S[t] = Math.sqrt(Math.max(sp, 0) / adu + (np * np * bVar) / nb);
    P[t] = pk;
    BG[t] = bMean;
    ok[t] = 1;
  }
  return { count: n, ok, intensity: I, sigma: S, peak: P, background: BG, reason };
}
