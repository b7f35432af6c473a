/**
 * Reciprocal-lattice helpers for indexing: the basis matrix A (row-major 3×3, columns a*, b*, c* in
 * nm⁻¹, so q = A·h), sorted lattice-vector tables, the lattice's rotational symmetry (found from
 * the metric, so it works for any Bravais lattice) and misorientation modulo that symmetry.
 */
import { centeringAllows, reciprocalBasis, type Centering, type ReciprocalBasis, type UnitCell } from "../geometry/cell.ts";
import { det9, inverse9, mul9, rotationAngleDeg, rotationFromCorrelation, transpose9, type Mat9 } from "./rotation.ts";

/** Basis matrix (row-major, columns a*, b*, c*, nm⁻¹) of a reciprocal basis. */
export function basisToMat9(r: ReciprocalBasis): Mat9 {
  return Float64Array.of(r.astar[0], r.bstar[0], r.cstar[0], r.astar[1], r.bstar[1], r.cstar[1], r.astar[2], r.bstar[2], r.cstar[2]);
}

/** Reciprocal basis (a*, b*, c* = columns) of a basis matrix. */
export function mat9ToBasis(a: ArrayLike<number>): ReciprocalBasis {
  return { astar: [a[0]!, a[3]!, a[6]!], bstar: [a[1]!, a[4]!, a[7]!], cstar: [a[2]!, a[5]!, a[8]!] };
}

/** Crystal-frame basis matrix B of a cell (standard setting of cell.ts). */
export function cellMat9(cell: UnitCell): Mat9 {
  return basisToMat9(reciprocalBasis(cell));
}

/** Lattice vectors (allowed by centering, 000 excluded) with 1/d ≤ maxInvNm, sorted by length. */
export interface LatticeVectorTable {
  readonly count: number;
  /** h, k, l per vector. */
  readonly hkl: Int32Array;
  /** Crystal-frame vector B·h (nm⁻¹), 3 per entry. */
  readonly vec: Float64Array;
  /** |B·h|, nm⁻¹, ascending. */
  readonly length: Float64Array;
}

export function latticeVectors(B: ArrayLike<number>, centering: Centering, maxInvNm: number): LatticeVectorTable {
  // |h| ≤ maxInvNm · |row of B⁻¹| (real-space axis length)
  const Bi = inverse9(B);
  const lim = (r: number): number => Math.ceil(maxInvNm * Math.hypot(Bi[3 * r]!, Bi[3 * r + 1]!, Bi[3 * r + 2]!));
  const hm = lim(0), km = lim(1), lm = lim(2);
  const list: { h: number; k: number; l: number; x: number; y: number; z: number; n: number }[] = [];
  for (let h = -hm; h <= hm; h++) for (let k = -km; k <= km; k++) for (let l = -lm; l <= lm; l++) {
    if (h === 0 && k === 0 && l === 0) continue;
    if (!centeringAllows(centering, h, k, l)) continue;
    const x = B[0]! * h + B[1]! * k + B[2]! * l, y = B[3]! * h + B[4]! * k + B[5]! * l, z = B[6]! * h + B[7]! * k + B[8]! * l;
    const n = Math.hypot(x, y, z);
    if (n <= maxInvNm) list.push({ h, k, l, x, y, z, n });
  }
  list.sort((a, b) => a.n - b.n);
  const count = list.length;
  const hkl = new Int32Array(3 * count), vec = new Float64Array(3 * count), length = new Float64Array(count);
  list.forEach((e, i) => {
    hkl[3 * i] = e.h; hkl[3 * i + 1] = e.k; hkl[3 * i + 2] = e.l;
    vec[3 * i] = e.x; vec[3 * i + 1] = e.y; vec[3 * i + 2] = e.z;
    length[i] = e.n;
  });
  return { count, hkl, vec, length };
}

/** First index with length ≥ x (binary search). */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m]! < x) lo = m + 1; else hi = m;
  }
  return lo;
}

/**
 * Proper rotational symmetry of the lattice as integer hkl matrices M (row-major, h' = M h, det +1)
 * with Mᵀ G M = G for the reciprocal metric G = BᵀB. Found by enumerating entries in {−1, 0, 1},
 * which covers the holohedries of all conventional settings (e.g. 8 operations for tetragonal, 4/mmm).
 */
export function latticeRotations(B: ArrayLike<number>, relTol = 2e-3): Int8Array[] {
  const G = mul9(transpose9(B), B);
  const scale = Math.max(G[0]!, G[4]!, G[8]!);
  const ops: Int8Array[] = [];
  const m = new Int8Array(9);
  for (let code = 0; code < 19683; code++) {
    let c = code;
    for (let i = 0; i < 9; i++) { m[i] = (c % 3) - 1; c = Math.floor(c / 3); }
    if (det9(m) !== 1) continue;
    // Mᵀ G M
    let ok = true;
    for (let i = 0; i < 3 && ok; i++) for (let j = 0; j < 3 && ok; j++) {
      let s = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += m[3 * a + i]! * G[3 * a + b]! * m[3 * b + j]!;
      if (Math.abs(s - G[3 * i + j]!) > relTol * scale) ok = false;
    }
    if (ok) ops.push(Int8Array.from(m));
  }
  return ops;
}

/**
 * Smallest rotation angle (degrees) between two orientations A1, A2 (basis matrices) modulo the
 * lattice rotations `ops` (from latticeRotations): min over M of the angle of the rotation that best
 * maps the axis directions of A1 onto those of A2·M (Horn), so slightly different cells do not count.
 */
export function misorientationDeg(A1: ArrayLike<number>, A2: ArrayLike<number>, ops: readonly Int8Array[]): number {
  let best = Infinity;
  for (const M of ops) best = Math.min(best, rotationAngleDeg(bestRotation(A1, mul9(A2, M))));
  return best;
}

/** Rotation R (row-major) that best maps the unit column directions of P onto those of Q. */
export function bestRotation(P: ArrayLike<number>, Q: ArrayLike<number>): Mat9 {
  const S = new Float64Array(9);
  for (let j = 0; j < 3; j++) {
    const np = Math.hypot(P[j]!, P[3 + j]!, P[6 + j]!), nq = Math.hypot(Q[j]!, Q[3 + j]!, Q[6 + j]!);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S[3 * a + b] = S[3 * a + b]! + (P[3 * a + j]! / np) * (Q[3 * b + j]! / nq);
  }
  return rotationFromCorrelation(S);
}

/** Re-express A by the lattice symmetry operation closest to A_ref (for comparing/reporting). */
export function closestSetting(A: ArrayLike<number>, Aref: ArrayLike<number>, ops: readonly Int8Array[]): Mat9 {
  let best = Infinity, out: Mat9 = Float64Array.from(A);
  for (const M of ops) {
    const AM = mul9(A, M);
    const ang = rotationAngleDeg(bestRotation(Aref, AM));
    if (ang < best) { best = ang; out = AM; }
  }
  return out;
}
