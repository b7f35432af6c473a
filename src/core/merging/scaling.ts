/**
 * Per-crystal scaling against a merged reference (partialator scale_one_crystal style): a weighted
 * linear fit of ln(I_obs/p) − ln(I_ref) = ln G − B s² over strong observations (I > 3σ(I)) whose
 * reference was measured at least twice and is positive (as partialator's scale_iterate; partialator
 * also holds out random "free" reflections, which we do not). Then B is made relative (mean 0)
 * and G normalised to a geometric mean of 1.
 */
import type { MergeAccumulator, PreparedObservations, ScaleModel } from "./merge-engine.ts";

export interface ScaleFitOptions {
  /** Refine the relative B factor (default true); otherwise only G. */
  readonly bScale?: boolean;
  /** An observation enters the fit only if I > minIOverSigma·σ(I) (default 3, as partialator). */
  readonly minIOverSigma?: number;
  /** Minimum partiality of an observation to enter the fit (default 0.3). */
  readonly minPartiality?: number;
  /** |B| larger than this (Å²) flags the crystal as diverged (default 100). */
  readonly maxAbsB?: number;
}

/** Result of one scaling pass: updated model in place; returns the crystals that could not be scaled. */
export function scaleCrystals(prep: PreparedObservations, model: ScaleModel, ref: MergeAccumulator, opts: ScaleFitOptions = {}): { failed: number[]; logResidual: number } {
  const nc = prep.nCrystals;
  const bScale = opts.bScale ?? true;
  const minIs = opts.minIOverSigma ?? 3;
  const minP = opts.minPartiality ?? 0.3;
  const maxB = opts.maxAbsB ?? 100;
  // sums for per-crystal weighted least squares, y = c0 + c1 x
  const sw = new Float64Array(nc), sx = new Float64Array(nc), sy = new Float64Array(nc), sxx = new Float64Array(nc), sxy = new Float64Array(nc), syy = new Float64Array(nc);
  const { crystal, intensity, sigma } = prep.obs;
  for (let i = 0; i < prep.obs.count; i++) {
    const c = crystal[i]!;
    if (model.included[c] !== 1) continue;
    const r = prep.refId[i]!;
    if (ref.n[r]! < 2) continue;
    const iref = ref.mean[r]!;
    const p = model.partiality[i]!;
    if (!(p >= minP)) continue;
    const iobs = intensity[i]! / p;
    if (!(iref > 0) || !(iobs > 0)) continue;
    if (intensity[i]! <= minIs * sigma[i]!) continue;
    const x = prep.sSqA2[i]!;
    const y = Math.log(iobs) - Math.log(iref);
    sw[c] = sw[c]! + 1; sx[c] = sx[c]! + x; sy[c] = sy[c]! + y; sxx[c] = sxx[c]! + x * x; sxy[c] = sxy[c]! + x * y; syy[c] = syy[c]! + y * y;
  }
  const failed: number[] = [];
  let logResidual = 0;
  for (let c = 0; c < nc; c++) {
    if (model.included[c] !== 1) continue;
    const n = sw[c]!;
    if (n < 2) {
      failed.push(c);
      continue;
    }
    let c0: number, c1: number;
    const det = n * sxx[c]! - sx[c]! * sx[c]!;
    if (bScale && det > 1e-12 * n * n) {
      c1 = (n * sxy[c]! - sx[c]! * sy[c]!) / det;
      c0 = (sy[c]! - c1 * sx[c]!) / n;
    } else {
      c1 = 0;
      c0 = sy[c]! / n;
    }
    const b = -c1;
    if (!Number.isFinite(c0) || !Number.isFinite(b) || Math.abs(b) > maxB) {
      failed.push(c);
      continue;
    }
    model.scale[c] = Math.exp(c0);
    model.bFactorA2[c] = b;
    // residual Σ (y − c0 − c1 x)²
    logResidual += syy[c]! - 2 * c0 * sy[c]! - 2 * c1 * sxy[c]! + n * c0 * c0 + 2 * c0 * c1 * sx[c]! + c1 * c1 * sxx[c]!;
  }
  normaliseScales(model);
  return { failed, logResidual };
}

/** Mean relative B of included crystals → 0, geometric mean of G → 1. */
export function normaliseScales(model: ScaleModel): void {
  let sb = 0, sg = 0, n = 0;
  for (let c = 0; c < model.scale.length; c++) {
    if (model.included[c] !== 1) continue;
    sb += model.bFactorA2[c]!;
    sg += Math.log(model.scale[c]!);
    n++;
  }
  if (n === 0) return;
  const mb = sb / n, mg = Math.exp(sg / n);
  for (let c = 0; c < model.scale.length; c++) {
    model.bFactorA2[c] = model.bFactorA2[c]! - mb;
    model.scale[c] = model.scale[c]! / mg;
  }
}
