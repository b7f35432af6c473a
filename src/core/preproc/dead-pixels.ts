/**
 * Dead-pixel masks (pixel mask + Lambda 750k gaps + edge masks) and their treatment (replace or
 * normalised-Gaussian interpolation), ../shared/spec/preprocessing.md §2. Masks: 1 = bad pixel.
 */

/** Lambda 750k gap columns k..k+5 (k = 255, 515, 775, 1035, 1295) and rows 255..260; only for shape [516, 1556]. */
export function lambdaGapMask(shape: readonly [ss: number, fs: number]): Uint8Array {
  const [H, W] = shape;
  const m = new Uint8Array(H * W);
  if (H !== 516 || W !== 1556) return m;
  for (let y = 0; y < H; y++) {
    for (const k of [255, 515, 775, 1035, 1295]) for (let x = k; x < k + 6; x++) m[y * W + x] = 1;
  }
  for (let y = 255; y <= 260; y++) m.fill(1, y * W, (y + 1) * W);
  return m;
}

export interface PixelMaskOptions {
  /** Dead-pixel map (non-zero = dead), same size as the frame, or null. */
  readonly deadMask?: Uint8Array | null;
  readonly maskGaps: boolean;
  /** Masked columns: first, last. */
  readonly edgeMaskX: readonly [number, number];
  /** Masked rows: first, last. */
  readonly edgeMaskY: readonly [number, number];
}

/** The extended mask: dead pixels ∪ gaps (if maskGaps) ∪ edges. 1 = bad. */
export function buildPixelMask(shape: readonly [ss: number, fs: number], o: PixelMaskOptions): Uint8Array {
  const [H, W] = shape;
  const m = o.maskGaps ? lambdaGapMask(shape) : new Uint8Array(H * W);
  if (o.deadMask) {
    if (o.deadMask.length !== H * W) throw new Error(`pixel mask has ${o.deadMask.length} pixels, frames have ${H}×${W}`);
    for (let i = 0; i < m.length; i++) if (o.deadMask[i] !== 0) m[i] = 1;
  }
  const [x0, x1] = o.edgeMaskX, [y0, y1] = o.edgeMaskY;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    if (y < y0 || y >= H - y1) { m.fill(1, row, row + W); continue; }
    if (x0 > 0) m.fill(1, row, row + Math.min(x0, W));
    if (x1 > 0) m.fill(1, row + Math.max(W - x1, 0), row + W);
  }
  return m;
}

/** Sets masked pixels to `value` (NaN for float output, −1 for integer). In place. */
export function replaceMasked(pixels: Float32Array, mask: Uint8Array, value: number): Float32Array {
  for (let i = 0; i < pixels.length; i++) if (mask[i] !== 0) pixels[i] = value;
  return pixels;
}

/** Indices of the non-zero entries of a mask, ascending; cached per mask array (masks are built once per run). */
const maskedCache = new WeakMap<Uint8Array, Int32Array>();
export function maskedIndices(mask: Uint8Array): Int32Array {
  let idx = maskedCache.get(mask);
  if (idx) return idx;
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) k++;
  idx = new Int32Array(k);
  k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) idx[k++] = i;
  maskedCache.set(mask, idx);
  return idx;
}

/**
 * Replaces masked pixels by the normalised Gaussian convolution of the valid neighbours
 * (σ = sigmaPx, kernel ±4σ, borders by edge replication). Pixels without valid neighbours become NaN. In place.
 * The masked pixels are listed once per mask array (the mask must not be modified afterwards).
 */
export function interpolateMasked(pixels: Float32Array, shape: readonly [ss: number, fs: number], mask: Uint8Array, sigmaPx: number): Float32Array {
  const [H, W] = shape;
  const R = Math.max(1, Math.ceil(4 * sigmaPx));
  const k1 = new Float64Array(2 * R + 1);
  for (let d = -R; d <= R; d++) k1[d + R] = Math.exp(-(d * d) / (2 * sigmaPx * sigmaPx));
  // Only masked pixels are written and only unmasked ones are read, so no copy is needed.
  const src = pixels;
  const list = maskedIndices(mask);
  for (let m = 0; m < list.length; m++) {
    const i = list[m]!;
    const x = i % W, y = (i - x) / W;
    let sw = 0, sv = 0;
    if (x >= R && x + R < W && y >= R && y + R < H) {
      // Interior: no edge replication needed; the same terms in the same order as below.
      for (let dy = -R; dy <= R; dy++) {
        const wy = k1[dy + R]!;
        const row = i + dy * W;
        for (let dx = -R; dx <= R; dx++) {
          const j = row + dx;
          const v = src[j]!;
          if (mask[j] !== 0 || !(v - v === 0)) continue;
          const wgt = wy * k1[dx + R]!;
          sw += wgt; sv += wgt * v;
        }
      }
      pixels[i] = sw > 0 ? sv / sw : NaN;
      continue;
    }
    for (let dy = -R; dy <= R; dy++) {
      const yy = Math.min(Math.max(y + dy, 0), H - 1);
      const wy = k1[dy + R]!;
      for (let dx = -R; dx <= R; dx++) {
        const xx = Math.min(Math.max(x + dx, 0), W - 1);
        const j = yy * W + xx;
        const v = src[j]!;
        if (mask[j] !== 0 || !(v - v === 0)) continue;
        const wgt = wy * k1[dx + R]!;
        sw += wgt; sv += wgt * v;
      }
    }
    pixels[i] = sw > 0 ? sv / sw : NaN;
  }
  return pixels;
}
