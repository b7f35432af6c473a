/**
 * Merging simulated data (helper "sim": src/core/sim) against the simulator's true intensities:
 * overall and per-shell CC, growth with the number of crystals, and the gain of the xsphere
 * partiality model over unity merging.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import { LYSOZYME_CELL } from "../../src/core/sim/config.ts";
import { mergeObservations, type PartialityModel } from "../../src/core/merging/merge-pipeline.ts";
import { compareHklStats, type CompareStats } from "../../src/core/merging/merge-stats.ts";
import { firstCrystals } from "../../src/core/merging/crystals-curve.ts";
import type { CrystalInputs, Observations } from "../../src/core/merging/observations.ts";
import { pointGroup } from "../../src/core/symmetry/point-groups.ts";
import { simObservations } from "./sim-observations.ts";

describe("merging simulated SerialED data", () => {
  const sim = createSimulation({ seed: 7, nCrystals: 150, framesPerCrystal: 1, nFiles: 1, hitFraction: 1 });
  const { obs, crystals } = simObservations(sim, { seed: 3, backgroundCounts: 50 });
  const rmax = 10 / sim.config.dMinAngstrom;

  const vsTruth = (o: Observations, c: CrystalInputs, model: PartialityModel): CompareStats => {
    const r = mergeObservations(o, c, { pointGroup: pointGroup("422"), model, iterations: 2 });
    const truth = { ...r.merged, intensity: r.merged.intensity.map((_, i) => sim.intensities.intensity(r.merged.h[i]!, r.merged.k[i]!, r.merged.l[i]!)) };
    return compareHklStats(r.merged, truth, LYSOZYME_CELL, { nShells: 8, noScale: true, rminInvNm: 0.2, rmaxInvNm: rmax });
  };
  const row = (s: CompareStats): string => `overall ${s.overall.cc.toFixed(4)} | ` + s.shells.map((x) => `${(10 / x.maxInvNm).toFixed(2)} Å: ${x.cc.toFixed(3)}`).join(", ");

  it("correlates with the true intensities, and the xsphere model beats unity against the truth", () => {
    const unity = vsTruth(obs, crystals, "unity");
    const xs = vsTruth(obs, crystals, "xsphere");
    console.log(`# ${crystals.count} crystals, ${obs.count} observations`);
    console.log(`# unity   CC vs truth: ${row(unity)}`);
    console.log(`# xsphere CC vs truth: ${row(xs)}`);
    assert.ok(unity.overall.cc >= 0.99, `unity CC ${unity.overall.cc}`);
    assert.ok(xs.overall.cc > unity.overall.cc, `xsphere ${xs.overall.cc} vs unity ${unity.overall.cc}`);
    const meanCc = (s: CompareStats): number => s.shells.reduce((a, x) => a + x.cc, 0) / s.shells.length;
    assert.ok(meanCc(xs) > meanCc(unity) + 0.005, `mean shell CC xsphere ${meanCc(xs)} vs unity ${meanCc(unity)}`);
    // low and middle resolution shells improve clearly
    for (let i = 1; i < 4; i++) assert.ok(xs.shells[i]!.cc > unity.shells[i]!.cc, `shell ${i}`);
  });

  it("gets better with more crystals (overall and at high resolution)", () => {
    const curve = [25, 75, 150].map((n) => ({ n, st: vsTruth(firstCrystals(obs, n), crystals, "unity") }));
    for (const { n, st } of curve) console.log(`# ${n} crystals: ${row(st)}`);
    // high resolution = mean CC over the outer half of the shells (a single outer shell near CC 0.2-0.3 is too noisy to rank)
    const outer = (st: CompareStats): number => { const sh = st.shells.slice(st.shells.length >> 1); return sh.reduce((a, x) => a + x.cc, 0) / sh.length; };
    for (let i = 1; i < curve.length; i++) {
      assert.ok(curve[i]!.st.overall.cc > curve[i - 1]!.st.overall.cc, "overall CC grows");
      assert.ok(outer(curve[i]!.st) > outer(curve[i - 1]!.st), `high-resolution CC grows: ${outer(curve[i - 1]!.st).toFixed(3)} → ${outer(curve[i]!.st).toFixed(3)}`);
    }
  });

  it("post-refinement recovers profile radii that start 1.8× too large", () => {
    const trueR = Float64Array.from(crystals.profileRadiusInvNm);
    const wrong = { ...crystals, profileRadiusInvNm: trueR.map((r) => r * 1.8) };
    const ccOf = (iterations: number): { cc: number; ratio: number } => {
      const r = mergeObservations(obs, wrong, { pointGroup: pointGroup("422"), model: "xsphere", iterations });
      const truth = { ...r.merged, intensity: r.merged.intensity.map((_, i) => sim.intensities.intensity(r.merged.h[i]!, r.merged.k[i]!, r.merged.l[i]!)) };
      const ratios = Array.from(r.crystals.radiusInvNm, (v, i) => v / trueR[i]!).sort((a, b) => a - b);
      return { cc: compareHklStats(r.merged, truth, LYSOZYME_CELL, { nShells: 8, noScale: true, rminInvNm: 0.2, rmaxInvNm: rmax }).overall.cc, ratio: ratios[ratios.length >> 1]! };
    };
    const before = ccOf(0), after = ccOf(2);
    console.log(`# radius ×1.8: CC vs truth ${before.cc.toFixed(5)} → ${after.cc.toFixed(5)} after 2 cycles; median R/R_true ${before.ratio.toFixed(2)} → ${after.ratio.toFixed(2)}`);
    assert.ok(Math.abs(after.ratio - 1) < 0.15, `median radius ratio ${after.ratio}`);
    assert.ok(after.cc > before.cc, `CC ${before.cc} → ${after.cc}`);
  });
});
