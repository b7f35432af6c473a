/**
 * Geometry-from-data speed: polar histogram + ellipticity refinement for 100 000 peaks, and cell
 * refinement against virtual-powder peaks. Baseline in the same process: diffractem's grid search
 * (FOM on an 11 × 21 grid of φ × ρ, one polar histogram per grid point).
 */
import { correctEllipticity, ellipticityFom, polarHistogram, refineEllipticity } from "../src/core/geometry/ellipticity.ts";
import { predictedInvD, refineCell } from "../src/core/geometry/cell-refine.ts";
import { createRng } from "../src/core/sim/rng.ts";
import { LYSOZYME_CELL } from "../src/core/sim/config.ts";

const rng = createRng(4);
const N = 100_000, rings = [14.2, 20.1, 28.4, 31.7, 40.2, 44.9, 52.3, 57.0, 63.5, 71.9];
const tx = new Float64Array(N), ty = new Float64Array(N);
for (let i = 0; i < N; i++) {
  const r = rng.uniform() < 0.3 ? 10 + 70 * rng.uniform() : rings[Math.floor(rng.uniform() * rings.length)]! + 0.35 * rng.normal();
  const t = 2 * Math.PI * rng.uniform();
  tx[i] = r * Math.cos(t); ty[i] = r * Math.sin(t);
}
const { x, y } = correctEllipticity(tx, ty, N, 1 / 1.023, 83);
const med = (f: () => void, reps: number): number => { const a: number[] = []; for (let i = 0; i < reps; i++) { const t = performance.now(); f(); a.push(performance.now() - t); } a.sort((p, q) => p - q); return a[a.length >> 1]!; };
let res = refineEllipticity(x, y, N, { rMinPx: 10, rMaxPx: 80 });
const tHist = med(() => polarHistogram(x, y, N, 10, 80, 199, 19), 5);
const tRef = med(() => { res = refineEllipticity(x, y, N, { rMinPx: 10, rMaxPx: 80 }); }, 5);
const tGrid = med(() => {
  let best = Infinity;
  for (let a = 78; a <= 88; a++) for (let r = 1.018; r <= 1.028 + 1e-9; r += 0.0005) {
    const c = correctEllipticity(x, y, N, r, a);
    best = Math.min(best, ellipticityFom(polarHistogram(c.x, c.y, N, 10, 80, 199, 19)));
  }
}, 1);
console.log(`polar histogram, 100 000 peaks: median ${tHist.toFixed(1)} ms`);
console.log(`ellipticity refinement, 100 000 peaks: median ${tRef.toFixed(1)} ms (ρ = ${res.ratio.toFixed(4)}, φ = ${res.angleDeg.toFixed(1)}°; truth 1.023, 83°) — target ≤ 1000 ms: ${tRef <= 1000 ? "met" : "NOT met"}`);
console.log(`baseline diffractem grid (231 points, ±0.0005 / 1° resolution only): ${tGrid.toFixed(0)} ms → ratio ${(tGrid / tRef).toFixed(1)}× (and the grid cannot resolve finer than its step)`);
const truth = { ...LYSOZYME_CELL, aA: 79.1, cA: 37.9 };
const peaks = Array.from(predictedInvD(truth, 16)).map((s) => s * (1 + 0.0005 * rng.normal()));
let cr = refineCell(peaks, { ...LYSOZYME_CELL, aA: 78, cA: 38.4 }, { dMinA: 16 });
const tCell = med(() => { cr = refineCell(peaks, { ...LYSOZYME_CELL, aA: 78, cA: 38.4 }, { dMinA: 16 }); }, 5);
console.log(`cell refinement (${peaks.length} powder lines, tetragonal a, c): median ${tCell.toFixed(1)} ms → a = ${cr.cell.aA.toFixed(3)}, c = ${cr.cell.cA.toFixed(3)} Å (truth 79.1, 37.9) — target ≤ 1000 ms: ${tCell <= 1000 ? "met" : "NOT met"}`);
