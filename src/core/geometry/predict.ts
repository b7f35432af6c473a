/**
 * Spot prediction for a still shot (CrystFEL geometry.c conventions): Ewald sphere centred at (0,0,−1/λ),
 * excitation error `k − |q + (0,0,k)|` (nm⁻¹, positive inside the sphere), reflection kept if
 * |excitation error| < profile radius R, spot along k_in + q (see ./detector.ts).
 *
 * Partiality models (fraction of the full intensity recorded in a zero-bandwidth still):
 * - "sphere": slice area of a uniform sphere of radius R, p = 1 − (s/R)² — the narrow-bandwidth limit of
 *   CrystFEL's xsphere `sphere_fraction` (its derivative ∝ 6q(1−q) with q = (s+R)/2R).
 * - "gaussian": p = exp(−s²/2σ²) with σ = R/2.6 (CrystFEL `gaussian_fraction`).
 */
import type { ReciprocalBasis } from "./cell.ts";
import { realOfReciprocal } from "./cell.ts";
import { norm } from "./vec3.ts";
import { panelToScatteringVector, scatteringVectorToPanel, waveNumberNm, type DetectorPanel, type DetectorShift } from "./detector.ts";

export type PartialityModel = "sphere" | "gaussian";

export interface PredictOptions {
  readonly wavelengthAngstrom: number;
  /** Reciprocal-space profile radius R, nm⁻¹ (CrystFEL `profile_radius`). */
  readonly profileRadiusNm: number;
  /** Highest 1/d to predict, nm⁻¹ (default: whatever the panel reaches). */
  readonly maxInvDNm?: number;
  readonly partialityModel?: PartialityModel;
  /** Lab detector shift (m). */
  readonly shift?: DetectorShift;
  /**
   * Keep reflections with |excitation error| < cutoffFactor·R (default 1). CrystFEL 0.12.0 predicts out to
   * |s| < 1.7·R (CRYSTFEL_EXCITATION_CUTOFF, measured on the fixture stream); partiality is 0 beyond R for "sphere".
   */
  readonly cutoffFactor?: number;
  /** Keep only spots whose (corner-convention) position lies at least this far inside the panel (px). Default 0. */
  readonly edgeMarginPx?: number;
}

/** Predicted reflections, columnar. Positions in the CrystFEL corner convention (CXI = value − 0.5). */
export interface PredictedSpots {
  readonly count: number;
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  readonly fs: Float64Array;
  readonly ss: Float64Array;
  /** Excitation error, nm⁻¹ (positive = inside the Ewald sphere). */
  readonly excitationErrorNm: Float64Array;
  /** Partiality 0..1 (1 at zero excitation error). */
  readonly partiality: Float64Array;
  /** 1/d, nm⁻¹. */
  readonly invDNm: Float64Array;
}

/** CrystFEL 0.12.0 lists reflections with |excitation error| up to 1.7 × profile_radius (lyso_ed.stream: max 1.700). */
export const CRYSTFEL_EXCITATION_CUTOFF = 1.7;

/** Excitation error (nm⁻¹) of a scattering vector q (nm⁻¹): k − |q + (0,0,k)|. */
export function excitationErrorNm(qx: number, qy: number, qz: number, wavelengthAngstrom: number): number {
  const k = waveNumberNm(wavelengthAngstrom);
  return k - Math.sqrt(qx * qx + qy * qy + (qz + k) * (qz + k));
}

/** Partiality for an excitation error s and profile radius R (both nm⁻¹); 0 if |s| ≥ R. */
export function partialityFromExcitation(s: number, profileRadiusNm: number, model: PartialityModel = "sphere"): number {
  const x = s / profileRadiusNm;
  if (!(Math.abs(x) < 1)) return 0;
  if (model === "gaussian") return Math.exp(-0.5 * (2.6 * x) * (2.6 * x));
  return 1 - x * x;
}

/** Largest 1/d (nm⁻¹) reached anywhere on the panel (its corners and edge midpoints). */
export function panelMaxInvDNm(panel: DetectorPanel, wavelengthAngstrom: number, shift?: DetectorShift): number {
  let m = 0;
  for (const fs of [0, panel.nFs / 2, panel.nFs]) {
    for (const ss of [0, panel.nSs / 2, panel.nSs]) {
      m = Math.max(m, norm(panelToScatteringVector(panel, fs, ss, wavelengthAngstrom, shift)));
    }
  }
  return m;
}

/** All reflections of a crystal that are excited (|s| < cutoffFactor·R) and land on the panel. */
export function predictSpots(basis: ReciprocalBasis, panel: DetectorPanel, opts: PredictOptions): PredictedSpots {
  const lam = opts.wavelengthAngstrom;
  const R = opts.profileRadiusNm;
  if (!(R > 0) || !(lam > 0)) throw new Error(`predictSpots: invalid profile radius ${R} or wavelength ${lam}`);
  const model = opts.partialityModel ?? "sphere";
  const shift = opts.shift ?? { xM: 0, yM: 0 };
  const margin = opts.edgeMarginPx ?? 0;
  const sMax = R * (opts.cutoffFactor ?? 1);
  const k = waveNumberNm(lam);
  const qMax = Math.min(opts.maxInvDNm ?? Infinity, panelMaxInvDNm(panel, lam, shift));
  const real = realOfReciprocal(basis);
  const hMax = Math.ceil(qMax * norm(real[0])), kMax = Math.ceil(qMax * norm(real[1])), lMax = Math.ceil(qMax * norm(real[2]));
  const A = basis.astar, B = basis.bstar, C = basis.cstar;
  // on the sphere q_z = −|q|²/2k ∈ [−qMax²/2k, 0]; allow ±R around it
  const zLo = -(qMax * qMax) / (2 * k) - sMax, zHi = sMax;
  const out = { h: [] as number[], k: [] as number[], l: [] as number[], fs: [] as number[], ss: [] as number[], s: [] as number[], p: [] as number[], d: [] as number[] };
  const q2Max = qMax * qMax;
  for (let h = -hMax; h <= hMax; h++) {
    for (let kk = -kMax; kk <= kMax; kk++) {
      const bx = h * A[0] + kk * B[0], by = h * A[1] + kk * B[1], bz = h * A[2] + kk * B[2];
      let l0 = -lMax, l1 = lMax;
      if (Math.abs(C[2]) > 1e-12) {
        const a1 = (zLo - bz) / C[2], a2 = (zHi - bz) / C[2];
        l0 = Math.max(l0, Math.ceil(Math.min(a1, a2)));
        l1 = Math.min(l1, Math.floor(Math.max(a1, a2)));
      }
      for (let l = l0; l <= l1; l++) {
        if (h === 0 && kk === 0 && l === 0) continue;
        const qx = bx + l * C[0], qy = by + l * C[1], qz = bz + l * C[2];
        const q2 = qx * qx + qy * qy + qz * qz;
        if (q2 > q2Max) continue;
        const s = k - Math.sqrt(qx * qx + qy * qy + (qz + k) * (qz + k));
        if (!(Math.abs(s) < sMax)) continue;
        const pos = scatteringVectorToPanel(panel, [qx, qy, qz], lam, shift);
        if (!pos) continue;
        if (pos.fs < margin || pos.ss < margin || pos.fs > panel.nFs - margin || pos.ss > panel.nSs - margin) continue;
        out.h.push(h); out.k.push(kk); out.l.push(l);
        out.fs.push(pos.fs); out.ss.push(pos.ss);
        out.s.push(s); out.p.push(partialityFromExcitation(s, R, model)); out.d.push(Math.sqrt(q2));
      }
    }
  }
  return {
    count: out.h.length,
    h: Int32Array.from(out.h), k: Int32Array.from(out.k), l: Int32Array.from(out.l),
    fs: Float64Array.from(out.fs), ss: Float64Array.from(out.ss),
    excitationErrorNm: Float64Array.from(out.s), partiality: Float64Array.from(out.p), invDNm: Float64Array.from(out.d),
  };
}
