/**
 * Built-in indexer + integration on the project's simulator (src/core/sim): known orientations,
 * per-crystal cell jitter, elliptical distortion and per-shot beam centres (through the panel and
 * detector shift, as CrystFEL sees them). Peaks = true spots above a count threshold, with 0.3 px
 * position noise and 10 % false peaks.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import { createRng } from "../../src/core/sim/rng.ts";
import { LYSOZYME_CELL } from "../../src/core/sim/config.ts";
import { peaksToQ } from "../../src/core/indexing/ewald-geometry.ts";
import { panelFromDetector } from "../../src/core/indexing/panel-from-geom.ts";
import { createIndexer } from "../../src/core/indexing/index-pattern.ts";
import { basisToMat9, misorientationDeg } from "../../src/core/indexing/lattice.ts";
import { predictReflections } from "../../src/core/integration/predict.ts";
import { integrateRings } from "../../src/core/integration/integrate-rings.ts";

const sim = createSimulation({ seed: 11, nCrystals: 36, framesPerCrystal: 1 });
const panel = panelFromDetector(sim.panel, sim.config.wavelengthAngstrom);
const ix = createIndexer(LYSOZYME_CELL, { profileRadiusInvNm: sim.config.profileRadiusNm });

describe("createIndexer on simulated electron stills", () => {
  it("indexes ≥ 90 % of patterns with ≥ 15 peaks, ≥ 98 % of them within 1° (mod 4/mmm); integration CC ≥ 0.9", () => {
    const rng = createRng(5);
    let eligible = 0, indexed = 0, within = 0;
    const mis: number[] = [];
    const iObs: number[] = [], iTrue: number[] = [];
    for (let s = 0; s < sim.nShots; s++) {
      const ci = sim.truth.crystalIndex[s]!;
      if (ci < 0 || !sim.truth.hit[s]) continue;
      const sp = sim.trueSpots(s);
      const fs: number[] = [], ss: number[] = [];
      for (let i = 0; i < sp.count; i++) if (sp.counts[i]! > 40) { fs.push(sp.fs[i]! + 0.5 + 0.3 * rng.normal()); ss.push(sp.ss[i]! + 0.5 + 0.3 * rng.normal()); }
      const nFalse = Math.round(fs.length * 0.1);
      for (let i = 0; i < nFalse; i++) { fs.push(100 + rng.uniform() * 1400); ss.push(rng.uniform() * 516); }
      const n = fs.length;
      if (n < 15) continue;
      eligible++;
      const sh = sim.shotShift(s);
      const lattices = ix.index(peaksToQ(panel, fs, ss, n, sh.xM * 1e3, sh.yM * 1e3), n);
      if (lattices.length === 0) continue;
      indexed++;
      const top = lattices[0]!;
      const m = misorientationDeg(basisToMat9(sim.crystals[ci]!.basis), top.A, ix.ops);
      mis.push(m);
      if (m < 1) within++;
      // integrate a few shots with the found orientation: compare with the true spot counts
      if (indexed <= 6 && m < 1) {
        const frame = { pixels: Float32Array.from(sim.renderShot(s)), shape: [sim.config.nSs, sim.config.nFs] as const };
        const shiftXMm = sh.xM * 1e3 - top.shiftInvNm[0] / (10 / sim.config.wavelengthAngstrom) * sim.config.cameraLengthM * 1e3;
        const shiftYMm = sh.yM * 1e3 - top.shiftInvNm[1] / (10 / sim.config.wavelengthAngstrom) * sim.config.cameraLengthM * 1e3;
        const pr = predictReflections(top.A, panel, { profileRadiusInvNm: sim.config.profileRadiusNm, shiftXMm, shiftYMm, edgePx: 8 });
        const res = integrateRings(frame, pr.fs, pr.ss, pr.count, { innerPx: 3, middlePx: 4, outerPx: 6 }, sim.deadMask);
        const truth = new Map<string, number>();
        for (let i = 0; i < sp.count; i++) if (sp.partiality[i]! > 0.9) truth.set(`${sp.h[i]},${sp.k[i]},${sp.l[i]}`, sp.counts[i]!);
        // the indexer may report a symmetry-equivalent setting: match by position instead of hkl
        for (let j = 0; j < pr.count; j++) {
          if (!res.ok[j]) continue;
          let best = -1, bd = 1;
          for (let i = 0; i < sp.count; i++) { const d = Math.hypot(sp.fs[i]! + 0.5 - pr.fs[j]!, sp.ss[i]! + 0.5 - pr.ss[j]!); if (d < bd) { bd = d; best = i; } }
          if (best < 0) continue;
          const t = truth.get(`${sp.h[best]},${sp.k[best]},${sp.l[best]}`);
          if (t !== undefined && t > 150 && t < 3000) { iObs.push(res.intensity[j]!); iTrue.push(t); }
        }
      }
    }
    assert.ok(eligible >= 25, `eligible patterns ${eligible}`);
    assert.ok(indexed / eligible >= 0.9, `indexed ${indexed}/${eligible}`);
    assert.ok(within / indexed >= 0.98, `within 1°: ${within}/${indexed}; misorientations ${mis.map((v) => v.toFixed(2)).join(" ")}`);
    mis.sort((a, b) => a - b);
    assert.ok(mis[mis.length >> 1]! < 0.3, `median misorientation ${mis[mis.length >> 1]}`);
    assert.ok(iObs.length >= 50, `compared strong fully recorded spots: ${iObs.length}`);
    const cc = pearson(iObs, iTrue);
    assert.ok(cc >= 0.9, `CC(I_integrated, I_true) = ${cc.toFixed(3)} over ${iObs.length} spots`);
  });
});

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i]! - ma) * (b[i]! - mb); saa += (a[i]! - ma) ** 2; sbb += (b[i]! - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}
