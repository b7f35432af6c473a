/** Small seeded PRNG + Poisson/Gaussian helpers for the pre-processing tests. */
import { mulberry32 } from "../../src/core/dataset/prng.ts";

export { mulberry32 };

export function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12), v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function poisson(rnd: () => number, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rnd)));
  const L = Math.exp(-mean);
  let k = 0, p = 1;
  do { k++; p *= rnd(); } while (p > L);
  return k - 1;
}

/** Adds a Gaussian spot of integrated counts `total` and width sigma at (x, y) (pixel-centre convention). */
export function addSpot(img: Float32Array, W: number, H: number, x: number, y: number, total: number, sigma: number): void {
  const r = Math.ceil(4 * sigma);
  const norm = total / (2 * Math.PI * sigma * sigma);
  for (let yy = Math.max(0, Math.floor(y) - r); yy <= Math.min(H - 1, Math.ceil(y) + r); yy++) {
    for (let xx = Math.max(0, Math.floor(x) - r); xx <= Math.min(W - 1, Math.ceil(x) + r); xx++) {
      img[yy * W + xx]! += norm * Math.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma * sigma));
    }
  }
}
