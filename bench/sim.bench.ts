// Simulator speed: one 1556×516 frame (radial background, zero-order beam, ~1000–2000 Gaussian spots,
// Poisson noise, dead time) should render in ≲ 50 ms. Baseline, measured in the same process: filling a
// frame of the same size with Math.random() and converting to uint16 (the floor any per-pixel noise pays).
import { createSimulation } from "../src/core/sim/simulation.ts";

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };
const p95 = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!; };
const time = (f: () => unknown): number => { const t = performance.now(); f(); return performance.now() - t; };

const tCreate: number[] = [];
let sim = createSimulation({ nCrystals: 40, framesPerCrystal: 5 });
for (let r = 0; r < 2; r++) tCreate.push(time(() => { sim = createSimulation({ nCrystals: 40, framesPerCrystal: 5, seed: 2 + r }); }));
const hits = Array.from({ length: sim.nShots }, (_, i) => i).filter((i) => sim.truth.hit[i]);
const n = 1556 * 516;
const rnd = new Float64Array(n), u16 = new Uint16Array(n);
const base: number[] = [], render: number[] = [], expected: number[] = [], spots: number[] = [];
let nSpots = 0;
for (let rep = 0; rep < 3; rep++) { sim.renderShot(hits[rep]!); } // warm up
for (let rep = 0; rep < 25; rep++) {
  const shot = hits[rep % hits.length]!;
  base.push(time(() => { for (let i = 0; i < n; i++) rnd[i] = Math.random(); for (let i = 0; i < n; i++) u16[i] = (rnd[i]! * 8) | 0; }));
  render.push(time(() => sim.renderShot(shot)));
  expected.push(time(() => sim.expectedFrame(shot)));
  spots.push(time(() => { nSpots += sim.trueSpots(shot).count; }));
}
const mR = median(render), mB = median(base);
console.log(`createSimulation (P4₃2₁2 structure factors to ${sim.config.dMinAngstrom} Å, ${sim.intensities.unique.count} unique reflections): median ${median(tCreate).toFixed(0)} ms`);
console.log(`trueSpots (prediction, ~${Math.round(nSpots / spots.length)} spots/shot): median ${median(spots).toFixed(2)} ms`);
console.log(`expectedFrame (background + beam + spots, no noise): median ${median(expected).toFixed(1)} ms`);
console.log(`renderShot 1556×516 (incl. Poisson noise, dead time): median ${mR.toFixed(1)} ms, p95 ${p95(render).toFixed(1)} ms  (target ≤ 50 ms: ${mR <= 50 ? "met" : "NOT met"})`);
console.log(`baseline (Math.random fill + uint16 of one frame): median ${mB.toFixed(1)} ms`);
console.log(`ratio renderShot / baseline: ${(mR / mB).toFixed(2)}×`);
