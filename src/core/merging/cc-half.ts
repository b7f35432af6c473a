/**
 * CC½ by the σ-τ method (Assmann, Brehm & Diederichs 2016) as partialator's rejection step computes
 * it (rejection.c calculate_cchalf): σ²_ε is the mean over reflections (≥ 2 measurements) of the
 * variance of a half-set mean, s²/(n/2) with the sample variance s², σ²_y the sample variance of the
 * merged means, CC½ = (σ²_y − σ²_ε/2)/(σ²_y + σ²_ε/2).
 * Per-crystal ΔCC½ is evaluated over the crystal's own reflections ("template"), as partialator does.
 */
import type { MergeAccumulator, PreparedObservations, ScaleModel } from "./merge-engine.ts";

interface SigmaTauSums {
  sumMean: number;
  sumMean2: number;
  sumVarMean: number;
  n: number;
}

function contribution(n: number, mean: number, m2: number, s: SigmaTauSums, sign: number): void {
  if (n < 2) return;
  s.sumMean += sign * mean;
  s.sumMean2 += sign * mean * mean;
  s.sumVarMean += (sign * (m2 / (n - 1))) / (n / 2);
  s.n += sign;
}

function ccFromSums(s: SigmaTauSums): number {
  if (s.n < 2) return Number.NaN;
  const sig2Y = (s.sumMean2 - (s.sumMean * s.sumMean) / s.n) / (s.n - 1);
  const sig2E = s.sumVarMean / s.n;
  return (sig2Y - 0.5 * sig2E) / (sig2Y + 0.5 * sig2E);
}

/** σ-τ CC½ over reflections with at least two observations; also returns that reflection count. */
export function sigmaTauCcHalf(acc: MergeAccumulator): { ccHalf: number; nref: number } {
  const s: SigmaTauSums = { sumMean: 0, sumMean2: 0, sumVarMean: 0, n: 0 };
  for (let r = 0; r < acc.n.length; r++) contribution(acc.n[r]!, acc.mean[r]!, (acc.m2[r]! * acc.n[r]!) / acc.w[r]!, s, 1);
  return { ccHalf: ccFromSums(s), nref: s.n };
}

/**
 * ΔCC½ of every crystal: CC½(all) − CC½(all but this crystal), both over the reflections this crystal
 * measured, computed by removing the crystal's corrected observations from the Welford sums. NaN for
 * excluded crystals.
 */
export function deltaCcHalf(prep: PreparedObservations, model: ScaleModel, acc: MergeAccumulator, minPartiality: number, weightByPartiality = false): Float64Array {
  // observations grouped by crystal
  const nc = prep.nCrystals;
  const start = new Int32Array(nc + 1);
  for (let i = 0; i < prep.obs.count; i++) start[prep.obs.crystal[i]! + 1]!++;
  for (let c = 0; c < nc; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const order = new Int32Array(prep.obs.count);
  const fill = start.slice(0, nc);
  for (let i = 0; i < prep.obs.count; i++) order[fill[prep.obs.crystal[i]!]!++] = i;
  const out = new Float64Array(nc).fill(Number.NaN);
  const touchedN = new Map<number, [number, number, number, number]>();
  for (let c = 0; c < nc; c++) {
    if (model.included[c] !== 1) continue;
    touchedN.clear();
    for (let j = start[c]!; j < start[c + 1]!; j++) {
      const i = order[j]!;
      const p = model.partiality[i]!;
      if (!(p >= minPartiality) || p <= 0) continue;
      const x = prep.obs.intensity[i]! / (model.scale[c]! * Math.exp(-model.bFactorA2[c]! * prep.sSqA2[i]!) * p);
      if (!Number.isFinite(x)) continue;
      const r = prep.refId[i]!;
      const cur = touchedN.get(r) ?? [acc.n[r]!, acc.w[r]!, acc.mean[r]!, acc.m2[r]!];
      const [n, sw, mean, m2] = cur;
      const w = weightByPartiality ? p * p : 1;
      // reverse (weighted) Welford step
      if (n <= 1 || sw - w <= 0) touchedN.set(r, [0, 0, 0, 0]);
      else {
        const meanOld = (sw * mean - w * x) / (sw - w);
        touchedN.set(r, [n - 1, sw - w, meanOld, Math.max(0, m2 - w * (x - meanOld) * (x - mean))]);
      }
    }
    const with_: SigmaTauSums = { sumMean: 0, sumMean2: 0, sumVarMean: 0, n: 0 };
    const without: SigmaTauSums = { sumMean: 0, sumMean2: 0, sumVarMean: 0, n: 0 };
    for (const [r, [n, sw, mean, m2]] of touchedN) {
      contribution(acc.n[r]!, acc.mean[r]!, (acc.m2[r]! * acc.n[r]!) / acc.w[r]!, with_, 1);
      contribution(n, mean, sw > 0 ? (m2 * n) / sw : 0, without, 1);
    }
    out[c] = ccFromSums(with_) - ccFromSums(without);
  }
  return out;
}

/**
 * Crystals to reject (partialator check_deltacchalf): ΔCC½ more than two standard deviations below
 * the mean ΔCC½ (mean and sd over all crystals; already-rejected crystals count with ΔCC½ = 0).
 */
export function badCrystalsByDeltaCcHalf(delta: Float64Array, included: Uint8Array): { bad: number[]; mean: number; sd: number } {
  const vals: number[] = [];
  for (let c = 0; c < delta.length; c++) vals.push(included[c] === 1 && Number.isFinite(delta[c]!) ? delta[c]! : 0);
  const mean = vals.reduce((a, b) => a + b, 0) / Math.max(1, vals.length);
  const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, vals.length - 1));
  const bad: number[] = [];
  for (let c = 0; c < delta.length; c++) {
    if (included[c] !== 1) continue;
    const d = delta[c]!;
    if (Number.isFinite(d) && d < mean - 2 * sd) bad.push(c);
  }
  return { bad, mean, sd };
}
