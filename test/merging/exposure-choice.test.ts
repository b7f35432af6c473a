/** Exposure / run choice on simulated data: the run with less noise must win on high-resolution CC½. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import { LYSOZYME_CELL } from "../../src/core/sim/config.ts";
import { chooseExposure } from "../../src/core/merging/exposure-choice.ts";
import { mergeObservations } from "../../src/core/merging/merge-pipeline.ts";
import { pointGroup } from "../../src/core/symmetry/point-groups.ts";
import { simObservations } from "./sim-observations.ts";

describe("chooseExposure", () => {
  it("prefers the run with the better high-resolution CC½ and reports common shells", () => {
    const sim = createSimulation({ seed: 11, nCrystals: 80, framesPerCrystal: 1, nFiles: 1, hitFraction: 1 });
    const pg = pointGroup("422");
    const runs = [4000, 50, 600].map((bg) => {
      const { obs, crystals } = simObservations(sim, { seed: 5, backgroundCounts: bg });
      const r = mergeObservations(obs, crystals, { pointGroup: pg, iterations: 1 });
      return { label: `background ${bg}`, merged: r.merged, halves: [r.half1, r.half2] as const };
    });
    const choice = chooseExposure(runs, LYSOZYME_CELL, pg, { nShells: 8, rmaxInvNm: 10 / sim.config.dMinAngstrom });
    for (const r of choice.runs) console.log(`# ${r.label}: CC½ ${r.ccHalf.toFixed(3)}, mean shell CC½ ${r.meanShellCcHalf.toFixed(3)}, CC½ cut-off ${(10 / r.cutoffInvNm).toFixed(2)} Å, high shell CC½ ${r.highShell.ccHalf.toFixed(3)}, I/σ ${r.meanIOverSigma.toFixed(2)}`);
    assert.equal(choice.runs[choice.best]!.label, "background 50");
    // less background → CC½ holds to higher resolution and is higher on average over the shells
    const [b4000, b50, b600] = choice.runs as [typeof choice.runs[0], typeof choice.runs[0], typeof choice.runs[0]];
    assert.ok(b50.cutoffInvNm >= b600.cutoffInvNm && b600.cutoffInvNm >= b4000.cutoffInvNm, "cut-off resolution ordered by background");
    assert.ok(b50.meanShellCcHalf > b600.meanShellCcHalf && b600.meanShellCcHalf > b4000.meanShellCcHalf, "mean shell CC½ ordered by background");
    assert.ok(choice.runs.every((r) => Number.isFinite(r.meanIOverSigma) && Math.abs(r.meanIOverSigma) < 1e6), "mean I/σ finite and sane");
    const hs = choice.runs.map((r) => r.highShell.maxInvNm);
    assert.ok(hs.every((v) => v === hs[0]), "common shells");
  });
});
