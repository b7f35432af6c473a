// Merging speed: 1 000 000 synthetic observations (1000 crystals × 1000 reflections, point group 422),
// unity merge (symmetry reduction + running means + reflection list) and with per-crystal scaling
// + ΔCC½ rejection. Target: unity < 2 s on one core. Baseline: a plain pass over the observation
// arrays (sum of I, I/σ and 1/d) in the same process.
import { mergeObservations } from "../src/core/merging/merge-pipeline.ts";
import { allocateObservations, type CrystalInputs } from "../src/core/merging/observations.ts";
import { pointGroup } from "../src/core/symmetry/point-groups.ts";

const N_CRYSTALS = 1000, PER_CRYSTAL = 1000, N = N_CRYSTALS * PER_CRYSTAL;
let seed = 12345;
const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);

const obs = allocateObservations(N);
for (let c = 0; c < N_CRYSTALS; c++) {
  const g = 0.6 + 0.8 * rand();
  for (let j = 0; j < PER_CRYSTAL; j++) {
    const i = c * PER_CRYSTAL + j;
    const h = Math.floor(rand() * 121) - 60, k = Math.floor(rand() * 121) - 60, l = Math.floor(rand() * 61) - 30;
    const invD = Math.sqrt((h / 7.91) ** 2 + (k / 7.91) ** 2 + (l / 3.79) ** 2);
    const truth = 1000 * Math.exp(-0.3 * invD * invD) * (1 + ((h * 7 + k * 13 + l * 31) & 15) / 8);
    obs.crystal[i] = c; obs.h[i] = h; obs.k[i] = k; obs.l[i] = l; obs.invDNm[i] = invD;
    obs.sigma[i] = Math.sqrt(g * truth + 20);
    obs.intensity[i] = g * truth + obs.sigma[i]! * (rand() + rand() + rand() - 1.5) * 2;
  }
}
const crystals: CrystalInputs = { count: N_CRYSTALS, profileRadiusInvNm: new Float64Array(N_CRYSTALS).fill(0.01), resolutionLimitInvNm: new Float64Array(N_CRYSTALS).fill(Number.NaN), labels: Array.from({ length: N_CRYSTALS }, (_, c) => `c${c}`) };
const pg = pointGroup("422");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
/** Wall and CPU (user + system of this process) seconds per repetition. */
const cpuOf: number[][] = [];
function time(fn: () => unknown, reps: number): number[] {
  const out: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    out.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  cpuOf.push(cpu);
  return out;
}

let sink = 0;
const baseline = time(() => {
  let s = 0;
  for (let i = 0; i < N; i++) s += obs.intensity[i]! + obs.intensity[i]! / obs.sigma[i]! + obs.invDNm[i]!;
  sink += s;
}, 7);
let nref = 0;
const unity = time(() => {
  nref = mergeObservations(obs, crystals, { pointGroup: pg, model: "unity", scale: false, rejectOutliers: false, iterations: 0 }).merged.count;
}, 5);
const scaled = time(() => {
  mergeObservations(obs, crystals, { pointGroup: pg, model: "unity", scale: true, iterations: 1 });
}, 3);

const b = median(baseline), u = median(unity), s = median(scaled);
const [bc, uc, sc] = cpuOf.map(median) as [number, number, number];
console.log(`observations: ${N} (${N_CRYSTALS} crystals), unique reflections merged: ${nref}  [sink ${sink.toExponential(2)}]`);
console.log(`baseline (plain pass over the arrays): median ${(b * 1000).toFixed(1)} ms`);
console.log(`baseline CPU time: median ${(bc * 1000).toFixed(1)} ms`);
console.log(`unity merge:            wall median ${u.toFixed(3)} s (min ${Math.min(...unity).toFixed(3)} s), CPU median ${uc.toFixed(3)} s — target < 2 s on one core → ${Math.min(u, uc) < 2 ? "MET" : "MISSED"}; ratio to baseline (CPU) ${(uc / bc).toFixed(1)}×`);
console.log(`unity + scaling + ΔCC½: wall median ${s.toFixed(3)} s (min ${Math.min(...scaled).toFixed(3)} s), CPU median ${sc.toFixed(3)} s; ratio to baseline (CPU) ${(sc / bc).toFixed(1)}×, to unity ${(sc / uc).toFixed(1)}×`);
console.log(`throughput unity: ${(N / uc / 1e6).toFixed(2)} M observations per CPU-second`);
if (u > 1.5 * uc) console.log("note: wall time well above CPU time — the machine is busy; CPU time is the single-core figure");
