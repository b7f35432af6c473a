/**
 * Per-frame analysis the viewer needs before drawing: the direct-beam position (thresholded centre
 * of mass, then a 2-D Lorentzian fit: the pre-processing's own first steps, preprocessing.md §4–5)
 * and auto-contrast limits (percentiles). Pure: runs in the analysis Web Worker (off the page's main
 * thread) and, where no Worker exists, inline.
 */
import { thresholdedCenterOfMass } from "../../core/preproc/center-of-mass.ts";
import { fitLorentz2d } from "../../core/preproc/lorentz-fit.ts";
import type { FrameImage } from "../../core/api/host-api.ts";
import { percentile } from "../pattern/colormaps.ts";

/** Result of analysing one frame. */
export interface FrameAnalysis {
  /** Direct-beam position [fs, ss] in detector pixels, CXI convention (integer = pixel centre); null if no beam found. */
  readonly beamCentre: readonly [fs: number, ss: number] | null;
  /** Auto-contrast limits [lo, hi] in detector counts for the requested percentiles (hi > lo). */
  readonly limits: readonly [lo: number, hi: number];
}

/** Direct-beam position estimated from the frame (CXI convention), or null if there is no clear beam. */
export function estimateBeamCentre(pixels: FrameImage["pixels"], shape: readonly [ss: number, fs: number]): readonly [number, number] | null {
  const f = { pixels: pixels instanceof Float32Array ? pixels : Float32Array.from(pixels), shape };
  const com = thresholdedCenterOfMass(f, { threshold: 0.9, xrng: 800 });
  if (!Number.isFinite(com.x) || !Number.isFinite(com.y)) return null;
  const l = fitLorentz2d(f, com.x, com.y, { radiusPx: 30, maxShiftPx: 36 });
  return l.accepted && Number.isFinite(l.x) && Number.isFinite(l.y) ? [l.x, l.y] : null;
}

/** Auto-contrast limits at percentiles loPct, hiPct (0..100) of the finite pixels; hi > lo always. */
export function contrastLimits(pixels: ArrayLike<number>, loPct: number, hiPct: number): readonly [number, number] {
  const lo = percentile(pixels, loPct);
  let hi = percentile(pixels, hiPct);
  if (!(hi > lo)) hi = lo + 1;
  return [lo, hi];
}

/** Beam centre (null on any failure of the fit) and contrast limits of one frame. */
export function analyseFrame(pixels: FrameImage["pixels"], shape: readonly [number, number], loPct: number, hiPct: number): FrameAnalysis {
  if (pixels.length !== shape[0] * shape[1]) throw new Error(`frame analysis: ${pixels.length} pixels do not match shape ${shape[0]}×${shape[1]}`);
  let beamCentre: readonly [number, number] | null;
  try { beamCentre = estimateBeamCentre(pixels, shape); } catch { beamCentre = null; }
  return { beamCentre, limits: contrastLimits(pixels, loPct, hiPct) };
}
