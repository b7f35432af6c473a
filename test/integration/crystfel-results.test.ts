/**
 * CrystFEL results in the built-in engine's panes (issue 9): check_hkl / compare_hkl shell files →
 * the stats.json of `serialed stats` (numbers equal to the fixture files), and the .sol that CrystFEL
 * integration needs, made from an indexed stream (lyso_ed.stream ↔ lyso_ed.sol, the fixture pair).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crystfelStats, readCheckHkl, readCompareHkl } from "../../src/main/crystfel/crystfel-outputs.ts";
import type { CrystfelStatsRow } from "../../src/main/crystfel/crystfel-outputs.ts";
import { parseCheckHklShells } from "../../src/core/formats/shell-table.ts";
import { parseSol } from "../../src/core/formats/sol-file.ts";
import type { SolEntry } from "../../src/core/formats/sol-file.ts";
import { parseStatsJson } from "../../src/renderer/plots/merging-stats.ts";
import { SERIALED_BIN } from "../../src/main/jobs/command-line.ts";

const FIX = "/work/shared/fixtures/crystfel";
const serialed = (...args: string[]) => spawnSync(process.execPath, [SERIALED_BIN, ...args], { encoding: "utf8" });
const dat = (f: string): number[][] => readFileSync(join(FIX, f), "utf8").trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/).map((t) => (t === "-nan" ? Number.NaN : Number(t))));

describe("CrystFEL shell files → statistics JSON", () => {
  for (const model of ["unity", "xsphere"]) {
    it(`${model}: rows are check_hkl's shells with its numbers, overall from its output, CC½/CC*/Rsplit from compare_hkl`, () => {
      const check = readCheckHkl(join(FIX, `check_hkl_${model}_shells.dat`), join(FIX, `check_hkl_${model}.txt`));
      const compares = ["CC", "CCstar", "Rsplit"].map((f) => readCompareHkl(join(FIX, `compare_hkl_${model}_${f}.dat`), join(FIX, `compare_hkl_${model}_${f}.txt`)));
      const out = crystfelStats({ check, compares, symmetry: "422" });
      const rows = out["shells"] as CrystfelStatsRow[];
      const table = dat(`check_hkl_${model}_shells.dat`);
      assert.equal(rows.length, table.length + 1);
      table.forEach((t, i) => {
        const r = rows[i]!;
        // Center Nref Possible Compl Meas Red SNR MeanI d Min Max
        assert.deepEqual([r.nref, r.possible, r.completeness, r.measurements, r.meanIOverSigma, r.meanI, r.minInvNm, r.maxInvNm], [t[1], t[2], t[3], t[4], t[6], t[7], t[9], t[10]], `shell ${i + 1}`);
        assert.ok(Math.abs(r.multiplicity - t[5]!) <= 0.05 + 1e-9, `shell ${i + 1}: redundancy ${r.multiplicity} vs printed ${t[5]}`);
        // compare_hkl binned the accepted pairs' range (0.126–8.979 nm⁻¹ for unity), not check_hkl's: no per-shell values on these rows
        assert.equal(r.ccHalf, null);
      });
      const txt = (f: string): string => readFileSync(join(FIX, f), "utf8");
      const grab = (s: string, re: RegExp): number => Number(re.exec(s)![1]);
      const o = rows[rows.length - 1]!;
      const c = txt(`check_hkl_${model}.txt`);
      assert.equal(o.shell, "overall");
      assert.equal(o.nref, grab(c, /^(\d+) reflections in total/m));
      assert.equal(o.possible, grab(c, /^(\d+) reflections possible/m));
      assert.equal(o.measurements, grab(c, /^(\d+) measurements in total/m));
      assert.equal(o.completeness, grab(c, /Overall completeness = (\S+)/));
      assert.equal(o.multiplicity, grab(c, /Overall redundancy = (\S+)/));
      assert.equal(o.meanIOverSigma, grab(c, /Overall <snr> = (\S+)/));
      assert.equal(o.ccHalf, grab(txt(`compare_hkl_${model}_CC.txt`), /Overall CC = (\S+)/));
      assert.equal(o.ccStar, grab(txt(`compare_hkl_${model}_CCstar.txt`), /Overall CC\* = (\S+)/));
      assert.equal(o.rsplit, grab(txt(`compare_hkl_${model}_Rsplit.txt`), /Overall Rsplit = (\S+) %/));
      assert.equal(o.pairs, grab(txt(`compare_hkl_${model}_CC.txt`), /^(\d+) reflection pairs accepted/m));
      assert.equal(out["invalidIOverSigma"], model === "unity" ? 1 : 4);
      // the per-shell tables are kept as printed, -nan as NaN
      const kept = (out["halfSetShells"] as Record<string, { value: number; nref: number }[]>)["Rsplit/%"]!;
      assert.deepEqual(kept.map((s) => s.nref), dat(`compare_hkl_${model}_Rsplit.dat`).map((t) => t[2]));
    });
  }

  it("fills per-shell CC½, CC* and Rsplit when compare_hkl binned check_hkl's shells (as the plan's --rmin/--rmax make it)", () => {
    const check = readCheckHkl(join(FIX, "check_hkl_unity_shells.dat"));
    // a compare_hkl table on the same edges (values made up: this checks the row matching, not CrystFEL)
    const shells = parseCheckHklShells(readFileSync(join(FIX, "check_hkl_unity_shells.dat"), "utf8"));
    const values = shells.map((_, i) => (i < 8 ? 0.9 - 0.1 * i : Number.NaN));
    const cmp = { fom: "CC", shells: shells.map((s, i) => ({ centerInvNm: s.centerInvNm, value: values[i]!, nref: 10 * i, dAngstrom: s.dAngstrom, minInvNm: s.minInvNm + 0.0004, maxInvNm: s.maxInvNm - 0.0004 })) };
    const rows = crystfelStats({ check, compares: [cmp] })["shells"] as CrystfelStatsRow[];
    assert.deepEqual(rows.slice(0, -1).map((r) => r.ccHalf), values.map((v) => (Number.isFinite(v) ? v : null)));
    assert.deepEqual(rows.slice(0, -1).map((r) => r.pairs), shells.map((_, i) => 10 * i));
    assert.ok(Math.abs(rows[0]!.ccStar! - Math.sqrt((2 * 0.9) / 1.9)) < 1e-12, "CC* from CC as compare_hkl computes it");
    // without check_hkl's terminal output the overall row is summed from the shells
    assert.equal(rows[rows.length - 1]!.nref, 9703);
    assert.equal(rows[rows.length - 1]!.measurements, 26958);
    // one edge off by more than the print precision: not the same shells, nothing filled
    const off = { ...cmp, shells: cmp.shells.map((s, i) => (i === 3 ? { ...s, maxInvNm: s.maxInvNm + 0.01 } : s)) };
    assert.ok((crystfelStats({ check, compares: [off] })["shells"] as CrystfelStatsRow[]).every((r) => r.shell === "overall" || r.ccHalf === null));
  });

  it("serialed crystfel stats writes stats.json that the wizard's statistics pane reads", () => {
    const d = mkdtempSync(join(tmpdir(), "cf-stats-"));
    const json = join(d, "stats.json");
    const r = serialed("crystfel", "stats", "--check", join(FIX, "check_hkl_xsphere_shells.dat"), "--check-log", join(FIX, "check_hkl_xsphere.txt"),
      ...["CC", "CCstar", "Rsplit"].flatMap((f) => ["--compare", join(FIX, `compare_hkl_xsphere_${f}.dat`)]), "--symmetry", "422", "--json", json);
    assert.equal(r.status, 0, r.stderr);
    const stats = parseStatsJson(JSON.parse(readFileSync(json, "utf8")), "validate-1");
    assert.equal(stats.shells.length, 10);
    assert.equal(stats.overall?.nref, 3627);
    assert.equal(stats.overall?.ccHalf, 0.9981241);
    assert.equal(stats.overall?.rsplit, 2.61);
    assert.match(r.stdout, /overall/);
    // a file that is not a shell table: error names it
    const bad = serialed("crystfel", "stats", "--check", join(FIX, "lyso_ed.cell"), "--json", join(d, "x.json"));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /lyso_ed\.cell/);
    assert.equal(existsSync(join(d, "x.json")), false);
  });
});

/** The eight rotations of 422 (c unique) acting on a reciprocal basis, as indexamajig may re-express it (fixture README, item 5). */
type V = readonly number[];
const neg = (v: V): V => v.map((x) => -x);
const OPS: ((b: SolEntry["basis"]) => V[])[] = [];
for (const swap of [false, true]) for (const sa of [1, -1]) for (const sb of [1, -1]) {
  const proper = (swap ? -1 : 1) * sa * sb > 0;
  OPS.push((b) => { const a = swap ? b.bstar : b.astar, bb = swap ? b.astar : b.bstar; return [sa > 0 ? a : neg(a), sb > 0 ? bb : neg(bb), proper ? b.cstar : neg(b.cstar)]; });
}
const dist = (x: V[], e: SolEntry): number => { const r = [e.basis.astar, e.basis.bstar, e.basis.cstar]; return Math.max(...x.flatMap((v, j) => v.map((c, k) => Math.abs(c - r[j]![k]!)))); };

describe("CrystFEL stream → .sol", () => {
  it("serialed crystfel sol on lyso_ed.stream gives lyso_ed.sol's crystals (up to the 422 re-expression and prediction refinement)", () => {
    const d = mkdtempSync(join(tmpdir(), "cf-sol-"));
    const out = join(d, "run.sol");
    const r = serialed("crystfel", "sol", join(FIX, "lyso_ed.stream"), "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const mine = parseSol(readFileSync(out, "utf8"), out);
    const ref = parseSol(readFileSync(join(FIX, "lyso_ed.sol"), "utf8"));
    assert.equal(mine.length, ref.length); // 29: //7 twice, no line for //28 (unindexed) and //29 (blank)
    assert.deepEqual(mine.map((e) => e.event).sort(), ref.map((e) => e.event).sort());
    const opsSeen = new Set<number>();
    for (const e of mine) {
      assert.equal(e.filename, "sim_ed.h5");
      const cands = ref.filter((x) => x.event === e.event);
      assert.ok(cands.every((x) => x.lattice === e.lattice && x.centering === e.centering && x.uniqueAxis === e.uniqueAxis), e.event);
      assert.ok(cands.every((x) => x.detShiftMm[0] === e.detShiftMm[0] && x.detShiftMm[1] === e.detShiftMm[1]), e.event);
      const scored = cands.flatMap((x) => OPS.map((op, i) => ({ i, d: dist(op(e.basis), x) }))).sort((a, b) => a.d - b.d);
      // indexamajig refined the orientations (no --no-refine): up to 0.0014 nm⁻¹ (~1 % of |a*|) here, most below 5e-5
      assert.ok(scored[0]!.d < 0.0015, `${e.event}: closest 422 equivalent is ${scored[0]!.d} nm⁻¹ off`);
      // and no other operation (or the other crystal of //7) comes close: the match is the orientation, not a coincidence
      assert.ok(scored[1]!.d > 0.02, `${e.event}: second-best ${scored[1]!.d}`);
      opsSeen.add(scored[0]!.i);
    }
    assert.equal(opsSeen.size, 8, "all eight 422 operations occur (fixture README)");
    // printed like the fixture: %+.7f vectors
    assert.match(readFileSync(out, "utf8").split("\n")[0]!, /^sim_ed\.h5 \/\/0 (?:[+-]\d\.\d{7} ){9}0\.0000 0\.0000 tPc$/);
  });

  it("a truncated stream is refused naming the file and the broken chunk; no .sol written", () => {
    const d = mkdtempSync(join(tmpdir(), "cf-sol-"));
    const out = join(d, "run.sol");
    const r = serialed("crystfel", "sol", join(FIX, "lyso_ed_truncated.stream"), "--out", out);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /lyso_ed_truncated\.stream.*chunk 3.*\/\/2/);
    assert.equal(existsSync(out), false);
    // a stream without crystals
    const empty = join(d, "empty.stream");
    writeFileSync(empty, readFileSync(join(FIX, "lyso_ed.stream"), "utf8").split("----- Begin chunk -----")[0]!);
    const e = serialed("crystfel", "sol", empty, "--out", out);
    assert.notEqual(e.status, 0);
    assert.match(e.stderr, /empty\.stream: no indexed crystals/);
  });
});
