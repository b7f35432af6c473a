/**
 * STEM map of one grid region: crystal blobs on a holey-carbon film, and the scan order of the
 * acquisition (lines of crystals, an auxiliary point before each line: data-model.md §3.1).
 */
import { createRng } from "./rng.ts";

/** One crystal (feature) on a map; positions in map pixels (x = column, y = row). */
export interface MapCrystal {
  readonly x: number;
  readonly y: number;
  /** Semi-axes (map px) and orientation (rad) of the elliptical blob. */
  readonly semiMajorPx: number;
  readonly semiMinorPx: number;
  readonly angleRad: number;
  /** HAADF brightness (thickness proxy), ~0.4–0.9. */
  readonly brightness: number;
}

const HOLE_PITCH = 128;
const HOLE_RADIUS = 38;

/** Is map point (x, y) over a hole of the holey carbon film? */
function inHole(x: number, y: number): boolean {
  const hx = ((x % HOLE_PITCH) + HOLE_PITCH) % HOLE_PITCH - HOLE_PITCH / 2;
  const hy = ((y % HOLE_PITCH) + HOLE_PITCH) % HOLE_PITCH - HOLE_PITCH / 2;
  return hx * hx + hy * hy < HOLE_RADIUS * HOLE_RADIUS;
}

/** Random, non-overlapping crystals on the film (not over holes), deterministic in (seed, region). */
export function layoutCrystals(seed: number, region: number, count: number, mapSizePx: number): MapCrystal[] {
  const rng = createRng(seed, 0x6d6170, region);
  const out: MapCrystal[] = [];
  const margin = 40;
  let minDist = 36;
  let tries = 0;
  while (out.length < count) {
    if (++tries > 4000) { minDist *= 0.8; tries = 0; } // crowded map: relax the spacing
    const x = margin + rng.uniform() * (mapSizePx - 2 * margin);
    const y = margin + rng.uniform() * (mapSizePx - 2 * margin);
    if (minDist > 8 && inHole(x, y)) continue;
    if (out.some((c) => (c.x - x) ** 2 + (c.y - y) ** 2 < minDist * minDist)) continue;
    const major = 6 + rng.uniform() * 12;
    out.push({ x, y, semiMajorPx: major, semiMinorPx: major * (0.4 + 0.5 * rng.uniform()), angleRad: rng.uniform() * Math.PI, brightness: 0.45 + 0.45 * rng.uniform() });
  }
  return out;
}

/** HAADF-like map image [rows = mapSizePx, cols = mapSizePx], float32, row-major. */
export function renderMapImage(seed: number, region: number, crystals: readonly MapCrystal[], mapSizePx: number): Float32Array {
  const n = mapSizePx;
  const img = new Float32Array(n * n);
  const rng = createRng(seed, 0x6d6171, region);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      // film thickness varies slowly; holes are vacuum
      const film = 0.18 + 0.03 * Math.sin(x / 97) * Math.cos(y / 131);
      img[y * n + x] = (inHole(x, y) ? 0.02 : film) + 0.015 * rng.normal();
    }
  }
  for (const c of crystals) {
    const r = Math.ceil(c.semiMajorPx + 3);
    const ca = Math.cos(c.angleRad), sa = Math.sin(c.angleRad);
    for (let y = Math.max(0, Math.floor(c.y - r)); y <= Math.min(n - 1, Math.ceil(c.y + r)); y++) {
      for (let x = Math.max(0, Math.floor(c.x - r)); x <= Math.min(n - 1, Math.ceil(c.x + r)); x++) {
        const dx = x - c.x, dy = y - c.y;
        const u = (dx * ca + dy * sa) / c.semiMajorPx, v = (-dx * sa + dy * ca) / c.semiMinorPx;
        const rr = Math.sqrt(u * u + v * v);
        // soft edge over ~1.5 px
        const w = Math.min(1, Math.max(0, (1 - rr) * c.semiMinorPx / 1.5 + 0.5));
        if (w > 0) img[y * n + x] = img[y * n + x]! + w * c.brightness * (1 - 0.3 * rr * rr);
      }
    }
  }
  return img;
}

/** One scan point: a crystal (index into the map's crystal list) or an auxiliary point (crystal −1). */
export interface ScanPoint {
  readonly crystal: number;
  readonly x: number;
  readonly y: number;
}

/**
 * Scan order: crystals grouped into horizontal lines of height `lineHeightPx`, left to right; before each
 * line an auxiliary point `predistPx` left of its first crystal (hysteresis settling, frame −1).
 */
export function scanOrder(crystals: readonly MapCrystal[], lineHeightPx: number, predistPx: number): ScanPoint[] {
  const idx = crystals.map((_, i) => i);
  idx.sort((a, b) => {
    const ca = crystals[a]!, cb = crystals[b]!;
    const la = Math.floor(ca.y / lineHeightPx), lb = Math.floor(cb.y / lineHeightPx);
    return la - lb || ca.x - cb.x;
  });
  const out: ScanPoint[] = [];
  let line = -1;
  for (const i of idx) {
    const c = crystals[i]!;
    const l = Math.floor(c.y / lineHeightPx);
    if (l !== line) { out.push({ crystal: -1, x: c.x - predistPx, y: c.y }); line = l; }
    out.push({ crystal: i, x: c.x, y: c.y });
  }
  return out;
}
