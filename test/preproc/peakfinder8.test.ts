import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { findPeaksPeakfinder8, peakfinder8Defaults } from "../../src/core/preproc/peakfinder8.ts";
import type { Peakfinder8Options } from "../../src/core/preproc/peakfinder8.ts";
import { addSpot, mulberry32, poisson } from "./rng.ts";

const W = 400, H = 300, CX = 200.4, CY = 150.2;

function makeImage(seed: number, spots: { x: number; y: number; I: number }[]): Float32Array {
  const rnd = mulberry32(seed);
  const mean = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) mean[y * W + x] = 3 + 40 * Math.exp(-Math.hypot(x - CX, y - CY) / 40);
  for (const s of spots) addSpot(mean, W, H, s.x, s.y, s.I, 1.1);
  return mean.map((m) => poisson(rnd, m));
}

const opts: Peakfinder8Options = { threshold: 8, minSnr: 3.5, minPixCount: 3, maxPixCount: 10000, localBgRadius: 5, minResPx: 5, maxResPx: 600, maxPeaks: 50 };

describe("findPeaksPeakfinder8", () => {
  it("finds strong spots on a radial background at their positions, and nothing else", () => {
    const rnd = mulberry32(99);
    const spots = Array.from({ length: 25 }, () => ({ x: 20 + rnd() * (W - 40), y: 20 + rnd() * (H - 40), I: 400 + rnd() * 2000 }))
      .filter((s) => Math.hypot(s.x - CX, s.y - CY) > 25);
    const img = makeImage(1, spots);
    const t = findPeaksPeakfinder8({ pixels: img, shape: [H, W] }, null, CX, CY, opts);
    let matched = 0;
    for (const s of spots) {
      for (let k = 0; k < t.count; k++) {
        if (Math.hypot(t.fs[k]! - s.x, t.ss[k]! - s.y) < 0.5) { matched++; break; }
      }
    }
    assert.ok(matched >= spots.length - 1, `matched ${matched} of ${spots.length}`);
    assert.ok(t.count <= spots.length + 1, `found ${t.count} for ${spots.length} spots`);
    // integrated intensity close to the true one (Gaussian integral inside the peak pixels)
    for (let k = 0; k < t.count; k++) assert.ok(t.intensity[k]! > 0 && t.snr[k]! >= opts.minSnr);
    // padding to maxPeaks
    assert.equal(t.fs.length, 50);
    assert.equal(t.fs[t.count], 0);
  });

  it("rejects single hot pixels (min-pix-count), masked pixels and peaks beyond max-res", () => {
    const img = makeImage(2, [{ x: 100.2, y: 100.3, I: 3000 }, { x: 300.5, y: 200.1, I: 3000 }, { x: 380, y: 20, I: 3000 }]);
    img[50 * W + 50] = 5000; // hot pixel
    const mask = new Uint8Array(W * H);
    for (let y = 195; y < 206; y++) for (let x = 295; x < 306; x++) mask[y * W + x] = 1;
    const t = findPeaksPeakfinder8({ pixels: img, shape: [H, W] }, mask, CX, CY, { ...opts, maxResPx: 200 });
    assert.equal(t.count, 1);
    assert.ok(Math.abs(t.fs[0]! - 100.2) < 0.3 && Math.abs(t.ss[0]! - 100.3) < 0.3);
  });

  it("stops storing at max-peaks and rejects too large peaks", () => {
    const spots = Array.from({ length: 12 }, (_, i) => ({ x: 40 + 28 * i, y: 60, I: 3000 }));
    const img = makeImage(3, spots);
    const t = findPeaksPeakfinder8({ pixels: img, shape: [H, W] }, null, CX, CY, { ...opts, maxPeaks: 5 });
    assert.equal(t.count, 5);
    const big = findPeaksPeakfinder8({ pixels: img, shape: [H, W] }, null, CX, CY, { ...opts, maxPixCount: 2 });
    assert.equal(big.count, 0);
  });

  it("reports bad input clearly", () => {
    assert.throws(() => findPeaksPeakfinder8({ pixels: new Float32Array(10), shape: [3, 4] }, null, 1, 1, peakfinder8Defaults), /10 pixels do not match shape/);
    assert.throws(() => findPeaksPeakfinder8({ pixels: new Float32Array(12), shape: [3, 4] }, new Uint8Array(5), 1, 1, peakfinder8Defaults), /mask/);
  });
});
