/** check_hkl / compare_hkl-style statistics against CrystFEL 0.12.0's shell files for the fixture lists. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseCellFile } from "../../src/core/formats/cell-file.ts";
import { parseHkl } from "../../src/core/formats/hkl-file.ts";
import { parseCheckHklOverall, parseCheckHklShells, parseCompareHklOverall, parseCompareHklShells } from "../../src/core/formats/shell-table.ts";
import { checkHklStats, compareHklStats, fomValue, shellBoundaries, type Fom } from "../../src/core/merging/merge-stats.ts";
import { pointGroup } from "../../src/core/symmetry/point-groups.ts";

const FIX = "/work/shared/fixtures/crystfel/";
const read = (f: string): string => readFileSync(FIX + f, "utf8");
const cell = parseCellFile(read("lyso_ed.cell"));
const near = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe("shellBoundaries", () => {
  it("makes shells of equal reciprocal volume", () => {
    const b = shellBoundaries(1, 5, 4);
    for (let i = 0; i < 4; i++) near(b[i + 1]! ** 3 - b[i]! ** 3, (125 - 1) / 4, 1e-9, `shell ${i}`);
  });
});

for (const model of ["unity", "xsphere"]) {
  describe(`checkHklStats on lyso_ed_${model}.hkl`, () => {
    it("matches check_hkl's shell file (boundaries, nref, meas, SNR, mean I exactly to print precision; possible ±1)", () => {
      const st = checkHklStats(parseHkl(read(`lyso_ed_${model}.hkl`)), cell, pointGroup("422"), { nShells: 10 });
      const ref = parseCheckHklShells(read(`check_hkl_${model}_shells.dat`));
      assert.equal(st.shells.length, ref.length);
      st.shells.forEach((s, i) => {
        const r = ref[i]!;
        near(s.minInvNm, r.minInvNm, 0.0005, `min ${i}`);
        near(s.maxInvNm, r.maxInvNm, 0.0005, `max ${i}`);
        near(s.centerInvNm, r.centerInvNm, 0.0005, `centre ${i}`);
        assert.equal(s.nref, r.nref, `nref ${i}`);
        assert.equal(s.measurements, r.measurements, `meas ${i}`);
        near(s.possible, r.possible, 1, `possible ${i}`);
        near(s.completeness, r.completenessPct, 0.006, `completeness ${i}`);
        near(s.multiplicity, r.redundancy, 0.05, `redundancy ${i}`);
        near(s.meanIOverSigma, r.snr, 0.006, `snr ${i}`);
        near(s.meanI, r.meanI, 0.006, `mean I ${i}`);
      });
      const o = parseCheckHklOverall(read(`check_hkl_${model}.txt`));
      assert.equal(st.overall.nref, o.reflections);
      assert.equal(st.overall.measurements, o.measurements);
      near(st.overall.possible, o.possible, 1, "possible");
      near(st.overall.meanIOverSigma, o.snr, 1e-4, "overall snr");
      near(st.overall.multiplicity, o.redundancy, 1e-5, "redundancy");
      near(st.overall.completeness, o.completenessPct, 0.001, "completeness");
    });
  });

  for (const fom of ["CC", "CCstar", "Rsplit"] as Fom[]) {
    describe(`compareHklStats ${model} half-sets, ${fom}`, () => {
      it("matches compare_hkl's shell file and overall value", () => {
        const st = compareHklStats(parseHkl(read(`lyso_ed_${model}.hkl1`)), parseHkl(read(`lyso_ed_${model}.hkl2`)), cell, { nShells: 10 });
        const ref = parseCompareHklShells(read(`compare_hkl_${model}_${fom}.dat`));
        const tol = fom === "Rsplit" ? 0.006 : 5e-7;
        st.shells.forEach((s, i) => {
          const r = ref.shells[i]!;
          assert.equal(s.nref, r.nref, `nref ${i}`);
          near(s.centerInvNm, r.centerInvNm, 0.0005, `centre ${i}`);
          const v = fomValue(s, fom);
          if (r.value === null || Number.isNaN(r.value)) assert.ok(Number.isNaN(v), `shell ${i} should be NaN, got ${v}`);
          else near(v, r.value, tol, `${fom} shell ${i}`);
        });
        const o = parseCompareHklOverall(read(`compare_hkl_${model}_${fom}.txt`));
        assert.equal(st.pairs, o.pairsAccepted);
        near(fomValue(st.overall, fom), o.value, fom === "Rsplit" ? 0.006 : 5e-7, `overall ${fom}`);
      });
    });
  }
}
