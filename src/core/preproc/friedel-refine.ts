/**
 * Pattern-centre refinement from Friedel pairs of found peaks (diffractem `proc_peaks._ctr_from_pks`),
 * ../shared/spec/preprocessing.md §7. F(c) = (1/2N) Σ_i Σ_j exp(−|p_i + p_j − 2c|² / 2σ²); the centre
 * maximising F within p0 ± 5 px is found by a grid search followed by Nelder–Mead (robust against the
 * local optima a local least-squares start can fall into).
 */

export interface FriedelOptions {
  /** σ of the pair score in px (`peak_sigma`). */
  readonly sigmaPx: number;
  /** Only peaks closer than this to p0 are used (`friedel_max_radius`), null = all. */
  readonly maxRadiusPx: number | null;
  /** Half width of the search box (px); diffractem uses 5. */
  readonly boundPx?: number;
}

export interface FriedelResult {
  /** Refined centre, pixel-centre convention. */
  readonly x: number;
  readonly y: number;
  /** center_refine_score = 2·F(c*)². */
  readonly score: number;
}

/** F at candidate centre c for pair midpoints (mx, my) with weights (2 for i≠j, 1 for i=j). */
function pairScore(mx: Float64Array, my: Float64Array, wt: Float64Array, n: number, cx: number, cy: number, k: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const dx = mx[i]! - cx, dy = my[i]! - cy;
    s += wt[i]! * Math.exp(-k * (dx * dx + dy * dy));
  }
  return s;
}

/**
 * Refines the centre. `fs`, `ss`: peak positions (pixel-centre convention), first `count` used;
 * (x0, y0): start centre (Lorentz fit, pixel-centre convention).
 */
export function refineCenterFriedel(fs: ArrayLike<number>, ss: ArrayLike<number>, count: number, x0: number, y0: number, opts: FriedelOptions): FriedelResult {
  const sigma = opts.sigmaPx;
  const bound = opts.boundPx ?? 5;
  if (!Number.isFinite(x0) || !Number.isFinite(y0)) return { x: x0, y: y0, score: NaN };
  // Peaks in CrystFEL convention (+0.5); the start value is used as is (as diffractem does).
  const px: number[] = [], py: number[] = [];
  const r2max = opts.maxRadiusPx === null ? Infinity : opts.maxRadiusPx * opts.maxRadiusPx;
  for (let i = 0; i < count; i++) {
    const x = fs[i]! + 0.5, y = ss[i]! + 0.5;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if ((x - x0) ** 2 + (y - y0) ** 2 < r2max) { px.push(x); py.push(y); }
  }
  const N = px.length;
  if (N === 0) return { x: x0, y: y0, score: NaN };
  // exp(−|p_i+p_j−2c|²/2σ²) = exp(−2|m_ij − c|²/σ²) with m_ij the pair midpoint.
  const k = 2 / (sigma * sigma);
  const margin = bound + 6 * sigma;
  const mxL: number[] = [], myL: number[] = [], wL: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      const mx = (px[i]! + px[j]!) / 2, my = (py[i]! + py[j]!) / 2;
      if (Math.abs(mx - x0) > margin || Math.abs(my - y0) > margin) continue;
      mxL.push(mx); myL.push(my); wL.push(i === j ? 1 : 2);
    }
  }
  const n = mxL.length;
  const mx = Float64Array.from(mxL), my = Float64Array.from(myL), wt = Float64Array.from(wL);
  const norm = 1 / (2 * N);
  const F = (cx: number, cy: number): number => norm * pairScore(mx, my, wt, n, cx, cy, k);
  const clampX = (v: number): number => Math.min(Math.max(v, x0 - bound), x0 + bound);
  const clampY = (v: number): number => Math.min(Math.max(v, y0 - bound), y0 + bound);
  // Coarse grid: the score of one pair is a Gaussian of σ/2 in c, so a step of σ/2 (≤ 1 px) cannot miss it.
  const step = Math.min(1, sigma / 2);
  const nStep = Math.ceil(bound / step);
  let bx = x0, by = y0, bf = F(x0, y0);
  if (Number.isNaN(bf)) return { x: x0, y: y0, score: NaN };
  for (let iy = -nStep; iy <= nStep; iy++) {
    for (let ix = -nStep; ix <= nStep; ix++) {
      const cx = clampX(x0 + ix * step), cy = clampY(y0 + iy * step);
      const f = F(cx, cy);
      if (f > bf) { bf = f; bx = cx; by = cy; }
    }
  }
  // Nelder–Mead on −F within the box.
  const obj = (x: number, y: number): number => -F(clampX(x), clampY(y));
  let simplex: [number, number, number][] = [
    [bx, by, obj(bx, by)], [bx + step / 2, by, obj(bx + step / 2, by)], [bx, by + step / 2, obj(bx, by + step / 2)],
  ];
  for (let it = 0; it < 200; it++) {
    simplex.sort((a, b) => a[2] - b[2]);
    const [b0, b1, w] = simplex as [[number, number, number], [number, number, number], [number, number, number]];
    if (Math.abs(w[0] - b0[0]) + Math.abs(w[1] - b0[1]) < 1e-5 && Math.abs(w[2] - b0[2]) <= 1e-12 * Math.abs(b0[2]) + 1e-15) break;
    const cx = (b0[0] + b1[0]) / 2, cy = (b0[1] + b1[1]) / 2;
    const rx = 2 * cx - w[0], ry = 2 * cy - w[1], rf = obj(rx, ry);
    if (rf < b0[2]) {
      const ex = 3 * cx - 2 * w[0], ey = 3 * cy - 2 * w[1], ef = obj(ex, ey);
      simplex = ef < rf ? [b0, b1, [ex, ey, ef]] : [b0, b1, [rx, ry, rf]];
    } else if (rf < b1[2]) {
      simplex = [b0, b1, [rx, ry, rf]];
    } else {
      const kx = (cx + w[0]) / 2, ky = (cy + w[1]) / 2, kf = obj(kx, ky);
      if (kf < w[2]) simplex = [b0, b1, [kx, ky, kf]];
      else {
        const s1x = (b0[0] + b1[0]) / 2, s1y = (b0[1] + b1[1]) / 2, s2x = (b0[0] + w[0]) / 2, s2y = (b0[1] + w[1]) / 2;
        simplex = [b0, [s1x, s1y, obj(s1x, s1y)], [s2x, s2y, obj(s2x, s2y)]];
      }
    }
  }
  simplex.sort((a, b) => a[2] - b[2]);
  const best = simplex[0]!;
  const cx = clampX(best[0]), cy = clampY(best[1]);
  const f = Math.max(F(cx, cy), 1e-10);
  return { x: cx - 0.5, y: cy - 0.5, score: 2 * f * f };
}
