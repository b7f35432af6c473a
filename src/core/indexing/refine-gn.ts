/**
 * Weighted Gauss–Newton refinement of one crystal against its assigned peaks: orientation (small
 * rotation ω about lab axes), in-plane centre shift s (nm⁻¹) and lattice-constrained axis scale
 * factors D (cell), minimising Σ rᵀ W r with r = q + s − R·B₀·diag(D)·h. In-plane residuals are
 * measurements (weight 1/σ_xy²); the out-of-plane residual is mostly the spot's genuine excitation
 * error (weight 1/σ_z², σ_z ≈ profile radius), so an isotropic fit would wrongly tilt flat
 * patterns to shrink excitation errors.
 */
import { axisAngle9, mul9, type Mat9 } from "./rotation.ts";

export interface GnState {
  R: Mat9;
  shX: number;
  shY: number;
  /** Scale factors of a*, b*, c* relative to B₀ (length 3). */
  D: Float64Array;
}

export interface GnOptions {
  readonly sigmaXY: number;
  readonly sigmaZ: number;
  readonly refineShift: boolean;
  readonly refineCell: boolean;
  /** Axis → parameter group (tied axes share a factor). */
  readonly ties: readonly [number, number, number];
  /** Prior σ of the scale factors (keeps flat patterns from running away). */
  readonly sigmaD: number;
  /** Hard bound on |D − 1|. */
  readonly maxScaleChange: number;
}

/** Solves the n×n system M x = b in place (Gaussian elimination, partial pivoting); null if singular. */
function solve(M: Float64Array, b: Float64Array, n: number): Float64Array | null {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[p * n + c]!)) p = r;
    if (!(Math.abs(M[p * n + c]!) > 1e-300)) return null;
    if (p !== c) {
      for (let k = 0; k < n; k++) { const t = M[c * n + k]!; M[c * n + k] = M[p * n + k]!; M[p * n + k] = t; }
      const t = b[c]!; b[c] = b[p]!; b[p] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c]! / M[c * n + c]!;
      if (f === 0) continue;
      for (let k = c; k < n; k++) M[r * n + k] = M[r * n + k]! - f * M[c * n + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= M[r * n + k]! * x[k]!;
    x[r] = s / M[r * n + r]!;
  }
  return x;
}

/** `iterations` Gauss–Newton steps; updates and returns `st`. */
export function gaussNewtonRefine(B0: Mat9, st: GnState, q: Float64Array, matched: Int32Array, hkl: Int32Array, n: number, o: GnOptions, iterations = 2): GnState {
  const nG = o.refineCell ? Math.max(...o.ties) + 1 : 0;
  const nS = o.refineShift ? 2 : 0;
  const np = 3 + nS + nG;
  const wx = 1 / (o.sigmaXY * o.sigmaXY), wz = 1 / (o.sigmaZ * o.sigmaZ);
  const J = new Float64Array(3 * np);
  for (let it = 0; it < iterations; it++) {
    const Bc = mul9(B0, Float64Array.of(st.D[0]!, 0, 0, 0, st.D[1]!, 0, 0, 0, st.D[2]!));
    const A = mul9(st.R, Bc);
    // R·b0_j: lab direction of unscaled axis j
    const RB0 = mul9(st.R, B0);
    const H = new Float64Array(np * np), g = new Float64Array(np);
    for (let m = 0; m < n; m++) {
      const i = matched[m]!, h0 = hkl[3 * m]!, h1 = hkl[3 * m + 1]!, h2 = hkl[3 * m + 2]!;
      const Px = A[0]! * h0 + A[1]! * h1 + A[2]! * h2, Py = A[3]! * h0 + A[4]! * h1 + A[5]! * h2, Pz = A[6]! * h0 + A[7]! * h1 + A[8]! * h2;
      const r0 = q[3 * i]! + st.shX - Px, r1 = q[3 * i + 1]! + st.shY - Py, r2 = q[3 * i + 2]! - Pz;
      J.fill(0);
      // dr/dω = [P]×
      J[0 * np + 1] = -Pz; J[0 * np + 2] = Py;
      J[1 * np + 0] = Pz; J[1 * np + 2] = -Px;
      J[2 * np + 0] = -Py; J[2 * np + 1] = Px;
      if (nS) { J[0 * np + 3] = 1; J[1 * np + 4] = 1; }
      if (nG) {
        const hh = [h0, h1, h2];
        for (let j = 0; j < 3; j++) {
          const c = 3 + nS + o.ties[j]!;
          const hj = hh[j]! * st.D[j]! / st.D[j]!; // derivative w.r.t. D_j: −R b0_j h_j
          J[0 * np + c] = J[0 * np + c]! - RB0[j]! * hj;
          J[1 * np + c] = J[1 * np + c]! - RB0[3 + j]! * hj;
          J[2 * np + c] = J[2 * np + c]! - RB0[6 + j]! * hj;
        }
      }
      const w = [wx, wx, wz], r = [r0, r1, r2];
      for (let a = 0; a < 3; a++) {
        const wa = w[a]!, ra = r[a]!;
        for (let p = 0; p < np; p++) {
          const jp = J[a * np + p]!;
          if (jp === 0) continue;
          g[p] = g[p]! + jp * wa * ra;
          for (let s = 0; s < np; s++) H[p * np + s] = H[p * np + s]! + jp * wa * J[a * np + s]!;
        }
      }
    }
    if (nG) {
      const lam = 1 / (o.sigmaD * o.sigmaD);
      for (let k = 0; k < nG; k++) {
        const c = 3 + nS + k;
        const j = o.ties.indexOf(k);
        H[c * np + c] = H[c * np + c]! + lam;
        g[c] = g[c]! - lam * (st.D[j]! - 1);
      }
    }
    // tiny damping keeps a rank-deficient system (e.g. no peaks constraining a tilt) solvable
    for (let p = 0; p < np; p++) H[p * np + p] = H[p * np + p]! * (1 + 1e-9) + 1e-12;
    const rhs = new Float64Array(np);
    for (let p = 0; p < np; p++) rhs[p] = -g[p]!;
    // minimise Σ (r + Jδ)ᵀW(r + Jδ): JᵀWJ δ = −JᵀW r
    const d = solve(H, rhs, np);
    if (!d) break;
    const ang = Math.hypot(d[0]!, d[1]!, d[2]!);
    if (ang > 0) st.R = mul9(axisAngle9(d[0]!, d[1]!, d[2]!, ang), st.R);
    if (nS) { st.shX += d[3]!; st.shY += d[4]!; }
    if (nG) for (let j = 0; j < 3; j++) st.D[j] = Math.min(1 + o.maxScaleChange, Math.max(1 - o.maxScaleChange, st.D[j]! + d[3 + nS + o.ties[j]!]!));
  }
  return st;
}
