/** The viewer window: linked panes, status bar, keyboard, help overlay, play mode. */
import { useEffect, useMemo, useRef, useState } from "react";
import type { HostClient } from "./api/host-client.ts";
import { debugHook } from "./debug-hook.ts";
import { crystalEnd, jumpTo, playStep, stepCrystal, stepShot } from "./navigation.ts";
import { InfoPane } from "./panes/InfoPane.tsx";
import { MapPane } from "./panes/MapPane.tsx";
import { PatternPane } from "./panes/PatternPane.tsx";
import { ShotTable } from "./panes/ShotTable.tsx";
import { FrameCache } from "./state/frame-cache.ts";
import { cellValue, crystalShots, getShotData, setShotData, visibleRows } from "./state/shot-data.ts";
import { savePrefs } from "./state/viewer-slice.ts";
import { useApp, useAppStore, type AppStore } from "./state/store.ts";
import { TuningPanel } from "./tuning/TuningPanel.tsx";
import { TabSwitch, useAppTab } from "./wizard/AppTabs.tsx";
import { WizardView } from "./wizard/WizardView.tsx";

export const shortcuts: [string, string][] = [
  ["→ / j", "next shot"], ["← / k", "previous shot"], ["↓ / n", "next crystal"], ["↑ / p", "previous crystal"],
  ["Home / End", "first / last frame of the crystal"], ["g", "go to shot number or Event id"], ["h", "toggle hits only"],
  ["1 … 5", "toggle crosshair, peaks, predicted, rings, axes"], ["space", "play / pause"], ["c", "play through shots / the crystal's frames"],
  ["+ / −", "play faster / slower"], ["s", "cycle scaling (linear, sqrt, log)"], ["m", "cycle colour map"], ["a", "toggle auto contrast"],
  ["z", "map: zoom to crystal"], ["f / double-click", "fit pattern to the view"], ["/", "focus the query box"], ["?", "this help"], ["Esc", "close dialogs"],
];

const overlayKeys = ["crosshair", "peaks", "predicted", "rings", "axes"] as const;

function handleKey(store: AppStore, e: KeyboardEvent): void {
  const s = store.getState();
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
  const k = e.key;
  let handled = true;
  if (k === "ArrowRight" || k === "j") stepShot(store, 1);
  else if (k === "ArrowLeft" || k === "k") stepShot(store, -1);
  else if (k === "ArrowDown" || k === "n") stepCrystal(store, 1);
  else if (k === "ArrowUp" || k === "p") stepCrystal(store, -1);
  else if (k === "Home") crystalEnd(store, "first");
  else if (k === "End") crystalEnd(store, "last");
  else if (k === "g") s.setGotoOpen(true);
  else if (k === "h") s.setHitsOnly(!s.hitsOnly);
  else if (k >= "1" && k <= "5") s.toggleOverlay(overlayKeys[Number(k) - 1]!);
  else if (k === " ") s.setPlaying(!s.playing);
  else if (k === "c") s.setPlayMode(s.playMode === "shots" ? "crystal" : "shots");
  else if (k === "+" || k === "=") s.setPlayFps(s.playFps * 1.5);
  else if (k === "-") s.setPlayFps(s.playFps / 1.5);
  else if (k === "s") s.setScaling(s.scaling === "linear" ? "sqrt" : s.scaling === "sqrt" ? "log" : "linear");
  else if (k === "m") s.setColormap(s.colormap === "grey" ? "inverted" : s.colormap === "inverted" ? "viridis" : "grey");
  else if (k === "a") s.setContrast({ auto: !s.contrast.auto });
  else if (k === "z") s.setZoomToCrystal(!s.zoomToCrystal);
  else if (k === "f") debugHook().canvas?.fit();
  else if (k === "/") (document.querySelector("[data-testid=query]") as HTMLInputElement | null)?.focus();
  else if (k === "?") s.setHelpOpen(!s.helpOpen);
  else if (k === "Escape") { s.setHelpOpen(false); s.setGotoOpen(false); }
  else handled = false;
  if (handled) e.preventDefault();
}

export function App({ host }: { host: HostClient }) {
  const store = useAppStore();
  const cache = useMemo(() => new FrameCache(host), [host]);
  const ds = useApp((s) => s.dataset);
  const status = useApp((s) => s.status);
  const tuningOpen = useApp((s) => s.tuningOpen);

  // Load the session's dataset and its shot table.
  useEffect(() => {
    const hook = debugHook();
    hook.state = () => { const { ...st } = store.getState(); return { ...st, mask: st.mask ? Array.from(st.mask) : null }; };
    hook.visibleRows = () => { const st = store.getState(); return Array.from(visibleRows(getShotData(), st.mask, st.hitsOnly, st.sort)); };
    (async () => {
      const session = await host.getSession({});
      const first = session.datasets[0];
      if (!first) { store.getState().setStatus("No dataset open. Start with `serialed serve FILE…`."); hook.ready = true; return; }
      const shots = await host.getShots({ datasetId: first.datasetId });
      setShotData(shots);
      store.getState().setDataset(first);
      store.getState().shotsLoaded();
      store.getState().setStatus("ready");
      hook.ready = true;
    })().catch((e: unknown) => { const m = e instanceof Error ? e.message : String(e); store.getState().setStatus(`error: ${m}`); hook.error = m; });
    host.on("datasetOpened", async ({ summary }) => {
      cache.clear();
      setShotData(await host.getShots({ datasetId: summary.datasetId }));
      store.getState().setDataset(summary);
      store.getState().shotsLoaded();
    });
  }, [host, store, cache]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => handleKey(store, e);
    window.addEventListener("keydown", onKey);
    const unsub = store.subscribe((s) => savePrefs(s));
    return () => { window.removeEventListener("keydown", onKey); unsub(); };
  }, [store]);

  // Play mode: step at the chosen rate; the frame cache prefetches ahead.
  const playing = useApp((s) => s.playing);
  const fps = useApp((s) => s.playFps);
  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => playStep(store), 1000 / fps);
    return () => clearInterval(id);
  }, [playing, fps, store]);

  const [tab, setTab] = useAppTab(host);

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">serialed<span className="brand2">studio</span></span>
        <TabSwitch tab={tab} setTab={setTab} />
        <span className="ds-label">{ds ? ds.label : "—"}</span>
        <Nav />
        <button className="help-btn" onClick={() => store.getState().setHelpOpen(true)} title="Keyboard shortcuts (?)">?</button>
      </header>
      {tab === "wizard" ? <WizardView host={host} onOpenShot={(i) => { store.getState().setShot(i); setTab("viewer"); }} /> : null}
      <main className="grid" style={tab === "wizard" ? { display: "none" } : undefined}>
        <PatternPane host={host} cache={cache} />
        <div className="side">
          {tuningOpen ? <TuningPanel host={host} placement="viewer" /> : <MapPane host={host} />}
          <InfoPane cache={cache} />
        </div>
        <ShotTable host={host} />
      </main>
      <StatusBar status={status} />
      <HelpOverlay />
      <GotoBox />
    </div>
  );
}

function Nav() {
  const store = useAppStore();
  const playing = useApp((s) => s.playing);
  const playMode = useApp((s) => s.playMode);
  const fps = useApp((s) => s.playFps);
  const hitsOnly = useApp((s) => s.hitsOnly);
  return (
    <span className="nav">
      <button onClick={() => stepCrystal(store, -1)} title="previous crystal (↑)">|◀◀</button>
      <button onClick={() => stepShot(store, -1)} title="previous shot (←)">|◀</button>
      <button onClick={() => store.getState().setPlaying(!playing)} title="play (space)" data-testid="play">{playing ? "❚❚" : "▶"}</button>
      <button onClick={() => stepShot(store, 1)} title="next shot (→)" data-testid="next">▶|</button>
      <button onClick={() => stepCrystal(store, 1)} title="next crystal (↓)">▶▶|</button>
      <select value={playMode} onChange={(e) => store.getState().setPlayMode(e.target.value as "shots" | "crystal")} title="play through (c)">
        <option value="shots">all shots</option><option value="crystal">crystal frames</option>
      </select>
      <label className="fps"><input type="number" min="0.5" max="60" step="0.5" value={Number(fps.toFixed(1))} onChange={(e) => store.getState().setPlayFps(Number(e.target.value))} /> fps</label>
      <label><input type="checkbox" checked={hitsOnly} onChange={(e) => store.getState().setHitsOnly(e.target.checked)} /> hits only (h)</label>
    </span>
  );
}

function StatusBar({ status }: { status: string }) {
  const ds = useApp((s) => s.dataset);
  const shot = useApp((s) => s.shotIndex);
  const cursor = useApp((s) => s.cursor);
  const playing = useApp((s) => s.playing);
  useApp((s) => s.shotsVersion);
  const d = getShotData();
  const crystal = cellValue(d, "crystal_id", shot);
  const frames = ds ? crystalShots(d, shot) : [];
  return (
    <footer className="statusbar" data-testid="status">
      <span>{status}</span>
      {ds ? <span data-testid="status-shot">shot {shot} / {ds.nShots - 1}</span> : null}
      {ds ? <span>Event {String(cellValue(d, "Event", shot) ?? "")}</span> : null}
      {ds ? <span>crystal {String(crystal ?? "–")} · frame {String(cellValue(d, "frame", shot) ?? "–")} ({frames.indexOf(shot) + 1}/{frames.length})</span> : null}
      {playing ? <span className="playing">▶ playing</span> : null}
      <span className="cursor" data-testid="cursor">
        {cursor ? `fs ${cursor.fs.toFixed(1)}  ss ${cursor.ss.toFixed(1)}  I ${Number.isNaN(cursor.value) ? "–" : cursor.value.toFixed(1)}  d ${cursor.resolutionAngstrom ? `${cursor.resolutionAngstrom.toFixed(2)} Å` : "∞"}` : ""}
      </span>
      {ds ? <span className="geom" title="geometry">λ {ds.geometry.wavelengthAngstrom} Å · L {ds.geometry.cameraLengthM} m · {(ds.geometry.pixelSizeM * 1e6).toFixed(0)} µm ({ds.geometry.source})</span> : null}
    </footer>
  );
}

function HelpOverlay() {
  const open = useApp((s) => s.helpOpen);
  const setOpen = useApp((s) => s.setHelpOpen);
  if (!open) return null;
  return (
    <div className="overlay" onClick={() => setOpen(false)} data-testid="help">
      <div className="dialog" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table><tbody>{shortcuts.map(([k, v]) => <tr key={k}><th><kbd>{k}</kbd></th><td>{v}</td></tr>)}</tbody></table>
        <p className="muted">Mouse: wheel zooms the pattern, drag pans, double-click fits; click a table row or a crystal on the map to jump there.</p>
      </div>
    </div>
  );
}

function GotoBox() {
  const open = useApp((s) => s.gotoOpen);
  const store = useAppStore();
  const [text, setText] = useState("");
  const [err, setErr] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { if (open) { setText(""); setErr(null); setTimeout(() => input.current?.focus(), 0); } }, [open]);
  if (!open) return null;
  return (
    <div className="overlay" onClick={() => store.getState().setGotoOpen(false)}>
      <div className="dialog goto" onClick={(e) => e.stopPropagation()}>
        <label>Go to shot number or Event id
          <input ref={input} data-testid="goto" value={text} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === "Escape") store.getState().setGotoOpen(false);
            if (e.key === "Enter") { const m = jumpTo(store, text); setErr(m); if (!m) store.getState().setGotoOpen(false); }
          }} />
        </label>
        {err ? <p className="err">{err}</p> : null}
      </div>
    </div>
  );
}
