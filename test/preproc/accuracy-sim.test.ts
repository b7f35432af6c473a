/**
 * Accuracy of pattern analysis against the simulator's ground truth (src/core/sim):
 * centre after Friedel refinement, peakfinder8 recall/precision, flatness of the background-subtracted
 * image. Single (non-aggregated) frames: the simulator jitters the pattern centre per frame.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import type { Simulation } from "../../src/core/sim/simulation.ts";
import { analyzePattern, createAnalysisWorkspace } from "../../src/core/preproc/analyze-pattern.ts";
import type { PatternInfo } from "../../src/core/preproc/analyze-pattern.ts";
import { parsePreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { buildPreprocMasks } from "../../src/core/preproc/preproc-masks.ts";
import { cutPeaks, radialProfile, subtractRadialBackground } from "../../src/core/preproc/radial-background.ts";
import { lysozymeYaml } from "./lysozyme-yaml.ts";

const H = 516, W = 1556;
/** Stated threshold: true spots with at least this many integrated counts must be found. */
const RECALL_MIN_COUNTS = 200;
const MATCH_PX = 2;

/** Mean per integer radius of finite, unmasked pixels (negative values included, unlike diffractem's −1 convention). */
function meanProfile(px: Float32Array, cx: number, cy: number, bad: Uint8Array): Float64Array {
  const sum = new Float64Array(1000), n = new Float64Array(1000);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = px[y * W + x]!;
      if (!Number.isFinite(v) || bad[y * W + x]) continue;
      const rb = Math.round(Math.hypot(x - cx, y - cy));
      sum[rb]! += v; n[rb]! += 1;
    }
  }
  return sum.map((s, i) => (n[i]! > 0 ? s / n[i]! : NaN));
}

function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
}

describe("pre-processing accuracy on simulated patterns", () => {
  let sim: Simulation;
  const { opts } = parsePreProcOpts(lysozymeYaml, "lysozyme preproc.yaml");
  let masks: ReturnType<typeof buildPreprocMasks>;
  const results: { shot: number; info: PatternInfo; pixels: Float32Array }[] = [];

  before(() => {
    sim = createSimulation({ seed: 11, nCrystals: 14, framesPerCrystal: 3, hitFraction: 1 });
    masks = buildPreprocMasks([H, W], sim.deadMask, opts);
    const ws = createAnalysisWorkspace(H * W);
    for (let s = 0; s < sim.nShots; s++) {
      if (sim.truth.crystalIndex[s]! < 0 || !sim.truth.hit[s]) continue;
      const pixels = Float32Array.from(sim.renderShot(s));
      results.push({ shot: s, info: analyzePattern({ pixels, shape: [H, W] }, masks.analysis, opts, { workspace: ws }), pixels });
    }
  });

  it("finds the pattern centre: median error ≤ 0.3 px, 95th percentile ≤ 1 px after Friedel refinement", () => {
    const errs: number[] = [];
    for (const r of results) {
      if (r.info.num_peaks < opts.min_peaks) continue;
      assert.ok(Number.isFinite(r.info.center_refine_score));
      errs.push(Math.hypot(r.info.center_x - sim.truth.centerFs[r.shot]!, r.info.center_y - sim.truth.centerSs[r.shot]!));
    }
    assert.ok(errs.length >= 30, `only ${errs.length} patterns with ≥ ${opts.min_peaks} peaks`);
    const med = quantile(errs, 0.5), p95 = quantile(errs, 0.95);
    console.log(`centre error over ${errs.length} patterns: median ${med.toFixed(3)} px, p95 ${p95.toFixed(3)} px`);
    assert.ok(med <= 0.3, `median ${med}`);
    assert.ok(p95 <= 1, `p95 ${p95}`);
  });

  it(`peakfinder8 recall ≥ 90 % for true spots ≥ ${RECALL_MIN_COUNTS} counts, precision ≥ 90 %`, () => {
    let nTrue = 0, nRecalled = 0, nFound = 0, nReal = 0;
    for (const r of results) {
      const sp = sim.trueSpots(r.shot);
      const P = r.info.peaks;
      for (let k = 0; k < sp.count; k++) {
        if (sp.counts[k]! < RECALL_MIN_COUNTS) continue;
        const x = Math.round(sp.fs[k]!), y = Math.round(sp.ss[k]!);
        if (x < 2 || x > W - 3 || y < 2 || y > H - 3) continue;
        let masked = false;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (masks.analysis[(y + dy) * W + x + dx]) masked = true;
        if (masked) continue;
        nTrue++;
        for (let j = 0; j < P.nPeaks; j++) {
          if (Math.hypot(P.peakXPosRaw[j]! - sp.fs[k]!, P.peakYPosRaw[j]! - sp.ss[k]!) < MATCH_PX) { nRecalled++; break; }
        }
      }
      for (let j = 0; j < P.nPeaks; j++) {
        nFound++;
        for (let k = 0; k < sp.count; k++) {
          if (Math.hypot(P.peakXPosRaw[j]! - sp.fs[k]!, P.peakYPosRaw[j]! - sp.ss[k]!) < MATCH_PX) { nReal++; break; }
        }
      }
    }
    const recall = nRecalled / nTrue, precision = nReal / nFound;
    console.log(`recall ${(100 * recall).toFixed(1)} % of ${nTrue} spots ≥ ${RECALL_MIN_COUNTS} counts; precision ${(100 * precision).toFixed(1)} % of ${nFound} found peaks`);
    assert.ok(nTrue > 500);
    assert.ok(recall >= 0.9, `recall ${recall}`);
    assert.ok(precision >= 0.9, `precision ${precision}`);
  });

  it("background-subtracted images have a radial profile flat to within noise", () => {
    let checked = 0;
    for (const r of results.slice(0, 6)) {
      const { info } = r;
      const sp = sim.trueSpots(r.shot);
      const bad = new Uint8Array(H * W);
      for (let i = 0; i < bad.length; i++) bad[i] = masks.analysis[i]!;
      const { image } = subtractRadialBackground({ pixels: r.pixels, shape: [H, W] }, info.center_x, info.center_y,
        info.peaks.peakXPosRaw, info.peaks.peakYPosRaw, info.num_peaks, bad, { peakRadiusPx: opts.bg_peak_radius, filterLen: opts.bg_filter_len });
      // residual profile with all true spots (even weak ones) cut out
      const cut = cutPeaks({ pixels: image, shape: [H, W] }, sp.fs, sp.ss, sp.count, 4);
      const resid = meanProfile(cut, info.center_x, info.center_y, bad);
      const before = radialProfile({ pixels: cutPeaks({ pixels: r.pixels, shape: [H, W] }, sp.fs, sp.ss, sp.count, 4), shape: [H, W] }, info.center_x, info.center_y, bad);
      // from r = 20 px (5× the zero-beam HWHM): inside, the beam core is not background
      for (let rb = 20; rb < 250; rb++) {
        const bg = before[rb]!;
        if (!(bg > 0)) continue;
        // Poisson noise of a bin mean: sqrt(bg / n), n ≈ 2πr pixels (fewer where masked) → allow 5σ with n = πr
        const noise = Math.sqrt(bg / (Math.PI * rb));
        assert.ok(Math.abs(resid[rb]!) < 5 * noise + 0.01 * bg, `shot ${r.shot} r=${rb}: residual ${resid[rb]} (background ${bg}, noise ${noise})`);
        checked++;
      }
    }
    assert.ok(checked > 1000);
  });
});
