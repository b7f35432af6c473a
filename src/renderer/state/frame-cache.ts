/**
 * Frame cache: pixels, peaks and stream info per (dataset, shot), fetched once, LRU-bounded,
 * with prefetch so stepping/playing never waits on the host.
 */
import type { FrameImage, PeakList, StreamShotInfo } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";

export interface ShotBundle {
  readonly frame: FrameImage | null;
  readonly peaks: PeakList;
  readonly stream: StreamShotInfo | null;
}

export class FrameCache {
  private readonly entries = new Map<string, Promise<ShotBundle>>();
  private readonly ready = new Map<string, ShotBundle>();
  constructor(private readonly host: HostClient, private readonly capacity = 48) {}

  /** Synchronously available bundle (already loaded), or undefined. */
  peek(datasetId: string, shot: number): ShotBundle | undefined {
    return this.ready.get(`${datasetId}:${shot}`);
  }

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
      const b = { frame, peaks, stream };
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
