/**
 * Elliptical distortion of diffraction patterns (preprocessing.md §10). Model: the pattern is
 * stretched by √ρ along the axis at angle φ (deg, 0 = +x/fs) and compressed by 1/√ρ across it;
 * the correction of a peak offset p (px, relative to the pattern centre) is
 * p_cor = Rᵀ·diag(ρ^-½, ρ^½)·R·p with R the rotation by φ (diffractem's convention).
 *
 * Refinement (better than diffractem's grid): the peaks' radial distribution has ring features
 * (powder lines); in every azimuth sector the log-radius profile is shifted by
 * δ(θ) ≈ ½·ln ρ·cos 2(θ − φ) with respect to the mean profile. Shifts are measured per sector by
 * cross-correlation (sub-bin peak), fitted with cos 2θ / sin 2θ, the correction is updated and the
 * procedure repeats until the features no longer depend on azimuth.
 */

/** Corrected offsets (px) of n peaks; dx, dy are offsets from the pattern centre. */
export function correctEllipticity(dx: ArrayLike<number>, dy: ArrayLike<number>, n: number, ratio: number, angleDeg: number): { x: Float64Array; y: Float64Array } {
  const c = Math.cos((angleDeg * Math.PI) / 180), s = Math.sin((angleDeg * Math.PI) / 180);
  const a = 1 / Math.sqrt(ratio), b = Math.sqrt(ratio);
  const x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xr = dx[i]!, yr = dy[i]!;
    const u = a * (c * xr - s * yr), v = b * (s * xr + c * yr);
    x[i] = c * u + s * v;
    y[i] = -s * u + c * v;
  }
  return { x, y };
}

/** Polar histogram: counts[r * nAz + az] over radius (px) × azimuth (−180..180°). */
export interface PolarHistogram {
  readonly nR: number;
  readonly nAz: number;
  /** Bin centres, px and degrees. */
  readonly radiusPx: Float64Array;
  readonly azimuthDeg: Float64Array;
  readonly counts: Float64Array;
  /** Azimuthally summed radial profile (length nR). */
  readonly radialProfile: Float64Array;
}

export function polarHistogram(x: ArrayLike<number>, y: ArrayLike<number>, n: number, rMinPx: number, rMaxPx: number, nR: number, nAz: number): PolarHistogram {
  const counts = new Float64Array(nR * nAz), prof = new Float64Array(nR);
  const dr = (rMaxPx - rMinPx) / nR;
  for (let i = 0; i < n; i++) {
    const r = Math.hypot(x[i]!, y[i]!);
    const ir = Math.floor((r - rMinPx) / dr);
    if (ir < 0 || ir >= nR) continue;
    const az = Math.atan2(y[i]!, x[i]!);
    const ia = Math.min(nAz - 1, Math.floor(((az + Math.PI) / (2 * Math.PI)) * nAz));
    counts[ir * nAz + ia] = counts[ir * nAz + ia]! + 1;
    prof[ir] = prof[ir]! + 1;
  }
  return {
    nR, nAz, counts, radialProfile: prof,
    radiusPx: Float64Array.from({ length: nR }, (_, i) => rMinPx + (i + 0.5) * dr),
    azimuthDeg: Float64Array.from({ length: nAz }, (_, i) => -180 + ((i + 0.5) * 360) / nAz),
  };
}

/** diffractem's figure of merit: mean(H²)/mean(H·roll(H, nAz/4 along azimuth)) − 1 (lower = rounder). */
export function ellipticityFom(h: PolarHistogram): number {
  const q = Math.round(h.nAz / 4);
  let s2 = 0, sx = 0;
  for (let r = 0; r < h.nR; r++) for (let a = 0; a < h.nAz; a++) {
    const v = h.counts[r * h.nAz + a]!;
    s2 += v * v;
    sx += v * h.counts[r * h.nAz + ((a + q) % h.nAz)]!;
  }
  return sx > 0 ? s2 / sx - 1 : Infinity;
}

export interface EllipticityOptions {
  /** Radius range used (px). */
  readonly rMinPx: number;
  readonly rMaxPx: number;
  /** Log-radius bins and azimuth sectors. */
  readonly nLogR?: number;
  readonly nSectors?: number;
  /** Maximum correction iterations. */
  readonly iterations?: number;
  /** Gaussian smoothing of the profiles, in bins. */
  readonly smoothBins?: number;
}

export interface EllipticityResult {
  readonly ratio: number;
  readonly angleDeg: number;
  /** Standard errors from the cos/sin fit of the last iteration. */
  readonly ratioSigma: number;
  readonly angleSigmaDeg: number;
  readonly iterations: number;
  /** Per-sector log-radius shifts of the first iteration (diagnostics: should follow a cos 2θ). */
  readonly sectorShift: Float64Array;
}

/** Ratio/angle of the symmetric 2×2 correction matrix M = Rᵀ·diag(ρ^-½, ρ^½)·R (φ in [0, 180)). */
function matToEllipse(m00: number, m01: number, m11: number): { ratio: number; angleDeg: number } {
  const tr = (m00 + m11) / 2, d = Math.hypot((m00 - m11) / 2, m01);
  const lmin = tr - d, lmax = tr + d; // lmin = ρ^-½ along the axis u
  // eigenvector of lmin: (m01, lmin - m00) or (lmin - m11, m01)
  let ux = m01, uy = lmin - m00;
  if (Math.hypot(ux, uy) < 1e-15) { ux = lmin - m11; uy = m01; }
  if (Math.hypot(ux, uy) < 1e-15) { ux = 1; uy = 0; }
  let ang = (Math.atan2(uy, ux) * 180) / Math.PI;
  // R rotates by φ: u = (cos φ, −sin φ) per the §10 formula (u = c·x − s·y)
  ang = -ang;
  ang = ((ang % 180) + 180) % 180;
  return { ratio: lmax / lmin, angleDeg: ang };
}

function ellipseToMat(ratio: number, angleDeg: number): [number, number, number] {
  const c = Math.cos((angleDeg * Math.PI) / 180), s = Math.sin((angleDeg * Math.PI) / 180);
  const a = 1 / Math.sqrt(ratio), b = Math.sqrt(ratio);
  // Rᵀ diag(a,b) R with R = [[c, −s], [s, c]]
  return [c * c * a + s * s * b, -c * s * a + s * c * b, s * s * a + c * c * b];
}

export function refineEllipticity(dx: ArrayLike<number>, dy: ArrayLike<number>, n: number, o: EllipticityOptions): EllipticityResult {
  const nL = o.nLogR ?? 400, nS = o.nSectors ?? 24, iters = o.iterations ?? 6, sm = o.smoothBins ?? 1.5;
  if (!(o.rMinPx > 0 && o.rMaxPx > o.rMinPx)) throw new Error(`ellipticity: need 0 < rMin < rMax, got ${o.rMinPx}, ${o.rMaxPx}`);
  const l0 = Math.log(o.rMinPx), l1 = Math.log(o.rMaxPx), dl = (l1 - l0) / nL;
  // accumulated correction, general 2×2 row-major [m00, m01, m10, m11]
  let M: [number, number, number, number] = [1, 0, 0, 1];
  let first: Float64Array | null = null;
  let sigA = 0, sigB = 0, it: number, amp = 0;
  const kern: number[] = [];
  for (let k = -Math.ceil(3 * sm); k <= Math.ceil(3 * sm); k++) kern.push(Math.exp(-(k * k) / (2 * sm * sm)));
  const kh = (kern.length - 1) / 2;
  for (it = 0; it < iters; it++) {
    const prof = new Float64Array(nS * nL);
    for (let i = 0; i < n; i++) {
      const x = M[0] * dx[i]! + M[1] * dy[i]!, y = M[2] * dx[i]! + M[3] * dy[i]!;
      const lr = Math.log(Math.hypot(x, y));
      const b = (lr - l0) / dl;
      if (!(b >= 0 && b < nL)) continue;
      const sct = Math.min(nS - 1, Math.floor(((Math.atan2(y, x) + Math.PI) / (2 * Math.PI)) * nS));
      // linear binning (sub-bin precision)
      const b0 = Math.floor(b - 0.5), f = b - 0.5 - b0;
      if (b0 >= 0) prof[sct * nL + b0] = prof[sct * nL + b0]! + (1 - f);
      if (b0 + 1 < nL) prof[sct * nL + b0 + 1] = prof[sct * nL + b0 + 1]! + f;
    }
    // smooth, remove each sector's slow trend (high-pass) so rings dominate the correlation
    const sp = new Float64Array(nS * nL), mean = new Float64Array(nL);
    for (let s = 0; s < nS; s++) for (let b = 0; b < nL; b++) {
      let v = 0;
      for (let k = 0; k < kern.length; k++) { const j = b + k - kh; if (j >= 0 && j < nL) v += kern[k]! * prof[s * nL + j]!; }
      sp[s * nL + b] = v;
    }
    const W = 15;
    const hp = new Float64Array(nS * nL);
    for (let s = 0; s < nS; s++) for (let b = 0; b < nL; b++) {
      let m = 0, c = 0;
      for (let j = Math.max(0, b - W); j <= Math.min(nL - 1, b + W); j++) { m += sp[s * nL + j]!; c++; }
      hp[s * nL + b] = sp[s * nL + b]! - m / c;
      mean[b] = mean[b]! + hp[s * nL + b]!;
    }
    // per-sector shift by cross-correlation with the mean profile (±maxLag bins)
    const maxLag = Math.max(3, Math.ceil(0.03 / dl));
    const shift = new Float64Array(nS), theta = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      theta[s] = -Math.PI + ((s + 0.5) * 2 * Math.PI) / nS;
      const cc = new Float64Array(2 * maxLag + 1);
      for (let lag = -maxLag; lag <= maxLag; lag++) {
        let v = 0;
        for (let b = maxLag; b < nL - maxLag; b++) v += hp[s * nL + b + lag]! * mean[b]!;
        cc[lag + maxLag] = v;
      }
      let bi = 1;
      for (let j = 1; j < cc.length - 1; j++) if (cc[j]! > cc[bi]!) bi = j;
      // sub-bin part by linearised least squares around the best integer lag L:
      // hp_s(b + L) ≈ g·m(b) + f·m'(b) = g·m(b + f/g), so the feature sits at L − f/g. (A parabola through the correlation peak
      // locks onto integer lags, which biased the ratio low once the residual was below one bin.)
      const L = bi - maxLag;
      let smm = 0, smd = 0, sdd = 0, shm = 0, shd = 0;
      for (let b = maxLag + 1; b < nL - maxLag - 1; b++) {
        const m = mean[b]!, d = 0.5 * (mean[b + 1]! - mean[b - 1]!), h = hp[s * nL + b + L]!;
        smm += m * m; smd += m * d; sdd += d * d; shm += h * m; shd += h * d;
      }
      const det = smm * sdd - smd * smd;
      const g = det > 0 ? (shm * sdd - shd * smd) / det : 0, f = det > 0 ? (shd * smm - shm * smd) / det : 0;
      const frac = g > 0 && Math.abs(f / g) <= 1 ? -f / g : 0;
      shift[s] = (L + frac) * dl;
    }
    if (!first) first = shift.slice();
    // fit shift = c0 + a cos 2θ + b sin 2θ (least squares; sectors are evenly spaced)
    let a = 0, b = 0, c0 = 0;
    for (let s = 0; s < nS; s++) { c0 += shift[s]!; a += shift[s]! * Math.cos(2 * theta[s]!); b += shift[s]! * Math.sin(2 * theta[s]!); }
    c0 /= nS; a *= 2 / nS; b *= 2 / nS;
    let rss = 0;
    for (let s = 0; s < nS; s++) { const e = shift[s]! - c0 - a * Math.cos(2 * theta[s]!) - b * Math.sin(2 * theta[s]!); rss += e * e; }
    const sig = Math.sqrt(rss / Math.max(1, nS - 3)) * Math.sqrt(2 / nS);
    sigA = sig; sigB = sig;
    // residual stretch along angle ψ = atan2(b, a)/2 (in the corrected frame, y up as θ): ln ρ_res = 2·amp
    amp = Math.hypot(a, b);
    const psi = Math.atan2(b, a) / 2;
    // residual correction: compress along ψ by e^{-amp}, stretch across by e^{amp}
    const cp = Math.cos(psi), spn = Math.sin(psi);
    const ea = Math.exp(-amp), eb = Math.exp(amp);
    const r00 = cp * cp * ea + spn * spn * eb, r01 = cp * spn * (ea - eb), r11 = spn * spn * ea + cp * cp * eb;
    M = [r00 * M[0] + r01 * M[2], r00 * M[1] + r01 * M[3], r01 * M[0] + r11 * M[2], r01 * M[1] + r11 * M[3]];
    if (amp < 1e-6) { it++; break; }
  }
  // pure strain part of M (polar decomposition, S = √(MᵀM)), normalised to det 1
  const p00 = M[0] * M[0] + M[2] * M[2], p01 = M[0] * M[1] + M[2] * M[3], p11 = M[1] * M[1] + M[3] * M[3];
  const e2 = matToEllipse(p00, p01, p11); // MᵀM has ratio ρ², same axes
  const e = { ratio: Math.sqrt(e2.ratio), angleDeg: e2.angleDeg };
  const ratioSigma = 2 * e.ratio * Math.hypot(sigA, sigB) / Math.SQRT2;
  const angleSigmaDeg = amp > 0 || e.ratio > 1 ? (Math.hypot(sigA, sigB) / Math.max(Math.log(e.ratio), 1e-9)) * (90 / Math.PI) : 180;
  return { ratio: e.ratio, angleDeg: e.angleDeg, ratioSigma, angleSigmaDeg, iterations: it, sectorShift: first ?? new Float64Array(nS) };
}

export { ellipseToMat as ellipticityCorrectionMatrix };
