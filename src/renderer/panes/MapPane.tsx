/** Map pane: STEM overview with crystal markers, current crystal highlighted, click → its shots, scale bar. */
import { useEffect, useRef, useState } from "react";
import type { MapImage } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import { percentile } from "../pattern/colormaps.ts";
import { cellValue, crystalShots, getShotData, numberAt } from "../state/shot-data.ts";
import { useApp } from "../state/store.ts";
import { debugHook } from "../debug-hook.ts";

export function MapPane({ host }: { host: HostClient }) {
  const ds = useApp((s) => s.dataset);
  const shot = useApp((s) => s.shotIndex);
  const setShot = useApp((s) => s.setShot);
  const zoom = useApp((s) => s.zoomToCrystal);
  const setZoom = useApp((s) => s.setZoomToCrystal);
  useApp((s) => s.shotsVersion);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [map, setMap] = useState<MapImage | null>(null);
  const [bitmap, setBitmap] = useState<HTMLCanvasElement | null>(null);
  const d = getShotData();
  const files = ds?.files ?? [];
  const file = cellValue(d, "file", shot);
  const fileIndex = Math.max(0, files.findIndex((f) => f === file));

  useEffect(() => {
    if (!ds?.map) { setMap(null); return; }
    let alive = true;
    host.getMapImage({ datasetId: ds.datasetId, fileIndex }).then((m) => {
      if (!alive) return;
      setMap(m);
      if (!m) return;
      const [rows, cols] = m.shape;
      const c = document.createElement("canvas");
      c.width = cols; c.height = rows;
      const ctx = c.getContext("2d")!;
      const img = ctx.createImageData(cols, rows);
      const lo = percentile(m.data, 1), hi = percentile(m.data, 99.5);
      for (let i = 0; i < m.data.length; i++) {
        const v = Math.max(0, Math.min(255, ((m.data[i]! - lo) / (hi - lo || 1)) * 255));
        img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      setBitmap(c);
    }).catch(() => {});
    return () => { alive = false; };
  }, [ds, host, fileIndex]);

  const currentCrystal = numberAt(d, "crystal_id", shot);
  // Map view transform: fit, or zoom around the current crystal.
  const view = (w: number, h: number): { s: number; ox: number; oy: number } => {
    if (!map) return { s: 1, ox: 0, oy: 0 };
    const [rows, cols] = map.shape;
    const k = Array.from(map.crystals.id).indexOf(currentCrystal);
    if (zoom && k >= 0) {
      const s = Math.min(w, h) / 80;
      return { s, ox: w / 2 - map.crystals.x[k]! * s, oy: h / 2 - map.crystals.y[k]! * s };
    }
    const s = Math.min(w / cols, h / rows);
    return { s, ox: (w - cols * s) / 2, oy: (h - rows * s) / 2 };
  };

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const w = (c.width = c.clientWidth), h = (c.height = c.clientHeight);
    const ctx = c.getContext("2d")!;
    ctx.fillStyle = "#0b0e12"; ctx.fillRect(0, 0, w, h);
    if (!map || !bitmap) return;
    const { s, ox, oy } = view(w, h);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bitmap, ox, oy, map.shape[1] * s, map.shape[0] * s);
    const markers: { id: number; x: number; y: number }[] = [];
    for (let i = 0; i < map.crystals.id.length; i++) {
      const id = map.crystals.id[i]!, x = ox + map.crystals.x[i]! * s, y = oy + map.crystals.y[i]! * s;
      markers.push({ id, x: map.crystals.x[i]!, y: map.crystals.y[i]! });
      const cur = id === currentCrystal;
      ctx.beginPath(); ctx.arc(x, y, cur ? 9 : 5, 0, 2 * Math.PI);
      ctx.strokeStyle = cur ? "#ffd040" : "#40c0ff"; ctx.lineWidth = cur ? 2.5 : 1.2; ctx.stroke();
    }
    // Beam position of the current shot.
    const px = numberAt(d, "pos_x", shot), py = numberAt(d, "pos_y", shot);
    if (Number.isFinite(px) && Number.isFinite(py)) { ctx.fillStyle = "#ff5050"; ctx.fillRect(ox + px * s - 2, oy + py * s - 2, 4, 4); }
    // Scale bar.
    const umPerPx = map.pixelSizeUm;
    const target = 0.25 * w;
    const unitPerScreenPx = (umPerPx ?? 1) / s;
    const raw = target * unitPerScreenPx;
    const nice = [1, 2, 5].flatMap((m) => [0.01, 0.1, 1, 10, 100, 1000].map((p) => m * p)).filter((v) => v <= raw).pop() ?? raw;
    const len = nice / unitPerScreenPx;
    ctx.fillStyle = "#e8e8e8"; ctx.fillRect(12, h - 18, len, 4);
    ctx.font = "12px sans-serif"; ctx.fillText(`${nice} ${umPerPx ? "µm" : "map px"}`, 12, h - 24);
    const hook = debugHook();
    (hook as Record<string, unknown>)["map"] = { markers, view: { s, ox, oy }, current: currentCrystal, canvasRect: c.getBoundingClientRect() };
  });

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>): void => {
    if (!map) return;
    const r = e.currentTarget.getBoundingClientRect();
    const { s, ox, oy } = view(r.width, r.height);
    let best = -1, bestD = 12;
    for (let i = 0; i < map.crystals.id.length; i++) {
      const dd = Math.hypot(ox + map.crystals.x[i]! * s - (e.clientX - r.left), oy + map.crystals.y[i]! * s - (e.clientY - r.top));
      if (dd < bestD) { bestD = dd; best = i; }
    }
    if (best < 0) return;
    const id = map.crystals.id[best]!;
    for (let j = 0; j < d.nShots; j++) {
      if (numberAt(d, "crystal_id", j) === id && cellValue(d, "file", j) === file) { setShot(crystalShots(d, j)[0] ?? j); return; }
    }
  };

  return (
    <div className="pane map-pane">
      {ds?.map ? <canvas ref={canvas} className="map-canvas" data-testid="map" onClick={onClick} /> : <div className="pane-note">No map image in this dataset</div>}
      {ds?.map ? <label className="map-zoom"><input type="checkbox" checked={zoom} onChange={(e) => setZoom(e.target.checked)} /> zoom to crystal (z)</label> : null}
    </div>
  );
}
