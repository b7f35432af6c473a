/**
 * Kernel functions run by the worker pool (one object; `type Kernels = typeof kernels` types the pool,
 * STYLE.md §2.2). Kernels are pure core calls plus per-worker contexts (masks, reference, options,
 * workspaces) set once per job with `configure`. Returned typed arrays are fresh and are transferred.
 */
import type { PreProcOpts } from "../core/options/preproc-opts.ts";
import type { PatternInfo, AnalysisWorkspace } from "../core/preproc/analyze-pattern.ts";
import { analyzePattern, createAnalysisWorkspace } from "../core/preproc/analyze-pattern.ts";
import type { PreprocMasks } from "../core/preproc/preproc-masks.ts";
import { buildPreprocMasks } from "../core/preproc/preproc-masks.ts";
import { correctImage } from "../core/preproc/correct-image.ts";
import { TuningAnalyzer, type TuneAnalysis, type TuneFrame } from "./tuning-kernel.ts";

/** What a pre-processing context needs (sent once per job and worker). */
export interface PreprocContextInit {
  readonly shape: readonly [ss: number, fs: number];
  /** Pixel-mask file content (non-zero = dead), or null. */
  readonly deadMask: Uint8Array | null;
  /** Flat-field reference (mean 1), or null. */
  readonly reference: Float32Array | null;
  readonly opts: PreProcOpts;
}

interface Context {
  readonly shape: readonly [number, number];
  readonly masks: PreprocMasks;
  readonly reference: Float32Array | null;
  readonly opts: PreProcOpts;
  readonly ws: AnalysisWorkspace;
}

/** Result of one shot: analysis (incl. CXI peaks) and the corrected image. */
export interface ProcessedShot {
  readonly info: PatternInfo;
  readonly corrected: Float32Array | Int16Array;
  readonly correctedDtype: "<f4" | "<i2";
  /** true if the full correction ran (num_peaks ≥ min_peaks), else the image is the plain float copy. */
  readonly wasCorrected: boolean;
}

const contexts = new Map<string, Context>();
/** Live tuning: frames and masks cached in this worker (the tuning pool has one worker). */
const tuning = new TuningAnalyzer();
const clock = (): number => performance.now();

function getContext(id: string): Context {
  const c = contexts.get(id);
  if (!c) throw new Error(`worker: pre-processing context '${id}' is not configured`);
  return c;
}

export const kernels = {
  /** Creates (or replaces) a context with masks and workspaces for one job. */
  configure(id: string, init: PreprocContextInit): void {
    const n = init.shape[0] * init.shape[1];
    contexts.set(id, {
      shape: [init.shape[0], init.shape[1]], masks: buildPreprocMasks(init.shape, init.deadMask, init.opts),
      reference: init.reference, opts: init.opts, ws: createAnalysisWorkspace(n),
    });
  },

  release(id: string): void {
    contexts.delete(id);
  },

  /** Pattern analysis + correction of one aggregated frame (float32, shape of the context). */
  processShot(id: string, pixels: Float32Array): ProcessedShot {
    const c = getContext(id);
    const n = c.shape[0] * c.shape[1];
    if (!(pixels instanceof Float32Array) || pixels.length !== n) {
      throw new Error(`frame has ${pixels?.length ?? 0} pixels, expected ${c.shape[0]}×${c.shape[1]}`);
    }
    const frame = { pixels, shape: c.shape };
    const info = analyzePattern(frame, c.masks.analysis, c.opts, { reference: c.reference, workspace: c.ws, now: clock });
    const t0 = clock();
    if (info.num_peaks >= c.opts.min_peaks) {
      const out = correctImage(frame, info, c.masks, c.opts, c.reference);
      const timingsMs = { ...info.timingsMs, correct: clock() - t0 };
      return { info: { ...info, timingsMs }, corrected: out.data, correctedDtype: out.dtype, wasCorrected: true };
    }
    if (c.opts.float) return { info, corrected: pixels, correctedDtype: "<f4", wasCorrected: false };
    const q = new Int16Array(n);
    for (let i = 0; i < n; i++) { const v = pixels[i]!; q[i] = Number.isFinite(v) ? Math.max(-32768, Math.min(32767, Math.round(v * c.opts.int_factor))) : -1; }
    return { info, corrected: q, correctedDtype: "<i2", wasCorrected: false };
  },

  /** Stateless analysis of one pattern for live tuning (the viewer's worker). */
  analyzePattern(pixels: Float32Array, shape: readonly [ss: number, fs: number], mask: Uint8Array | null, opts: PreProcOpts): PatternInfo {
    return analyzePattern({ pixels, shape }, mask, opts, { now: clock });
  },

  /**
   * Live tuning (src/main/host/tuning-service.ts): analysis of the frame `key` cached in this worker
   * with `opts`. `frame` is sent once per shot (then cached); null result = not cached here (evicted,
   * or a respawned worker): call again with the frame.
   */
  tuneAnalyze(key: string, opts: PreProcOpts, frame: TuneFrame | null): TuneAnalysis | null {
    if (frame) tuning.putFrame(key, frame);
    return tuning.analyze(key, opts, clock);
  },
};

export type Kernels = typeof kernels;
