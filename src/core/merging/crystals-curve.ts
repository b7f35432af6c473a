/**
 * Statistics as a function of the number of crystals merged: merges the first N crystals (stream
 * order, like partialator --stop-after) for several N and reports overall CC½ (half-sets by crystal),
 * CC*, completeness, multiplicity and I/σ, and the same for the highest-resolution shell.
 */
import type { UnitCell } from "../geometry/cell.ts";
import type { PointGroup } from "../symmetry/point-groups.ts";
import type { SpaceGroup } from "../symmetry/space-groups.ts";
import { mergeObservations, type MergeOptions } from "./merge-pipeline.ts";
import { checkHklStats, compareHklStats } from "./merge-stats.ts";
import type { CrystalInputs, Observations } from "./observations.ts";

export interface CrystalsCurvePoint {
  readonly crystals: number;
  readonly uniqueReflections: number;
  readonly completeness: number;
  readonly multiplicity: number;
  readonly meanIOverSigma: number;
  readonly ccHalf: number;
  readonly ccStar: number;
  readonly rsplit: number;
  /** Highest-resolution shell values. */
  readonly highShell: { readonly completeness: number; readonly ccHalf: number; readonly meanIOverSigma: number };
}

/** Default subset sizes: about `steps` sizes evenly spread up to the crystal count. */
export function defaultCurveSizes(nCrystals: number, steps = 8): number[] {
  const out = new Set<number>();
  for (let i = 1; i <= steps; i++) out.add(Math.max(2, Math.round((nCrystals * i) / steps)));
  return [...out].filter((n) => n <= nCrystals).sort((a, b) => a - b);
}

/** Keeps only observations of crystals < n (observations are in crystal order or not; filtered by index). */
export function firstCrystals(obs: Observations, n: number): Observations {
  let m = 0;
  for (let i = 0; i < obs.count; i++) if (obs.crystal[i]! < n) m++;
  const pick = new Int32Array(m);
  for (let i = 0, j = 0; i < obs.count; i++) if (obs.crystal[i]! < n) pick[j++] = i;
  const take = <T extends Int32Array | Float64Array>(col: T): T => {
    const out = new (col.constructor as new (n: number) => T)(m);
    for (let j = 0; j < m; j++) out[j] = col[pick[j]!]!;
    return out;
  };
  return { count: m, crystal: take(obs.crystal), h: take(obs.h), k: take(obs.k), l: take(obs.l), intensity: take(obs.intensity), sigma: take(obs.sigma), invDNm: take(obs.invDNm), excitationErrorInvNm: take(obs.excitationErrorInvNm) };
}

export function crystalsCurve(obs: Observations, crystals: CrystalInputs, merge: MergeOptions, cell: UnitCell, pg: PointGroup, sizes: readonly number[], shells: { nShells?: number; rminInvNm?: number; rmaxInvNm?: number; spaceGroup?: SpaceGroup } = {}): CrystalsCurvePoint[] {
  const out: CrystalsCurvePoint[] = [];
  for (const n of sizes) {
    const sub = firstCrystals(obs, n);
    const res = mergeObservations(sub, crystals, merge);
    if (res.merged.count === 0) continue;
    const st = checkHklStats(res.merged, cell, pg, shells);
    let cmp: ReturnType<typeof compareHklStats> | null;
    try {
      cmp = compareHklStats(res.half1, res.half2, cell, { ...shells, ...(shells.rminInvNm === undefined ? { rminInvNm: st.overall.minInvNm } : {}), ...(shells.rmaxInvNm === undefined ? { rmaxInvNm: st.overall.maxInvNm } : {}) });
    } catch {
      cmp = null;
    }
    const hs = st.shells[st.shells.length - 1]!;
    const hc = cmp?.shells[cmp.shells.length - 1];
    out.push({
      crystals: n,
      uniqueReflections: st.overall.nref,
      completeness: st.overall.completeness,
      multiplicity: st.overall.multiplicity,
      meanIOverSigma: st.overall.meanIOverSigma,
      ccHalf: cmp?.overall.cc ?? Number.NaN,
      ccStar: cmp?.overall.ccStar ?? Number.NaN,
      rsplit: cmp?.overall.rsplit ?? Number.NaN,
      highShell: { completeness: hs.completeness, ccHalf: hc?.cc ?? Number.NaN, meanIOverSigma: hs.meanIOverSigma },
    });
  }
  return out;
}
