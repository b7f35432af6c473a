/**
 * "xsphere"-like partiality: each reciprocal-lattice point is a sphere of radius R (the crystal's
 * profile radius); for a monochromatic beam the recorded fraction is proportional to the area of the
 * sphere's cross-section with the Ewald sphere at distance x (the excitation error) from its centre,
 * normalised to 1 at x = 0: p = 1 − (x/R)² for |x| < R, else 0.
 * A simple post-refinement adjusts R per crystal (scan of a radius multiplier against the reference).
 */
import type { MergeAccumulator, PreparedObservations, ScaleModel } from "./merge-engine.ts";

/** Partiality of one observation (see module doc). */
export function xspherePartiality(excitationErrorInvNm: number, radiusInvNm: number): number {
  if (!(radiusInvNm > 0) || !Number.isFinite(excitationErrorInvNm)) return 1;
  const u = excitationErrorInvNm / radiusInvNm;
  return u * u < 1 ? 1 - u * u : 0;
}

/** Fills model.partiality from excitation errors and per-crystal radii (nm⁻¹). */
export function computePartialities(prep: PreparedObservations, model: ScaleModel, radiusInvNm: Float64Array): void {
  const { crystal, excitationErrorInvNm } = prep.obs;
  for (let i = 0; i < prep.obs.count; i++) model.partiality[i] = xspherePartiality(excitationErrorInvNm[i]!, radiusInvNm[crystal[i]!]!);
}

/**
 * Post-refinement of the profile radius: for each crystal, tries R·f for f in `factors` and keeps the
 * value minimising Σ (I_obs − G e^{−Bs²} p I_ref)² over observations with a reference (n ≥ 2) and
 * p > 0.05; the scale G is re-fitted in closed form for each trial. Updates `radiusInvNm` and partialities.
 */
export function refineRadii(prep: PreparedObservations, model: ScaleModel, ref: MergeAccumulator, radiusInvNm: Float64Array, factors: readonly number[] = [0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2]): void {
  const nc = prep.nCrystals;
  const start = new Int32Array(nc + 1);
  for (let i = 0; i < prep.obs.count; i++) start[prep.obs.crystal[i]! + 1]!++;
  for (let c = 0; c < nc; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const order = new Int32Array(prep.obs.count);
  const fill = start.slice(0, nc);
  for (let i = 0; i < prep.obs.count; i++) order[fill[prep.obs.crystal[i]!]!++] = i;
  for (let c = 0; c < nc; c++) {
    if (model.included[c] !== 1 || !(radiusInvNm[c]! > 0)) continue;
    let best = Number.POSITIVE_INFINITY, bestR = radiusInvNm[c]!;
    for (const f of factors) {
      const r = radiusInvNm[c]! * f;
      let sxy = 0, sxx = 0, syy = 0, n = 0;
      for (let j = start[c]!; j < start[c + 1]!; j++) {
        const i = order[j]!;
        const rid = prep.refId[i]!;
        if (ref.n[rid]! < 2) continue;
        const p = xspherePartiality(prep.obs.excitationErrorInvNm[i]!, r);
        const model_ = Math.exp(-model.bFactorA2[c]! * prep.sSqA2[i]!) * p * ref.mean[rid]!;
        const y = prep.obs.intensity[i]!;
        const w = 1 / Math.max(prep.obs.sigma[i]! ** 2, 1e-6);
        sxy += w * model_ * y; sxx += w * model_ * model_; syy += w * y * y; n++;
      }
      if (n < 10 || sxx <= 0) continue;
      const resid = syy - (sxy * sxy) / sxx;
      if (resid < best) {
        best = resid;
        bestR = r;
      }
    }
    radiusInvNm[c] = bestR;
  }
  computePartialities(prep, model, radiusInvNm);
}
