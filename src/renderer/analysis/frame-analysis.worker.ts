/**
 * Web Worker running analyseFrame off the page's main thread. Protocol: the page posts
 * AnalysisRequest (pixels transferred), the worker answers AnalysisResponse with the same id and
 * transfers the pixels back.
 */
import { analyseFrame, type FrameAnalysis } from "./frame-analysis.ts";
import type { FrameImage } from "../../core/api/host-api.ts";

export interface AnalysisRequest {
  readonly id: number;
  readonly pixels: FrameImage["pixels"];
  readonly shape: readonly [ss: number, fs: number];
  readonly loPct: number;
  readonly hiPct: number;
}

export type AnalysisResponse =
  | { readonly id: number; readonly ok: true; readonly pixels: FrameImage["pixels"]; readonly result: FrameAnalysis }
  | { readonly id: number; readonly ok: false; readonly pixels: FrameImage["pixels"]; readonly error: string };

interface WorkerScope { onmessage: ((e: MessageEvent<AnalysisRequest>) => void) | null; postMessage(m: AnalysisResponse, transfer: Transferable[]): void }
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, pixels, shape, loPct, hiPct } = e.data;
  try {
    const result = analyseFrame(pixels, shape, loPct, hiPct);
    scope.postMessage({ id, ok: true, pixels, result }, [pixels.buffer]);
  } catch (err) {
    scope.postMessage({ id, ok: false, pixels, error: err instanceof Error ? err.message : String(err) }, [pixels.buffer]);
  }
};
