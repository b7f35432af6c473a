/**
 * Ambiguity resolution on synthetic data: intensities with point group 4 (not invariant under the
 * 4/mmm operator k,h,−l), half of the crystals indexed in the other setting.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { allocateObservations } from "../../src/core/merging/observations.ts";
import { ambiguityOperator, applyReindexing, resolveAmbiguity } from "../../src/core/merging/ambiguity.ts";
import { mergeObservations } from "../../src/core/merging/merge-pipeline.ts";
import { pearson } from "../../src/core/merging/merge-stats.ts";
import { asymmetricIndex, pointGroup } from "../../src/core/symmetry/point-groups.ts";

describe("resolveAmbiguity", () => {
  it("finds the reindexing operator of 4 in 4/mmm and none for 422 (Friedel)", () => {
    const op = ambiguityOperator(pointGroup("4"), pointGroup("4/mmm"));
    const t = new Int32Array(3);
    asymmetricIndex(pointGroup("4"), 1 * op[0]! + 2 * op[3]! + 3 * op[6]!, 1 * op[1]! + 2 * op[4]! + 3 * op[7]!, 1 * op[2]! + 2 * op[5]! + 3 * op[8]!, t);
    const u = new Int32Array(3);
    asymmetricIndex(pointGroup("4"), 1, 2, 3, u);
    assert.notDeepEqual(Array.from(t), Array.from(u));
    assert.throws(() => ambiguityOperator(pointGroup("422"), pointGroup("4/mmm")), /no indexing ambiguity/);
  });

  it("recovers the settings of 60 crystals and restores the merged intensities", () => {
    let seed = 99;
    const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const pg = pointGroup("4");
    const op = ambiguityOperator(pg, pointGroup("4/mmm"));
    const truth = new Map<string, number>();
    const t = new Int32Array(3);
    const trueI = (h: number, k: number, l: number): number => {
      asymmetricIndex(pg, h, k, l, t);
      const key = `${t[0]},${t[1]},${t[2]}`;
      if (!truth.has(key)) truth.set(key, -Math.log(rand() + 1e-9) * 100);
      return truth.get(key)!;
    };
    const nC = 60, per = 400;
    const obs = allocateObservations(nC * per);
    const flipped = new Uint8Array(nC);
    for (let c = 0; c < nC; c++) {
      flipped[c] = rand() < 0.5 ? 1 : 0;
      for (let j = 0; j < per; j++) {
        const i = c * per + j;
        const h = Math.floor(rand() * 25) - 12, k = Math.floor(rand() * 25) - 12, l = Math.floor(rand() * 13) - 6;
        const I = trueI(h, k, l) * (1 + 0.1 * (rand() - 0.5));
        // a flipped crystal reports the intensity of hkl under the indices hkl·op
        obs.crystal[i] = c;
        if (flipped[c] === 1) { obs.h[i] = h * op[0]! + k * op[3]! + l * op[6]!; obs.k[i] = h * op[1]! + k * op[4]! + l * op[7]!; obs.l[i] = h * op[2]! + k * op[5]! + l * op[8]!; }
        else { obs.h[i] = h; obs.k[i] = k; obs.l[i] = l; }
        obs.intensity[i] = I; obs.sigma[i] = 1; obs.invDNm[i] = 1;
      }
    }
    const res = resolveAmbiguity(obs, nC, { actual: pg, operator: op, iterations: 6 });
    let agree = 0;
    for (let c = 0; c < nC; c++) if (res.reindexed[c] === flipped[c]) agree++;
    const consistent = Math.max(agree, nC - agree);
    assert.equal(consistent, nC, `settings consistent for ${consistent}/${nC}`);
    const crystals = { count: nC, profileRadiusInvNm: new Float64Array(nC), resolutionLimitInvNm: new Float64Array(nC), labels: [] };
    const ccTruth = (o: typeof obs): number => {
      const m = mergeObservations(o, crystals, { pointGroup: pg, scale: false }).merged;
      const a: number[] = [], b: number[] = [];
      for (let i = 0; i < m.count; i++) { a.push(m.intensity[i]!); b.push(trueI(m.h[i]!, m.k[i]!, m.l[i]!)); }
      return pearson(a, b);
    };
    const before = ccTruth(obs);
    const fixed = applyReindexing(obs, res.reindexed, op);
    const after = agree >= nC / 2 ? ccTruth(fixed) : ccTruth(applyReindexing(fixed, new Uint8Array(nC).fill(1), op));
    console.log(`# CC vs truth before ${before.toFixed(3)}, after ${after.toFixed(3)}`);
    assert.ok(after > 0.99 && after > before + 0.1, `before ${before}, after ${after}`);
  });
});
