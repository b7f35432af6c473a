/**
 * Synthetic ED pattern 1556×516 for tests and benchmarks before/independent of the simulator:
 * saturating Lorentzian zero beam, steep radial background, a 2-D lattice of Gaussian spots
 * (Friedel-symmetric intensities), Poisson noise. Positions in pixel-centre convention.
 */
import { addSpot, mulberry32, poisson } from "./rng.ts";

export interface SyntheticPattern {
  readonly pixels: Float32Array;
  readonly shape: readonly [number, number];
  readonly centerX: number;
  readonly centerY: number;
  /** True spots: position and integrated counts. */
  readonly spots: { x: number; y: number; I: number }[];
}

export function syntheticPattern(seed: number, { W = 1556, H = 516, nSpotsMax = 150, spotScale = 1500 } = {}): SyntheticPattern {
  const rnd = mulberry32(seed);
  const cx = W / 2 + (rnd() - 0.5) * 16, cy = H / 2 + (rnd() - 0.5) * 16;
  const mean = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const r = Math.hypot(x - cx, y - cy);
      mean[y * W + x] = 1.5 + 60 * Math.exp(-r / 60) + 20000 / (1 + (r / 3) ** 2);
    }
  }
  const a = 22 + rnd() * 8, b = 24 + rnd() * 8, ang0 = rnd() * Math.PI, gamma = (70 + rnd() * 40) * Math.PI / 180;
  const ax = a * Math.cos(ang0), ay = a * Math.sin(ang0), bx = b * Math.cos(ang0 + gamma), by = b * Math.sin(ang0 + gamma);
  const spots: { x: number; y: number; I: number }[] = [];
  const seen = new Map<string, number>();
  for (let h = -25; h <= 25; h++) {
    for (let k = -25; k <= 25; k++) {
      if (h === 0 && k === 0) continue;
      const x = cx + h * ax + k * bx, y = cy + h * ay + k * by;
      const r = Math.hypot(x - cx, y - cy);
      if (r < 20 || r > 520 || x < 5 || x > W - 6 || y < 5 || y > H - 6) continue;
      const key = h > 0 || (h === 0 && k > 0) ? `${h},${k}` : `${-h},${-k}`;
      let I = seen.get(key);
      if (I === undefined) {
        I = rnd() < 0.5 ? 0 : -Math.log(Math.max(rnd(), 1e-9)) * spotScale * Math.exp(-r / 400);
        seen.set(key, I);
      }
      if (I > 0) spots.push({ x, y, I });
    }
  }
  spots.sort((p, q) => q.I - p.I);
  spots.length = Math.min(spots.length, nSpotsMax);
  for (const s of spots) addSpot(mean, W, H, s.x, s.y, s.I, 1.2);
  const pixels = new Float32Array(W * H);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(poisson(rnd, mean[i]!), 65535);
  return { pixels, shape: [H, W], centerX: cx, centerY: cy, spots };
}
