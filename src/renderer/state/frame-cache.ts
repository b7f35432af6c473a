/**
 * Frame cache: pixels, peaks and stream info per (dataset, shot), fetched once, LRU-bounded,
 * with prefetch so stepping/playing never waits on the host. The beam-centre estimate and the
 * auto-contrast limits are computed in a Web Worker (src/renderer/analysis), never on the page's
 * main thread; prefetches start only when nothing the user asked for is loading, one at a time.
 */
import type { FrameImage, PeakList, StreamShotInfo } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import { AnalysisClient } from "../analysis/analysis-client.ts";
import { contrastLimits } from "../analysis/frame-analysis.ts";

export interface ShotBundle {
  readonly frame: FrameImage | null;
  readonly peaks: PeakList;
  readonly stream: StreamShotInfo | null;
  /** Beam centre [fs, ss] (CXI px) estimated from the frame in the analysis worker; null if none found. */
  readonly beamCentre: readonly [number, number] | null;
  /** Auto-contrast limits per "loPct|hiPct"; the current setting's entry is filled by the worker. */
  readonly limits: Map<string, readonly [lo: number, hi: number]>;
}

/** Auto-contrast limits of a bundle's frame (percentiles), memoised in the bundle. */
export function autoLimits(b: ShotBundle, loPct: number, hiPct: number): readonly [number, number] {
  const key = `${loPct}|${hiPct}`;
  let l = b.limits.get(key);
  if (!l) {
    l = contrastLimits(b.frame?.pixels ?? new Float32Array(1), loPct, hiPct);
    b.limits.set(key, l);
  }
  return l;
}

type Job = { datasetId: string; shot: number; hasFrames: boolean; hasStream: boolean };

export class FrameCache {
  private readonly entries = new Map<string, Promise<ShotBundle>>();
  private readonly ready = new Map<string, ShotBundle>();
  private readonly analysis = new AnalysisClient();
  /** Shots asked for by the user (get) still loading: prefetch waits for these. */
  private urgent = 0;
  private prefetchRunning = false;
  private prefetchQueue: Job[] = [];
  constructor(private readonly host: HostClient, private readonly capacity = 48) {}

  /** Synchronously available bundle (already loaded), or undefined. */
  peek(datasetId: string, shot: number): ShotBundle | undefined {
    return this.ready.get(`${datasetId}:${shot}`);
  }

  /** How many frames were analysed in the Web Worker / inline. */
  get analysisStats(): { readonly worker: number; readonly inline: number } { return this.analysis.stats; }

  /** Called when a background prefetch has loaded (the viewer prepares the texture then). */
  onPrefetched: ((datasetId: string, shot: number, b: ShotBundle) => void) | null = null;

  /** Contrast percentiles to precompute while fetching (the viewer's current setting). */
  contrastPct: readonly [number, number] = [1, 99.8];

  /** Bundle of a shot the user wants now (loads ahead of any queued prefetch). */
  get(datasetId: string, shot: number, hasFrames: boolean, hasStream: boolean): Promise<ShotBundle> {
    const hit = this.touch(`${datasetId}:${shot}`);
    if (hit) return hit;
    this.urgent++;
    const p = this.load({ datasetId, shot, hasFrames, hasStream });
    void p.then(() => this.urgentDone(), () => this.urgentDone());
    return p;
  }

  /** Queues shots to load in the background (replacing the previous queue), nearest first. */
  prefetch(datasetId: string, shots: readonly number[], hasFrames: boolean, hasStream: boolean): void {
    this.prefetchQueue = shots.filter((s) => !this.entries.has(`${datasetId}:${s}`)).map((shot) => ({ datasetId, shot, hasFrames, hasStream }));
    this.pumpSoon();
  }

  clear(): void { this.entries.clear(); this.ready.clear(); this.prefetchQueue = []; }

  dispose(): void { this.clear(); this.analysis.dispose(); }

  private touch(key: string): Promise<ShotBundle> | undefined {
    const hit = this.entries.get(key);
    if (hit) { this.entries.delete(key); this.entries.set(key, hit); } // LRU touch
    return hit;
  }

  private urgentDone(): void { this.urgent--; this.pumpSoon(); }

  /** Starts the next prefetch after the current task (so a pending render/paint goes first). */
  private pumpSoon(): void {
    if (this.prefetchRunning || this.urgent > 0 || this.prefetchQueue.length === 0) return;
    this.prefetchRunning = true;
    setTimeout(() => {
      const job = this.urgent > 0 ? undefined : this.prefetchQueue.shift();
      if (!job) { this.prefetchRunning = false; return; }
      const key = `${job.datasetId}:${job.shot}`;
      const p = this.entries.get(key) ?? this.load(job);
      void p.then((b) => this.onPrefetched?.(job.datasetId, job.shot, b), () => {}).finally(() => { this.prefetchRunning = false; this.pumpSoon(); });
    }, 0);
  }

  private load(j: Job): Promise<ShotBundle> {
    const key = `${j.datasetId}:${j.shot}`;
    const [loPct, hiPct] = this.contrastPct;
    let p: Promise<ShotBundle> | undefined = undefined;
    p = (async (): Promise<ShotBundle> => {
      const [raw, peaks, stream] = await Promise.all([
        j.hasFrames ? this.host.readFrame({ datasetId: j.datasetId, shotIndex: j.shot }) : Promise.resolve(null),
        this.host.getPeaks({ datasetId: j.datasetId, shotIndex: j.shot }),
        j.hasStream ? this.host.getStreamChunk({ datasetId: j.datasetId, shotIndex: j.shot }) : Promise.resolve(null),
      ]);
      const limits = new Map<string, readonly [number, number]>();
      let frame = raw, beamCentre: readonly [number, number] | null = null;
      if (raw) {
        const r = await this.analysis.analyse(raw, loPct, hiPct);
        frame = r.frame;
        beamCentre = r.analysis.beamCentre;
        limits.set(`${loPct}|${hiPct}`, r.analysis.limits);
      }
      const b: ShotBundle = { frame, peaks, stream, beamCentre, limits };
      if (this.entries.get(key) === p) this.ready.set(key, b);
      return b;
    })();
    const mine = p;
    mine.catch(() => { if (this.entries.get(key) === mine) this.entries.delete(key); });
    this.entries.set(key, mine);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.ready.delete(oldest);
    }
    return mine;
  }
}
