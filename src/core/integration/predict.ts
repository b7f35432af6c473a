/**
 * Reflection prediction for a still electron pattern: all reciprocal-lattice points q = A·h with
 * |excitation error| ≤ maxExcitationFactor × profile radius and 1/d ≤ the resolution limit, placed
 * on the detector along k_in + q (CrystFEL's placement). Excitation error s = |k| − |k_in + q|
 * (nm⁻¹, > 0 inside the Ewald sphere). Partiality estimate: p = exp(−s²/(2R²)) (Gaussian profile of
 * radius R, the model of the fixture simulation; 1 for a reflection exactly in Bragg condition).
 */
import { reciprocalToPixel, waveNumberInvNm, type PanelGeometry } from "../indexing/ewald-geometry.ts";
import { inverse9 } from "../indexing/rotation.ts";
import { centeringAllows, type Centering } from "../geometry/cell.ts";

export interface PredictOptions {
  /** Reciprocal profile radius R, nm⁻¹. */
  readonly profileRadiusInvNm: number;
  /** Keep reflections with |s| ≤ factor·R (default 2). */
  readonly maxExcitationFactor?: number;
  /** Resolution limit (1/d), nm⁻¹; default: whatever reaches the detector. */
  readonly maxInvNm?: number;
  /** Lattice centering (absent reflections skipped); default P. */
  readonly centering?: Centering;
  /** Detector shift of this pattern, mm (lab x, y). */
  readonly shiftXMm?: number;
  readonly shiftYMm?: number;
  /** Keep only spots at least this far inside the panel, px (default 0). */
  readonly edgePx?: number;
}

/** Predicted reflections, columnar. Positions in CORNER convention (as in streams). */
export interface PredictedReflections {
  readonly count: number;
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  readonly fs: Float64Array;
  readonly ss: Float64Array;
  /** Excitation error s, nm⁻¹. */
  readonly excitationInvNm: Float64Array;
  /** Partiality estimate in (0, 1]. */
  readonly partiality: Float64Array;
  /** 1/d, nm⁻¹. */
  readonly invDNm: Float64Array;
}

/** Largest 1/d (nm⁻¹) that reaches the panel (its four corners). */
export function panelMaxInvNm(g: PanelGeometry, shiftXMm = 0, shiftYMm = 0): number {
  const k = waveNumberInvNm(g.wavelengthA);
  let best = 0;
  for (const [f, s] of [[0, 0], [g.widthPx, 0], [0, g.heightPx], [g.widthPx, g.heightPx]] as const) {
    const x = (g.cornerXPx + f * g.fsX + s * g.ssX) / g.resPxPerM + shiftXMm * 1e-3;
    const y = (g.cornerYPx + f * g.fsY + s * g.ssY) / g.resPxPerM + shiftYMm * 1e-3;
    const twoTheta = Math.atan(Math.hypot(x, y) / g.clenM);
    best = Math.max(best, 2 * k * Math.sin(twoTheta / 2));
  }
  return best;
}

export function predictReflections(A: ArrayLike<number>, g: PanelGeometry, o: PredictOptions): PredictedReflections {
  const R = o.profileRadiusInvNm;
  if (!(R > 0)) throw new Error(`prediction: profile radius must be > 0 nm⁻¹, got ${R}`);
  const sMax = (o.maxExcitationFactor ?? 2) * R;
  const shX = o.shiftXMm ?? 0, shY = o.shiftYMm ?? 0;
  const qMax = Math.min(o.maxInvNm ?? Infinity, panelMaxInvNm(g, shX, shY));
  const centering = o.centering ?? "P";
  const edge = o.edgePx ?? 0;
  const k = waveNumberInvNm(g.wavelengthA);
  // solve along the axis (column of A) with the largest beam component
  const zc = [Math.abs(A[6]!), Math.abs(A[7]!), Math.abs(A[8]!)];
  const ax = zc[0]! >= zc[1]! && zc[0]! >= zc[2]! ? 0 : zc[1]! >= zc[2]! ? 1 : 2;
  const o1 = (ax + 1) % 3, o2 = (ax + 2) % 3;
  const Ai = inverse9(A);
  // |index_j| ≤ qMax·|row j of A⁻¹| (real-space axis length)
  const lim = (j: number): number => Math.ceil(qMax * Math.hypot(Ai[3 * j]!, Ai[3 * j + 1]!, Ai[3 * j + 2]!));
  const m1 = lim(o1), m2 = lim(o2);
  const cx = A[ax]!, cy = A[3 + ax]!, cz = A[6 + ax]!;
  const cc = cx * cx + cy * cy + cz * cz;
  const H: number[] = [], K: number[] = [], L: number[] = [], FS: number[] = [], SS: number[] = [], EX: number[] = [], PA: number[] = [], ID: number[] = [];
  const pix = new Float64Array(2);
  const idx = [0, 0, 0];
  const emit = (t: number, i1: number, i2: number, ux: number, uy: number, uz: number): void => {
    idx[ax] = t; idx[o1] = i1; idx[o2] = i2;
    const h = idx[0]!, kk = idx[1]!, l = idx[2]!;
    if (h === 0 && kk === 0 && l === 0) return;
    if (!centeringAllows(centering, h, kk, l)) return;
    const qx = ux + t * cx, qy = uy + t * cy, qzk = uz + t * cz;
    const qz = qzk - k;
    const invD = Math.sqrt(qx * qx + qy * qy + qz * qz);
    if (invD > qMax) return;
    const s = k - Math.sqrt(qx * qx + qy * qy + qzk * qzk);
    if (Math.abs(s) > sMax) return;
    if (!reciprocalToPixel(g, qx, qy, qz, pix, shX, shY)) return;
    const f = pix[0]!, ss = pix[1]!;
    if (f < edge || ss < edge || f > g.widthPx - edge || ss > g.heightPx - edge) return;
    H.push(h); K.push(kk); L.push(l); FS.push(f); SS.push(ss); EX.push(s); PA.push(Math.exp(-(s * s) / (2 * R * R))); ID.push(invD);
  };
  const kOut = k + sMax, kIn = Math.max(k - sMax, 0);
  for (let i1 = -m1; i1 <= m1; i1++) {
    for (let i2 = -m2; i2 <= m2; i2++) {
      const ux = A[o1]! * i1 + A[o2]! * i2, uy = A[3 + o1]! * i1 + A[3 + o2]! * i2, uz = A[6 + o1]! * i1 + A[6 + o2]! * i2 + k;
      // |u + t c|² = target²  →  t = (−b ± √(b² − cc·(|u|² − target²)))/cc
      const b = ux * cx + uy * cy + uz * cz;
      const uu = ux * ux + uy * uy + uz * uz;
      const dOut = b * b - cc * (uu - kOut * kOut);
      if (dOut < 0) continue;
      const so = Math.sqrt(dOut);
      const t0 = (-b - so) / cc, t3 = (-b + so) / cc;
      const dIn = b * b - cc * (uu - kIn * kIn);
      if (dIn >= 0) {
        const si = Math.sqrt(dIn);
        const t1 = (-b - si) / cc, t2 = (-b + si) / cc;
        for (let t = Math.ceil(t0); t <= Math.floor(t1); t++) emit(t, i1, i2, ux, uy, uz);
        for (let t = Math.ceil(t2); t <= Math.floor(t3); t++) emit(t, i1, i2, ux, uy, uz);
      } else {
        for (let t = Math.ceil(t0); t <= Math.floor(t3); t++) emit(t, i1, i2, ux, uy, uz);
      }
    }
  }
  return { count: H.length, h: Int32Array.from(H), k: Int32Array.from(K), l: Int32Array.from(L), fs: Float64Array.from(FS), ss: Float64Array.from(SS), excitationInvNm: Float64Array.from(EX), partiality: Float64Array.from(PA), invDNm: Float64Array.from(ID) };
}
