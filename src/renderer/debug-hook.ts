/**
 * `window.__serialed`: read-only view of the app for tests and benchmarks (state, rendered shot,
 * overlay positions in detector pixels, a serial number bumped on every rendered frame).
 */
import type { PatternCanvas, Overlays } from "./pattern/pattern-canvas.ts";

export interface DebugHook {
  ready?: boolean;
  state?: () => unknown;
  canvas?: PatternCanvas;
  renderedShot?: number;
  frameSerial?: number;
  renderMs?: number;
  /** performance.now() when the last frame finished drawing. */
  lastRenderAt?: number;
  timing?: Record<string, number>;
  display?: unknown;
  overlays?: Overlays & { centre: readonly [number, number]; centreSource: string };
  visibleRows?: () => number[];
  /** Value of the rendered frame at a detector pixel (CXI, rounded). */
  pixelAt?: (fs: number, ss: number) => number;
  frameMedian?: () => number;
  /** Frames whose beam centre/contrast were computed in the analysis Web Worker vs inline on the main thread. */
  analysis?: { readonly worker: number; readonly inline: number };
  error?: string;
}

export function debugHook(): DebugHook {
  const w = window as unknown as { __serialed?: DebugHook };
  w.__serialed ??= {};
  return w.__serialed;
}
