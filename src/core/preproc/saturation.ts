/**
 * Saturation correction for a paralyzable counter (Medipix3 dead time), ../shared/spec/preprocessing.md §3.
 * Measured m = n·exp(−n·τ); inverted with the 5th-order series of Lambert W as diffractem does.
 */

/** Dead-time model parameters. Times in ms. */
export interface SaturationOptions {
  /** Dead time τ in ms (diffractem `dead_time`, default 1.9e-3). */
  readonly deadTimeMs: number;
  /** Exposure the counts were collected over, in ms (`shutter_time`; for aggregated frames the total). */
  readonly shutterTimeMs: number;
  /** τ multiplier for gap pixels (`dead_time_gap_factor`). */
  readonly gapFactor: number;
}

/** Corrected counts for one pixel: −W5(−s·c)/s with s = τ/T (c < 0 or NaN returned unchanged). */
export function saturationCorrect(counts: number, s: number): number {
  if (!(counts > 0)) return counts;
  const x = s * counts;
  return counts * (1 + x * (1 + x * (1.5 + x * (8 / 3 + x * (125 / 24)))));
}

/**
 * Applies the correction to a frame in place (or into `out`). `gapMask` (1 = gap pixel) multiplies τ by
 * the gap factor. Shape checks are the caller's (same length arrays).
 */
export function applySaturationCorrection(
  pixels: Float32Array, opts: SaturationOptions, gapMask: Uint8Array | null = null, out: Float32Array = pixels,
): Float32Array {
  if (!(opts.shutterTimeMs > 0)) throw new Error(`saturation correction: shutter time must be > 0 ms, got ${opts.shutterTimeMs}`);
  if (gapMask && gapMask.length !== pixels.length) throw new Error("saturation correction: gap mask size differs from the frame");
  const s = opts.deadTimeMs / opts.shutterTimeMs;
  const sg = s * opts.gapFactor;
  for (let i = 0; i < pixels.length; i++) {
    out[i] = saturationCorrect(pixels[i]!, gapMask !== null && gapMask[i] !== 0 ? sg : s);
  }
  return out;
}
