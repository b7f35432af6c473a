/**
 * Validation statistics of merged reflection lists, like CrystFEL's check_hkl (completeness,
 * multiplicity, I/σ per shell) and compare_hkl (CC, CC*, Rsplit between half-sets), with resolution
 * shells of equal reciprocal volume. All 1/d in nm⁻¹ (10/d[Å]).
 */
import { centeringAllows, invResolutionFn, type UnitCell } from "../geometry/cell.ts";
import { asymmetricIndex, type PointGroup } from "../symmetry/point-groups.ts";
import { isSystematicallyAbsent, type SpaceGroup } from "../symmetry/space-groups.ts";
import { packHkl, type ReflectionList } from "./observations.ts";

/** Shell boundaries r_i = (rmin³ + i (rmax³ − rmin³)/n)^(1/3), i = 0..n (nm⁻¹). */
export function shellBoundaries(rminInvNm: number, rmaxInvNm: number, nShells: number): Float64Array {
  if (!(nShells >= 1) || !(rmaxInvNm > rminInvNm)) throw new Error(`shells: need nShells ≥ 1 and rmax > rmin (got ${nShells}, ${rminInvNm}, ${rmaxInvNm})`);
  const b = new Float64Array(nShells + 1);
  const v0 = rminInvNm ** 3, dv = (rmaxInvNm ** 3 - v0) / nShells;
  for (let i = 0; i <= nShells; i++) b[i] = Math.cbrt(v0 + i * dv);
  b[0] = rminInvNm;
  b[nShells] = rmaxInvNm;
  return b;
}

/** Shell index of 1/d (last shell includes rmax), −1 if outside. */
export function shellOf(bounds: Float64Array, invDNm: number): number {
  const n = bounds.length - 1;
  if (invDNm < bounds[0]! || invDNm > bounds[n]!) return -1;
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (invDNm >= bounds[mid]!) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Number of unique reflections per shell: asymmetric-unit representatives of the point group within
 * the shells, excluding 000 and reflections absent by lattice centring (and, when a space group is
 * given, also screw/glide absences).
 */
export function possibleReflections(cell: UnitCell, pg: PointGroup, bounds: Float64Array, spaceGroup?: SpaceGroup): Int32Array {
  const nShells = bounds.length - 1;
  const out = new Int32Array(nShells);
  const rmax = bounds[nShells]!;
  const invD = invResolutionFn(cell);
  // |h| ≤ rmax · |a| (real-space length in nm) bounds the search box
  const hmax = Math.ceil((rmax * cell.aA) / 10) + 1, kmax = Math.ceil((rmax * cell.bA) / 10) + 1, lmax = Math.ceil((rmax * cell.cA) / 10) + 1;
  const t = new Int32Array(3);
  for (let h = -hmax; h <= hmax; h++) {
    for (let k = -kmax; k <= kmax; k++) {
      for (let l = -lmax; l <= lmax; l++) {
        if (h === 0 && k === 0 && l === 0) continue;
        const s = shellOf(bounds, invD(h, k, l));
        if (s < 0) continue;
        if (!centeringAllows(cell.centering, h, k, l)) continue;
        asymmetricIndex(pg, h, k, l, t);
        if (t[0] !== h || t[1] !== k || t[2] !== l) continue;
        if (spaceGroup !== undefined && isSystematicallyAbsent(spaceGroup, h, k, l)) continue;
        out[s]!++;
      }
    }
  }
  return out;
}

/** One row of a check_hkl-style table. Values NaN where undefined (no reflections). */
export interface CheckShell {
  readonly centerInvNm: number;
  readonly minInvNm: number;
  readonly maxInvNm: number;
  readonly nref: number;
  readonly possible: number;
  /** % */
  readonly completeness: number;
  readonly measurements: number;
  readonly multiplicity: number;
  /** Mean I/σ(I) over reflections with finite I/σ. */
  readonly meanIOverSigma: number;
  readonly meanI: number;
}

export interface CheckStats {
  readonly shells: readonly CheckShell[];
  readonly overall: CheckShell;
  /** Reflections whose I/σ(I) was infinite or invalid (σ = 0), excluded from the mean I/σ. */
  readonly invalidIOverSigma: number;
}

export interface ShellOptions {
  readonly nShells?: number;
  /** Resolution range in nm⁻¹; default: the range of the data. */
  readonly rminInvNm?: number;
  readonly rmaxInvNm?: number;
}

/** check_hkl-like statistics of one merged list. */
export function checkHklStats(list: ReflectionList, cell: UnitCell, pg: PointGroup, opts: ShellOptions & { spaceGroup?: SpaceGroup } = {}): CheckStats {
  const invD = invResolutionFn(cell);
  const d = new Float64Array(list.count);
  let lo = Number.POSITIVE_INFINITY, hi = 0;
  for (let i = 0; i < list.count; i++) {
    d[i] = invD(list.h[i]!, list.k[i]!, list.l[i]!);
    if (d[i]! < lo) lo = d[i]!;
    if (d[i]! > hi) hi = d[i]!;
  }
  const rmin = opts.rminInvNm ?? lo, rmax = opts.rmaxInvNm ?? hi;
  const bounds = shellBoundaries(rmin, rmax, opts.nShells ?? 10);
  const possible = possibleReflections(cell, pg, bounds, opts.spaceGroup);
  const n = bounds.length - 1;
  const acc = Array.from({ length: n + 1 }, () => ({ nref: 0, meas: 0, snr: 0, nsnr: 0, sumI: 0 }));
  let invalid = 0;
  for (let i = 0; i < list.count; i++) {
    const s = shellOf(bounds, d[i]!);
    if (s < 0) continue;
    const snr = list.intensity[i]! / list.sigma[i]!;
    if (!Number.isFinite(snr)) invalid++;
    for (const a of [acc[s]!, acc[n]!]) {
      a.nref++;
      a.meas += list.nmeas[i]!;
      a.sumI += list.intensity[i]!;
      if (Number.isFinite(snr)) {
        a.snr += snr;
        a.nsnr++;
      }
    }
  }
  const row = (a: { nref: number; meas: number; snr: number; nsnr: number; sumI: number }, pos: number, lo_: number, hi_: number): CheckShell => ({
    centerInvNm: (lo_ + hi_) / 2, minInvNm: lo_, maxInvNm: hi_, nref: a.nref, possible: pos,
    completeness: (100 * a.nref) / pos, measurements: a.meas, multiplicity: a.meas / a.nref,
    meanIOverSigma: a.snr / a.nsnr, meanI: a.sumI / a.nref,
  });
  const shells = Array.from({ length: n }, (_, s) => row(acc[s]!, possible[s]!, bounds[s]!, bounds[s + 1]!));
  return { shells, overall: row(acc[n]!, possible.reduce((a, b) => a + b, 0), rmin, rmax), invalidIOverSigma: invalid };
}

/** Figures of merit of compare_hkl. */
export type Fom = "CC" | "CCstar" | "Rsplit";

export interface CompareShell {
  readonly centerInvNm: number;
  readonly minInvNm: number;
  readonly maxInvNm: number;
  readonly nref: number;
  readonly cc: number;
  readonly ccStar: number;
  /** % */
  readonly rsplit: number;
}

export interface CompareStats {
  readonly shells: readonly CompareShell[];
  readonly overall: CompareShell;
  /** Number of reflections present in both lists within the range. */
  readonly pairs: number;
  /** Scale G and relative B (Å²) applied to the second list (1 and 0 with noScale). */
  readonly relativeScale: number;
  readonly relativeBA2: number;
}

/** Pearson correlation; NaN for fewer than 2 pairs. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx, b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** CC* = √(2 CC½ / (1 + CC½)) (Karplus & Diederichs 2012); NaN for CC½ ≤ −1 or NaN. */
export function ccStar(ccHalf: number): number {
  return Math.sqrt((2 * ccHalf) / (1 + ccHalf));
}

/** Rsplit = √2 · Σ|I₁ − I₂| / Σ(I₁ + I₂), in %. */
export function rsplit(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) {
    num += Math.abs(x[i]! - y[i]!);
    den += x[i]! + y[i]!;
  }
  return x.length === 0 ? Number.NaN : (100 * Math.SQRT2 * num) / den;
}

/**
 * compare_hkl-like comparison of two lists (both in the same asymmetric unit): pairs are reflections
 * present in both; shells span the 1/d range of the pairs unless given. Unless `noScale`, list b is
 * first scaled to list a as compare_hkl does: a straight-line fit of ln(I_a/I_b) against s² = (1/2d)²
 * over pairs with both intensities positive, I_b' = I_b · G · exp(2B s²).
 */
export function compareHklStats(a: ReflectionList, b: ReflectionList, cell: UnitCell, opts: ShellOptions & { noScale?: boolean } = {}): CompareStats {
  const invD = invResolutionFn(cell);
  const index = new Map<number, number>();
  for (let j = 0; j < b.count; j++) index.set(packHkl(b.h[j]!, b.k[j]!, b.l[j]!), j);
  const i1: number[] = [], i2: number[] = [], dd: number[] = [];
  for (let i = 0; i < a.count; i++) {
    const j = index.get(packHkl(a.h[i]!, a.k[i]!, a.l[i]!));
    if (j === undefined) continue;
    const d = invD(a.h[i]!, a.k[i]!, a.l[i]!);
    if (opts.rminInvNm !== undefined && d < opts.rminInvNm) continue;
    if (opts.rmaxInvNm !== undefined && d > opts.rmaxInvNm) continue;
    i1.push(a.intensity[i]!);
    i2.push(b.intensity[j]!);
    dd.push(d);
  }
  if (dd.length === 0) throw new Error("compare: the two reflection lists have no reflection in common");
  let scale = 1, bA2 = 0;
  if (opts.noScale !== true) {
    ({ scale, bA2 } = relativeScale(i1, i2, dd));
    for (let i = 0; i < dd.length; i++) i2[i] = i2[i]! * scale * Math.exp(2 * bA2 * (dd[i]! / 20) ** 2);
  }
  let rmin = opts.rminInvNm ?? Number.POSITIVE_INFINITY, rmax = opts.rmaxInvNm ?? 0;
  if (opts.rminInvNm === undefined) for (const d of dd) rmin = Math.min(rmin, d);
  if (opts.rmaxInvNm === undefined) for (const d of dd) rmax = Math.max(rmax, d);
  const bounds = shellBoundaries(rmin, rmax, opts.nShells ?? 10);
  const n = bounds.length - 1;
  const sx: number[][] = Array.from({ length: n }, () => []), sy: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < dd.length; i++) {
    const s = shellOf(bounds, dd[i]!);
    if (s < 0) continue;
    sx[s]!.push(i1[i]!);
    sy[s]!.push(i2[i]!);
  }
  const row = (x: number[], y: number[], lo: number, hi: number): CompareShell => {
    const cc = pearson(x, y);
    return { centerInvNm: (lo + hi) / 2, minInvNm: lo, maxInvNm: hi, nref: x.length, cc, ccStar: ccStar(cc), rsplit: rsplit(x, y) };
  };
  return { shells: Array.from({ length: n }, (_, s) => row(sx[s]!, sy[s]!, bounds[s]!, bounds[s + 1]!)), overall: row(i1, i2, rmin, rmax), pairs: dd.length, relativeScale: scale, relativeBA2: bA2 };
}

/**
 * Relative scale of list 2 to list 1 (compare_hkl): fit ln(I₁/I₂) = c0 + c1 s², s = 1/(2d) in Å⁻¹,
 * over pairs with both intensities positive; G = e^c0, B = c1/2 (Å²). Returns G = 1, B = 0 if fewer
 * than two usable pairs.
 */
export function relativeScale(i1: ArrayLike<number>, i2: ArrayLike<number>, invDNm: ArrayLike<number>): { scale: number; bA2: number } {
  let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < i1.length; i++) {
    const a = i1[i]!, b = i2[i]!;
    if (!(a > 0) || !(b > 0) || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    const x = (invDNm[i]! / 20) ** 2, y = Math.log(a / b);
    n++; sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  if (n < 2) return { scale: 1, bA2: 0 };
  const c1 = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const c0 = (sy - c1 * sx) / n;
  return { scale: Math.exp(c0), bA2: c1 / 2 };
}

/** Value of one figure of merit in a compare row. */
export function fomValue(row: CompareShell, fom: Fom): number {
  return fom === "CC" ? row.cc : fom === "CCstar" ? row.ccStar : row.rsplit;
}
