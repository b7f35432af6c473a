/**
 * peakfinder8 (Barty/Mariani/Yefanov, as in diffractem's extension and CrystFEL's peakfinder8.c),
 * whole image treated as one panel. ../shared/spec/preprocessing.md §6.
 * Coordinates: pixel-centre convention (x = fs column index, y = ss row index).
 */
import type { Frame } from "../image/frame.ts";
import { assertFrameShape } from "../image/frame.ts";
import { Peakfinder8Wasm } from "./wasm/peakfinder8-wasm.ts";

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
  /** Milliseconds per phase (only when a clock is passed): radius map + grouping, clipping + seeds, components. */
  readonly timingsMs?: Readonly<Record<string, number>>;
}

/**
 * Reusable buffers for one image size (avoid allocations per frame). Not thread-safe: one per worker.
 * The JS reference's pixel buffers are allocated on its first use (the WebAssembly engine has its own).
 */
export interface Peakfinder8Workspace {
  readonly nPix: number;
  /** Radius bin per pixel; UNUSABLE for pixels that are masked, non-finite or outside the resolution limits. */
  bins: Uint16Array;
  /** 0 = free, 1 = in a candidate, 2 = in an accepted peak. */
  inPeak: Uint8Array;
  /** Flood-fill queue (pixel index, column, row). */
  qIdx: Int32Array;
  qX: Int32Array;
  qY: Int32Array;
  /**
   * Usable pixel values and indices grouped by radius bin, bin b in [start[b], fill[b]). The segments
   * are sized from the largest counts of the frames so far (the centre moves little between frames) with
   * slack; a frame that overflows a segment is re-packed with exact counts.
   */
  packVal: Float32Array;
  packIdx: Int32Array;
  /** Most usable pixels per bin seen in the frames so far (segment capacities), or empty. */
  prevCount: Int32Array;
  /** Seed pixels (above their bin's threshold). */
  seeds: Int32Array;
  /** Per-bin thresholds indexed by bins[i]: UNUSABLE maps to +∞ (never above) / −∞ (never below). */
  thrAbove: Float64Array;
  thrBelow: Float64Array;
  /** All zeros: stands for a null mask. */
  zeros: Uint8Array;
  /** WebAssembly engine of this workspace (created on first use; null where WebAssembly is unavailable). */
  wasm?: Peakfinder8Wasm | null;
}

const UNUSABLE = 65535;

export function createPeakfinder8Workspace(nPix: number): Peakfinder8Workspace {
  return {
    nPix, bins: new Uint16Array(0), inPeak: new Uint8Array(0), qIdx: new Int32Array(0), qX: new Int32Array(0), qY: new Int32Array(0),
    packVal: new Float32Array(0), packIdx: new Int32Array(0), prevCount: new Int32Array(0), seeds: new Int32Array(1024),
    thrAbove: new Float64Array(0), thrBelow: new Float64Array(0), zeros: new Uint8Array(0),
  };
}

/** Allocates the JS reference's buffers of a workspace (once). */
function jsBuffers(w: Peakfinder8Workspace): void {
  const n = w.nPix;
  if (w.bins.length === n && w.thrAbove.length > 0) return;
  w.bins = new Uint16Array(n); w.inPeak = new Uint8Array(n);
  w.qIdx = new Int32Array(n); w.qX = new Int32Array(n); w.qY = new Int32Array(n);
  w.packVal = new Float32Array(n); w.packIdx = new Int32Array(n);
  w.thrAbove = new Float64Array(UNUSABLE + 1); w.thrBelow = new Float64Array(UNUSABLE + 1); w.zeros = new Uint8Array(n);
}

const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;
const NB_DX = [0, -1, 0, 1, -1, 1, -1, 0, 1];
const NB_DY = [0, -1, -1, -1, 0, 0, 1, 1, 1];

/** rint(|(dx, dy)|) exactly as the radius map defines it: (b−½)² ≤ r2 < (b+½)². */
function radiusBin(dx: number, dy: number): number {
  const r2 = dx * dx + dy * dy;
  let b = Math.round(Math.sqrt(r2));
  while (b > 0 && r2 < (b - 0.5) * (b - 0.5)) b--;
  while (r2 >= (b + 0.5) * (b + 0.5)) b++;
  return b;
}

/**
 * Radius bin of every pixel (UNUSABLE where masked, non-finite or outside [minR, maxR]), fused with the
 * grouping by bin: the value and index of a usable pixel in bin b go to pack*[fill[b]++], so
 * fill[b] − start[b] is the bin's pixel count.
 * Per row only the columns that can lie within maxR are computed (rowLo/rowHi); the rest is UNUSABLE.
 * Returns false if a bin overflowed its segment.
 */
function indexAndPack(
  data: Float32Array, mask: Uint8Array, H: number, W: number, cx: number, cy: number, minR: number, maxR: number,
  bins: Uint16Array, fill: Int32Array, end: Int32Array, packVal: Float32Array, packIdx: Int32Array, rowLo: Int32Array, rowHi: Int32Array,
): boolean {
  const minR2 = minR * minR, maxR2 = maxR * maxR;
  for (let y = 0; y < H; y++) {
    const dy = y - cy, dy2 = dy * dy;
    const row = y * W;
    // Only the columns that can lie within maxRes (with a 1 px margin; the exact test is below).
    if (!(dy2 <= maxR2)) { bins.fill(UNUSABLE, row, row + W); continue; }
    const hw = Math.sqrt(maxR2 - dy2);
    const xa = Math.max(0, Math.floor(cx - hw) - 1), xb = Math.min(W, Math.ceil(cx + hw) + 2);
    if (xa >= xb) { bins.fill(UNUSABLE, row, row + W); continue; }
    if (xa > 0) bins.fill(UNUSABLE, row, row + xa);
    if (xb < W) bins.fill(UNUSABLE, row + xb, row + W);
    rowLo[y] = xa; rowHi[y] = xb;
    // rint(sqrt(r2)) tracked along the row without sqrt: r falls on [xa, xm) and rises on [xm, xb), so the
    // bin only needs stepping down, then up (b valid while (b−½)² ≤ r2 < (b+½)²); exact start per half.
    const xm = Math.min(xb, Math.max(xa, Math.floor(cx) + 1));
    // The current bin's fill position f stays in a register and is only written back when the bin steps.
    let b = radiusBin(xa - cx, dy);
    let loB = b > 0 ? (b - 0.5) * (b - 0.5) : -1;
    let f = fill[b]!;
    for (let x = xa; x < xm; x++) {
      const i = row + x;
      const dx = x - cx;
      const r2 = dx * dx + dy2;
      while (r2 < loB) { fill[b] = f; b--; f = fill[b]!; loB = b > 0 ? (b - 0.5) * (b - 0.5) : -1; }
      const v = data[i]!;
      if (mask[i] === 0 && r2 <= maxR2 && r2 >= minR2 && v - v === 0) {
        bins[i] = b;
        packVal[f] = v; packIdx[f] = i; f++;
      } else bins[i] = UNUSABLE;
    }
    fill[b] = f;
    if (xm >= xb) continue;
    b = radiusBin(xm - cx, dy);
    let hiB = (b + 0.5) * (b + 0.5);
    f = fill[b]!;
    for (let x = xm; x < xb; x++) {
      const i = row + x;
      const dx = x - cx;
      const r2 = dx * dx + dy2;
      while (r2 >= hiB) { fill[b] = f; b++; f = fill[b]!; hiB = (b + 0.5) * (b + 0.5); }
      const v = data[i]!;
      if (mask[i] === 0 && r2 <= maxR2 && r2 >= minR2 && v - v === 0) {
        bins[i] = b;
        packVal[f] = v; packIdx[f] = i; f++;
      } else bins[i] = UNUSABLE;
    }
    fill[b] = f;
  }
  // A bin that outgrew its segment wrote into the next one (or past the buffer end, where typed-array
  // writes are dropped): the caller then re-packs everything with exact counts.
  for (let b = 0; b < fill.length; b++) if (fill[b]! > end[b]!) return false;
  return true;
}

/** Groups the usable pixels by bin from the radius map (stable: ascending pixel index within a bin). */
function packByBin(data: Float32Array, bins: Uint16Array, W: number, H: number, rowLo: Int32Array, rowHi: Int32Array, fill: Int32Array, packVal: Float32Array, packIdx: Int32Array): void {
  for (let y = 0; y < H; y++) {
    const row = y * W;
    const e = row + rowHi[y]!;
    for (let i = row + rowLo[y]!; i < e; i++) {
      const b = bins[i]!;
      if (b !== UNUSABLE) { const f = fill[b]!; packVal[f] = data[i]!; packIdx[f] = i; fill[b] = f + 1; }
    }
  }
}

/** Radial statistics with 5 sigma-clipping iterations over bin b = pack[start[b], end[b]); fills offset (mean) and hi (threshold). */
function clipStatistics(packVal: Float32Array, start: Int32Array, end: Int32Array, nBins: number, minSnr: number, threshold: number, offset: Float64Array, hi: Float64Array): void {
  hi.fill(1e9);
  const lo = new Float64Array(nBins).fill(-1e9);
  // A bin whose thresholds did not change selects the same pixels again, so its statistics are final
  // (exact shortcut: most bins converge after 2–3 of the 5 iterations).
  const converged = new Uint8Array(nBins);
  for (let it = 0; it < 5; it++) {
    for (let b = 0; b < nBins; b++) {
      if (converged[b] === 1) continue;
      const l = lo[b]!, h = hi[b]!;
      // Two interleaved accumulators halve the floating-point add latency chain (sums differ from a
      // single running sum only in the last bits).
      let sa = 0, sa2 = 0, sb = 0, sb2 = 0, c = 0;
      const e = end[b]!;
      let k = start[b]!;
      for (; k + 1 < e; k += 2) {
        const v = packVal[k]!, u = packVal[k + 1]!;
        if (v > l && v < h) { sa += v; sa2 += v * v; c++; }
        if (u > l && u < h) { sb += u; sb2 += u * u; c++; }
      }
      if (k < e) { const v = packVal[k]!; if (v > l && v < h) { sa += v; sa2 += v * v; c++; } }
      const s = sa + sb, s2 = sa2 + sb2;
      let nh: number, nl: number;
      if (c === 0) { offset[b] = 0; nh = FLT_MAX; nl = FLT_MIN; } else {
        const mean = s / c;
        const sd = Math.sqrt(Math.max(s2 / c - mean * mean, 0));
        offset[b] = mean;
        nh = Math.max(mean + minSnr * sd, threshold);
        nl = mean - minSnr * sd;
      }
      if (nh === h && nl === l) converged[b] = 1;
      hi[b] = nh; lo[b] = nl;
    }
  }
}

/**
 * Finds Bragg peaks with peakfinder8, on the WebAssembly kernel where WebAssembly is available (the
 * workspace's instance), else with the JS reference findPeaksPeakfinder8Js; both give identical peaks.
 * @param frame image (float32, ADU), shape [ss, fs]
 * @param badMask 1 = unusable pixel (dead, gap, edge), or null; non-finite pixels are always unusable
 * @param centerX,centerY pattern centre (px, pixel-centre convention) for the radius map
 * @param now clock for per-phase timings (e.g. a CPU clock in the benchmark)
 */
export function findPeaksPeakfinder8(
  frame: Frame, badMask: Uint8Array | null, centerX: number, centerY: number,
  opts: Peakfinder8Options, ws?: Peakfinder8Workspace, now?: () => number,
): PeakTable {
  const { H, W, nBins } = checkArguments(frame, badMask, centerX, centerY);
  const w = ws && ws.nPix === H * W ? ws : createPeakfinder8Workspace(H * W);
  if (w.wasm === undefined) w.wasm = Peakfinder8Wasm.create();
  if (w.wasm && wasmOptions(opts)) return w.wasm.find(frame.pixels, badMask, H, W, centerX, centerY, nBins, opts, now);
  return findPeaksPeakfinder8Js(frame, badMask, centerX, centerY, opts, w, now);
}

const isInt32 = (x: number): boolean => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31;

/** The kernel takes the pixel counts, peak count and disc radius as 32-bit integers; other values go to the JS reference. */
function wasmOptions(o: Peakfinder8Options): boolean {
  return isInt32(o.minPixCount) && isInt32(o.maxPixCount) && isInt32(o.maxPeaks) && isInt32(2 * o.localBgRadius) && Math.abs(o.localBgRadius) <= 1024;
}

/** Shape, mask and centre checks; nBins = ceil(max r) + 1 (max r at a corner). */
function checkArguments(frame: Frame, badMask: Uint8Array | null, centerX: number, centerY: number): { H: number; W: number; nBins: number } {
  assertFrameShape(frame, "peakfinder8 input");
  const [H, W] = frame.shape;
  const n = H * W;
  if (badMask && badMask.length !== n) throw new Error(`peakfinder8: mask has ${badMask.length} pixels, frame has ${n}`);
  if (!Number.isFinite(centerX) || !Number.isFinite(centerY)) throw new Error(`peakfinder8: centre (${centerX}, ${centerY}) is not finite`);
  let maxRadius = 0;
  for (const [x, y] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]] as const) maxRadius = Math.max(maxRadius, Math.hypot(x - centerX, y - centerY));
  if (maxRadius > 65534) throw new Error(`peakfinder8: centre (${centerX}, ${centerY}) is too far from the image`);
  return { H, W, nBins: Math.ceil(maxRadius) + 1 };
}

/** peakfinder8 in plain JS: the reference implementation (and the fallback without WebAssembly). */
export function findPeaksPeakfinder8Js(
  frame: Frame, badMask: Uint8Array | null, centerX: number, centerY: number,
  opts: Peakfinder8Options, ws?: Peakfinder8Workspace, now?: () => number,
): PeakTable {
  const { H, W, nBins } = checkArguments(frame, badMask, centerX, centerY);
  const n = H * W;
  const w = ws && ws.nPix === n ? ws : createPeakfinder8Workspace(n);
  jsBuffers(w);
  const data = frame.pixels;
  const timings: Record<string, number> = {};
  let t = now ? now() : 0;
  const lap = (name: string): void => { if (now) { const t1 = now(); timings[name] = t1 - t; t = t1; } };

  // Radius map (rint) with the usable pixels.
  // Segments sized from the largest counts so far + 1/8 + 16 (16 each on the first frame).
  const start = new Int32Array(nBins), fill = new Int32Array(nBins), end = new Int32Array(nBins);
  const prev = w.prevCount;
  let total = 0;
  for (let b = 0; b < nBins; b++) {
    const c = b < prev.length ? prev[b]! : 0;
    start[b] = total; fill[b] = total;
    total += c + (c >> 3) + 16;
    end[b] = total;
  }
  if (w.packVal.length < total) { w.packVal = new Float32Array(total); w.packIdx = new Int32Array(total); }
  // Per row, the column range [rowLo, rowHi) that may hold usable pixels (empty: rowLo = rowHi = 0).
  const rowLo = new Int32Array(H), rowHi = new Int32Array(H);
  const fits = indexAndPack(data, badMask ?? w.zeros, H, W, centerX, centerY, opts.minResPx, opts.maxResPx, w.bins, fill, end, w.packVal, w.packIdx, rowLo, rowHi);
  const count = new Int32Array(nBins);
  for (let b = 0; b < nBins; b++) count[b] = fill[b]! - start[b]!;
  const cap = new Int32Array(Math.max(nBins, prev.length));
  for (let b = 0; b < cap.length; b++) cap[b] = Math.max(b < prev.length ? prev[b]! : 0, b < nBins ? count[b]! : 0);
  w.prevCount = cap;
  if (!fits) {
    // Exact segments from the counts, then a second pass over the radius map.
    let t = 0;
    for (let b = 0; b < nBins; b++) { start[b] = t; fill[b] = t; t += count[b]!; }
    packByBin(data, w.bins, W, H, rowLo, rowHi, fill, w.packVal, w.packIdx);
  }

  lap("radius_map");
  // Step A: radial statistics with 5 sigma-clipping iterations.
  const offset = new Float64Array(nBins);
  const thr = new Float64Array(nBins);
  clipStatistics(w.packVal, start, fill, nBins, opts.minSnr, opts.threshold, offset, thr);
  // Seeds: usable pixels above their bin's threshold, off the image border, in raster order.
  let nSeeds = 0;
  const { packVal, packIdx } = w;
  for (let b = 0; b < nBins; b++) {
    const t = thr[b]!, e = fill[b]!;
    for (let k = start[b]!; k < e; k++) {
      if (packVal[k]! > t) {
        const i = packIdx[k]!;
        const x = i % W;
        if (i < W || i >= n - W || x === 0 || x === W - 1) continue;
        if (nSeeds === w.seeds.length) { const g = new Int32Array(2 * nSeeds); g.set(w.seeds); w.seeds = g; }
        w.seeds[nSeeds++] = i;
      }
    }
  }
  const seeds = w.seeds.subarray(0, nSeeds).sort();
  lap("clipping");
  const peaks = connectedPeaks(data, H, W, centerX, centerY, nBins, thr, offset, seeds, opts, w);
  lap("components");
  return now ? { ...peaks, timingsMs: timings } : peaks;
}

/** Steps B/C: connected components above the per-bin threshold, local background, filters. */
function connectedPeaks(
  data: Float32Array, H: number, W: number, centerX: number, centerY: number, nBins: number, thr: Float64Array, offset: Float64Array,
  seeds: Int32Array, opts: Peakfinder8Options, w: Peakfinder8Workspace,
): PeakTable {
  const { bins, inPeak, qIdx, qX, qY, thrAbove, thrBelow } = w;
  // Seeds are usable pixels above their threshold, off the border, ascending: the raster scan of peakfinder8.
  inPeak.fill(0);
  for (let b = 0; b < nBins; b++) { const t = thr[b]!; thrAbove[b] = t; thrBelow[b] = t; }
  thrAbove[UNUSABLE] = Infinity; thrBelow[UNUSABLE] = -Infinity;
  const maxPeaks = opts.maxPeaks;
  const out = {
    fs: new Float32Array(maxPeaks), ss: new Float32Array(maxPeaks), intensity: new Float32Array(maxPeaks),
    npix: new Int32Array(maxPeaks), maxIntensity: new Float32Array(maxPeaks), localSigma: new Float32Array(maxPeaks), snr: new Float32Array(maxPeaks),
  };
  let count = 0;
  const ringW = 2 * opts.localBgRadius;
  // Local-background disc offsets, row-major over dy, dx ∈ [−ringW, ringW) with dx² + dy² ≤ ringW².
  const discDx: number[] = [], discDy: number[] = [];
  for (let dy = -ringW; dy < ringW; dy++) for (let dx = -ringW; dx < ringW; dx++) if (dx * dx + dy * dy <= ringW * ringW) { discDx.push(dx); discDy.push(dy); }
  const nDisc = discDx.length;
  const discOff = Int32Array.from(discDx, (dx, k) => discDy[k]! * W + dx);
  const nbOff = Int32Array.from(NB_DX, (dx, k) => NB_DY[k]! * W + dx);
  const minPix = opts.minPixCount, maxPix = opts.maxPixCount, minSnr = opts.minSnr;
  {
    for (let si = 0; si < seeds.length; si++) {
      const seed = seeds[si]!;
      if (inPeak[seed] !== 0) continue;
      const x0 = seed % W, y0 = (seed - x0) / W;
      // Flood fill over the 8-neighbourhood (the seed is accepted first through offset (0,0)).
      let np = 0;
      let sI = 0, sX = 0, sY = 0;
      qIdx[0] = seed; qX[0] = x0; qY[0] = y0;
      let head = 0;
      let queued = 1; // q*[0..queued) are pixels whose neighbours must be visited
      while (head < queued) {
        const p = qIdx[head]!, px = qX[head]!, py = qY[head]!; head++;
        const inner = px > 0 && px < W - 1 && py > 0 && py < H - 1;
        for (let k = 0; k < 9; k++) {
          let q: number;
          if (inner) q = p + nbOff[k]!;
          else {
            const qx = px + NB_DX[k]!, qy = py + NB_DY[k]!;
            if (qx < 0 || qx >= W || qy < 0 || qy >= H) continue;
            q = p + nbOff[k]!;
          }
          const v = data[q]!;
          const b = bins[q]!;
          if (v > thrAbove[b]! && inPeak[q] === 0) {
            const qx = px + NB_DX[k]!, qy = py + NB_DY[k]!;
            const i = v - offset[b]!;
            sI += i; sX += i * qx; sY += i * qy;
            inPeak[q] = 1;
            if (q !== seed) { qIdx[queued] = q; qX[queued] = qx; qY[queued] = qy; queued++; }
            np++;
          }
        }
      }
      // q*[0..queued) hold all pixels of the candidate (seed first).
      if (np < minPix || np > maxPix) continue;
      if (Math.abs(sI) < 1e-10) continue;
      const cx = Math.round(sX / Math.abs(sI)), cy = Math.round(sY / Math.abs(sI));
      // Local background in a disc of radius 2·local_bg_radius (UNUSABLE pixels are never below −∞).
      let nb = 0, bs = 0, bs2 = 0, bgMax = 0;
      const c0 = cy * W + cx;
      if (cy - ringW >= 0 && cy + ringW <= H && cx - ringW >= 0 && cx + ringW <= W) {
        for (let k = 0; k < nDisc; k++) {
          const q = c0 + discOff[k]!;
          const v = data[q]!;
          if (v < thrBelow[bins[q]!]! && inPeak[q] === 0) {
            nb++; bs += v; bs2 += v * v;
            if (v > bgMax) bgMax = v;
          }
        }
      } else {
        for (let k = 0; k < nDisc; k++) {
          const yy = cy + discDy[k]!, xx = cx + discDx[k]!;
          if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
          const q = c0 + discOff[k]!;
          const v = data[q]!;
          if (v < thrBelow[bins[q]!]! && inPeak[q] === 0) {
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
        const v = data[qIdx[k]!]!;
        const i = v - locOff;
        tot += i; raw += v;
        rX += v * qX[k]!; rY += v * qY[k]!;
        if (i > maxI) maxI = i;
      }
      if (Math.abs(raw) < 1e-10) continue;
      const fx = rX / Math.abs(raw), fy = rY / Math.abs(raw);
      const snr = Math.abs(locSig) > 1e-10 ? tot / locSig : 0;
      if (snr < minSnr) continue;
      if (maxI < bgMax - locOff) continue;
      if (fx < 0 || fx > W - 1 || fy < 0 || fy > H - 1) continue;
      for (let k = 0; k < queued; k++) inPeak[qIdx[k]!] = 2;
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
