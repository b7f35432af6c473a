/**
 * Merging the CrystFEL fixture stream in 422 (unity, 1 iteration) against partialator 0.12.0's own
 * output (lyso_ed_unity.hkl/.hkl1/.hkl2).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseHkl, type HklReflections } from "../../src/core/formats/hkl-file.ts";
import { mergeObservations } from "../../src/core/merging/merge-pipeline.ts";
import { packHkl, type ReflectionList } from "../../src/core/merging/observations.ts";
import { pearson } from "../../src/core/merging/merge-stats.ts";
import { pointGroup } from "../../src/core/symmetry/point-groups.ts";
import { readStreamObservations } from "../../src/main/merge/read-stream-observations.ts";

const FIX = "/work/shared/fixtures/crystfel/";
const hkl = (name: string): HklReflections => parseHkl(readFileSync(FIX + name, "utf8"), name);

function compare(mine: ReflectionList, ref: HklReflections): { common: number; cc: number; ccSigma: number; sameN: number; onlyMine: number } {
  const idx = new Map<number, number>();
  for (let i = 0; i < mine.count; i++) idx.set(packHkl(mine.h[i]!, mine.k[i]!, mine.l[i]!), i);
  const a: number[] = [], b: number[] = [], sa: number[] = [], sb: number[] = [];
  let sameN = 0;
  for (let j = 0; j < ref.count; j++) {
    const i = idx.get(packHkl(ref.h[j]!, ref.k[j]!, ref.l[j]!));
    if (i === undefined) continue;
    a.push(mine.intensity[i]!);
    b.push(ref.intensity[j]!);
    sa.push(mine.sigma[i]!);
    sb.push(ref.sigma[j]!);
    if (mine.nmeas[i] === ref.nmeas[j]) sameN++;
  }
  return { common: a.length, cc: pearson(a, b), ccSigma: pearson(sa, sb), sameN, onlyMine: mine.count - a.length };
}

describe("mergeObservations on the CrystFEL fixture stream (422, unity, --iterations=1)", async () => {
  const stream = await readStreamObservations([FIX + "lyso_ed.stream"]);

  it("reads all 29 crystals and 58260 reflections", () => {
    assert.equal(stream.crystals.count, 29);
    assert.equal(stream.observations.count, 58260);
    assert.ok(Math.abs(stream.wavelengthA - 0.0251) < 1e-6);
    assert.deepEqual(stream.warnings, []);
  });

  it("reproduces partialator's intensities (CC ≥ 0.99) and contains all of its reflections", () => {
    const res = mergeObservations(stream.observations, stream.crystals, { pointGroup: pointGroup("422"), model: "unity", iterations: 1 });
    const ref = hkl("lyso_ed_unity.hkl");
    const c = compare(res.merged, ref);
    console.log(`# default: ${res.merged.count} merged, CrystFEL ${ref.count}, common ${c.common}, same nmeas ${c.sameN}, CC(I) ${c.cc.toFixed(4)}, CC(σ) ${c.ccSigma.toFixed(4)}, CC½(σ-τ) ${(100 * res.ccHalf).toFixed(2)} % (partialator 51.71 %)`);
    assert.equal(c.common, ref.count);
    assert.ok(c.cc >= 0.99, `CC ${c.cc}`);
    assert.ok(c.ccSigma >= 0.98, `CC of sigmas ${c.ccSigma}`);
    // σ-τ CC½ close to partialator's printed 51.71 %
    assert.ok(Math.abs(res.ccHalf - 0.5171) < 0.03, `CC½ ${res.ccHalf}`);
  });

  it("gives exactly partialator's reflection sets when the crystal it rejected (//22, stream index 23) is left out", () => {
    const res = mergeObservations(stream.observations, stream.crystals, { pointGroup: pointGroup("422"), model: "unity", iterations: 1, excludeCrystals: [23], rejectOutliers: false });
    for (const [mine, name] of [[res.merged, "lyso_ed_unity.hkl"], [res.half1, "lyso_ed_unity.hkl1"], [res.half2, "lyso_ed_unity.hkl2"]] as const) {
      const ref = hkl(name);
      const c = compare(mine, ref);
      console.log(`# ${name}: ${mine.count} vs ${ref.count}, common ${c.common}, same nmeas ${c.sameN}, CC(I) ${c.cc.toFixed(4)}, CC(σ) ${c.ccSigma.toFixed(4)}`);
      assert.equal(mine.count, ref.count, name);
      assert.equal(c.common, ref.count, name);
      assert.equal(c.sameN, ref.count, name);
      assert.ok(c.cc >= 0.985, `${name} CC ${c.cc}`);
    }
  });

  it("cuts at each crystal's resolution limit + push-res (partialator --push-res)", () => {
    const count = (push?: number): number => mergeObservations(stream.observations, stream.crystals, { pointGroup: pointGroup("422"), ...(push !== undefined ? { pushResInvNm: push } : {}) }).merged.count;
    const all = count(), p14 = count(1.4), p0 = count(0);
    console.log(`# reflections: no cut ${all}, push-res 1.4 nm⁻¹ ${p14}, push-res 0 ${p0}`);
    assert.ok(all > p14 && p14 > p0 && p0 > 1000, `${all} ${p14} ${p0}`);
  });

  it("skips the cut chunk of the truncated stream with a warning naming it, keeping 2 crystals", async () => {
    const t = await readStreamObservations([FIX + "lyso_ed_truncated.stream"]);
    assert.equal(t.crystals.count, 2);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0]!, /lyso_ed_truncated\.stream.*\/\/2/);
    const res = mergeObservations(t.observations, t.crystals, { pointGroup: pointGroup("422"), iterations: 1 });
    assert.ok(res.merged.count > 0);
  });
});
