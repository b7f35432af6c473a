/**
 * peakfinder8 (Barty/Mariani/Yefanov, as in diffractem's extension and CrystFEL's peakfinder8.c),
 * whole image treated as one panel. ../shared/spec/preprocessing.md §6.
 * Coordinates: pixel-centre convention (x = fs column index, y = ss row index).
 */
import type { Frame } from "../image/frame.ts";
import { assertFrameShape } from "../image/frame.ts";

/** peakfinder8 parameters (radii in px from the pattern centre, intensities in ADU). */
export interface Peakfinder8Options {
  readonly threshold: number;
  readonly minSnr: number;
  readonly minPixCount: number;
  readonly maxPixCount: number;
  readonly localBgRadius: number;
  readonly minResPx: number;
  readonly maxResPx: number;
  readonly maxPeaks: number;
}

/** Function defaults of peakfinder8 (diffractem's PreProcOpts defaults differ: see preproc-opts.ts). */
export const peakfinder8Defaults: Peakfinder8Options = {
  threshold: 7, minSnr: 4, minPixCount: 2, maxPixCount: 20, localBgRadius: 3, minResPx: 0, maxResPx: 500, maxPeaks: 500,
};

/** Found peaks, columnar, `count` valid entries (≤ maxPeaks). Positions in pixel-centre convention. */
export interface PeakTable {
  readonly count: number;
  readonly fs: Float32Array;
  readonly ss: Float32Array;
  /** Background-subtracted integrated intensity (ADU). */
  readonly intensity: Float32Array;
  readonly npix: Int32Array;
  readonly maxIntensity: Float32Array;
  readonly localSigma: Float32Array;
  readonly snr: Float32Array;
}

/**
 * Reusable buffers for one image size (avoid allocations per frame). Not thread-safe: one per worker.
 */
export interface Peakfinder8Workspace {
  readonly nPix: number;
  readonly bins: Uint16Array;
  readonly good: Uint8Array;
  readonly inPeak: Uint8Array;
  readonly list: Int32Array;
  readonly packVal: Float32Array;
}

export function createPeakfinder8Workspace(nPix: number): Peakfinder8Workspace {
  return {
    nPix, bins: new Uint16Array(nPix), good: new Uint8Array(nPix), inPeak: new Uint8Array(nPix),
    list: new Int32Array(nPix), packVal: new Float32Array(nPix),
  };
}

const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;
const NB_DX = [0, -1, 0, 1, -1, 1, -1, 0, 1];
const NB_DY = [0, -1, -1, -1, 0, 0, 1, 1, 1];

/** rint(|(dx, dy)|) exactly as the incremental radius map defines it: (b−½)² ≤ r2 < (b+½)². */
function radiusBin(dx: number, dy: number): number {
  const r2 = dx * dx + dy * dy;
  let b = Math.round(Math.sqrt(r2));
  while (b > 0 && r2 < (b - 0.5) * (b - 0.5)) b--;
  while (r2 >= (b + 0.5) * (b + 0.5)) b++;
  return b;
}

/**
 * Finds Bragg peaks with peakfinder8.
 * @param frame image (float32, ADU), shape [ss, fs]
 * @param badMask 1 = unusable pixel (dead, gap, edge), or null; non-finite pixels are always unusable
 * @param centerX,centerY pattern centre (px, pixel-centre convention) for the radius map
 */
export function findPeaksPeakfinder8(
  frame: Frame, badMask: Uint8Array | null, centerX: number, centerY: number,
  opts: Peakfinder8Options, ws?: Peakfinder8Workspace,
): PeakTable {
  assertFrameShape(frame, "peakfinder8 input");
  const [H, W] = frame.shape;
  const n = H * W;
  if (badMask && badMask.length !== n) throw new Error(`peakfinder8: mask has ${badMask.length} pixels, frame has ${n}`);
  if (!Number.isFinite(centerX) || !Number.isFinite(centerY)) throw new Error(`peakfinder8: centre (${centerX}, ${centerY}) is not finite`);
  const w = ws && ws.nPix === n ? ws : createPeakfinder8Workspace(n);
  const data = frame.pixels;
  const { bins, good, inPeak, list, packVal } = w;

  // Radius map (rint) and usable mask incl. resolution limits. nBins = ceil(max r) + 1 (max r at a corner).
  const minR = opts.minResPx, maxR = opts.maxResPx;
  let maxRadius = 0;
  for (const [x, y] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]] as const) maxRadius = Math.max(maxRadius, Math.hypot(x - centerX, y - centerY));
  if (maxRadius > 65534) throw new Error(`peakfinder8: centre (${centerX}, ${centerY}) is too far from the image`);
  const nBins = Math.ceil(maxRadius) + 1;
  const binStart = new Int32Array(nBins + 1);
  const minR2 = minR * minR, maxR2 = maxR * maxR;
  let nGood = 0;
  // Per row, the column range [rowLo, rowHi) that may hold usable pixels (empty: rowLo = rowHi = 0).
  const rowLo = new Int32Array(H), rowHi = new Int32Array(H);
  for (let y = 0; y < H; y++) {
    const dy = y - centerY, dy2 = dy * dy;
    const row = y * W;
    // Only the columns that can lie within maxRes (with a 1 px margin; the exact test is below) are
    // visited: outside them pixels are unusable and their radius bin is never read.
    if (!(dy2 <= maxR2)) { good.fill(0, row, row + W); continue; }
    const hw = Math.sqrt(maxR2 - dy2);
    const xa = Math.max(0, Math.floor(centerX - hw) - 1), xb = Math.min(W, Math.ceil(centerX + hw) + 2);
    if (xa >= xb) { good.fill(0, row, row + W); continue; }
    good.fill(0, row, row + xa);
    good.fill(0, row + xb, row + W);
    rowLo[y] = xa; rowHi[y] = xb;
    // rint(sqrt(r2)) tracked incrementally along the row: b is valid while (b−½)² ≤ r2 < (b+½)².
    const dx0 = xa - centerX;
    let b = Math.round(Math.sqrt(dx0 * dx0 + dy2));
    let loB = b > 0 ? (b - 0.5) * (b - 0.5) : -1, hiB = (b + 0.5) * (b + 0.5);
    for (let x = xa; x < xb; x++) {
      const i = row + x;
      const dx = x - centerX;
      const r2 = dx * dx + dy2;
      while (r2 < loB) { b--; hiB = loB; loB = b > 0 ? (b - 0.5) * (b - 0.5) : -1; }
      while (r2 >= hiB) { b++; loB = hiB; hiB = (b + 0.5) * (b + 0.5); }
      bins[i] = b;
      const v = data[i]!;
      const ok = (badMask === null || badMask[i] === 0) && r2 <= maxR2 && r2 >= minR2 && v - v === 0;
      good[i] = ok ? 1 : 0;
      if (ok) { binStart[b + 1]!++; list[nGood] = i; nGood++; }
    }
  }
  // Counting sort of the usable pixel values by radius bin: the 5 statistics passes then run over
  // contiguous memory with the bin's thresholds in registers. Only the usable pixels (list) are visited.
  for (let b = 0; b < nBins; b++) binStart[b + 1]! += binStart[b]!;
  const fill = binStart.slice(0, nBins);
  for (let k = 0; k < nGood; k++) {
    const i = list[k]!;
    const b = bins[i]!;
    packVal[fill[b]!] = data[i]!;
    fill[b]!++;
  }

  // Step A: radial statistics with 5 sigma-clipping iterations.
  const hi = new Float64Array(nBins).fill(1e9);
  const lo = new Float64Array(nBins).fill(-1e9);
  const offset = new Float64Array(nBins);
  // A bin whose thresholds did not change selects the same pixels again, so its statistics are final
  // (exact shortcut: most bins converge after 2–3 of the 5 iterations).
  const converged = new Uint8Array(nBins);
  for (let it = 0; it < 5; it++) {
    for (let b = 0; b < nBins; b++) {
      if (converged[b] === 1) continue;
      const l = lo[b]!, h = hi[b]!;
      let s = 0, s2 = 0, c = 0;
      const e = binStart[b + 1]!;
      for (let k = binStart[b]!; k < e; k++) {
        const v = packVal[k]!;
        if (v > l && v < h) { s += v; s2 += v * v; c++; }
      }
      let nh: number, nl: number;
      if (c === 0) { offset[b] = 0; nh = FLT_MAX; nl = FLT_MIN; } else {
        const mean = s / c;
        const sd = Math.sqrt(Math.max(s2 / c - mean * mean, 0));
        offset[b] = mean;
        nh = Math.max(mean + opts.minSnr * sd, opts.threshold);
        nl = mean - opts.minSnr * sd;
      }
      if (nh === h && nl === l) converged[b] = 1;
      hi[b] = nh; lo[b] = nl;
    }
  }
  const thr = hi;

  // Step B/C: connected components, local background, filters.
  inPeak.fill(0);
  const maxPeaks = opts.maxPeaks;
  const out = {
    fs: new Float32Array(maxPeaks), ss: new Float32Array(maxPeaks), intensity: new Float32Array(maxPeaks),
    npix: new Int32Array(maxPeaks), maxIntensity: new Float32Array(maxPeaks), localSigma: new Float32Array(maxPeaks), snr: new Float32Array(maxPeaks),
  };
  let count = 0;
  const ringW = 2 * opts.localBgRadius;
  let minThr = Infinity;
  for (let b = 0; b < nBins; b++) if (thr[b]! < minThr) minThr = thr[b]!;
  for (let y0 = 1; y0 < H - 1; y0++) {
    const xEnd = Math.min(W - 1, rowHi[y0]!);
    for (let x0 = Math.max(1, rowLo[y0]!); x0 < xEnd; x0++) {
      const seed = y0 * W + x0;
      const sv = data[seed]!;
      // (usable first: bins of unusable pixels are not computed)
      if (!(sv > minThr) || good[seed] === 0 || !(sv > thr[bins[seed]!]!) || inPeak[seed] !== 0) continue;
      // Flood fill over the 8-neighbourhood (the seed is accepted first through offset (0,0)).
      let np = 0;
      let sI = 0, sX = 0, sY = 0;
      list[0] = seed;
      let head = 0;
      let queued = 1; // list[0..queued) are pixels whose neighbours must be visited
      while (head < queued) {
        const p = list[head]!; head++;
        const px = p % W, py = (p - px) / W;
        for (let k = 0; k < 9; k++) {
          const qx = px + NB_DX[k]!, qy = py + NB_DY[k]!;
          if (qx < 0 || qx >= W || qy < 0 || qy >= H) continue;
          const q = qy * W + qx;
          if (good[q] === 0) continue;
          const v = data[q]!;
          const b = bins[q]!;
          if (v > thr[b]! && inPeak[q] === 0) {
            const i = v - offset[b]!;
            sI += i; sX += i * qx; sY += i * qy;
            inPeak[q] = 1;
            if (q !== seed) { list[queued] = q; queued++; }
            np++;
          }
        }
      }
      // `list[0..queued)` holds all pixels of the candidate (seed first).
      if (np < opts.minPixCount || np > opts.maxPixCount) continue;
      if (Math.abs(sI) < 1e-10) continue;
      const cx = Math.round(sX / Math.abs(sI)), cy = Math.round(sY / Math.abs(sI));
      // Local background in a disc of radius 2·local_bg_radius.
      let nb = 0, bs = 0, bs2 = 0, bgMax = 0;
      for (let dy = -ringW; dy < ringW; dy++) {
        const yy = cy + dy;
        if (yy < 0 || yy >= H) continue;
        for (let dx = -ringW; dx < ringW; dx++) {
          const xx = cx + dx;
          if (xx < 0 || xx >= W) continue;
          if (dx * dx + dy * dy > ringW * ringW) continue;
          const q = yy * W + xx;
          const v = data[q]!;
          if (good[q] !== 0 && v < thr[bins[q]!]! && inPeak[q] === 0) {
            nb++; bs += v; bs2 += v * v;
            if (v > bgMax) bgMax = v;
          }
        }
      }
      let locOff: number, locSig: number;
      if (nb > 0) {
        locOff = bs / nb;
        const var_ = bs2 / nb - locOff * locOff;
        locSig = var_ >= 0 ? Math.sqrt(var_) : 0.01;
      } else {
        const ci = Math.min(Math.max(cy, 0), H - 1) * W + Math.min(Math.max(cx, 0), W - 1);
        locOff = offset[radiusBin(ci % W - centerX, (ci - (ci % W)) / W - centerY)]!;
        locSig = 0.01;
      }
      // Re-integrate with the local background; centroid from raw values.
      let tot = 0, raw = 0, rX = 0, rY = 0, maxI = 0;
      for (let k = 0; k < queued; k++) {
        const q = list[k]!;
        const v = data[q]!;
        const i = v - locOff;
        tot += i; raw += v;
        const qx = q % W;
        rX += v * qx; rY += v * ((q - qx) / W);
        if (i > maxI) maxI = i;
      }
      if (Math.abs(raw) < 1e-10) continue;
      const fx = rX / Math.abs(raw), fy = rY / Math.abs(raw);
      const snr = Math.abs(locSig) > 1e-10 ? tot / locSig : 0;
      if (snr < opts.minSnr) continue;
      if (maxI < bgMax - locOff) continue;
      if (fx < 0 || fx > W - 1 || fy < 0 || fy > H - 1) continue;
      for (let k = 0; k < queued; k++) inPeak[list[k]!] = 2;
      if (count < maxPeaks) {
        out.fs[count] = fx; out.ss[count] = fy; out.intensity[count] = tot; out.npix[count] = np;
        out.maxIntensity[count] = maxI; out.localSigma[count] = locSig; out.snr[count] = snr;
        count++;
      }
    }
  }
  return { count, ...out };
}

/** CXI peak layout (arrays padded with zeros to maxPeaks), as written to /%/data. */
export interface CxiPeaks {
  readonly nPeaks: number;
  readonly peakXPosRaw: Float32Array;
  readonly peakYPosRaw: Float32Array;
  readonly peakTotalIntensity: Float32Array;
}

export function toCxiPeaks(t: PeakTable): CxiPeaks {
  return { nPeaks: t.count, peakXPosRaw: t.fs, peakYPosRaw: t.ss, peakTotalIntensity: t.intensity };
}
