/** Viewer slice: current shot, overlays, intensity display, play mode, dialogs. */
import type { StateCreator } from "zustand";
import type { ColormapName, Scaling } from "../pattern/colormaps.ts";
import type { AppState } from "./store.ts";

export type OverlayName = "crosshair" | "peaks" | "predicted" | "rings" | "axes";

export interface Cursor { readonly fs: number; readonly ss: number; readonly value: number; readonly resolutionAngstrom: number | null }

export interface ViewerSlice {
  shotIndex: number;
  overlays: Record<OverlayName, boolean>;
  scaling: Scaling;
  colormap: ColormapName;
  /** Contrast limits in counts; `auto` = percentiles of each frame. */
  contrast: { auto: boolean; lo: number; hi: number; loPct: number; hiPct: number };
  playing: boolean;
  playMode: "shots" | "crystal";
  playFps: number;
  helpOpen: boolean;
  gotoOpen: boolean;
  zoomToCrystal: boolean;
  cursor: Cursor | null;
  setShot(i: number): void;
  toggleOverlay(o: OverlayName): void;
  setScaling(s: Scaling): void;
  setColormap(c: ColormapName): void;
  setContrast(c: Partial<ViewerSlice["contrast"]>): void;
  setPlaying(p: boolean): void;
  setPlayMode(m: "shots" | "crystal"): void;
  setPlayFps(f: number): void;
  setHelpOpen(o: boolean): void;
  setGotoOpen(o: boolean): void;
  setZoomToCrystal(z: boolean): void;
  setCursor(c: Cursor | null): void;
}

const prefsKey = "serialed.viewer.prefs";
function loadPrefs(): Partial<Pick<ViewerSlice, "scaling" | "colormap" | "overlays" | "playFps">> {
  try { return JSON.parse(localStorage.getItem(prefsKey) ?? "{}") as never; } catch { return {}; }
}
export function savePrefs(s: ViewerSlice): void {
  try { localStorage.setItem(prefsKey, JSON.stringify({ scaling: s.scaling, colormap: s.colormap, overlays: s.overlays, playFps: s.playFps })); } catch { /* private mode */ }
}

export const createViewerSlice: StateCreator<AppState, [], [], ViewerSlice> = (set) => {
  const p = loadPrefs();
  return {
    shotIndex: 0,
    overlays: { crosshair: true, peaks: true, predicted: true, rings: true, axes: true, ...(p.overlays ?? {}) },
    scaling: p.scaling ?? "sqrt",
    colormap: p.colormap ?? "inverted",
    contrast: { auto: true, lo: 0, hi: 100, loPct: 1, hiPct: 99.8 },
    playing: false,
    playMode: "shots",
    playFps: p.playFps ?? 10,
    helpOpen: false,
    gotoOpen: false,
    zoomToCrystal: false,
    cursor: null,
    setShot: (i) => set({ shotIndex: i }),
    toggleOverlay: (o) => set((s) => ({ overlays: { ...s.overlays, [o]: !s.overlays[o] } })),
    setScaling: (scaling) => set({ scaling }),
    setColormap: (colormap) => set({ colormap }),
    setContrast: (c) => set((s) => ({ contrast: { ...s.contrast, ...c } })),
    setPlaying: (playing) => set({ playing }),
    setPlayMode: (playMode) => set({ playMode }),
    setPlayFps: (playFps) => set({ playFps: Math.min(60, Math.max(0.5, playFps)) }),
    setHelpOpen: (helpOpen) => set({ helpOpen }),
    setGotoOpen: (gotoOpen) => set({ gotoOpen }),
    setZoomToCrystal: (zoomToCrystal) => set({ zoomToCrystal }),
    setCursor: (cursor) => set({ cursor }),
  };
};
