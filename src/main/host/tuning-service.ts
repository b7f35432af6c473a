/**
 * Live tuning (issue #4): runs the pure pattern analysis (src/core/preproc/analyze-pattern.ts:
 * centre of mass → Lorentz fit → peakfinder8 → Friedel refinement) on one frame of an open dataset
 * with the options being edited, directly on the host thread (one 1556×516 frame takes tens of ms,
 * measured in test/e2e/plots-tuning.test.ts), and returns the centre and the peaks for the overlays.
 */
import type { FrameImage, TuneResult } from "../../core/api/host-api.ts";
import { preProcOptsFromObject } from "../../core/options/preproc-opts.ts";
import { analyzePattern, createAnalysisWorkspace, type AnalysisWorkspace } from "../../core/preproc/analyze-pattern.ts";
import { buildPreprocMasks } from "../../core/preproc/preproc-masks.ts";

export interface TuningMethods {
  tuneAnalyze(params: { datasetId: string; shotIndex: number; options: Record<string, unknown> }): Promise<TuneResult>;
}

export function createTuningMethods(readFrame: (datasetId: string, shotIndex: number) => Promise<FrameImage>): TuningMethods {
  let ws: AnalysisWorkspace | null = null;
  return {
    async tuneAnalyze({ datasetId, shotIndex, options }) {
      const t0 = performance.now();
      const img = await readFrame(datasetId, shotIndex);
      const { opts, warnings } = preProcOptsFromObject(options, "tuning options");
      const shape = [img.shape[0], img.shape[1]] as const;
      const n = shape[0] * shape[1];
      const pixels = img.pixels instanceof Float32Array ? img.pixels : Float32Array.from(img.pixels);
      if (!ws || ws.nPix !== n) ws = createAnalysisWorkspace(n);
      const masks = buildPreprocMasks(shape, null, opts);
      const t1 = performance.now();
      const r = analyzePattern({ pixels, shape }, masks.analysis, opts, { workspace: ws });
      const t2 = performance.now();
      const k = r.peaks.nPeaks;
      const fin = (v: number): number => (Number.isFinite(v) ? v : -1);
      return {
        shotIndex, centre: [fin(r.center_x), fin(r.center_y)], com: [fin(r.com_x), fin(r.com_y)], lorentz: [fin(r.lor_x), fin(r.lor_y)], nPeaks: k,
        fs: r.peaks.peakXPosRaw.slice(0, k), ss: r.peaks.peakYPosRaw.slice(0, k), intensity: r.peaks.peakTotalIntensity.slice(0, k),
        analysisMs: t2 - t1, totalMs: t2 - t0, warnings,
      };
    },
  };
}
