import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { correctEllipticity, ellipticityFom, polarHistogram, refineEllipticity } from "../../src/core/geometry/ellipticity.ts";
import { createRng } from "../../src/core/sim/rng.ts";

/** Peaks on powder rings (plus 30 % uniform background), distorted by the inverse correction. */
function ringPeaks(seed: number, n: number, ratio: number, angleDeg: number): { x: Float64Array; y: Float64Array } {
  const rng = createRng(seed);
  const rings = [14.2, 20.1, 28.4, 31.7, 40.2, 44.9, 52.3, 57.0, 63.5, 71.9];
  const tx = new Float64Array(n), ty = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.uniform() < 0.3 ? 10 + 70 * rng.uniform() : rings[Math.floor(rng.uniform() * rings.length)]! + 0.35 * rng.normal();
    const t = 2 * Math.PI * rng.uniform();
    tx[i] = r * Math.cos(t); ty[i] = r * Math.sin(t);
  }
  // observed = inverse of the correction = correction with 1/ρ
  return correctEllipticity(tx, ty, n, 1 / ratio, angleDeg);
}

describe("refineEllipticity", () => {
  for (const [ratio, angle] of [[1.023, 83], [1.015, 20], [1.03, 135]] as const) {
    it(`recovers ρ=${ratio}, φ=${angle}° within 0.001 and 2°`, () => {
      const { x, y } = ringPeaks(7, 100_000, ratio, angle);
      const r = refineEllipticity(x, y, x.length, { rMinPx: 10, rMaxPx: 80 });
      assert.ok(Math.abs(r.ratio - ratio) < 0.001, `ratio ${r.ratio}`);
      const dAng = Math.abs(((r.angleDeg - angle + 90) % 180 + 180) % 180 - 90);
      assert.ok(dAng < 2, `angle ${r.angleDeg}`);
      // after correction the diffractem FOM is lower than before
      const before = ellipticityFom(polarHistogram(x, y, x.length, 10, 80, 199, 20));
      const c = correctEllipticity(x, y, x.length, r.ratio, r.angleDeg);
      const after = ellipticityFom(polarHistogram(c.x, c.y, x.length, 10, 80, 199, 20));
      assert.ok(after < before, `FOM ${before} → ${after}`);
    });
  }
  it("reports ρ ≈ 1 for a round pattern", () => {
    const { x, y } = ringPeaks(3, 50_000, 1, 0);
    const r = refineEllipticity(x, y, x.length, { rMinPx: 10, rMaxPx: 80 });
    assert.ok(Math.abs(r.ratio - 1) < 0.001, `ratio ${r.ratio}`);
  });
});
