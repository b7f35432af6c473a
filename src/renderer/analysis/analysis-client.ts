/**
 * Page side of the frame-analysis worker: `analyse(frame)` resolves with the frame (its pixels
 * travel to the worker and back without copying) and its analysis. Falls back to running inline
 * where Web Workers are unavailable or the worker fails to start.
 */
import type { FrameImage } from "../../core/api/host-api.ts";
import { analyseFrame, type FrameAnalysis } from "./frame-analysis.ts";
import type { AnalysisRequest, AnalysisResponse } from "./frame-analysis.worker.ts";

interface Pending { resolve: (r: { frame: FrameImage; analysis: FrameAnalysis }) => void; reject: (e: Error) => void; frame: FrameImage; ownsBuffer: boolean }

export class AnalysisClient {
  private worker: Worker | null = null;
  private failed = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private ensureWorker(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    if (typeof Worker === "undefined") { this.failed = true; return null; }
    try {
      const w = new Worker(new URL("./frame-analysis.worker.ts", import.meta.url), { type: "module", name: "frame-analysis" });
      w.onmessage = (e: MessageEvent<AnalysisResponse>) => this.onMessage(e.data);
      w.onerror = (e) => { e.preventDefault(); this.fail(new Error(`frame-analysis worker failed: ${e.message}`)); };
      this.worker = w;
    } catch { this.failed = true; }
    return this.worker;
  }

  /** Frames analysed in the worker and inline (fallback), for tests and the benchmark. */
  readonly stats = { worker: 0, inline: 0 };

  /** Number of frames being analysed right now (for tests and the benchmark). */
  get inFlight(): number { return this.pending.size; }

  /** Analyses a frame off the main thread; resolves with the frame (same pixels, possibly a new view) and the result. */
  analyse(frame: FrameImage, loPct: number, hiPct: number): Promise<{ frame: FrameImage; analysis: FrameAnalysis }> {
    const w = this.ensureWorker();
    if (!w) { this.stats.inline++; return Promise.resolve({ frame, analysis: analyseFrame(frame.pixels, frame.shape, loPct, hiPct) }); }
    const id = this.nextId++;
    const px = frame.pixels;
    // Transfer the pixels themselves when they own their buffer; otherwise transfer a copy (the page keeps its view).
    const ownsBuffer = px.byteOffset === 0 && px.byteLength === px.buffer.byteLength && px.buffer instanceof ArrayBuffer;
    const sent = ownsBuffer ? px : px.slice();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, frame, ownsBuffer });
      const req: AnalysisRequest = { id, pixels: sent, shape: frame.shape, loPct, hiPct };
      w.postMessage(req, [sent.buffer]);
    });
  }

  private onMessage(m: AnalysisResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    const frame = p.ownsBuffer ? { ...p.frame, pixels: m.pixels } : p.frame;
    if (m.ok) { this.stats.worker++; p.resolve({ frame, analysis: m.result }); }
    else p.reject(new Error(`frame ${p.frame.shotIndex}: ${m.error}`));
  }

  private fail(e: Error): void {
    // Pixels sent to a dead worker are gone: callers re-fetch (the frame cache drops failed entries).
    this.worker?.terminate();
    this.worker = null;
    this.failed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  dispose(): void { this.worker?.terminate(); this.worker = null; }
}
