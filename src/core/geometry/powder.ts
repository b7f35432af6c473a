/**
 * Virtual powder pattern and pair-distance histogram of found peaks (preprocessing.md §11), and
 * peak picking on such curves. Peak offsets are ellipticity-corrected pixels from the pattern centre;
 * 1/d in nm⁻¹ (s = 10/d[Å]).
 */

/** 1/d (nm⁻¹) of peaks at corrected offsets: 2θ = atan(pxs·r/L), d = λ/(2 sin θ). */
export function peakInvDNm(x: ArrayLike<number>, y: ArrayLike<number>, n: number, pixelSizeM: number, clenM: number, wavelengthA: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const twoTheta = Math.atan((pixelSizeM * Math.hypot(x[i]!, y[i]!)) / clenM);
    out[i] = (10 * 2 * Math.sin(twoTheta / 2)) / wavelengthA;
  }
  return out;
}

/** A 1-D histogram curve: bin centres and values. */
export interface Curve {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export function histogram1d(values: ArrayLike<number>, n: number, min: number, max: number, nBins: number): Curve {
  const y = new Float64Array(nBins), w = (max - min) / nBins;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((values[i]! - min) / w);
    if (b >= 0 && b < nBins) y[b] = y[b]! + 1;
  }
  return { x: Float64Array.from({ length: nBins }, (_, i) => min + (i + 0.5) * w), y };
}

/**
 * Pair-distance histogram: |p_i − p_j| over all peak pairs within each pattern, converted to nm⁻¹
 * (small angle: Δs = Δr·pxs/(L·λ), the separation of two lattice points), summed over patterns.
 * `patternStart` (length nPatterns + 1) gives each pattern's slice of x/y.
 */
export function pairDistanceHistogram(x: ArrayLike<number>, y: ArrayLike<number>, patternStart: ArrayLike<number>, pixelSizeM: number, clenM: number, wavelengthA: number, maxInvNm: number, nBins: number): Curve {
  const k = (pixelSizeM / clenM) / (wavelengthA / 10); // nm⁻¹ per px
  const maxPx = maxInvNm / k;
  const h = new Float64Array(nBins), w = maxInvNm / nBins;
  for (let p = 0; p + 1 < patternStart.length; p++) {
    const a = patternStart[p]!, b = patternStart[p + 1]!;
    for (let i = a; i < b; i++) for (let j = i + 1; j < b; j++) {
      const d = Math.hypot(x[i]! - x[j]!, y[i]! - y[j]!);
      if (d >= maxPx) continue;
      const bin = Math.floor((d * k) / w);
      h[bin] = h[bin]! + 1;
    }
  }
  return { x: Float64Array.from({ length: nBins }, (_, i) => (i + 0.5) * w), y: h };
}

/** Gaussian smoothing (σ in bins). */
export function smoothCurve(c: Curve, sigmaBins: number): Curve {
  const r = Math.ceil(3 * sigmaBins), ker = Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-((k - r) ** 2) / (2 * sigmaBins * sigmaBins)));
  const y = new Float64Array(c.y.length);
  for (let i = 0; i < y.length; i++) {
    let s = 0, ws = 0;
    for (let k = 0; k < ker.length; k++) { const j = i + k - r; if (j >= 0 && j < y.length) { s += ker[k]! * c.y[j]!; ws += ker[k]!; } }
    y[i] = s / ws;
  }
  return { x: c.x, y };
}

/**
 * Local maxima whose prominence (height above the higher of the two neighbouring minima) is at
 * least `minProminence` × the curve maximum; positions refined by a parabola through 3 bins.
 */
export function findCurvePeaks(c: Curve, minProminence: number): { position: Float64Array; prominence: Float64Array } {
  const y = c.y, n = y.length;
  let ymax = 0;
  for (const v of y) ymax = Math.max(ymax, v);
  const pos: number[] = [], prom: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    if (!(y[i]! > y[i - 1]! && y[i]! >= y[i + 1]!)) continue;
    let lmin = y[i]!, rmin = y[i]!;
    for (let j = i - 1; j >= 0 && y[j]! <= y[i]!; j--) lmin = Math.min(lmin, y[j]!);
    for (let j = i + 1; j < n && y[j]! <= y[i]!; j++) rmin = Math.min(rmin, y[j]!);
    const p = y[i]! - Math.max(lmin, rmin);
    if (p < minProminence * ymax) continue;
    const den = y[i - 1]! - 2 * y[i]! + y[i + 1]!;
    const f = den < 0 ? (0.5 * (y[i - 1]! - y[i + 1]!)) / den : 0;
    const dx = c.x[1]! - c.x[0]!;
    pos.push(c.x[i]! + f * dx);
    prom.push(p);
  }
  return { position: Float64Array.from(pos), prominence: Float64Array.from(prom) };
}
