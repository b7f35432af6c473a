/**
 * Pre-processing throughput (issue #4). Prints, per simulated aggregated 1556×516 pattern (lysozyme
 * options, 4 frames summed), the CPU time of every step (median and best over the patterns × repeats;
 * process CPU time, so other processes on the machine inflate it far less than wall time), then:
 *  - corrections + centre + peakfinder8 (saturation/flat-field + dead pixels + prepare + COM + Lorentz +
 *    peakfinder8): patterns/s per core against the target of ≥ 100;
 *  - the same with the Friedel refinement; analysis; analysis + full correction (incl. radial background);
 *  - end-to-end read → aggregate → analyse + correct → write throughput of `runPreprocess` on 1 worker
 *    and on all cores (wall time).
 * peakfinder8 is also split into its phases (a second call on the same analysis image, not counted in the sums),
 * for the WebAssembly engine (the default, used by the analysis) and the JS reference (same peaks, checked
 * here); the target line is also given with the JS peakfinder8 in place of the WebAssembly one.
 * Baseline: one plain summing pass over the same frame, measured in this process; ratios are step
 * time / baseline.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulation } from "../src/core/sim/simulation.ts";
import { parsePreProcOpts } from "../src/core/options/preproc-opts.ts";
import { analyzePattern, createAnalysisWorkspace, peakfinder8OptionsFrom } from "../src/core/preproc/analyze-pattern.ts";
import { createPeakfinder8Workspace, findPeaksPeakfinder8, findPeaksPeakfinder8Js } from "../src/core/preproc/peakfinder8.ts";
import { buildPreprocMasks } from "../src/core/preproc/preproc-masks.ts";
import { correctImage, saturateAndFlatfield } from "../src/core/preproc/correct-image.ts";
import { createWorkerPool } from "../src/workers/pool.ts";
import { runPreprocess } from "../src/main/preproc/run-preprocess.ts";
import { writeRawFiles } from "../test/preproc/make-raw-files.ts";
import { lysozymeYaml } from "../test/preproc/lysozyme-yaml.ts";

const H = 516, W = 1556, N = H * W;
const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

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
// CPU time of this process (ms): unlike wall time it does not count the time other processes hold the cores.
const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const fmt = (ms: number): string => ms.toFixed(2).padStart(7);
const perSec = (ms: number): string => (1000 / ms).toFixed(0).padStart(4);

// Baseline: one summing pass over the frame.
const base: number[] = [];
for (let r = 0; r < 5; r++) for (const p of patterns) { const t = cpuNow(); let s = 0; for (let i = 0; i < N; i++) s += p[i]!; base.push(cpuNow() - t); if (s < 0) console.log(s); }
const baseMs = median(base);

// Warm-up (JIT, segment sizes of peakfinder8), then per-step CPU timings.
for (const p of patterns.slice(0, 4)) {
  const info = analyzePattern({ pixels: p, shape: [H, W] }, masks.analysis, opts, { workspace: ws });
  correctImage({ pixels: p, shape: [H, W] }, info, masks, opts, null);
}
const pfo = peakfinder8OptionsFrom(opts);
const steps = new Map<string, number[]>();
const add = (k: string, v: number): void => { (steps.get(k) ?? steps.set(k, []).get(k)!).push(v); };
const wall: number[] = [];
const wsJs = createPeakfinder8Workspace(N);
let pfDiffer = 0;
let peaks = 0, nPat = 0;
for (let r = 0; r < 4; r++) {
  for (const p of patterns) {
    const t0 = now();
    const info = analyzePattern({ pixels: p, shape: [H, W] }, masks.analysis, opts, { workspace: ws, now: cpuNow });
    const t1 = now();
    // peakfinder8 phases: the same call again on the analysis image (ws.work) at the Lorentz centre.
    const pf = findPeaksPeakfinder8({ pixels: ws.work, shape: [H, W] }, masks.analysis, info.lor_x, info.lor_y, pfo, ws.pf8, cpuNow);
    for (const [k, v] of Object.entries(pf.timingsMs ?? {})) add(`pf8 ${k}`, v);
    add("pf8 total", Object.values(pf.timingsMs ?? {}).reduce((x, y) => x + y, 0));
    const pj = findPeaksPeakfinder8Js({ pixels: ws.work, shape: [H, W] }, masks.analysis, info.lor_x, info.lor_y, pfo, wsJs, cpuNow);
    for (const [k, v] of Object.entries(pj.timingsMs ?? {})) add(`pf8js ${k}`, v);
    const pjTotal = Object.values(pj.timingsMs ?? {}).reduce((x, y) => x + y, 0);
    add("pf8js total", pjTotal);
    if (pj.count !== pf.count || pj.fs.some((v, k) => !Object.is(v, pf.fs[k])) || pj.intensity.some((v, k) => !Object.is(v, pf.intensity[k]))) pfDiffer++;
    const t2 = now();
    const corr = correctImage({ pixels: p, shape: [H, W] }, info, masks, opts, null, cpuNow);
    // A/B: the JS reference of the saturation + flat-field pass (the correction uses the WebAssembly kernel).
    const tj = cpuNow();
    saturateAndFlatfield(p, opts, masks.gaps, null, "js");
    add("saturation js", cpuNow() - tj);
    wall.push(now() - t2 + t1 - t0);
    peaks += info.num_peaks; nPat++;
    const a = info.timingsMs, c = corr.timingsMs ?? {};
    for (const [k, v] of Object.entries(a)) add(k, v);
    for (const [k, v] of Object.entries(c)) add(k, v);
    const sum = (rec: Readonly<Record<string, number>>, keys: readonly string[]): number => keys.reduce((x, k) => x + (rec[k] ?? 0), 0);
    const target = sum(a, ["prepare", "com", "lorentz", "peakfinder8"]) + sum(c, ["saturation", "dead_pixels", "output"]);
    add("= target", target);
    add("= target (JS peakfinder8)", target - (a.peakfinder8 ?? 0) + pjTotal);
    add("= +friedel", target + (a.friedel ?? 0));
    add("= analysis", sum(a, Object.keys(a)));
    add("= all", sum(a, Object.keys(a)) + sum(c, Object.keys(c)));
  }
}
const best = (v: number[]): number => Math.min(...v);
console.log(`\nper step: CPU ms/pattern, median and best of ${nPat} (${patterns.length} patterns × 4), ${(peaks / nPat).toFixed(0)} peaks/pattern; baseline sum pass ${baseMs.toFixed(3)} ms CPU`);
const label: Record<string, string> = {
  prepare: "analysis: copy, mask, flat-field", com: "analysis: thresholded centre of mass", lorentz: "analysis: Lorentz fit",
  peakfinder8: "analysis: peakfinder8",
  "pf8 radius_map": "  wasm peakfinder8: radius map + grouping", "pf8 clipping": "  wasm peakfinder8: sigma clipping",
  "pf8 components": "  wasm peakfinder8: seeds + components + bg",
  "pf8 total": "  peakfinder8 (wasm) phases total",
  "pf8js radius_map": "  JS peakfinder8: radius map + grouping", "pf8js clipping": "  JS peakfinder8: sigma clipping + seeds",
  "pf8js components": "  JS peakfinder8: components + local bg", "pf8js total": "  JS peakfinder8 phases total",
  friedel: "analysis: Friedel refinement", adf: "analysis: virtual ADF",
  saturation: "correction: saturation + flat-field", "saturation js": "  same, JS reference (not in the sums)", background: "correction: radial background", dead_pixels: "correction: dead pixels + invalid",
  output: "correction: int16 output",
};
const order = [...Object.keys(label).filter((k) => steps.has(k)), ...[...steps.keys()].filter((k) => !(k in label) && !k.startsWith("="))];
for (const k of order) {
  const v = steps.get(k)!;
  console.log(`  ${(label[k] ?? k).padEnd(44)} ${fmt(median(v))} ms  (best ${fmt(best(v))})  ×${(median(v) / baseMs).toFixed(1)} baseline`);
}
const line = (name: string, k: string, withTarget: boolean): void => {
  const v = steps.get(k)!, m = median(v), b = best(v);
  const tgt = withTarget ? ` → ${(1000 / m / 100).toFixed(2)}× the 100/s target (best ${(1000 / b / 100).toFixed(2)}×)` : "";
  console.log(`${name.padEnd(58)} ${fmt(m)} ms = ${perSec(m)} patterns/s per core (best ${fmt(b)} ms = ${perSec(b)}/s)${tgt}; ×${(m / baseMs).toFixed(0)} baseline`);
};
console.log("");
line("corrections + centre + peakfinder8 (issue #4 target)", "= target", true);
line("  same with the JS peakfinder8 (reference)", "= target (JS peakfinder8)", true);
console.log(`  (peakfinder8 wasm vs JS: ${pfDiffer} of ${nPat} patterns with different peaks; wasm/JS time ${(median(steps.get("pf8 total")!) / median(steps.get("pf8js total")!)).toFixed(2)})`);
line("  + Friedel centre refinement", "= +friedel", true);
line("analysis (centre + peakfinder8 + Friedel + ADF)", "= analysis", false);
line("analysis + full correction (incl. radial background)", "= all", false);
console.log(`analysis + full correction, wall time (load average ${loadavg()[0]!.toFixed(1)}):     ${fmt(median(wall))} ms = ${perSec(median(wall))} patterns/s`);

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
