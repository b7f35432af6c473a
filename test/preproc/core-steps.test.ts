import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applySaturationCorrection, saturationCorrect } from "../../src/core/preproc/saturation.ts";
import { applyFlatfield, normalizeReference } from "../../src/core/preproc/flatfield.ts";
import { buildPixelMask, interpolateMasked, lambdaGapMask } from "../../src/core/preproc/dead-pixels.ts";
import { bandQuantile, thresholdedCenterOfMass } from "../../src/core/preproc/center-of-mass.ts";
import { fitLorentz2d } from "../../src/core/preproc/lorentz-fit.ts";
import { refineCenterFriedel } from "../../src/core/preproc/friedel-refine.ts";
import { virtualAdf } from "../../src/core/preproc/virtual-adf.ts";
import { detectorShiftMm, ellipticityMatrix } from "../../src/core/preproc/detector-shift.ts";
import { groupShotsForAggregation, sumFrames } from "../../src/core/preproc/aggregate.ts";
import { cutPeaks, medianFilterProfile, radialProfile, subtractRadialBackground } from "../../src/core/preproc/radial-background.ts";
import { addSpot, gaussian, mulberry32 } from "./rng.ts";

describe("saturationCorrect", () => {
  it("inverts the paralyzable model m = n·exp(−n·s) to series accuracy", () => {
    const s = 1.9e-3 / 8;
    for (const n of [10, 50, 100, 200]) {
      const m = n * Math.exp(-n * s);
      const c = saturationCorrect(m, s);
      // W5 truncation error is O((m·s)^6): < 1e-4 relative for m·s ≤ 0.05
      assert.ok(Math.abs(c - n) / n < 1e-4, `n=${n}: corrected ${c}`);
      assert.ok(c > m);
    }
  });
  it("uses the gap factor on gap pixels and leaves invalid pixels alone", () => {
    const px = new Float32Array([100, 100, -1, NaN]);
    const gaps = new Uint8Array([0, 1, 0, 0]);
    applySaturationCorrection(px, { deadTimeMs: 1.9e-3, shutterTimeMs: 2, gapFactor: 2 }, gaps);
    const s = 1.9e-3 / 2;
    assert.ok(Math.abs(px[0]! - saturationCorrect(100, s)) < 1e-3);
    assert.ok(Math.abs(px[1]! - saturationCorrect(100, 2 * s)) < 1e-3);
    assert.ok(px[1]! > px[0]!);
    assert.equal(px[2], -1);
    assert.ok(Number.isNaN(px[3]!));
  });
});

describe("flat-field", () => {
  it("divides by the reference normalised to mean 1", () => {
    const ref = normalizeReference(new Float32Array([2, 2, 4, 4]));
    assert.deepEqual([...ref].map((v) => +v.toFixed(4)), [0.6667, 0.6667, 1.3333, 1.3333]);
    const img = applyFlatfield(new Float32Array([3, 3, 3, -1]), ref);
    assert.ok(Math.abs(img[0]! - 4.5) < 1e-4 && Math.abs(img[2]! - 2.25) < 1e-4);
    assert.equal(img[3], -1);
  });
});

describe("pixel masks", () => {
  it("masks the Lambda 750k gaps (5×6 columns, 6 rows)", () => {
    const m = lambdaGapMask([516, 1556]);
    const n = m.reduce((a, b) => a + b, 0);
    assert.equal(n, 30 * 516 + 6 * 1556 - 30 * 6);
    assert.equal(m[300 * 1556 + 255], 1);
    assert.equal(m[300 * 1556 + 254], 0);
    assert.equal(m[258 * 1556 + 3], 1);
  });
  it("adds edge masks and dead pixels", () => {
    const dead = new Uint8Array(20 * 30);
    dead[5 * 30 + 10] = 255;
    const m = buildPixelMask([20, 30], { deadMask: dead, maskGaps: true, edgeMaskX: [3, 2], edgeMaskY: [1, 0] });
    assert.equal(m[5 * 30 + 10], 1);
    assert.equal(m[5 * 30 + 2], 1);
    assert.equal(m[5 * 30 + 3], 0);
    assert.equal(m[5 * 30 + 28], 1);
    assert.equal(m[0 * 30 + 15], 1);
    assert.equal(m[19 * 30 + 15], 0);
  });
  it("interpolates dead pixels from valid neighbours (exact on a linear ramp)", () => {
    const W = 30, H = 20;
    const img = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img[y * W + x] = 2 * x + 3 * y + 10;
    const mask = new Uint8Array(W * H);
    mask[10 * W + 8] = 1; mask[10 * W + 20] = 1;
    img[10 * W + 8] = 9999; img[10 * W + 20] = NaN;
    interpolateMasked(img, [H, W], mask, 1);
    assert.ok(Math.abs(img[10 * W + 8]! - (16 + 30 + 10)) < 1e-3, `${img[10 * W + 8]}`);
    assert.ok(Math.abs(img[10 * W + 20]! - (40 + 30 + 10)) < 1e-3);
    assert.equal(img[10 * W + 14], 28 + 30 + 10);
    // a pixel whose whole neighbourhood is masked becomes NaN
    const all = new Uint8Array(W * H).fill(1);
    assert.ok(Number.isNaN(interpolateMasked(new Float32Array(W * H), [H, W], all, 1)[0]!));
  });
});

describe("thresholdedCenterOfMass", () => {
  it("computes numpy's linear quantile from the top values", () => {
    const rnd = mulberry32(3);
    const px = new Float32Array(50 * 40).map(() => Math.floor(rnd() * 1000));
    const frame = { pixels: px, shape: [40, 50] as const };
    const sorted = [...px.subarray(0)].filter((_, i) => i % 50 >= 10 && i % 50 < 40).sort((a, b) => a - b);
    for (const q of [0.5, 0.99, 1 - 5e-5]) {
      const h = (sorted.length - 1) * q, lo = Math.floor(h);
      const expect = sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
      assert.ok(Math.abs(bandQuantile(frame, 10, 40, q) - expect) < 1e-6, `q=${q}`);
    }
  });
  it("finds a bright blob inside the central band", () => {
    const W = 200, H = 100;
    const px = new Float32Array(W * H).fill(1);
    addSpot(px, W, H, 97.3, 41.6, 1e6, 2);
    const c = thresholdedCenterOfMass({ pixels: px, shape: [H, W] }, { threshold: 0.1, xrng: 120 });
    assert.ok(Math.abs(c.x - 97.3) < 0.05 && Math.abs(c.y - 41.6) < 0.05, JSON.stringify(c));
  });
});

describe("fitLorentz2d", () => {
  it("recovers amplitude, centre and HWHM of a noiseless Lorentzian", () => {
    const W = 160, H = 120;
    const px = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = 5000 / (1 + ((x - 80.4) / 4.2) ** 2 + ((y - 57.7) / 4.2) ** 2);
    const f = fitLorentz2d({ pixels: px, shape: [H, W] }, 78, 60, { radiusPx: 30, maxShiftPx: 36 });
    assert.ok(f.accepted);
    assert.ok(Math.abs(f.x - 80.4) < 1e-3 && Math.abs(f.y - 57.7) < 1e-3, JSON.stringify(f));
    assert.ok(Math.abs(f.hwhm - 4.2) < 1e-3 && Math.abs(f.amplitude - 5000) < 1);
  });
  it("keeps the start when the fit moves further than maxShift", () => {
    const W = 160, H = 120;
    const px = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = 5000 / (1 + ((x - 95) / 4) ** 2 + ((y - 60) / 4) ** 2);
    const f = fitLorentz2d({ pixels: px, shape: [H, W] }, 78, 60, { radiusPx: 30, maxShiftPx: 10 });
    assert.equal(f.accepted, false);
    assert.equal(f.x, 78);
  });
});

describe("refineCenterFriedel", () => {
  it("finds the inversion centre of Friedel pairs from 3 px away", () => {
    const rnd = mulberry32(11);
    const cx = 700.3, cy = 260.8;
    const fs: number[] = [], ss: number[] = [];
    for (let i = 0; i < 20; i++) {
      const a = rnd() * 2 * Math.PI, r = 40 + rnd() * 200;
      for (const sgn of [1, -1]) {
        fs.push(cx + sgn * r * Math.cos(a) + 0.2 * gaussian(rnd));
        ss.push(cy + sgn * r * Math.sin(a) + 0.2 * gaussian(rnd));
      }
    }
    const res = refineCenterFriedel(fs, ss, fs.length, cx + 3, cy - 2.5, { sigmaPx: 2, maxRadiusPx: null });
    assert.ok(Math.abs(res.x - cx) < 0.15 && Math.abs(res.y - cy) < 0.15, JSON.stringify(res));
    assert.ok(res.score > 0);
  });
  it("returns the start with NaN score without peaks", () => {
    const r = refineCenterFriedel([], [], 0, 10, 20, { sigmaPx: 2, maxRadiusPx: null });
    assert.deepEqual([r.x, r.y], [10, 20]);
    assert.ok(Number.isNaN(r.score));
  });
});

describe("virtualAdf", () => {
  it("averages valid pixels in the annulus", () => {
    const W = 100, H = 100;
    const px = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = Math.hypot(x - 50, y - 50) < 20 ? 7 : 1;
    px[50 * W + 60] = -1;
    assert.equal(virtualAdf({ pixels: px, shape: [H, W] }, 50, 50, 5, 15), 7);
    assert.equal(virtualAdf({ pixels: px, shape: [H, W] }, 50, 50, 25, 40), 1);
  });
});

describe("detectorShiftMm", () => {
  it("is zero when the centre is at the detector centre (CrystFEL convention)", () => {
    const o = { xsize: 1556, ysize: 516, pixelSizeM: 55e-6, ellipseRatio: 1.023, ellipseAngleDeg: 83 };
    const s = detectorShiftMm(777.5, 257.5, o);
    assert.ok(Math.abs(s.xMm) < 1e-12 && Math.abs(s.yMm) < 1e-12);
    const t = detectorShiftMm(787.5, 257.5, { ...o, ellipseRatio: 1 });
    assert.ok(Math.abs(t.xMm + 0.55) < 1e-9 && Math.abs(t.yMm) < 1e-12);
  });
  it("builds RR with determinant 1 and the §10 mapping", () => {
    const [a, b, c, d] = ellipticityMatrix(1.023, 83);
    assert.ok(Math.abs(a * d - b * c - 1) < 1e-12);
    const phi = (83 * Math.PI) / 180, co = Math.cos(phi), si = Math.sin(phi);
    const x = 3, y = -7;
    const u = 1.023 ** -0.5 * (co * x - si * y), v = 1.023 ** 0.5 * (si * x + co * y);
    assert.ok(Math.abs(a * x + b * y - (co * u + si * v)) < 1e-12);
    assert.ok(Math.abs(c * x + d * y - (-si * u + co * v)) < 1e-12);
  });
});

describe("aggregation", () => {
  it("sums frames and groups shots per crystal, dropping frame −1", () => {
    assert.deepEqual([...sumFrames([new Uint16Array([1, 2]), new Uint16Array([3, 4])])], [4, 6]);
    const keys = [0, 0, 0, 1, 1, -1].map((c) => ({ sample: "s", region: 0, run: 0, crystalId: c }));
    const groups = groupShotsForAggregation(keys, [1, 0, 2, 0, 1, -1], [1, 1, 1, 1, 0, 1]);
    assert.deepEqual(groups, [[1, 0, 2], [3]]);
  });
});

describe("radial background", () => {
  it("median filter keeps the first len//2 entries and removes a spike", () => {
    const out = medianFilterProfile(new Float64Array([5, 1, 2, 100, 4, 5, 6]), 3);
    assert.deepEqual([...out], [5, 2, 2, 4, 5, 5, 6]);
  });
  it("subtracts a radial background so that the residual is flat", () => {
    const W = 300, H = 200, cx = 151.3, cy = 97.6;
    const rnd = mulberry32(5);
    const px = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px[y * W + x] = 200 * Math.exp(-Math.hypot(x - cx, y - cy) / 30) + 5 + 0.5 * gaussian(rnd);
    const fs = [200, 100, 180], ss = [50, 150, 120];
    for (let k = 0; k < 3; k++) addSpot(px, W, H, fs[k]!, ss[k]!, 2000, 1.2);
    const { image } = subtractRadialBackground({ pixels: px, shape: [H, W] }, cx, cy, fs, ss, 3, null, { peakRadiusPx: 4, filterLen: 5 });
    const prof = radialProfile({ pixels: cutPeaks({ pixels: image, shape: [H, W] }, fs, ss, 3, 7), shape: [H, W] }, cx, cy);
    for (let r = 5; r < 110; r++) assert.ok(Math.abs(prof[r]!) < 0.6, `r=${r}: ${prof[r]}`);
    // the spots survive
    assert.ok(image[50 * W + 200]! > 100);
  });
});
