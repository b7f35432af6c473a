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
  /**
   * Live tuning: the last result drawn (in the pattern pane, or the wizard panel's preview) and its
   * round trip from the option change to the overlays on screen (host analysis and total host time
   * inside it). Peak positions in detector px (CXI).
   */
  tune?: {
    readonly serial: number; readonly shot: number; readonly nPeaks: number; readonly centre: readonly [number, number];
    readonly fs: readonly number[]; readonly ss: readonly number[];
    readonly analysisMs: number; readonly hostMs: number; readonly roundTripMs: number; readonly drawnIn: "pattern" | "preview";
  };
}

export function debugHook(): DebugHook {
  const w = window as unknown as { __serialed?: DebugHook };
  w.__serialed ??= {};
  return w.__serialed;
}
