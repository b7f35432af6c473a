// Live tuning latency on the host (issue #4 target: an option change re-analyses the current pattern
// and the overlays update within 100 ms). Simulated 1556×516 dataset, the host service as `serialed
// serve` runs it (openDataset → tuneAnalyze). Figures:
//   baseline  one frame read (readFrame) in the same process;
//   uncached  what every change cost before the caches: read + float copy + mask build + analysis, in-process;
//   cold      the first tuneAnalyze of a fresh service (worker start, read, transfer, cold JIT);
//   new shot  a shot not seen yet, worker warm (read + transfer + analysis);
//   change    an option change on the current shot (worker warm, frame and masks cached): the target;
//   in-process the same change without the worker (why the worker: equal cost, host thread stays free).
// The renderer's part (request → overlays drawn) is printed by test/e2e/tuning-viewer.test.ts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preProcOptsFromObject } from "../src/core/options/preproc-opts.ts";
import { analyzePattern } from "../src/core/preproc/analyze-pattern.ts";
import { buildPreprocMasks } from "../src/core/preproc/preproc-masks.ts";
import { createHostService } from "../src/main/host/host-service.ts";
import { createTuningService } from "../src/main/host/tuning-service.ts";

const N = Number(process.env["TUNING_BENCH_N"] ?? 30);
const root = join(import.meta.dirname, "..");
const stats = (xs: number[]): { median: number; p95: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]! };
};
const f = (x: number): string => `${x.toFixed(1)} ms`;
const dir = mkdtempSync(join(tmpdir(), "serialed-bench-tuning-"));
try {
  console.log("simulating a dataset (6 crystals × 2 frames) …");
  execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "simulate", "--out", dir, "--crystals", "6", "--frames", "2", "--seed", "11", "--workers", "2"], { stdio: "pipe" });
  const host = createHostService({ mode: "web" });
  host.allow([join(dir, "sim.lst")]);
  const ds = await host.openDataset({ paths: [join(dir, "sim.lst")] });
  const id = ds.datasetId, nShots = ds.nShots;
  const shot = 7 % nShots;
  const snr = (k: number): Record<string, unknown> => ({ peak_search_params: { "min-snr": 5 + (k % 5) } });
  const time = async (fn: () => Promise<unknown>): Promise<number> => { const t0 = performance.now(); await fn(); return performance.now() - t0; };

  // baseline: one frame read
  const reads: number[] = [];
  for (let k = 0; k < N; k++) reads.push(await time(() => host.readFrame({ datasetId: id, shotIndex: k % nShots })));

  // cold: a fresh service (and worker)
  const readFrame = (d: string, s: number) => host.readFrame({ datasetId: d, shotIndex: s });
  const worker = createTuningService(readFrame, { worker: true });
  const cold = await time(() => worker.methods.tuneAnalyze({ datasetId: id, shotIndex: shot, options: snr(0) }));
  for (let k = 0; k < 10; k++) await worker.methods.tuneAnalyze({ datasetId: id, shotIndex: shot, options: snr(k) }); // JIT warm-up
  const newShot: number[] = [];
  for (let k = 1; k <= 6; k++) newShot.push(await time(() => worker.methods.tuneAnalyze({ datasetId: id, shotIndex: (shot + k) % nShots, options: snr(0) })));
  const change: number[] = [], analysis: number[] = [];
  for (let k = 0; k < N; k++) {
    const t0 = performance.now();
    const r = await worker.methods.tuneAnalyze({ datasetId: id, shotIndex: shot, options: snr(k + 1) });
    change.push(performance.now() - t0); analysis.push(r.analysisMs);
  }
  await worker.dispose();

  // in-process with the same caches, and the uncached path of before
  const local = createTuningService(readFrame, { worker: false });
  for (let k = 0; k < 10; k++) await local.methods.tuneAnalyze({ datasetId: id, shotIndex: shot, options: snr(k) });
  const inProc: number[] = [], uncached: number[] = [];
  for (let k = 0; k < N; k++) {
    inProc.push(await time(() => local.methods.tuneAnalyze({ datasetId: id, shotIndex: shot, options: snr(k + 1) })));
    uncached.push(await time(async () => {
      const img = await host.readFrame({ datasetId: id, shotIndex: shot });
      const { opts } = preProcOptsFromObject(snr(k + 1));
      const pixels = img.pixels instanceof Float32Array ? img.pixels : Float32Array.from(img.pixels);
      const shape = [img.shape[0], img.shape[1]] as const;
      analyzePattern({ pixels, shape }, buildPreprocMasks(shape, null, opts).analysis, opts);
    }));
  }
  await local.dispose();
  host.dispose();

  const b = stats(reads), c = stats(change), a = stats(analysis), n = stats(newShot), i = stats(inProc), u = stats(uncached);
  console.log(`baseline: one frame read, n=${reads.length}: median ${f(b.median)}, p95 ${f(b.p95)}`);
  console.log(`uncached change (read + masks + analysis, in-process, as before): median ${f(u.median)}, p95 ${f(u.p95)}`);
  console.log(`cold first call (worker start, read, cold JIT): ${f(cold)}`);
  console.log(`new shot (worker warm), n=${newShot.length}: median ${f(n.median)}, p95 ${f(n.p95)}`);
  console.log(`option change (worker, cached), n=${change.length}: median ${f(c.median)}, p95 ${f(c.p95)} (analysis in the worker ${f(a.median)})   target: < 100 ms → ${c.median < 100 ? "MET" : "NOT MET"} (median)`);
  console.log(`option change in-process (cached), n=${inProc.length}: median ${f(i.median)}, p95 ${f(i.p95)}`);
  console.log(`ratio change/frame read (median): ${(c.median / b.median).toFixed(2)}; change/uncached: ${(c.median / u.median).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
