/**
 * Live-tuning slice: whether the viewer's tuning panel is open, the latest analysis of the current
 * pattern (drawn by the pattern pane as overlays distinct from the stored peaks) and how long the last
 * change took until its overlays were on screen.
 */
import type { StateCreator } from "zustand";
import type { TuneResult } from "../../core/api/host-api.ts";
import type { AppState } from "../state/store.ts";

/** One published tuning result and the change it answers. */
export interface TuneShown {
  readonly datasetId: string;
  readonly result: TuneResult;
  /** performance.now() of the option change (or shot change) this result answers. */
  readonly requestedAt: number;
  /** Request serial (increasing per change; stale answers are dropped before they get here). */
  readonly serial: number;
}

export interface TuningSlice {
  /** The tuning side panel is open in the viewer. */
  tuningOpen: boolean;
  /** Draw the tuning overlays in the pattern pane. */
  tuningOverlay: boolean;
  tune: TuneShown | null;
  /** Change → overlays drawn of the last result, ms (null until the first is drawn). */
  tuneUpdatedMs: number | null;
  setTuningOpen(open: boolean): void;
  setTuningOverlay(show: boolean): void;
  publishTune(t: TuneShown | null): void;
  /** Called by whoever drew result `serial`: records the round trip. */
  tuneDrawn(serial: number, ms: number): void;
}

export const createTuningSlice: StateCreator<AppState, [], [], TuningSlice> = (set, get) => ({
  tuningOpen: false,
  tuningOverlay: true,
  tune: null,
  tuneUpdatedMs: null,
  setTuningOpen: (tuningOpen) => set(tuningOpen ? { tuningOpen } : { tuningOpen, tune: null }),
  setTuningOverlay: (tuningOverlay) => set({ tuningOverlay }),
  publishTune: (tune) => set({ tune }),
  tuneDrawn: (serial, ms) => { if (get().tune?.serial === serial && get().tuneUpdatedMs !== ms) set({ tuneUpdatedMs: ms }); },
});
