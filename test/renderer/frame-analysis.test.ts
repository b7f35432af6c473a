import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { analyseFrame, contrastLimits } from "../../src/renderer/analysis/frame-analysis.ts";
import { AnalysisClient } from "../../src/renderer/analysis/analysis-client.ts";

/** Synthetic 256×512 frame: flat background 2 + a Lorentzian direct beam at (x0, y0) + one weak spot. */
function frameWithBeam(x0: number, y0: number): { pixels: Float32Array; shape: [number, number] } {
  const ss = 256, fs = 512;
  const px = new Float32Array(ss * fs);
  for (let y = 0; y < ss; y++) for (let x = 0; x < fs; x++) {
    const r2 = (x - x0) ** 2 + (y - y0) ** 2;
    px[y * fs + x] = 2 + 5000 / (1 + r2 / 9) + (Math.abs(x - 100) < 2 && Math.abs(y - 50) < 2 ? 300 : 0);
  }
  return { pixels: px, shape: [ss, fs] };
}

describe("frame analysis (viewer worker kernel)", () => {
  it("finds the direct beam at its true sub-pixel position", () => {
    for (const [x0, y0] of [[260.3, 120.7], [300.8, 140.2]] as const) {
      const f = frameWithBeam(x0, y0);
      const a = analyseFrame(f.pixels, f.shape, 1, 99.8);
      assert.ok(a.beamCentre, "beam found");
      assert.ok(Math.abs(a.beamCentre[0] - x0) < 0.3 && Math.abs(a.beamCentre[1] - y0) < 0.3, `beam ${a.beamCentre.join(",")} vs ${x0},${y0}`);
    }
  });

  it("gives percentile contrast limits (hi > lo) on flat and ramp frames", () => {
    const flat = new Float32Array(256 * 512).fill(7);
    const a = analyseFrame(flat, [256, 512], 1, 99.8);
    assert.deepEqual(a.limits, [7, 8]);
    const ramp = Float32Array.from({ length: 10001 }, (_, i) => i);
    const [lo, hi] = contrastLimits(ramp, 1, 99);
    assert.ok(Math.abs(lo - 100) <= 1 && Math.abs(hi - 9900) <= 1, `${lo} ${hi}`);
  });

  it("refuses pixels that do not match the shape", () => {
    assert.throws(() => analyseFrame(new Float32Array(10), [3, 4], 1, 99), /10 pixels do not match shape 3×4/);
  });

  it("client without Web Workers (Node) analyses inline with the same result", async () => {
    const f = frameWithBeam(200.5, 100.5);
    const frame = { shotIndex: 3, shape: f.shape, dtype: "float32", pixels: f.pixels } as const;
    const c = new AnalysisClient();
    const r = await c.analyse(frame, 1, 99.8);
    assert.deepEqual(r.analysis, analyseFrame(f.pixels, f.shape, 1, 99.8));
    assert.equal(r.frame.pixels, f.pixels);
    c.dispose();
  });
});
