/**
 * Live tuning (issue #4): runs the pure pattern analysis (src/core/preproc/analyze-pattern.ts:
 * centre of mass → Lorentz fit → peakfinder8 → Friedel refinement) on one frame of an open dataset
 * with the options being edited and returns the centre and the peaks for the overlays.
 *
 * Where the time goes and what is cached:
 * - the frame is read from the file once per (dataset, shot) and kept as float32 (last 4 frames);
 * - the analysis runs in a dedicated one-worker pool (src/workers, kernel `tuneAnalyze`), which keeps
 *   the last frames, the analysis masks per (shape, mask options) and one workspace: an option change
 *   sends only the options (a few hundred bytes), not the 3.2 MB frame, and builds no mask. The host
 *   thread stays free meanwhile for the viewer's frame and peak requests.
 * - V8 optimises the analysis loops only after several calls (the first changes after opening the panel
 *   took 0.5–2 s, later ones tens of ms): after the first answer of a new worker, while no request is
 *   waiting, the worker re-analyses the current frame a few times (answers discarded). A request arriving
 *   meanwhile waits for at most one analysis.
 * - where a worker cannot start (e.g. a bundled build without the worker files) the same analyzer runs
 *   in-process (`where: "host"` in stats()).
 */
import type { FrameImage, TuneResult } from "../../core/api/host-api.ts";
import { preProcOptsFromObject } from "../../core/options/preproc-opts.ts";
import { createWorkerPool, type WorkerPool } from "../../workers/pool.ts";
import { TuningAnalyzer, type TuneAnalysis, type TuneFrame } from "../../workers/tuning-kernel.ts";

export interface TuningMethods {
  tuneAnalyze(params: { datasetId: string; shotIndex: number; options: Record<string, unknown> }): Promise<TuneResult>;
}

export interface TuningService {
  readonly methods: TuningMethods;
  /** Where the analysis ran last and how often the frame was read from the file. */
  stats(): { where: "worker" | "host" | "none"; frameReads: number };
  dispose(): Promise<void>;
}

export interface TuningServiceOptions {
  /** Run the analysis in a worker thread (default) or in-process. */
  readonly worker?: boolean;
  /** Frames kept per service (host) and per worker, default 4. */
  readonly cachedFrames?: number;
  /** Idle re-analyses after a new worker's first answer (JIT warm-up), default 4. */
  readonly warmUps?: number;
}

const clock = (): number => performance.now();

export function createTuningService(readFrame: (datasetId: string, shotIndex: number) => Promise<FrameImage>, o: TuningServiceOptions = {}): TuningService {
  const capacity = o.cachedFrames ?? 4;
  // (dataset, shot) → float32 frame; promises, so concurrent requests for a new shot read it once
  const frames = new Map<string, Promise<TuneFrame>>();
  let frameReads = 0;
  let useWorker = o.worker ?? true;
  let pool: WorkerPool | null = null;
  let local: TuningAnalyzer | null = null;
  let where: "worker" | "host" | "none" = "none";
  let active = 0; // requests being answered
  let warmUpsLeft = 0;

  const warmUp = (key: string, opts: Parameters<TuningAnalyzer["analyze"]>[1]): void => {
    const p = pool;
    if (!p || warmUpsLeft <= 0 || active > 0) return;
    warmUpsLeft--;
    p.call("tuneAnalyze", [key, opts, null]).then(() => setTimeout(() => warmUp(key, opts), 0), () => undefined);
  };

  const frameOf = (datasetId: string, shotIndex: number, key: string): Promise<TuneFrame> => {
    const hit = frames.get(key);
    if (hit) { frames.delete(key); frames.set(key, hit); return hit; }
    frameReads++;
    const p = readFrame(datasetId, shotIndex).then((img): TuneFrame => ({
      shape: [img.shape[0], img.shape[1]],
      pixels: img.pixels instanceof Float32Array ? img.pixels : Float32Array.from(img.pixels),
    }));
    frames.set(key, p);
    p.catch(() => { if (frames.get(key) === p) frames.delete(key); }); // failed reads are not cached
    while (frames.size > capacity) frames.delete(frames.keys().next().value!);
    return p;
  };

  const inProcess = async (key: string, frame: () => Promise<TuneFrame>, opts: Parameters<TuningAnalyzer["analyze"]>[1]): Promise<TuneAnalysis> => {
    local ??= new TuningAnalyzer({ frames: capacity });
    if (!local.hasFrame(key)) local.putFrame(key, await frame());
    where = "host";
    return local.analyze(key, opts, clock)!;
  };

  const inWorker = async (key: string, frame: () => Promise<TuneFrame>, opts: Parameters<TuningAnalyzer["analyze"]>[1]): Promise<TuneAnalysis> => {
    if (!pool) { pool = createWorkerPool(1, { tasksPerWorker: 1 }); warmUpsLeft = o.warmUps ?? 4; }
    // options only; the frame goes along when the worker does not hold it (first call for a shot,
    // evicted, respawned worker). Sent as a copy: the host keeps its own for the next resend.
    const r = (await pool.call("tuneAnalyze", [key, opts, null])) ?? (await pool.call("tuneAnalyze", [key, opts, await frame()]));
    if (!r) throw new Error(`tuning: the worker lost frame ${key}`);
    where = "worker";
    if (warmUpsLeft > 0) setTimeout(() => warmUp(key, opts), 0);
    return r;
  };

  const methods: TuningMethods = {
    async tuneAnalyze({ datasetId, shotIndex, options }) {
      const t0 = clock();
      active++;
      try { return await answer(t0, datasetId, shotIndex, options); } finally { active--; }
    },
  };

  async function answer(t0: number, datasetId: string, shotIndex: number, options: Record<string, unknown>): Promise<TuneResult> {
    const { opts, warnings } = preProcOptsFromObject(options, "tuning options");
    const key = `${datasetId}:${shotIndex}`;
    const frame = (): Promise<TuneFrame> => frameOf(datasetId, shotIndex, key);
    await frame(); // read errors (bad shot, no images) surface here, before any worker call
    let r: TuneAnalysis;
    if (useWorker) {
      try {
        r = await inWorker(key, frame, opts);
      } catch (e) {
        const m = e instanceof Error ? e.message : String(e);
        if (!/worker died|worker pool is closed|Cannot find module|ERR_MODULE_NOT_FOUND/.test(m)) throw e;
        // no usable worker here: analyse in-process from now on
        useWorker = false;
        const p = pool; pool = null;
        void p?.close();
        r = await inProcess(key, frame, opts);
      }
    } else {
      r = await inProcess(key, frame, opts);
    }
    return {
      shotIndex, centre: r.centre, com: r.com, lorentz: r.lorentz, nPeaks: r.nPeaks, fs: r.fs, ss: r.ss, intensity: r.intensity,
      analysisMs: r.analysisMs, totalMs: clock() - t0, warnings,
    };
  }

  return {
    methods,
    stats: () => ({ where, frameReads }),
    async dispose() { const p = pool; pool = null; frames.clear(); await p?.close(); },
  };
}
