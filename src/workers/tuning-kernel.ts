/**
 * Live tuning (issue #4): the analysis of the viewer's current pattern with the options being edited.
 * A TuningAnalyzer keeps the last few frames (per dataset and shot) and analysis masks (per shape and
 * mask-affecting options) plus one workspace, so that changing an option only re-runs
 * analyzePattern: no frame transfer, no mask build. The tuning worker holds one (kernels.tuneAnalyze);
 * the host holds one for the in-process fallback.
 */
import type { TuneResult } from "../core/api/host-api.ts";
import type { PreProcOpts } from "../core/options/preproc-opts.ts";
import { analyzePattern, createAnalysisWorkspace, type AnalysisWorkspace } from "../core/preproc/analyze-pattern.ts";
import { buildPreprocMasks } from "../core/preproc/preproc-masks.ts";

/** One frame as the tuning analysis takes it (float32, row-major [ss, fs]). */
export interface TuneFrame {
  readonly pixels: Float32Array;
  readonly shape: readonly [ss: number, fs: number];
}

/**
 * Centre and peaks of one analysis (CXI pixel-centre convention, px) and where the time went: the
 * contract's TuneResult without what the host adds (shot, host time, option warnings).
 */
export type TuneAnalysis = Omit<TuneResult, "shotIndex" | "totalMs" | "warnings"> & {
  /** Building the analysis mask, ms (0 when it came from the cache). */
  readonly masksMs: number;
};

/** Small least-recently-used map (Map keeps insertion order: re-insert on use, evict the first). */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    while (this.m.size > this.capacity) this.m.delete(this.m.keys().next().value!);
  }
  has(k: string): boolean { return this.m.has(k); }
  get size(): number { return this.m.size; }
}

/** The options that change the analysis mask (see buildPreprocMasks / buildPixelMask). */
export function maskKey(shape: readonly [number, number], opts: PreProcOpts): string {
  return `${shape[0]}x${shape[1]}|gaps=${String(opts.mask_gaps)}|ex=${opts.edge_mask_x}|ey=${opts.edge_mask_y}`;
}

export class TuningAnalyzer {
  private readonly frames: Lru<TuneFrame>;
  private readonly masks: Lru<Uint8Array>;
  private ws: AnalysisWorkspace | null = null;
  /** Mask builds so far (tests and the benchmark check the cache with it). */
  masksBuilt = 0;

  constructor({ frames = 4, masks = 4 } = {}) {
    this.frames = new Lru(frames);
    this.masks = new Lru(masks);
  }

  hasFrame(key: string): boolean { return this.frames.has(key); }

  putFrame(key: string, frame: TuneFrame): void {
    const [H, W] = frame.shape;
    if (!(frame.pixels instanceof Float32Array) || frame.pixels.length !== H * W) {
      throw new Error(`tuning frame '${key}': ${frame.pixels?.length ?? 0} pixels, expected ${H}×${W}`);
    }
    this.frames.set(key, { pixels: frame.pixels, shape: [H, W] });
  }

  /** Analyses the cached frame `key` with `opts`; null if that frame is not (or no longer) cached. */
  analyze(key: string, opts: PreProcOpts, clock: () => number): TuneAnalysis | null {
    const frame = this.frames.get(key);
    if (!frame) return null;
    const n = frame.shape[0] * frame.shape[1];
    const t0 = clock();
    const mk = maskKey(frame.shape, opts);
    let mask = this.masks.get(mk);
    if (!mask) {
      mask = buildPreprocMasks(frame.shape, null, opts).analysis;
      this.masks.set(mk, mask);
      this.masksBuilt++;
    }
    if (!this.ws || this.ws.nPix !== n) this.ws = createAnalysisWorkspace(n);
    const t1 = clock();
    const r = analyzePattern(frame, mask, opts, { workspace: this.ws });
    const t2 = clock();
    const k = r.peaks.nPeaks;
    const fin = (v: number): number => (Number.isFinite(v) ? v : -1);
    return {
      centre: [fin(r.center_x), fin(r.center_y)], com: [fin(r.com_x), fin(r.com_y)], lorentz: [fin(r.lor_x), fin(r.lor_y)], nPeaks: k,
      // copies: the workspace's arrays are reused by the next call
      fs: r.peaks.peakXPosRaw.slice(0, k), ss: r.peaks.peakYPosRaw.slice(0, k), intensity: r.peaks.peakTotalIntensity.slice(0, k),
      analysisMs: t2 - t1, masksMs: t1 - t0,
    };
  }
}
