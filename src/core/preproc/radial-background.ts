/**
 * Radial background subtraction (diffractem `remove_background`, `radial_proj`, `cut_peaks`),
 * ../shared/spec/preprocessing.md §9. Pixel-centre convention; invalid pixels are NaN (or < 0 = −1).
 */
import type { Frame } from "../image/frame.ts";

export interface RadialBackgroundOptions {
  /** Radius (px) of the disk cut around each peak (library default 3). */
  readonly peakRadiusPx: number;
  /** Median filter length over the profile (odd, default 5). */
  readonly filterLen: number;
  /** Added after subtraction (default 0). */
  readonly offset?: number;
}

/**
 * Azimuthal mean profile around (cx, cy): profile[rb] = mean of valid pixels with rint(r) = rb, rb ≥ 1;
 * profile[0] = pixel at the rounded centre; bins without pixels −1; length max(rng, 600) with
 * rng = min(1 + max rb, 850). Invalid = NaN, < 0 (−1) or `invalid[i] ≠ 0`. All NaN if the centre is off the image.
 */
export function radialProfile(frame: Frame, cx: number, cy: number, invalid: Uint8Array | null = null): Float64Array {
  const [H, W] = frame.shape;
  const px = frame.pixels;
  const icx = Math.round(cx), icy = Math.round(cy);
  if (!Number.isFinite(cx) || !Number.isFinite(cy) || icx < 0 || icx >= W || icy < 0 || icy >= H) return new Float64Array(600).fill(NaN);
  let maxRb = 0;
  for (const [x, y] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]] as const) maxRb = Math.max(maxRb, Math.round(Math.hypot(x - cx, y - cy)));
  const rng = Math.min(1 + maxRb, 850);
  const sum = new Float64Array(rng), cnt = new Float64Array(rng);
  const inv = invalid ?? new Uint8Array(H * W);
  for (let y = 0; y < H; y++) {
    const dy = y - cy, dy2 = dy * dy;
    const row = y * W;
    for (let x = 0; x < W; x++) {
      const i = row + x;
      const v = px[i]!;
      if (!(v > -1) || v === Infinity || inv[i] !== 0) continue;
      const dx = x - cx;
      const r = Math.sqrt(dx * dx + dy2);
      // rb = Math.round(r) ≥ 1; for r ≥ 0.5, (r + 0.5) | 0 is exactly Math.round(r).
      if (!(r >= 0.5)) continue;
      const rb = (r + 0.5) | 0;
      if (rb < rng) { sum[rb]! += v; cnt[rb]! += 1; }
    }
  }
  const prof = new Float64Array(Math.max(rng, 600)).fill(-1);
  const c0 = px[icy * W + icx]!;
  if (c0 > -1) prof[0] = c0;
  for (let rb = 1; rb < rng; rb++) if (cnt[rb]! > 0) prof[rb] = sum[rb]! / cnt[rb]!;
  return prof;
}

/** Median filter (scipy `median_filter`, reflect boundary); the first len//2 entries keep their values. */
export function medianFilterProfile(profile: Float64Array, len: number): Float64Array {
  if (len < 1 || len % 2 === 0) throw new Error(`median filter length must be odd and ≥ 1, got ${len}`);
  const n = profile.length, h = (len - 1) / 2;
  const out = new Float64Array(n);
  const win = new Float64Array(len);
  const at = (i: number): number => {
    // reflect: d c b a | a b c d | d c b a
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j - 1 : 2 * n - j - 1;
    return profile[j]!;
  };
  for (let i = 0; i < n; i++) {
    for (let k = -h; k <= h; k++) win[k + h] = at(i + k);
    win.sort();
    out[i] = win[h]!;
  }
  for (let i = 0; i < Math.min(h, n); i++) out[i] = profile[i]!;
  return out;
}

/** Sets pixels within peakRadius of each peak (rounded position) to NaN in a copy. */
export function cutPeaks(frame: Frame, fs: ArrayLike<number>, ss: ArrayLike<number>, count: number, radiusPx: number): Float32Array {
  const [H, W] = frame.shape;
  const out = frame.pixels.slice();
  const r = Math.floor(radiusPx), r2 = radiusPx * radiusPx;
  for (let p = 0; p < count; p++) {
    const x0 = Math.round(fs[p]!), y0 = Math.round(ss[p]!);
    if (!Number.isFinite(x0) || !Number.isFinite(y0)) continue;
    for (let dy = -r; dy <= r; dy++) {
      const y = y0 + dy;
      if (y < 0 || y >= H) continue;
      for (let dx = -r; dx <= r; dx++) {
        const x = x0 + dx;
        if (x < 0 || x >= W || dx * dx + dy * dy > r2) continue;
        out[y * W + x] = NaN;
      }
    }
  }
  return out;
}

/** Background image from a profile: linear interpolation at the exact radius; 0 beyond the profile. */
export function backgroundFromProfile(shape: readonly [ss: number, fs: number], cx: number, cy: number, profile: Float64Array, out?: Float32Array): Float32Array {
  const [H, W] = shape;
  const bkg = out ?? new Float32Array(H * W);
  const last = profile.length - 1;
  for (let y = 0; y < H; y++) {
    const dy2 = (y - cy) ** 2;
    for (let x = 0; x < W; x++) {
      const r = Math.sqrt((x - cx) ** 2 + dy2);
      let v: number;
      if (r > last) v = 0;
      else {
        const i0 = Math.floor(r), t = r - i0;
        v = i0 >= last ? profile[last]! : profile[i0]! * (1 - t) + profile[i0 + 1]! * t;
      }
      bkg[y * W + x] = v;
    }
  }
  return bkg;
}

/** Marks a disk of radius `radiusPx` around each peak (rounded position) in `mask` (in place). */
export function markPeakDisks(mask: Uint8Array, shape: readonly [ss: number, fs: number], fs: ArrayLike<number>, ss: ArrayLike<number>, count: number, radiusPx: number): Uint8Array {
  const [H, W] = shape;
  const r = Math.floor(radiusPx), r2 = radiusPx * radiusPx;
  for (let p = 0; p < count; p++) {
    const x0 = Math.round(fs[p]!), y0 = Math.round(ss[p]!);
    if (!Number.isFinite(x0) || !Number.isFinite(y0)) continue;
    for (let dy = -r; dy <= r; dy++) {
      const y = y0 + dy;
      if (y < 0 || y >= H) continue;
      for (let dx = -r; dx <= r; dx++) {
        const x = x0 + dx;
        if (x < 0 || x >= W || dx * dx + dy * dy > r2) continue;
        mask[y * W + x] = 1;
      }
    }
  }
  return mask;
}

/**
 * Subtracts the radial background: cut peaks, mask `badMask` (dead + gaps), profile, median filter,
 * background image, out = img − bkg + offset (NaN pixels stay NaN). `out` may be the frame's own pixels
 * (in place); by default a new array.
 */
export function subtractRadialBackground(
  frame: Frame, cx: number, cy: number, fs: ArrayLike<number>, ss: ArrayLike<number>, nPeaks: number,
  badMask: Uint8Array | null, opts: RadialBackgroundOptions, out?: Float32Array,
): { image: Float32Array; profile: Float64Array } {
  const [H, W] = frame.shape;
  const invalid = badMask ? badMask.slice() : new Uint8Array(H * W);
  markPeakDisks(invalid, frame.shape, fs, ss, nPeaks, opts.peakRadiusPx);
  const prof = medianFilterProfile(radialProfile(frame, cx, cy, invalid), opts.filterLen);
  const off = opts.offset ?? 0;
  const src = frame.pixels;
  const dst = out ?? new Float32Array(H * W);
  if (dst.length !== H * W) throw new Error(`radial background: output has ${dst.length} pixels, frame has ${H * W}`);
  const last = prof.length - 1;
  const profLast = prof[last]!;
  for (let y = 0; y < H; y++) {
    const dy = y - cy, dy2 = dy * dy;
    const row = y * W;
    for (let x = 0; x < W; x++) {
      const dx = x - cx;
      const r = Math.sqrt(dx * dx + dy2);
      let v: number;
      if (r > last) v = 0;
      else {
        const i0 = r | 0, t = r - i0; // r ≥ 0: |0 is Math.floor
        v = i0 >= last ? profLast : prof[i0]! * (1 - t) + prof[i0 + 1]! * t;
      }
      dst[row + x] = src[row + x]! - v + off;
    }
  }
  return { image: dst, profile: prof };
}
