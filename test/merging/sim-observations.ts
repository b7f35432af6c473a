/**
 * Test helper: merge observations from the simulator's true spot lists (helper "sim", src/core/sim),
 * with Poisson noise on spot + background counts. Integration is skipped on purpose (it belongs to the
 * indexing/integration area); the observations carry the true excitation errors and 1/d.
 */
import { createRng } from "../../src/core/sim/rng.ts";
import type { Simulation } from "../../src/core/sim/simulation.ts";
import type { CrystalInputs, Observations } from "../../src/core/merging/observations.ts";

export function simObservations(sim: Simulation, opts: { seed: number; backgroundCounts: number; maxCrystals?: number }): { obs: Observations; crystals: CrystalInputs } {
  const rng = createRng(opts.seed, 99);
  const cols = { crystal: [] as number[], h: [] as number[], k: [] as number[], l: [] as number[], I: [] as number[], s: [] as number[], d: [] as number[], x: [] as number[] };
  const radius: number[] = [], labels: string[] = [];
  const crystalOf = new Map<number, number>();
  for (let shot = 0; shot < sim.nShots; shot++) {
    const ci = sim.truth.crystalIndex[shot]!;
    if (ci < 0 || sim.truth.hit[shot] !== 1) continue;
    if (!crystalOf.has(ci)) {
      if (opts.maxCrystals !== undefined && crystalOf.size >= opts.maxCrystals) break;
      crystalOf.set(ci, crystalOf.size);
      radius.push(sim.crystals[ci]!.profileRadiusNm);
      labels.push(`sim crystal ${ci} shot ${shot}`);
    }
    const c = crystalOf.get(ci)!;
    const sp = sim.trueSpots(shot);
    for (let i = 0; i < sp.count; i++) {
      const bg = opts.backgroundCounts;
      const measured = rng.poisson(sp.counts[i]! + bg) - bg;
      cols.crystal.push(c); cols.h.push(sp.h[i]!); cols.k.push(sp.k[i]!); cols.l.push(sp.l[i]!);
      cols.I.push(measured); cols.s.push(Math.sqrt(sp.counts[i]! + bg)); cols.d.push(sp.invDNm[i]!); cols.x.push(sp.excitationErrorNm[i]!);
    }
  }
  const n = cols.crystal.length;
  return {
    obs: { count: n, crystal: Int32Array.from(cols.crystal), h: Int32Array.from(cols.h), k: Int32Array.from(cols.k), l: Int32Array.from(cols.l), intensity: Float64Array.from(cols.I), sigma: Float64Array.from(cols.s), invDNm: Float64Array.from(cols.d), excitationErrorInvNm: Float64Array.from(cols.x) },
    crystals: { count: radius.length, profileRadiusInvNm: Float64Array.from(radius), resolutionLimitInvNm: new Float64Array(radius.length).fill(Number.NaN), labels },
  };
}
