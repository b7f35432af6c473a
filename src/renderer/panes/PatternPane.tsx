/** Pattern pane: fetches the current shot (frame cache), computes overlays, drives PatternCanvas. */
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { DatasetSummary } from "../../core/api/host-api.ts";
import { realOfReciprocal } from "../../core/geometry/cell.ts";
import type { HostClient } from "../api/host-client.ts";
import { PatternCanvas, type Display, type Overlays } from "../pattern/pattern-canvas.ts";
import { resolutionAtRadiusAngstrom, ringRadii } from "../pattern/resolution.ts";
import { autoLimits, type FrameCache, type ShotBundle } from "../state/frame-cache.ts";
import { getShotData, numberAt } from "../state/shot-data.ts";
import { useApp, useAppStore } from "../state/store.ts";
import { debugHook } from "../debug-hook.ts";

/**
 * Beam centre of a shot (CXI) and where it came from: the shot table's center_x/center_y (from
 * pre-processing), else the direct beam found in the frame, else the geometry, else the frame centre.
 */
export function shotCentre(ds: DatasetSummary, shot: number, estimated: readonly [number, number] | null = null): { xy: [number, number]; source: string } {
  const d = getShotData();
  const cx = numberAt(d, "center_x", shot), cy = numberAt(d, "center_y", shot);
  if (Number.isFinite(cx) && Number.isFinite(cy)) return { xy: [cx, cy], source: "shot table" };
  if (estimated) return { xy: [estimated[0], estimated[1]], source: "direct beam" };
  if (ds.geometry.beamCentreCxi) return { xy: [ds.geometry.beamCentreCxi[0], ds.geometry.beamCentreCxi[1]], source: "geometry" };
  const [ss, fs] = ds.frameShape ?? [516, 1556];
  return { xy: [(fs - 1) / 2, (ss - 1) / 2], source: "frame centre" };
}

export function PatternPane({ host, cache }: { host: HostClient; cache: FrameCache }) {
  const div = useRef<HTMLDivElement>(null);
  const [canvas, setCanvas] = useState<PatternCanvas | null>(null);
  const [bundle, setBundle] = useState<ShotBundle | null>(null);
  const [error, setError] = useState<string | null>(null);
  const store = useAppStore();
  const ds = useApp((s) => s.dataset);
  const shot = useApp((s) => s.shotIndex);
  const scaling = useApp((s) => s.scaling);
  const colormap = useApp((s) => s.colormap);
  const contrast = useApp((s) => s.contrast);
  const overlays = useApp((s) => s.overlays);
  const shotsVersion = useApp((s) => s.shotsVersion);
  const tuningOpen = useApp((s) => s.tuningOpen);
  const tuningOverlay = useApp((s) => s.tuningOverlay);
  const tune = useApp((s) => s.tune);
  void host;

  useEffect(() => {
    let alive = true;
    let pc: PatternCanvas | null = null;
    void PatternCanvas.create(div.current!)
      .then((c) => { if (alive) { pc = c; setCanvas(c); debugHook().canvas = c; } })
      .catch((e: unknown) => { const m = `pattern canvas could not start: ${e instanceof Error ? e.message : String(e)}`; setError(m); debugHook().error = m; });
    return () => { alive = false; void pc; };
  }, []);

  // Fetch the shot (from the cache when prefetched: then the switch is synchronous).
  useLayoutEffect(() => {
    if (!ds) return;
    const ready = cache.peek(ds.datasetId, shot);
    if (ready) { setBundle(ready); setError(null); return; }
    let alive = true;
    cache.get(ds.datasetId, shot, ds.frameShape !== null, ds.stream !== null)
      .then((b) => { if (alive) { setBundle(b); setError(null); } })
      .catch((e: unknown) => {
        const m = e instanceof Error ? e.message : String(e);
        if (alive) setError(m);
        const hook = debugHook();
        if (hook.renderedShot === undefined) hook.error = `shot ${shot}: ${m}`; // nothing on screen yet: say why
      });
    return () => { alive = false; };
  }, [ds, shot, cache]);

  // Draw (layout effect: in the same task as the state change, not after the next paint).
  useLayoutEffect(() => {
    if (!canvas || !ds || !bundle) return;
    const t0 = performance.now();
    const frame = bundle.frame;
    let { lo, hi } = contrast;
    cache.contrastPct = [contrast.loPct, contrast.hiPct];
    if (frame && contrast.auto) [lo, hi] = autoLimits(bundle, contrast.loPct, contrast.hiPct);
    const tPct = performance.now() - t0;
    const { xy: centre, source: centreSource } = shotCentre(ds, bundle.peaks.shotIndex, bundle.beamCentre);
    const shape = frame?.shape ?? ds.frameShape ?? ([516, 1556] as const);
    const crystals = bundle.stream?.crystals ?? [];
    const predicted = crystals.length > 0 ? {
      fs: Float32Array.from(crystals.flatMap((c) => [...c.predicted.fs])),
      ss: Float32Array.from(crystals.flatMap((c) => [...c.predicted.ss])),
    } : null;
    const first = crystals[0];
    let axes: Overlays["axes"] = null;
    if (first) {
      const real = realOfReciprocal({ astar: first.astar, bstar: first.bstar, cstar: first.cstar });
      axes = { centre, dirs: real.map((v) => { const n = Math.hypot(v[0], v[1], v[2]) || 1; return [(v[0] / n) * 140, (v[1] / n) * 140] as const; }) };
    }
    const o: Overlays = {
      crosshair: overlays.crosshair ? centre : null,
      peaks: overlays.peaks && bundle.peaks.count > 0 ? { fs: bundle.peaks.fs, ss: bundle.peaks.ss } : null,
      predicted: overlays.predicted ? predicted : null,
      rings: overlays.rings ? { centre, list: ringRadii(ds.geometry, centre, shape) } : null,
      axes: overlays.axes ? axes : null,
    };
    canvas.show(frame, { lo, hi, scaling, colormap }, o, shape);
    const renderedAt = performance.now();
    const hook = debugHook();
    hook.renderMs = renderedAt - t0;
    hook.timing = { percentileMs: tPct, ...canvas.timing };
    hook.display = { lo, hi, scaling, colormap };
    hook.overlays = { ...o, centre, centreSource };
    hook.pixelAt = (fsPx: number, ssPx: number) => (frame ? Number(frame.pixels[Math.round(ssPx) * frame.shape[1] + Math.round(fsPx)]) : NaN);
    hook.frameMedian = () => (frame ? autoLimits(bundle, 50, 50)[0] : NaN); // lazy: not on the render path
    hook.analysis = cache.analysisStats;
    hook.renderedShot = bundle.peaks.shotIndex;
    hook.lastRenderAt = renderedAt;
    hook.frameSerial = (hook.frameSerial ?? 0) + 1;
    performance.mark(`serialed-frame-${bundle.peaks.shotIndex}`);
    // Prefetch neighbours so stepping and play mode never wait; colour-map and upload their textures
    // in idle time (one per task, after this frame is on screen) so a switch only swaps textures.
    const n = ds.nShots;
    const ahead = [1, 2, 3, 4, -1].map((k) => bundle.peaks.shotIndex + k).filter((i) => i >= 0 && i < n);
    const displayOf = (b: ShotBundle): Display => {
      const [l, h] = contrast.auto ? autoLimits(b, contrast.loPct, contrast.hiPct) : [contrast.lo, contrast.hi];
      return { lo: l, hi: h, scaling, colormap };
    };
    const prepareSoon = (b: ShotBundle): void => {
      if (b.frame) setTimeout(() => { if (b.frame) canvas.prepare(b.frame, displayOf(b)); }, 0);
    };
    cache.onPrefetched = (id, _shot, b) => { if (id === ds.datasetId) prepareSoon(b); };
    for (const s of ahead) { const b = cache.peek(ds.datasetId, s); if (b) prepareSoon(b); }
    cache.prefetch(ds.datasetId, ahead, ds.frameShape !== null, ds.stream !== null);
  }, [canvas, ds, bundle, scaling, colormap, contrast, overlays, shotsVersion, cache]);

  // Live tuning: the panel's latest result over the shown frame (overlays only, no frame redraw).
  useLayoutEffect(() => {
    if (!canvas) return;
    const r = tune?.result;
    const show = tuningOpen && tuningOverlay && tune && ds && r && tune.datasetId === ds.datasetId && bundle && r.shotIndex === bundle.peaks.shotIndex;
    if (!show) { canvas.setTuning(null); return; }
    const fmt = (v: number): string => (v >= 0 ? v.toFixed(1) : "–");
    canvas.setTuning({ peaks: { fs: r.fs, ss: r.ss }, centre: r.centre[0] >= 0 ? r.centre : null, label: `tuning: ${r.nPeaks} peaks, centre (${fmt(r.centre[0])}, ${fmt(r.centre[1])})` });
    const ms = performance.now() - tune.requestedAt;
    debugHook().tune = {
      serial: tune.serial, shot: r.shotIndex, nPeaks: r.nPeaks, centre: r.centre, fs: Array.from(r.fs), ss: Array.from(r.ss),
      analysisMs: r.analysisMs, hostMs: r.totalMs, roundTripMs: ms, drawnIn: "pattern",
    };
    store.getState().tuneDrawn(tune.serial, ms);
  }, [canvas, ds, bundle, tune, tuningOpen, tuningOverlay, store]);

  useEffect(() => {
    if (!canvas || !ds) return;
    canvas.onCursor((fs, ss) => {
      const b = bundle;
      const shape = b?.frame?.shape ?? ds.frameShape;
      if (!shape) return;
      const ix = Math.round(fs), iy = Math.round(ss);
      const inside = ix >= 0 && iy >= 0 && ix < shape[1] && iy < shape[0];
      const value = inside && b?.frame ? Number(b.frame.pixels[iy * shape[1] + ix]) : NaN;
      const c = shotCentre(ds, shot, b?.beamCentre ?? null).xy;
      store.getState().setCursor(inside ? { fs, ss, value, resolutionAngstrom: resolutionAtRadiusAngstrom(Math.hypot(fs - c[0], ss - c[1]), ds.geometry) } : null);
    });
  }, [canvas, ds, bundle, shot, store]);

  return (
    <div className="pane pattern-pane">
      <div ref={div} className="pattern-host" data-testid="pattern" />
      {!ds?.frameShape && ds ? <div className="pane-note">No image data reachable: showing stream peaks and predictions only</div> : null}
      {error ? <div className="pane-error">{error}</div> : null}
      <PatternToolbar />
    </div>
  );
}

function PatternToolbar() {
  const s = useApp((x) => x);
  return (
    <div className="pattern-toolbar">
      <select value={s.scaling} onChange={(e) => s.setScaling(e.target.value as never)} title="Intensity scaling (s)">
        <option value="linear">linear</option><option value="sqrt">sqrt</option><option value="log">log</option>
      </select>
      <select value={s.colormap} onChange={(e) => s.setColormap(e.target.value as never)} title="Colour map (m)">
        <option value="grey">grey</option><option value="inverted">inverted</option><option value="viridis">viridis</option>
      </select>
      <label title="Automatic contrast from percentiles (a)"><input type="checkbox" checked={s.contrast.auto} onChange={(e) => s.setContrast({ auto: e.target.checked })} /> auto</label>
      {s.contrast.auto ? (
        <label>upper % <input type="number" step="0.1" min="50" max="100" value={s.contrast.hiPct} onChange={(e) => s.setContrast({ hiPct: Number(e.target.value) })} /></label>
      ) : (
        <>
          <label>min <input type="number" value={s.contrast.lo} onChange={(e) => s.setContrast({ lo: Number(e.target.value) })} /></label>
          <label>max <input type="number" value={s.contrast.hi} onChange={(e) => s.setContrast({ hi: Number(e.target.value) })} /></label>
        </>
      )}
      {(["crosshair", "peaks", "predicted", "rings", "axes"] as const).map((o, i) => (
        <label key={o} title={`toggle with ${i + 1}`} className={`ov ov-${o}`}><input type="checkbox" checked={s.overlays[o]} onChange={() => s.toggleOverlay(o)} /> {o}</label>
      ))}
      {s.tuningOpen ? <label title="peaks and centre found with the tuning panel's options" className="ov ov-tuning"><input type="checkbox" data-testid="tune-overlay" checked={s.tuningOverlay} onChange={(e) => s.setTuningOverlay(e.target.checked)} /> tuning</label> : null}
      <button data-testid="tune-open" className={s.tuningOpen ? "sel" : ""} onClick={() => s.setTuningOpen(!s.tuningOpen)} title="live tuning of peak finding and centring on this pattern">{s.tuningOpen ? "close tuning" : "tune…"}</button>
    </div>
  );
}
