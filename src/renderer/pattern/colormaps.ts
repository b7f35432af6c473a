/** Colour maps as 256-entry RGBA lookup tables, and intensity scaling (linear/log/sqrt). */
export type ColormapName = "grey" | "inverted" | "viridis";
export type Scaling = "linear" | "log" | "sqrt";

// viridis control points (matplotlib), interpolated to 256 entries.
const viridisPts: readonly [number, number, number][] = [
  [68, 1, 84], [72, 35, 116], [64, 67, 135], [52, 94, 141], [41, 120, 142], [32, 144, 140],
  [34, 167, 132], [68, 190, 112], [121, 209, 81], [189, 222, 38], [253, 231, 37],
];

const lutCache = new Map<ColormapName, Uint32Array>();

export function colormapLut(name: ColormapName): Uint32Array {
  const hit = lutCache.get(name);
  if (hit) return hit;
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r: number, g: number, b: number;
    if (name === "grey") r = g = b = i;
    else if (name === "inverted") r = g = b = 255 - i;
    else {
      const x = (i / 255) * (viridisPts.length - 1);
      const k = Math.min(Math.floor(x), viridisPts.length - 2);
      const f = x - k;
      const p = viridisPts[k]!, q = viridisPts[k + 1]!;
      r = Math.round(p[0] + f * (q[0] - p[0])); g = Math.round(p[1] + f * (q[1] - p[1])); b = Math.round(p[2] + f * (q[2] - p[2]));
    }
    lut[i] = (255 << 24) | (b << 16) | (g << 8) | r; // little-endian RGBA bytes
  }
  lutCache.set(name, lut);
  return lut;
}

/** Value at percentile p (0..100) of the finite pixels, from a strided sample (fast, approximate). */
export function percentile(pixels: ArrayLike<number>, p: number, maxSamples = 65536): number {
  const stride = Math.max(1, Math.floor(pixels.length / maxSamples));
  const s = new Float32Array(Math.ceil(pixels.length / stride));
  let n = 0;
  for (let i = 0; i < pixels.length; i += stride) { const v = pixels[i]!; if (Number.isFinite(v)) s[n++] = v; }
  if (n === 0) return 0;
  const sorted = s.subarray(0, n).sort(); // typed-array sort: numeric, no comparator
  return sorted[Math.min(n - 1, Math.max(0, Math.round((p / 100) * (n - 1))))]!;
}

/** Writes RGBA (as packed u32) for each pixel: scaled between lo and hi, then through the LUT. */
export function applyColormap(pixels: ArrayLike<number>, out: Uint32Array, lo: number, hi: number, scaling: Scaling, lut: Uint32Array): void {
  const n = pixels.length;
  const span = hi > lo ? hi - lo : 1;
  // A 4096-bin table maps the scaled 0..1 value to the LUT index (log/sqrt computed once per bin).
  const bins = 4096;
  const tab = new Uint8Array(bins + 1);
  for (let k = 0; k <= bins; k++) {
    const t = k / bins;
    const u = scaling === "linear" ? t : scaling === "sqrt" ? Math.sqrt(t) : Math.log1p(1000 * t) / Math.log1p(1000);
    tab[k] = Math.min(255, Math.max(0, Math.round(u * 255)));
  }
  const scale = bins / span;
  const nanColour = 0xff402020;
  for (let i = 0; i < n; i++) {
    const v = pixels[i]!;
    if (v !== v) { out[i] = nanColour; continue; }
    let k = (v - lo) * scale;
    k = k < 0 ? 0 : k > bins ? bins : k;
    out[i] = lut[tab[k | 0]!]!;
  }
}
