/**
 * 2-D Lorentzian fit of the direct beam (diffractem `proc2d.lorentz_fast`), ../shared/spec/preprocessing.md §5:
 * f(x,y) = A / (1 + ((x−x0)/s)² + ((y−y0)/s)²), weighted least squares (f − I)/√I over pixels I > 0,
 * Levenberg–Marquardt with analytic Jacobian. Pixel-centre convention.
 */
import type { Frame } from "../image/frame.ts";

export interface LorentzOptions {
  /** Half size of the fit box (px), `lorentz_radius`. */
  readonly radiusPx: number;
  /** Fits that move ≥ this (px) in x or y from the start are discarded, `lorentz_maxshift`. */
  readonly maxShiftPx: number;
  /** Initial HWHM (px). */
  readonly scalePx?: number;
}

export interface LorentzFit {
  /** Peak amplitude A (ADU). */
  readonly amplitude: number;
  readonly x: number;
  readonly y: number;
  /** HWHM s (px). */
  readonly hwhm: number;
  /** false if the fit failed or moved too far (then the start values are returned). */
  readonly accepted: boolean;
}

/** Solves the 4×4 system A·x = b (Gaussian elimination with partial pivoting); null if singular. */
function solve4(A: Float64Array, b: Float64Array): Float64Array | null {
  const M = A.slice(), r = b.slice();
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let i = c + 1; i < 4; i++) if (Math.abs(M[i * 4 + c]!) > Math.abs(M[p * 4 + c]!)) p = i;
    if (Math.abs(M[p * 4 + c]!) < 1e-300) return null;
    if (p !== c) {
      for (let j = 0; j < 4; j++) { const t = M[c * 4 + j]!; M[c * 4 + j] = M[p * 4 + j]!; M[p * 4 + j] = t; }
      const t = r[c]!; r[c] = r[p]!; r[p] = t;
    }
    for (let i = c + 1; i < 4; i++) {
      const f = M[i * 4 + c]! / M[c * 4 + c]!;
      for (let j = c; j < 4; j++) M[i * 4 + j]! -= f * M[c * 4 + j]!;
      r[i]! -= f * r[c]!;
    }
  }
  const x = new Float64Array(4);
  for (let i = 3; i >= 0; i--) {
    let s = r[i]!;
    for (let j = i + 1; j < 4; j++) s -= M[i * 4 + j]! * x[j]!;
    x[i] = s / M[i * 4 + i]!;
  }
  return x;
}

/** Fits the Lorentzian around the start position (x0, y0), e.g. the COM. */
export function fitLorentz2d(frame: Frame, x0: number, y0: number, opts: LorentzOptions): LorentzFit {
  const [H, W] = frame.shape;
  const r = opts.radiusPx;
  let sx = x0, sy = y0;
  if (!Number.isFinite(sx) || !Number.isFinite(sy) || Math.trunc(sx - r) < 0 || Math.trunc(sx + r) > W || Math.trunc(sy - r) < 0 || Math.trunc(sy + r) > H) {
    sx = W / 2; sy = H / 2;
  }
  const bx0 = Math.max(0, Math.trunc(sx - r)), bx1 = Math.min(W, Math.trunc(sx + r));
  const by0 = Math.max(0, Math.trunc(sy - r)), by1 = Math.min(H, Math.trunc(sy + r));
  const px = frame.pixels;
  const nBox = (bx1 - bx0) * (by1 - by0);
  const xs = new Float64Array(nBox), ys = new Float64Array(nBox), vs = new Float64Array(nBox);
  // The 0.99 quantile of the box (non-finite = −1) needs only its K largest values (ascending buffer, −∞ = empty).
  const K = nBox - Math.floor((nBox - 1) * 0.99);
  const top = new Float64Array(K).fill(-Infinity);
  let m = 0;
  for (let y = by0; y < by1; y++) {
    for (let x = bx0; x < bx1; x++) {
      const raw = px[y * W + x]!;
      const v = raw - raw === 0 ? raw : -1;
      if (v > 0) { xs[m] = x; ys[m] = y; vs[m] = v; m++; }
      if (!(v > top[0]!)) continue;
      let j = 0;
      while (j + 1 < K && top[j + 1]! < v) { top[j] = top[j + 1]!; j++; }
      top[j] = v;
    }
  }
  const start: LorentzFit = { amplitude: NaN, x: sx, y: sy, hwhm: opts.scalePx ?? 7, accepted: false };
  if (m < 5) return start;
  // Every box value is finite, so the buffer is full: top[i] is rank nBox − K + i of the sorted box.
  const rank = (r: number): number => top[r - (nBox - K)]!;
  const hq = (nBox - 1) * 0.99, lq = Math.floor(hq);
  const qa = rank(lq), qb = rank(Math.min(lq + 1, nBox - 1));
  const p = new Float64Array([qa + (hq - lq) * (qb - qa), sx, sy, opts.scalePx ?? 7]);
  const startFit = { ...start, amplitude: p[0]! };
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) w[i] = 1 / Math.sqrt(vs[i]!);
  const cost = (q: Float64Array): number => {
    let c = 0;
    for (let i = 0; i < m; i++) {
      const dx = (xs[i]! - q[1]!) / q[3]!, dy = (ys[i]! - q[2]!) / q[3]!;
      const res = (q[0]! / (1 + dx * dx + dy * dy) - vs[i]!) * w[i]!;
      c += res * res;
    }
    return c;
  };
  let lambda = 1e-3;
  let c0 = cost(p);
  const JTJ = new Float64Array(16), JTr = new Float64Array(4);
  for (let iter = 0; iter < 200; iter++) {
    const A = p[0]!, X = p[1]!, Y = p[2]!, S = p[3]!;
    // Normal equations accumulated in locals (same terms in the same order as an array accumulation).
    let r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    let a00 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0, a22 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
    for (let i = 0; i < m; i++) {
      const dx = xs[i]! - X, dy = ys[i]! - Y;
      const u = 1 + (dx * dx + dy * dy) / (S * S);
      const g = 1 / u;
      const f = A * g;
      const wi = w[i]!;
      const res = (f - vs[i]!) * wi;
      const g2 = A * g * g;
      const j0 = g * wi;
      const j1 = g2 * (2 * dx / (S * S)) * wi;
      const j2 = g2 * (2 * dy / (S * S)) * wi;
      const j3 = g2 * (2 * (dx * dx + dy * dy) / (S * S * S)) * wi;
      r0 += j0 * res; a00 += j0 * j0;
      r1 += j1 * res; a10 += j1 * j0; a11 += j1 * j1;
      r2 += j2 * res; a20 += j2 * j0; a21 += j2 * j1; a22 += j2 * j2;
      r3 += j3 * res; a30 += j3 * j0; a31 += j3 * j1; a32 += j3 * j2; a33 += j3 * j3;
    }
    JTr[0] = r0; JTr[1] = r1; JTr[2] = r2; JTr[3] = r3;
    JTJ.fill(0);
    JTJ[0] = a00; JTJ[4] = a10; JTJ[5] = a11; JTJ[8] = a20; JTJ[9] = a21; JTJ[10] = a22;
    JTJ[12] = a30; JTJ[13] = a31; JTJ[14] = a32; JTJ[15] = a33;
    for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) JTJ[a * 4 + b] = JTJ[b * 4 + a]!;
    let improved = false;
    let step: Float64Array | null = null;
    for (let tries = 0; tries < 20; tries++) {
      const M = JTJ.slice();
      for (let a = 0; a < 4; a++) M[a * 5] = JTJ[a * 5]! * (1 + lambda) + 1e-12;
      const rhs = new Float64Array(4);
      for (let a = 0; a < 4; a++) rhs[a] = -JTr[a]!;
      step = solve4(M, rhs);
      if (!step) { lambda *= 10; continue; }
      const q = new Float64Array(4);
      for (let a = 0; a < 4; a++) q[a] = p[a]! + step[a]!;
      if (q[3] === 0) { lambda *= 10; continue; }
      const c1 = cost(q);
      if (c1 < c0) { p.set(q); c0 = c1; lambda = Math.max(lambda / 10, 1e-12); improved = true; break; }
      lambda *= 10;
    }
    if (!improved || !step) break;
    let small = true;
    for (let a = 0; a < 4; a++) if (Math.abs(step[a]!) > 1e-6 * (Math.abs(p[a]!) + 1e-6)) small = false;
    if (small) break;
  }
  const fit: LorentzFit = { amplitude: p[0]!, x: p[1]!, y: p[2]!, hwhm: Math.abs(p[3]!), accepted: true };
  if (!Number.isFinite(fit.x) || !Number.isFinite(fit.y) || Math.abs(fit.x - sx) >= opts.maxShiftPx || Math.abs(fit.y - sy) >= opts.maxShiftPx) {
    return startFit;
  }
  return fit;
}
