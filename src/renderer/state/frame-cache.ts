/**
 * Frame cache: pixels, peaks and stream info per (dataset, shot), fetched once, LRU-bounded,
 * with prefetch so stepping/playing never waits on the host.
 */
import type { FrameImage, PeakList, StreamShotInfo } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import { percentile } from "../pattern/colormaps.ts";
import { thresholdedCenterOfMass } from "../../core/preproc/center-of-mass.ts";
import { fitLorentz2d } from "../../core/preproc/lorentz-fit.ts";

/**
 * Direct-beam position estimated from the frame (thresholded centre of mass, then a 2-D Lorentzian
 * fit: the pre-processing's own first steps, preprocessing.md §4–5), CXI convention; null if no beam.
 */
export function estimateBeamCentre(frame: FrameImage): readonly [number, number] | null {
  const pixels = frame.pixels instanceof Float32Array ? frame.pixels : Float32Array.from(frame.pixels);
  const f = { pixels, shape: frame.shape };
  const com = thresholdedCenterOfMass(f, { threshold: 0.9, xrng: 800 });
  if (!Number.isFinite(com.x) || !Number.isFinite(com.y)) return null;
  const l = fitLorentz2d(f, com.x, com.y, { radiusPx: 30, maxShiftPx: 36 });
  return l.accepted && Number.isFinite(l.x) && Number.isFinite(l.y) ? [l.x, l.y] : null;
}

export interface ShotBundle {
  readonly frame: FrameImage | null;
  readonly peaks: PeakList;
  readonly stream: StreamShotInfo | null;
  /** Beam centre estimated from the frame (computed while fetching, off the render path). */
  readonly beamCentre: readonly [number, number] | null;
  /** Auto-contrast limits per "loPct|hiPct", filled while fetching for the current settings. */
  readonly limits: Map<string, readonly [lo: number, hi: number]>;
}

/** Auto-contrast limits of a bundle's frame (percentiles), memoised in the bundle. */
export function autoLimits(b: ShotBundle, loPct: number, hiPct: number): readonly [number, number] {
  const key = `${loPct}|${hiPct}`;
  let l = b.limits.get(key);
  if (!l) {
    const px = b.frame?.pixels ?? new Float32Array(1);
    const lo = percentile(px, loPct);
    let hi = percentile(px, hiPct);
    if (!(hi > lo)) hi = lo + 1;
    l = [lo, hi];
    b.limits.set(key, l);
  }
  return l;
}

function safeEstimate(frame: FrameImage): readonly [number, number] | null {
  try { return estimateBeamCentre(frame); } catch { return null; }
}

export class FrameCache {
  private readonly entries = new Map<string, Promise<ShotBundle>>();
  private readonly ready = new Map<string, ShotBundle>();
  constructor(private readonly host: HostClient, private readonly capacity = 48) {}

  /** Synchronously available bundle (already loaded), or undefined. */
  peek(datasetId: string, shot: number): ShotBundle | undefined {
    return this.ready.get(`${datasetId}:${shot}`);
  }

  /** Contrast percentiles to precompute while fetching (the viewer's current setting). */
  contrastPct: readonly [number, number] = [1, 99.8];

  get(datasetId: string, shot: number, hasFrames: boolean, hasStream: boolean): Promise<ShotBundle> {
    const key = `${datasetId}:${shot}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit); // LRU touch
      return hit;
    }
    const p = (async (): Promise<ShotBundle> => {
      const [frame, peaks, stream] = await Promise.all([
        hasFrames ? this.host.readFrame({ datasetId, shotIndex: shot }) : Promise.resolve(null),
        this.host.getPeaks({ datasetId, shotIndex: shot }),
        hasStream ? this.host.getStreamChunk({ datasetId, shotIndex: shot }) : Promise.resolve(null),
      ]);
      const beamCentre = frame ? safeEstimate(frame) : null;
      const b: ShotBundle = { frame, peaks, stream, beamCentre, limits: new Map() };
      if (frame) autoLimits(b, this.contrastPct[0], this.contrastPct[1]);
      this.ready.set(key, b);
      return b;
    })();
    p.catch(() => { this.entries.delete(key); });
    this.entries.set(key, p);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.ready.delete(oldest);
    }
    return p;
  }

  prefetch(datasetId: string, shots: readonly number[], hasFrames: boolean, hasStream: boolean): void {
    for (const s of shots) void this.get(datasetId, s, hasFrames, hasStream).catch(() => {});
  }

  clear(): void { this.entries.clear(); this.ready.clear(); }
}
