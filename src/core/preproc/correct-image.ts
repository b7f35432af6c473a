/**
 * Full image correction (diffractem `proc2d._get_corr_img`), ../shared/spec/preprocessing.md intro:
 * float32 → saturation → flat-field → radial background → dead pixels (interpolate or NaN; gaps masked
 * if mask_gaps) → float32, or round(img·int_factor) as int16 (invalid = −1).
 */
import type { Frame } from "../image/frame.ts";
import type { PreProcOpts } from "../options/preproc-opts.ts";
import { applySaturationCorrection } from "./saturation.ts";
import { applyFlatfield } from "./flatfield.ts";
import { subtractRadialBackground } from "./radial-background.ts";
import { interpolateMasked, maskedIndices } from "./dead-pixels.ts";
import { PixelprepWasm } from "./wasm/pixelprep-wasm.ts";
import type { PatternInfo } from "./analyze-pattern.ts";

/** Masks the correction needs (all 1 = bad, frame size). */
export interface CorrectionMasks {
  /** Dead pixels of the pixel mask (interpolated or set invalid). */
  readonly dead: Uint8Array;
  /** Lambda gap pixels (dead-time gap factor; masked if mask_gaps). */
  readonly gaps: Uint8Array;
  /** Edge pixels (edge_mask_x/y): always invalid in the output. */
  readonly edges: Uint8Array;
  /** dead ∪ gaps ∪ edges (excluded from the background profile); computed here when absent. */
  readonly combined?: Uint8Array;
}

export interface CorrectedImage {
  readonly data: Float32Array | Int16Array;
  /** "<f4" or "<i2". */
  readonly dtype: "<f4" | "<i2";
  /** Milliseconds per step (only when a clock is passed): saturation (+ flat-field), background, dead pixels, output. */
  readonly timingsMs?: Readonly<Record<string, number>>;
}

export function correctImage(
  frame: Frame, info: Pick<PatternInfo, "center_x" | "center_y" | "peaks">, masks: CorrectionMasks, opts: PreProcOpts,
  reference: Float32Array | null = null, now?: () => number,
): CorrectedImage {
  const n = frame.pixels.length;
  const timings: Record<string, number> = {};
  let t = now ? now() : 0;
  const lap = (name: string): void => { if (now) { const t1 = now(); timings[name] = t1 - t; t = t1; } };
  let img: Float32Array;
  if (opts.correct_saturation && masks.gaps.length === n && (reference === null || reference.length === n)) {
    img = saturateAndFlatfield(frame.pixels, opts, masks.gaps, reference);
  } else {
    img = frame.pixels.slice();
    if (opts.correct_saturation) {
      applySaturationCorrection(img, { deadTimeMs: opts.dead_time, shutterTimeMs: opts.shutter_time, gapFactor: opts.dead_time_gap_factor }, masks.gaps);
    }
    if (reference) applyFlatfield(img, reference);
  }
  lap("saturation");
  if (opts.remove_background && Number.isFinite(info.center_x) && Number.isFinite(info.center_y)) {
    let bad = masks.combined;
    if (!bad) {
      bad = new Uint8Array(n);
      for (let i = 0; i < n; i++) bad[i] = masks.dead[i]! | masks.gaps[i]! | masks.edges[i]!;
    }
    const p = info.peaks;
    // img is this function's own copy: subtract in place.
    img = subtractRadialBackground({ pixels: img, shape: frame.shape }, info.center_x, info.center_y, p.peakXPosRaw, p.peakYPosRaw, p.nPeaks, bad,
      { peakRadiusPx: opts.bg_peak_radius, filterLen: opts.bg_filter_len }, img).image;
  }
  lap("background");
  if (opts.interpolate_dead) interpolateMasked(img, frame.shape, masks.dead, opts.interp_range);
  // Edges, gaps (if mask_gaps) and, without interpolation, dead pixels become invalid (listed once per masks).
  const { dead, edges, gaps } = masks;
  for (const idx of [maskedIndices(edges), opts.interpolate_dead ? null : maskedIndices(dead), opts.mask_gaps ? maskedIndices(gaps) : null]) {
    if (idx) for (let k = 0; k < idx.length; k++) img[idx[k]!] = NaN;
  }
  lap("dead_pixels");
  if (opts.float) return { data: img, dtype: "<f4", timingsMs: timings };
  const out = new Int16Array(n);
  const f = opts.int_factor;
  for (let i = 0; i < n; i++) {
    const v = img[i]!;
    out[i] = Number.isFinite(v) ? Math.max(-32768, Math.min(32767, Math.round(v * f))) : -1;
  }
  lap("output");
  return { data: out, dtype: "<i2", timingsMs: timings };
}

/**
 * Copy + saturation correction + flat-field in one pass, bit-identical to applySaturationCorrection
 * followed by applyFlatfield on a float32 copy (each step rounds to float32). On the WebAssembly kernel
 * (same operations, bit-identical; the gap pixels are listed once per mask array, see maskedIndices) unless
 * `engine` is "js" or WebAssembly is unavailable.
 */
export function saturateAndFlatfield(
  src: Float32Array, opts: Pick<PreProcOpts, "shutter_time" | "dead_time" | "dead_time_gap_factor">, gaps: Uint8Array,
  reference: Float32Array | null, engine: "wasm" | "js" = "wasm",
): Float32Array {
  if (!(opts.shutter_time > 0)) throw new Error(`saturation correction: shutter time must be > 0 ms, got ${opts.shutter_time}`);
  if (gaps.length !== src.length || (reference !== null && reference.length !== src.length)) {
    throw new Error("saturation correction: gap mask or flat-field reference size differs from the frame");
  }
  const s = opts.dead_time / opts.shutter_time;
  const sg = s * opts.dead_time_gap_factor;
  const k = engine === "wasm" ? PixelprepWasm.shared() : null;
  if (k) return k.saturateAndFlatfield(src, s, sg, maskedIndices(gaps), reference);
  const n = src.length;
  const img = new Float32Array(n);
  // The series is evaluated for every pixel and kept unless v < 0: for v = ±0 it gives v, for NaN NaN and for
  // +∞ +∞, exactly what skipping pixels ≤ 0 gives, without a branch on the (often 0/1, unpredictable) counts.
  if (reference === null) {
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      const x = (gaps[i] !== 0 ? sg : s) * v;
      const c = Math.fround(v * (1 + x * (1 + x * (1.5 + x * (8 / 3 + x * (125 / 24))))));
      img[i] = v < 0 ? v : c;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      const x = (gaps[i] !== 0 ? sg : s) * v;
      const c = Math.fround(v * (1 + x * (1 + x * (1.5 + x * (8 / 3 + x * (125 / 24))))));
      img[i] = v < 0 ? v : c / reference[i]!;
    }
  }
  return img;
}
