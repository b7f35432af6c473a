/**
 * The analysis image of analyzePattern's workspace path (prepareAnalysisImage) and the saturation
 * correction + flat-field on the WebAssembly kernel (the default of correctImage) against the
 * JS reference: bit-identical float32 outputs (NaN compared as NaN) over random counts incl. NaN, ±∞, −0,
 * −1, negatives, fractional and huge values, with and without a flat-field reference (incl. 0, negative,
 * NaN gains), with and without gap pixels, odd sizes and dead_time 0; and the same as the step-by-step
 * applySaturationCorrection + applyFlatfield. The module is what scripts/build-wasm.mjs builds (checked in
 * peakfinder8-wasm.test.ts for all kernels).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { saturateAndFlatfield } from "../../src/core/preproc/correct-image.ts";
import { applySaturationCorrection } from "../../src/core/preproc/saturation.ts";
import { applyFlatfield } from "../../src/core/preproc/flatfield.ts";
import { prepareAnalysisImage } from "../../src/core/preproc/analyze-pattern.ts";
import { PixelprepWasm } from "../../src/core/preproc/wasm/pixelprep-wasm.ts";
import { mulberry32 } from "./rng.ts";

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, -1, -3.5, 1, 2, 1e30, -1e30, 1e-40, 3.4e38, 65535];

function randomFrame(rnd: () => number, n: number, special: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    a[i] = u < special ? SPECIAL[Math.floor(rnd() * SPECIAL.length)]! : u < 0.5 ? Math.floor(rnd() * 4) : u < 0.8 ? rnd() * 5000 : (rnd() - 0.2) * 1e5;
  }
  return a;
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
}

describe("pixel-prep WebAssembly kernels (saturation + flat-field, analysis image)", () => {
  it("is available here (Node has WebAssembly SIMD)", () => {
    assert.ok(PixelprepWasm.shared());
  });

  it("gives bit-identical images to the JS reference and to the step-by-step correction", () => {
    const rnd = mulberry32(41);
    let checked = 0;
    for (const n of [1, 2, 7, 1000, 4097, 516 * 1556]) {
      for (const withRef of [false, true]) {
        for (const gapFrac of [0, 0.03, 1]) {
          for (const o of [
            { dead_time: 1.9e-3, shutter_time: 4, dead_time_gap_factor: 2 },
            { dead_time: 0.05, shutter_time: 0.3, dead_time_gap_factor: 0.5 },
            { dead_time: 0, shutter_time: 1, dead_time_gap_factor: 2 },
          ]) {
            if (n > 5000 && (gapFrac === 1 || o.dead_time === 0)) continue; // keep the test fast
            const src = randomFrame(rnd, n, 0.05);
            const gaps = new Uint8Array(n);
            for (let i = 0; i < n; i++) gaps[i] = rnd() < gapFrac ? 1 : 0;
            let ref: Float32Array | null = null;
            if (withRef) {
              ref = new Float32Array(n);
              for (let i = 0; i < n; i++) { const u = rnd(); ref[i] = u < 0.01 ? SPECIAL[Math.floor(rnd() * SPECIAL.length)]! : 0.5 + rnd(); }
            }
            const before = src.slice();
            const js = saturateAndFlatfield(src, o, gaps, ref, "js");
            const wasm = saturateAndFlatfield(src, o, gaps, ref, "wasm");
            const what = `n ${n}, ref ${withRef}, gaps ${gapFrac}, dead_time ${o.dead_time}`;
            sameBits(wasm, js, what);
            sameBits(src, before, `${what}: input unchanged`);
            const step = applySaturationCorrection(src.slice(), { deadTimeMs: o.dead_time, shutterTimeMs: o.shutter_time, gapFactor: o.dead_time_gap_factor }, gaps);
            if (ref) applyFlatfield(step, ref);
            sameBits(wasm, step, `${what}: step by step`);
            checked += n;
          }
        }
      }
    }
    assert.ok(checked > 3_000_000);
  });

  it("rejects a gap mask or reference of the wrong size", () => {
    const o = { dead_time: 1.9e-3, shutter_time: 1, dead_time_gap_factor: 2 };
    assert.throws(() => saturateAndFlatfield(new Float32Array(4), o, new Uint8Array(3), null), /gap mask or flat-field reference size/);
    assert.throws(() => saturateAndFlatfield(new Float32Array(4), o, new Uint8Array(4), new Float32Array(5)), /gap mask or flat-field reference size/);
  });

  it("prepares bit-identical analysis images (non-finite and bad pixels -1, flat-field) to the JS loops", () => {
    const rnd = mulberry32(43);
    let checked = 0;
    for (const n of [1, 3, 4, 5, 1000, 4099, 516 * 1556]) {
      for (const withRef of [false, true]) {
        for (const badFrac of [0, 0.02, 1]) {
          if (n > 5000 && badFrac === 1) continue;
          const src = randomFrame(rnd, n, 0.05);
          const mask = new Uint8Array(n);
          for (let i = 0; i < n; i++) mask[i] = rnd() < badFrac ? 1 : 0;
          let ref: Float32Array | null = null;
          if (withRef) {
            ref = new Float32Array(n);
            for (let i = 0; i < n; i++) { const u = rnd(); ref[i] = u < 0.01 ? SPECIAL[Math.floor(rnd() * SPECIAL.length)]! : 0.5 + rnd(); }
          }
          const before = src.slice();
          const js = new Float32Array(n).fill(7), wasm = new Float32Array(n).fill(9);
          prepareAnalysisImage(src, mask, ref, js, "js");
          prepareAnalysisImage(src, mask, ref, wasm, "wasm");
          const what = `prepare n ${n}, ref ${withRef}, bad ${badFrac}`;
          sameBits(wasm, js, what);
          sameBits(src, before, `${what}: input unchanged`);
          // Independent per-pixel definition (the non-workspace path of analyzePattern).
          for (let i = 0; i < n; i++) {
            const v = src[i]!;
            const want = Math.fround(mask[i] !== 0 || !Number.isFinite(v) ? -1 : ref && v >= 0 ? v / ref[i]! : v);
            if (!Object.is(wasm[i], want)) assert.fail(`${what}: [${i}] ${wasm[i]} vs ${want}`);
          }
          checked += n;
        }
      }
    }
    assert.ok(checked > 3_000_000);
  });
});
