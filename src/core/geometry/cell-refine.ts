/**
 * Unit-cell refinement against powder / pair-distance peaks (preprocessing.md §11, diffractem's
 * `refine_powder(method='distance')`): free parameters by lattice type, each observed peak's
 * residual is its distance to the nearest predicted 1/d, bounded Levenberg–Marquardt (bounds
 * start ± lengthBoundA / angleBoundDeg), uncertainties from the covariance (JᵀJ)⁻¹·s².
 */
import { centeringAllows, invResolutionFn, type UnitCell } from "./cell.ts";
import { findCurvePeaks, type Curve } from "./powder.ts";

/** Sorted unique 1/d (nm⁻¹) of allowed reflections with d ≥ dMinA (000 excluded). */
export function predictedInvD(cell: UnitCell, dMinA: number): Float64Array {
  const f = invResolutionFn(cell);
  const sMax = 10 / dMinA;
  const lim = (len: number): number => Math.ceil((len / dMinA) * 1.2) + 1;
  const hm = lim(cell.aA), km = lim(cell.bA), lm = lim(cell.cA);
  const out: number[] = [];
  for (let h = -hm; h <= hm; h++) for (let k = -km; k <= km; k++) for (let l = -lm; l <= lm; l++) {
    if ((h === 0 && k === 0 && l === 0) || !centeringAllows(cell.centering, h, k, l)) continue;
    const s = f(h, k, l);
    if (s <= sMax) out.push(s);
  }
  out.sort((a, b) => a - b);
  const uniq: number[] = [];
  for (const s of out) if (uniq.length === 0 || s - uniq[uniq.length - 1]! > 1e-9) uniq.push(s);
  return Float64Array.from(uniq);
}

type Param = "a" | "b" | "c" | "al" | "be" | "ga";

/** Free parameters per lattice type (tied ones follow: tetragonal b = a, cubic b = c = a, ...). */
export function freeParameters(cell: UnitCell): Param[] {
  switch (cell.lattice) {
    case "cubic": return ["a"];
    case "tetragonal": case "hexagonal": return ["a", "c"];
    case "rhombohedral": return ["a", "al"];
    case "orthorhombic": return ["a", "b", "c"];
    case "monoclinic": return ["a", "b", "c", cell.uniqueAxis === "a" ? "al" : cell.uniqueAxis === "c" ? "ga" : "be"];
    case "triclinic": return ["a", "b", "c", "al", "be", "ga"];
  }
}

function applyParams(base: UnitCell, names: readonly Param[], p: ArrayLike<number>): UnitCell {
  const v: Record<Param, number> = { a: base.aA, b: base.bA, c: base.cA, al: base.alphaDeg, be: base.betaDeg, ga: base.gammaDeg };
  names.forEach((n, i) => { v[n] = p[i]!; });
  if (base.lattice === "cubic") { v.b = v.a; v.c = v.a; }
  if (base.lattice === "tetragonal" || base.lattice === "hexagonal") v.b = v.a;
  if (base.lattice === "rhombohedral") { v.b = v.a; v.c = v.a; v.be = v.al; v.ga = v.al; }
  return { ...base, aA: v.a, bA: v.b, cA: v.c, alphaDeg: v.al, betaDeg: v.be, gammaDeg: v.ga };
}

export interface CellRefineOptions {
  /** Resolution limit of the predicted lines, Å. */
  readonly dMinA: number;
  readonly lengthBoundA?: number;
  readonly angleBoundDeg?: number;
  readonly iterations?: number;
}

export interface CellRefineResult {
  readonly cell: UnitCell;
  /** Parameter names and standard uncertainties (Å or deg). */
  readonly parameters: readonly Param[];
  readonly sigmas: Float64Array;
  /** RMS residual of the peak positions, nm⁻¹. */
  readonly rmsInvNm: number;
  /** Predicted line positions of the refined cell (nm⁻¹), for plotting. */
  readonly lines: Float64Array;
}

function residuals(cell: UnitCell, peaks: ArrayLike<number>, dMinA: number): Float64Array {
  const lines = predictedInvD(cell, dMinA * 0.9);
  const r = new Float64Array(peaks.length);
  for (let i = 0; i < peaks.length; i++) {
    const s = peaks[i]!;
    let lo = 0, hi = lines.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (lines[m]! < s) lo = m + 1; else hi = m; }
    const a = lo > 0 ? s - lines[lo - 1]! : Infinity, b = lo < lines.length ? lines[lo]! - s : Infinity;
    r[i] = a < b ? a : -b;
  }
  return r;
}

/** Refines `start` so that predicted 1/d lines fall on the observed peak positions (nm⁻¹). */
export function refineCell(peaksInvNm: ArrayLike<number>, start: UnitCell, o: CellRefineOptions): CellRefineResult {
  const names = freeParameters(start);
  const m = peaksInvNm.length, np = names.length;
  if (m < np + 1) throw new Error(`cell refinement: ${m} peaks for ${np} free parameters (need at least ${np + 1})`);
  const lb = o.lengthBoundA ?? 2, ab = o.angleBoundDeg ?? 3;
  const startVals: Record<Param, number> = { a: start.aA, b: start.bA, c: start.cA, al: start.alphaDeg, be: start.betaDeg, ga: start.gammaDeg };
  const p0 = names.map((n) => startVals[n]);
  const lo = names.map((n, i) => p0[i]! - (n.length === 1 ? lb : ab)), hi = names.map((n, i) => p0[i]! + (n.length === 1 ? lb : ab));
  let p = Float64Array.from(p0);
  const cost = (q: Float64Array): number => { let s = 0; for (const v of residuals(applyParams(start, names, q), peaksInvNm, o.dMinA)) s += v * v; return s; };
  // coarse scan per parameter first: the nearest-line residual has many local minima
  for (let pass = 0; pass < 2; pass++) for (let k = 0; k < np; k++) {
    let best = cost(p), bv = p[k]!;
    const span = (hi[k]! - lo[k]!) / (pass === 0 ? 1 : 8);
    for (let t = 0; t <= 80; t++) {
      const q = Float64Array.from(p);
      q[k] = Math.min(hi[k]!, Math.max(lo[k]!, p[k]! - span / 2 + (span * t) / 80));
      const c = cost(q);
      if (c < best) { best = c; bv = q[k]!; }
    }
    p[k] = bv;
  }
  let lambda = 1e-3;
  let J = new Float64Array(m * np);
  for (let it = 0; it < (o.iterations ?? 50); it++) {
    const cell = applyParams(start, names, p);
    const r = residuals(cell, peaksInvNm, o.dMinA);
    J = new Float64Array(m * np);
    for (let k = 0; k < np; k++) {
      const h = names[k]!.length === 1 ? 1e-4 * p[k]! : 1e-4;
      const q = Float64Array.from(p); q[k] = q[k]! + h;
      const r2 = residuals(applyParams(start, names, q), peaksInvNm, o.dMinA);
      for (let i = 0; i < m; i++) J[i * np + k] = (r2[i]! - r[i]!) / h;
    }
    const A = new Float64Array(np * np), g = new Float64Array(np);
    for (let i = 0; i < m; i++) for (let a = 0; a < np; a++) { g[a] = g[a]! + J[i * np + a]! * r[i]!; for (let b = 0; b < np; b++) A[a * np + b] = A[a * np + b]! + J[i * np + a]! * J[i * np + b]!; }
    const c0 = cost(p);
    let improved = false;
    for (let tries = 0; tries < 10 && !improved; tries++) {
      const M = Float64Array.from(A);
      for (let a = 0; a < np; a++) M[a * np + a] = M[a * np + a]! * (1 + lambda) + 1e-18;
      const d = solveSmall(M, Float64Array.from(g, (v) => -v), np);
      if (!d) break;
      const q = Float64Array.from(p, (v, k) => Math.min(hi[k]!, Math.max(lo[k]!, v + d[k]!)));
      if (cost(q) < c0) { p = q; lambda = Math.max(lambda / 3, 1e-9); improved = true; } else lambda *= 10;
    }
    if (!improved) break;
  }
  const cell = applyParams(start, names, p);
  const r = residuals(cell, peaksInvNm, o.dMinA);
  let rss = 0;
  for (const v of r) rss += v * v;
  const s2 = rss / Math.max(1, m - np);
  const A = new Float64Array(np * np);
  for (let i = 0; i < m; i++) for (let a = 0; a < np; a++) for (let b = 0; b < np; b++) A[a * np + b] = A[a * np + b]! + J[i * np + a]! * J[i * np + b]!;
  const sig = new Float64Array(np);
  for (let k = 0; k < np; k++) {
    const e = new Float64Array(np); e[k] = 1;
    const col = solveSmall(Float64Array.from(A), e, np);
    sig[k] = col ? Math.sqrt(Math.max(col[k]! * s2, 0)) : NaN;
  }
  return { cell, parameters: names, sigmas: sig, rmsInvNm: Math.sqrt(rss / m), lines: predictedInvD(cell, o.dMinA) };
}

function solveSmall(M: Float64Array, b: Float64Array, n: number): Float64Array | null {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[piv * n + c]!)) piv = r;
    if (!(Math.abs(M[piv * n + c]!) > 1e-300)) return null;
    for (let k = 0; k < n; k++) { const t = M[c * n + k]!; M[c * n + k] = M[piv * n + k]!; M[piv * n + k] = t; }
    const t = b[c]!; b[c] = b[piv]!; b[piv] = t;
    for (let r = c + 1; r < n; r++) { const f = M[r * n + c]! / M[c * n + c]!; for (let k = c; k < n; k++) M[r * n + k] = M[r * n + k]! - f * M[c * n + k]!; b[r] = b[r]! - f * b[c]!; }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) { let s = b[r]!; for (let k = r + 1; k < n; k++) s -= M[r * n + k]! * x[k]!; x[r] = s / M[r * n + r]!; }
  return x;
}

export interface CellFromCurvesOptions {
  /** Resolution limit of the curves and the predicted lines, Å. */
  readonly dMinA: number;
  /** Minimal peak prominence (fraction of the curve maximum): pair distances 0.2, powder 0.4 (diffractem's example workflow). */
  readonly pairProminence?: number;
  readonly powderProminence?: number;
}

export interface CellFromCurvesResult {
  /** Final cell: the powder stage's when it had enough peaks and fits as well, else the pair-distance stage's. */
  readonly result: CellRefineResult;
  /** The stage the final cell comes from, and each stage's peaks and result. */
  readonly stage: "pairs" | "powder";
  readonly pairPeaks: Float64Array;
  readonly powderPeaks: Float64Array;
  readonly pairs: CellRefineResult | null;
}

/**
 * Cell from the pair-distance and powder curves, diffractem's workflow (preprocessing.md §11):
 * first against the pair-distance peaks (differences of lattice vectors within one pattern: no
 * dependence on the pattern centre, few spurious peaks), then from that cell against the powder
 * peaks with a higher prominence threshold, kept if its RMS residual is at most 1.5× the pair
 * fit's. Weak powder bumps from noise peaks or residual centre
 * errors otherwise pull the nearest-line fit to the ±2 Å bound. Peaks above 0.95·10/dMin are left
 * out (the curve edge). Throws when neither curve has enough peaks.
 */
export function refineCellFromCurves(pairs: Curve, powder: Curve, start: UnitCell, o: CellFromCurvesOptions): CellFromCurvesResult {
  const sMax = 0.95 * 10 / o.dMinA;
  const need = freeParameters(start).length + 1;
  const pick = (c: Curve, prom: number): Float64Array => findCurvePeaks(c, prom).position.filter((v) => v > 0.02 && v < sMax);
  const pairPeaks = pick(pairs, o.pairProminence ?? 0.2), powderPeaks = pick(powder, o.powderProminence ?? 0.4);
  const first = pairPeaks.length >= need ? refineCell(pairPeaks, start, { dMinA: o.dMinA }) : null;
  if (powderPeaks.length >= need) {
    const second = refineCell(powderPeaks, first?.cell ?? start, { dMinA: o.dMinA });
    // the powder fit is kept only if it explains its peaks about as well as the pair fit did
    // (powder peaks smeared by centre errors, or noise bumps, otherwise drag the cell away)
    if (!first || second.rmsInvNm <= 1.5 * first.rmsInvNm) return { result: second, stage: "powder", pairPeaks, powderPeaks, pairs: first };
  }
  if (first) return { result: first, stage: "pairs", pairPeaks, powderPeaks, pairs: first };
  throw new Error(`cell refinement: ${pairPeaks.length} pair-distance and ${powderPeaks.length} powder peaks for ${need - 1} free parameters (need at least ${need}); use more patterns or a lower --d-min`);
}
