/**
 * The speed-optimised pre-processing paths give the same pixels/peaks as the plain step-by-step
 * composition (bit-identical): fused saturation + flat-field + invalidation in correctImage, and
 * peakfinder8 with and without a bad-pixel mask / resolution limits on a synthetic pattern.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsePreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { correctImage } from "../../src/core/preproc/correct-image.ts";
import { buildPreprocMasks } from "../../src/core/preproc/preproc-masks.ts";
import { applySaturationCorrection } from "../../src/core/preproc/saturation.ts";
import { applyFlatfield, normalizeReference } from "../../src/core/preproc/flatfield.ts";
import { interpolateMasked, replaceMasked } from "../../src/core/preproc/dead-pixels.ts";
import { findPeaksPeakfinder8, peakfinder8Defaults } from "../../src/core/preproc/peakfinder8.ts";
import { lysozymeYaml } from "./lysozyme-yaml.ts";
import { syntheticPattern } from "./synthetic-pattern.ts";
import { mulberry32 } from "./rng.ts";

const H = 516, W = 1556, N = H * W;
const pat = syntheticPattern(11);
const rnd = mulberry32(3);
const deadMask = new Uint8Array(N);
for (let k = 0; k < 400; k++) deadMask[Math.floor(rnd() * N)] = 1;
const rawRef = new Float32Array(N);
for (let i = 0; i < N; i++) rawRef[i] = 0.8 + 0.4 * rnd();
const reference = normalizeReference(rawRef);
const pixels = pat.pixels.slice();
pixels[100] = NaN; pixels[200] = -1; pixels[300] = 0;

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
  return d;
}

describe("correctImage fused pass", () => {
  const { opts: base } = parsePreProcOpts(lysozymeYaml);
  for (const variant of [
    { float: true, mask_gaps: false, interpolate_dead: true },
    { float: true, mask_gaps: true, interpolate_dead: false },
    { float: false, mask_gaps: true, interpolate_dead: true },
  ]) {
    it(`equals saturation → flat-field → dead/edge/gap treatment step by step (${JSON.stringify(variant)})`, () => {
      const opts = { ...base, ...variant, remove_background: false, correct_saturation: true };
      const masks = buildPreprocMasks([H, W], deadMask, opts);
      const info = { center_x: pat.centerX, center_y: pat.centerY, peaks: { nPeaks: 0, peakXPosRaw: new Float32Array(0), peakYPosRaw: new Float32Array(0), peakTotalIntensity: new Float32Array(0) } };
      for (const ref of [null, reference]) {
        const got = correctImage({ pixels, shape: [H, W] }, info, masks, opts, ref);
        const img = pixels.slice();
        applySaturationCorrection(img, { deadTimeMs: opts.dead_time, shutterTimeMs: opts.shutter_time, gapFactor: opts.dead_time_gap_factor }, masks.gaps);
        if (ref) applyFlatfield(img, ref);
        if (opts.interpolate_dead) interpolateMasked(img, [H, W], masks.dead, opts.interp_range);
        else replaceMasked(img, masks.dead, NaN);
        replaceMasked(img, masks.edges, NaN);
        if (opts.mask_gaps) replaceMasked(img, masks.gaps, NaN);
        let want: ArrayLike<number> = img;
        if (!opts.float) want = Int16Array.from(img, (v) => (Number.isFinite(v) ? Math.max(-32768, Math.min(32767, Math.round(v * opts.int_factor))) : -1));
        assert.equal(got.data.length, N);
        assert.equal(countDifferences(got.data, want), 0);
        // the correction did something: saturation raises bright pixels, edges are invalid
        let raised = 0, invalid = 0;
        for (let i = 0; i < N; i++) { if (got.data[i]! > pixels[i]! + 0.01) raised++; if (masks.edges[i] && (opts.float ? !Number.isNaN(got.data[i]!) : got.data[i] !== -1)) invalid++; }
        if (opts.float && !ref) assert.ok(raised > 1000, `${raised} pixels raised by the saturation correction`);
        assert.equal(invalid, 0);
      }
    });
  }
});

describe("peakfinder8 usable-pixel list", () => {
  it("finds the same peaks with the mask given explicitly as with masked pixels set invalid", () => {
    const opts = { ...peakfinder8Defaults, threshold: 20, minSnr: 5, minPixCount: 2, maxPixCount: 200, minResPx: 15, maxResPx: 400 };
    const img = pixels.slice();
    const masked = pixels.slice();
    for (let i = 0; i < N; i++) if (deadMask[i]) masked[i] = NaN;
    const a = findPeaksPeakfinder8({ pixels: img, shape: [H, W] }, deadMask, pat.centerX, pat.centerY, opts);
    const b = findPeaksPeakfinder8({ pixels: masked, shape: [H, W] }, null, pat.centerX, pat.centerY, opts);
    assert.ok(a.count > 20, `found ${a.count} peaks`);
    assert.equal(a.count, b.count);
    assert.equal(countDifferences(a.fs.subarray(0, a.count), b.fs.subarray(0, b.count)), 0);
    assert.equal(countDifferences(a.intensity.subarray(0, a.count), b.intensity.subarray(0, b.count)), 0);
    for (let k = 0; k < a.count; k++) {
      const r = Math.hypot(a.fs[k]! - pat.centerX, a.ss[k]! - pat.centerY);
      assert.ok(r >= 14 && r <= 401, `peak ${k} at radius ${r} outside the resolution limits`);
    }
  });
});
