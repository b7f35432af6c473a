/**
 * Pattern analysis of one (aggregated) frame, diffractem `proc2d._generate_pattern_info`
 * (../shared/spec/preprocessing.md, intro + §4–§8, §12): flat-fielded copy with bad pixels = −1 →
 * COM → Lorentz fit → peakfinder8 → Friedel refinement → virtual ADF → detector shift.
 * The viewer calls this per pattern (in a worker) for live tuning; the pool calls it per shot.
 */
import type { Frame } from "../image/frame.ts";
import { assertFrameShape } from "../image/frame.ts";
import type { PreProcOpts } from "../options/preproc-opts.ts";
import { thresholdedCenterOfMass } from "./center-of-mass.ts";
import { fitLorentz2d } from "./lorentz-fit.ts";
import type { CxiPeaks, Peakfinder8Options, Peakfinder8Workspace } from "./peakfinder8.ts";
import { createPeakfinder8Workspace, findPeaksPeakfinder8 } from "./peakfinder8.ts";
import { refineCenterFriedel } from "./friedel-refine.ts";
import { virtualAdf } from "./virtual-adf.ts";
import { detectorShiftMm } from "./detector-shift.ts";
import { maskedIndices } from "./dead-pixels.ts";
import { PixelprepWasm } from "./wasm/pixelprep-wasm.ts";

/** Result per pattern; names follow the shot-table columns. Positions in px, pixel-centre convention. */
export interface PatternInfo {
  readonly com_x: number;
  readonly com_y: number;
  readonly lor_pk: number;
  readonly lor_x: number;
  readonly lor_y: number;
  readonly lor_hwhm: number;
  readonly center_x: number;
  readonly center_y: number;
  readonly center_refine_score: number;
  readonly adf1: number;
  readonly adf2: number;
  readonly num_peaks: number;
  readonly det_shift_x_mm: number;
  readonly det_shift_y_mm: number;
  /** CXI peak arrays padded with zeros to max_peaks. */
  readonly peaks: CxiPeaks;
  /** Milliseconds per step (only when a clock is passed). */
  readonly timingsMs: Readonly<Record<string, number>>;
}

/** Options in peakfinder8's naming, from the YAML `peak_search_params`. */
export function peakfinder8OptionsFrom(opts: PreProcOpts): Peakfinder8Options {
  const p = opts.peak_search_params;
  return {
    threshold: p.threshold, minSnr: p["min-snr"], minPixCount: p["min-pix-count"], maxPixCount: p["max-pix-count"],
    localBgRadius: p["local-bg-radius"], minResPx: p["min-res"], maxResPx: p["max-res"], maxPeaks: opts.max_peaks,
  };
}

/** Reusable per-worker buffers for one frame size. */
export interface AnalysisWorkspace {
  readonly nPix: number;
  readonly work: Float32Array;
  readonly pf8: Peakfinder8Workspace;
}

export function createAnalysisWorkspace(nPix: number): AnalysisWorkspace {
  return { nPix, work: new Float32Array(nPix), pf8: createPeakfinder8Workspace(nPix) };
}

export interface AnalyzeExtras {
  /** Flat-field gain reference (same size), or null. */
  readonly reference?: Float32Array | null;
  /** Clock for per-step timings (e.g. performance.now); core has none of its own. */
  readonly now?: () => number;
  /**
   * Reused buffers. With a workspace the mask's bad pixels are listed once per mask array (maskedIndices):
   * the mask must not be modified afterwards (masks are built once per job / cached by the tuner).
   */
  readonly workspace?: AnalysisWorkspace;
}

/**
 * The analysis image of the workspace path into `out`: non-finite → −1, else flat-fielded where ≥ 0, then the
 * listed bad pixels of `mask` (maskedIndices: the mask must not change afterwards) → −1. On the WebAssembly
 * kernel (bit-identical) unless `engine` is "js" or WebAssembly is unavailable. Sizes are the caller's checks.
 */
export function prepareAnalysisImage(
  src: Float32Array, mask: Uint8Array, ref: Float32Array | null, out: Float32Array, engine: "wasm" | "js" = "wasm",
): void {
  const n = src.length;
  const k = engine === "wasm" ? PixelprepWasm.shared() : null;
  if (k) {
    k.prepare(src, ref, out);
  } else if (ref !== null) {
    for (let i = 0; i < n; i++) { const v = src[i]!; out[i] = !(v - v === 0) ? -1 : v >= 0 ? v / ref[i]! : v; }
  } else {
    out.set(src);
    for (let i = 0; i < n; i++) { const v = out[i]!; if (!(v - v === 0)) out[i] = -1; }
  }
  const bad = maskedIndices(mask);
  for (let j = 0; j < bad.length; j++) out[bad[j]!] = -1;
}

/**
 * Analyses one pattern. `mask`: 1 = bad pixel (dead ∪ gaps ∪ edges, see buildPixelMask), or null.
 * The frame is not modified.
 */
export function analyzePattern(frame: Frame, mask: Uint8Array | null, opts: PreProcOpts, extras: AnalyzeExtras = {}): PatternInfo {
  assertFrameShape(frame, "pattern");
  const [H, W] = frame.shape;
  const n = H * W;
  if (mask && mask.length !== n) throw new Error(`pattern: mask has ${mask.length} pixels, frame has ${n}`);
  const ref = extras.reference ?? null;
  if (ref && ref.length !== n) throw new Error(`pattern: flat-field reference has ${ref.length} pixels, frame has ${n}`);
  const ws = extras.workspace && extras.workspace.nPix === n ? extras.workspace : createAnalysisWorkspace(n);
  const now = extras.now;
  const timings: Record<string, number> = {};
  let t = now ? now() : 0;
  const lap = (name: string): void => { if (now) { const t1 = now(); timings[name] = t1 - t; t = t1; } };

  const a = ws.work;
  const src = frame.pixels;
  // Bad or non-finite → −1, else flat-fielded (v ≥ 0); one loop per case keeps the hot loop branch-light.
  if (mask !== null && extras.workspace !== undefined) {
    // Pool / tuning path (masks built once per job): copy (or flat-field), non-finite → −1, then the listed
    // bad pixels → −1; the same values as the per-pixel mask test, without reading the mask per pixel.
    prepareAnalysisImage(src, mask, ref, a);
  } else if (mask !== null && ref !== null) {
    for (let i = 0; i < n; i++) { const v = src[i]!; a[i] = mask[i] !== 0 || !(v - v === 0) ? -1 : v >= 0 ? v / ref[i]! : v; }
  } else if (mask !== null) {
    for (let i = 0; i < n; i++) { const v = src[i]!; a[i] = mask[i] !== 0 || !(v - v === 0) ? -1 : v; }
  } else if (ref !== null) {
    for (let i = 0; i < n; i++) { const v = src[i]!; a[i] = !(v - v === 0) ? -1 : v >= 0 ? v / ref[i]! : v; }
  } else {
    for (let i = 0; i < n; i++) { const v = src[i]!; a[i] = !(v - v === 0) ? -1 : v; }
  }
  const img: Frame = { pixels: a, shape: frame.shape };
  lap("prepare");
  let com = thresholdedCenterOfMass(img, { threshold: opts.com_threshold, xrng: opts.com_xrng });
  if (!Number.isFinite(com.x) || !Number.isFinite(com.y)) com = { x: NaN, y: NaN };
  lap("com");
  const lor = fitLorentz2d(img, com.x, com.y, { radiusPx: opts.lorentz_radius, maxShiftPx: opts.lorentz_maxshift });
  lap("lorentz");
  const pfo = peakfinder8OptionsFrom(opts);
  let peaks: CxiPeaks;
  if (opts.find_peaks) {
    const t8 = findPeaksPeakfinder8(img, mask, lor.x, lor.y, pfo, ws.pf8);
    peaks = { nPeaks: t8.count, peakXPosRaw: t8.fs, peakYPosRaw: t8.ss, peakTotalIntensity: t8.intensity };
  } else {
    peaks = { nPeaks: 0, peakXPosRaw: new Float32Array(pfo.maxPeaks), peakYPosRaw: new Float32Array(pfo.maxPeaks), peakTotalIntensity: new Float32Array(pfo.maxPeaks) };
  }
  lap("peakfinder8");
  let cx = lor.x, cy = lor.y, score = NaN;
  if (opts.friedel_refine && peaks.nPeaks >= opts.min_peaks) {
    const f = refineCenterFriedel(peaks.peakXPosRaw, peaks.peakYPosRaw, peaks.nPeaks, lor.x, lor.y, { sigmaPx: opts.peak_sigma, maxRadiusPx: opts.friedel_max_radius });
    cx = f.x; cy = f.y; score = f.score;
  }
  lap("friedel");
  const adf1 = virtualAdf(img, cx, cy, opts.r_adf1[0], opts.r_adf1[1], mask);
  const adf2 = virtualAdf(img, cx, cy, opts.r_adf2[0], opts.r_adf2[1], mask);
  lap("adf");
  const shift = detectorShiftMm(cx, cy, { xsize: W, ysize: H, pixelSizeM: opts.pixel_size, ellipseRatio: opts.ellipse_ratio, ellipseAngleDeg: opts.ellipse_angle });
  return {
    com_x: com.x, com_y: com.y, lor_pk: lor.amplitude, lor_x: lor.x, lor_y: lor.y, lor_hwhm: lor.hwhm,
    center_x: cx, center_y: cy, center_refine_score: score, adf1, adf2, num_peaks: peaks.nPeaks,
    det_shift_x_mm: shift.xMm, det_shift_y_mm: shift.yMm, peaks, timingsMs: timings,
  };
}
