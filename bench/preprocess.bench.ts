/**
 * Pre-processing throughput. Prints per-step ms/pattern (median over simulated aggregated 1556×516
 * patterns), in-process patterns/s per core for analysis (flat-field prep + COM + Lorentz +
 * peakfinder8 + Friedel + ADF) and analysis + full correction, and end-to-end read → write
 * throughput of `runPreprocess` on 1 worker and on all cores. Baseline: one plain summing pass over the
 * same frame, measured in this process; ratios are step time / baseline.
 * Target: ≥ 100 aggregated patterns/s per core for corrections + centre + peakfinder8.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulation } from "../src/core/sim/simulation.ts";
import { parsePreProcOpts } from "../src/core/options/preproc-opts.ts";
import { analyzePattern, createAnalysisWorkspace } from "../src/core/preproc/analyze-pattern.ts";
import { buildPreprocMasks } from "../src/core/preproc/preproc-masks.ts";
import { correctImage } from "../src/core/preproc/correct-image.ts";
import { createWorkerPool } from "../src/workers/pool.ts";
import { runPreprocess } from "../src/main/preproc/run-preprocess.ts";
import { writeRawFiles } from "../test/preproc/make-raw-files.ts";
import { lysozymeYaml } from "../test/preproc/lysozyme-yaml.ts";

const H = 516, W = 1556, N = H * W;
const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const p95 = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(0.95 * (s.length - 1)))]!; };

console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} (figures scale with load)`);
const { opts: lyso } = parsePreProcOpts(lysozymeYaml);
const opts = { ...lyso, agg_query: "frame >= 0 and frame <= 3" };

// Aggregated patterns from the simulator (4 frames per crystal).
const sim = createSimulation({ seed: 5, nCrystals: 12, framesPerCrystal: 4, hitFraction: 1 });
const patterns: Float32Array[] = [];
for (const c of sim.crystals) {
  const acc = new Float32Array(N);
  for (let s = 0; s < sim.nShots; s++) {
    if (sim.truth.crystalIndex[s] !== c.index) continue;
    const f = sim.renderShot(s);
    for (let i = 0; i < N; i++) acc[i]! += f[i]!;
  }
  patterns.push(acc);
}
const masks = buildPreprocMasks([H, W], sim.deadMask, opts);
const ws = createAnalysisWorkspace(N);
const now = (): number => performance.now();

// Baseline: one summing pass over the frame.
const base: number[] = [];
for (let r = 0; r < 5; r++) for (const p of patterns) { const t = now(); let s = 0; for (let i = 0; i < N; i++) s += p[i]!; base.push(now() - t); if (s < 0) console.log(s); }
const baseMs = median(base);

// Warm-up, then per-step timings.
for (const p of patterns.slice(0, 3)) analyzePattern({ pixels: p, shape: [H, W] }, masks.analysis, opts, { workspace: ws });
const steps = new Map<string, number[]>();
const analysisMs: number[] = [], correctMs: number[] = [];
// CPU time of this process (ms): unlike wall time it does not count the time other processes hold the cores.
const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const analysisCpu: number[] = [], correctCpu: number[] = [];
let peaks = 0;
for (let r = 0; r < 3; r++) {
  for (const p of patterns) {
    const c0 = cpuNow();
    const t0 = now();
    const info = analyzePattern({ pixels: p, shape: [H, W] }, masks.analysis, opts, { workspace: ws, now });
    const t1 = now();
    const c1 = cpuNow();
    correctImage({ pixels: p, shape: [H, W] }, info, masks, opts, null);
    const t2 = now();
    analysisCpu.push(c1 - c0); correctCpu.push(cpuNow() - c1);
    analysisMs.push(t1 - t0); correctMs.push(t2 - t1);
    peaks += info.num_peaks;
    for (const [k, v] of Object.entries(info.timingsMs)) (steps.get(k) ?? steps.set(k, []).get(k)!).push(v);
  }
}
console.log(`\nper-step (median ms/pattern over ${analysisMs.length} patterns, ${(peaks / analysisMs.length).toFixed(0)} peaks/pattern on average); baseline sum pass ${baseMs.toFixed(3)} ms`);
for (const [k, v] of steps) console.log(`  ${k.padEnd(12)} ${median(v).toFixed(2).padStart(7)} ms   ×${(median(v) / baseMs).toFixed(1)} baseline`);
console.log(`  ${"correction".padEnd(12)} ${median(correctMs).toFixed(2).padStart(7)} ms   ×${(median(correctMs) / baseMs).toFixed(1)} baseline (saturation, background, dead pixels)`);
const a = median(analysisMs), ac = median(analysisMs.map((x, i) => x + correctMs[i]!));
console.log(`\nanalysis (centre + peakfinder8 + Friedel):  ${a.toFixed(2)} ms/pattern (p95 ${p95(analysisMs).toFixed(2)}) = ${(1000 / a).toFixed(0)} patterns/s per core — target ≥ 100 → ${(1000 / a / 100).toFixed(2)}× target; ×${(a / baseMs).toFixed(0)} baseline`);
console.log(`analysis + full correction:                 ${ac.toFixed(2)} ms/pattern = ${(1000 / ac).toFixed(0)} patterns/s per core; ×${(ac / baseMs).toFixed(0)} baseline`);
const aCpu = median(analysisCpu), acCpu = median(analysisCpu.map((x, i) => x + correctCpu[i]!));
console.log(`CPU time (process.cpuUsage, robust to load): analysis ${aCpu.toFixed(2)} ms = ${(1000 / aCpu).toFixed(0)} patterns/s per core (${(1000 / aCpu / 100).toFixed(2)}× target); correction ${median(correctCpu).toFixed(2)} ms; analysis + correction ${acCpu.toFixed(2)} ms = ${(1000 / acCpu).toFixed(0)} patterns/s per core`);

// End to end: read raw files → aggregate → pool → write.
const dir = mkdtempSync(join(tmpdir(), "serialed-bench-preproc-"));
try {
  const { paths } = await writeRawFiles(dir, { seed: 6, nCrystals: 24, framesPerCrystal: 4, nFiles: 2, hitFraction: 1 });
  for (const nw of [...new Set([1, availableParallelism()])]) {
    const pool = createWorkerPool(nw);
    await pool.broadcast("release", ["warm-up"]); // workers booted (tsx compile) before timing
    pool.forget(() => true);
    const t = now();
    const r = await runPreprocess({ inputs: paths, outDir: join(dir, `out${nw}`), opts, pool });
    const s = (now() - t) / 1000;
    await pool.close();
    console.log(`end to end (read → aggregate 4 frames → analyse + correct → write LZ4), ${nw} worker(s): ${r.patterns} patterns in ${s.toFixed(2)} s = ${(r.patterns / s).toFixed(1)} patterns/s (${(r.patterns / s / nw).toFixed(1)} per core)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
