/**
 * Core merging kernels on typed arrays: symmetry reduction of observations to dense reflection ids,
 * running-mean (Welford) merging with per-observation correction factors, conversion to a reflection
 * list. Correction model (as partialator): I' = I / (G · exp(−B s²) · p), s = 1/(2d) in Å⁻¹.
 */
import type { PointGroup } from "../symmetry/point-groups.ts";
import { denseIds, packHkl, unpackHkl, type Observations, type ReflectionList } from "./observations.ts";

/** Observations reduced to the asymmetric unit. */
export interface PreparedObservations {
  readonly obs: Observations;
  /** Dense reflection id per observation. */
  readonly refId: Int32Array;
  /** Packed asymmetric-unit key per reflection id (see packHkl). */
  readonly refKeys: Int32Array;
  readonly nRef: number;
  readonly nCrystals: number;
  /** s² = (1/2d)² in Å⁻² per observation. */
  readonly sSqA2: Float64Array;
}

/** Per-crystal scale model and per-observation partiality. */
export interface ScaleModel {
  /** Linear scale factor G per crystal (I_obs = G·exp(−B s²)·p·I_full). */
  readonly scale: Float64Array;
  /** Relative B factor per crystal, Å². */
  readonly bFactorA2: Float64Array;
  /** 1 = crystal used, 0 = rejected. */
  readonly included: Uint8Array;
  /** Partiality per observation (1 for the unity model). */
  readonly partiality: Float64Array;
}

/** Per-reflection running sums of the corrected observations. */
export interface MergeAccumulator {
  readonly n: Int32Array;
  /** Σ weights (= n without partiality weighting). */
  readonly w: Float64Array;
  readonly mean: Float64Array;
  /** Σ w (x − mean)², weighted Welford. */
  readonly m2: Float64Array;
}

export function prepareObservations(obs: Observations, pg: PointGroup): PreparedObservations {
  const n = obs.count;
  const keys = new Int32Array(n);
  let nCrystals = 0;
  const sSqA2 = new Float64Array(n);
  const o = Array.from(pg.ops);
  const nOps = pg.count;
  const { h: H, k: K, l: L, crystal, invDNm } = obs;
  for (let i = 0; i < n; i++) {
    // inlined asymmetricIndex (CrystFEL get_asymm order): hot loop over 10⁶ observations
    const h = H[i]!, k = K[i]!, l = L[i]!;
    let bh = h, bk = k, bl = l;
    let bNeg = h < 0 || k < 0 || l < 0;
    for (let p = 0, b = 0; p < nOps; p++, b += 9) {
      const nh = h * o[b]! + k * o[b + 3]! + l * o[b + 6]!;
      const nk = h * o[b + 1]! + k * o[b + 4]! + l * o[b + 7]!;
      const nl = h * o[b + 2]! + k * o[b + 5]! + l * o[b + 8]!;
      const neg = nh < 0 || nk < 0 || nl < 0;
      if (neg && !bNeg) continue;
      if ((bNeg && !neg) || nh > bh || (nh === bh && (nk > bk || (nk === bk && nl > bl)))) {
        bh = nh; bk = nk; bl = nl; bNeg = neg;
      }
    }
    keys[i] = packHkl(bh, bk, bl);
    const c = crystal[i]!;
    if (c >= nCrystals) nCrystals = c + 1;
    const s = invDNm[i]! / 20;
    sSqA2[i] = s * s;
  }
  const { ids, unique } = denseIds(keys);
  return { obs, refId: ids, refKeys: unique, nRef: unique.length, nCrystals, sSqA2 };
}

export function unityModel(prep: PreparedObservations): ScaleModel {
  return {
    scale: new Float64Array(prep.nCrystals).fill(1),
    bFactorA2: new Float64Array(prep.nCrystals),
    included: new Uint8Array(prep.nCrystals).fill(1),
    partiality: new Float64Array(prep.obs.count).fill(1),
  };
}

/** Corrected intensity of observation i, or NaN if it must not be merged. */
export function correctedIntensity(prep: PreparedObservations, model: ScaleModel, i: number, minPartiality: number): number {
  const c = prep.obs.crystal[i]!;
  const p = model.partiality[i]!;
  if (!(p >= minPartiality)) return Number.NaN;
  return prep.obs.intensity[i]! / (model.scale[c]! * Math.exp(-model.bFactorA2[c]! * prep.sSqA2[i]!) * p);
}

/**
 * Merges observations of the crystals selected by `crystalMask` (default: model.included) with the
 * given scale model. Observations outside [lowInvNm, highInvNm] or with partiality < minPartiality are skipped.
 */
export function accumulate(prep: PreparedObservations, model: ScaleModel, opts: { crystalMask?: Uint8Array; minPartiality?: number; lowInvNm?: number; highInvNm?: number; weightByPartiality?: boolean } = {}): MergeAccumulator {
  const weighted = opts.weightByPartiality === true;
  const mask = opts.crystalMask ?? model.included;
  const minP = opts.minPartiality ?? 0;
  const lo = opts.lowInvNm ?? 0;
  const hi = opts.highInvNm ?? Number.POSITIVE_INFINITY;
  const n = new Int32Array(prep.nRef);
  const sw = new Float64Array(prep.nRef);
  const mean = new Float64Array(prep.nRef);
  const m2 = new Float64Array(prep.nRef);
  const { crystal, intensity, invDNm } = prep.obs;
  const { scale, bFactorA2, partiality } = model;
  const refId = prep.refId, sSq = prep.sSqA2;
  // per-crystal 1/G, and whether a B factor needs the exponential at all
  const invG = new Float64Array(scale.length);
  for (let c = 0; c < scale.length; c++) invG[c] = 1 / scale[c]!;
  for (let i = 0; i < prep.obs.count; i++) {
    const c = crystal[i]!;
    if (mask[c] !== 1) continue;
    const d = invDNm[i]!;
    if (d < lo || d > hi) continue;
    const p = partiality[i]!;
    if (!(p >= minP) || p <= 0) continue;
    const b = bFactorA2[c]!;
    const x = b === 0 ? (intensity[i]! * invG[c]!) / p : intensity[i]! / (scale[c]! * Math.exp(-b * sSq[i]!) * p);
    if (!Number.isFinite(x)) continue;
    const r = refId[i]!;
    // weight p² = inverse variance of I/p for constant σ(I): least-squares full intensity Σ p I / Σ p²
    const w = weighted ? p * p : 1;
    const wsum = sw[r]! + w;
    const delta = x - mean[r]!;
    const mu = mean[r]! + (delta * w) / wsum;
    m2[r] = m2[r]! + w * delta * (x - mu);
    mean[r] = mu;
    sw[r] = wsum;
    n[r] = n[r]! + 1;
  }
  return { n, w: sw, mean, m2 };
}

/**
 * Reflection list from accumulators: reflections with at least `minMeasurements` observations,
 * σ(I) = sd/√n with the (weighted) population standard deviation of the observations, as partialator's
 * merge_intensities (σ = 0 for one measurement),
 * sorted by h, k, l.
 */
export function toReflectionList(prep: PreparedObservations, acc: MergeAccumulator, minMeasurements: number): ReflectionList {
  // sort (key, id) pairs packed into one float: key < 2³⁰, id < 2²² → exact in a double
  const minN = Math.max(1, minMeasurements);
  let m0 = 0;
  for (let r = 0; r < prep.nRef; r++) if (acc.n[r]! >= minN) m0++;
  const packed = new Float64Array(m0);
  for (let r = 0, j = 0; r < prep.nRef; r++) if (acc.n[r]! >= minN) packed[j++] = prep.refKeys[r]! * 4194304 + r;
  packed.sort();
  const sel = new Int32Array(m0);
  for (let j = 0; j < m0; j++) sel[j] = packed[j]! % 4194304;
  const m = sel.length;
  const out = { count: m, h: new Int32Array(m), k: new Int32Array(m), l: new Int32Array(m), intensity: new Float64Array(m), sigma: new Float64Array(m), nmeas: new Int32Array(m) };
  const t = new Int32Array(3);
  for (let j = 0; j < m; j++) {
    const r = sel[j]!;
    unpackHkl(prep.refKeys[r]!, t);
    out.h[j] = t[0]!; out.k[j] = t[1]!; out.l[j] = t[2]!;
    const cnt = acc.n[r]!;
    out.intensity[j] = acc.mean[r]!;
    // a spread at rounding level (e.g. equal observations scaled by factors equal up to the last bit) is zero:
    // σ = 0 makes I/σ infinite, which statistics count as invalid (as check_hkl does) instead of ±1e15
    const variance = acc.m2[r]! / acc.w[r]!;
    const mean = acc.mean[r]!;
    out.sigma[j] = variance > 1e-24 * mean * mean ? Math.sqrt(variance) / Math.sqrt(cnt) : 0;
    out.nmeas[j] = cnt;
  }
  return out;
}
