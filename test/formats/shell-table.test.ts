import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCheckHklOverall, parseCheckHklShells, parseCompareHklOverall, parseCompareHklShells } from "../../src/core/formats/shell-table.ts";

const FIX = "/work/shared/fixtures/crystfel";
const read = (n: string): string => readFileSync(join(FIX, n), "utf8");

describe("check_hkl shell tables", () => {
  it("reads the unity table; its totals agree with the overall lines", () => {
    const s = parseCheckHklShells(read("check_hkl_unity_shells.dat"), "check_hkl_unity_shells.dat");
    const o = parseCheckHklOverall(read("check_hkl_unity.txt"));
    assert.equal(s.length, 10);
    assert.deepEqual(s[0], { centerInvNm: 2.647, nref: 6407, possible: 17184, completenessPct: 37.28, measurements: 20029, redundancy: 3.1, snr: 11.62, stdDev: null, meanI: 722.7, dAngstrom: 3.78, minInvNm: 0.126, maxInvNm: 5.167 });
    assert.equal(s[8]!.snr, -0.08);
    assert.equal(s.reduce((a, r) => a + r.nref, 0), o.reflections);
    assert.equal(s.reduce((a, r) => a + r.measurements, 0), o.measurements);
    assert.equal(s.reduce((a, r) => a + r.possible, 0), o.possible);
    for (let i = 1; i < s.length; i++) assert.equal(s[i]!.minInvNm, s[i - 1]!.maxInvNm);
    assert.deepEqual(o, { measurements: 26958, reflections: 9703, possible: 171341, snr: 9.798201, redundancy: 2.778316, completenessPct: 5.662976, invalidSnrCount: 1, invNmRange: [0.126422, 11.131119] });
  });
  it("reads the xsphere overall with 4 invalid I/sigma values", () => {
    const o = parseCheckHklOverall(read("check_hkl_xsphere.txt"));
    assert.equal(o.reflections, 3627);
    assert.equal(o.invalidSnrCount, 4);
    assert.equal(o.snr, 168.029174);
    assert.equal(parseCheckHklShells(read("check_hkl_xsphere_shells.dat")).length, 10);
  });
  it("reads the older 12-column form and rejects bad rows", () => {
    const old = "Center 1/nm  # refs Possible  Compl       Meas   Red   SNR    Std dev       Mean     d(A)    Min 1/nm   Max 1/nm\n     2.647     6407    17184  37.28      20029   3.1 11.62     100.00     722.70     3.78       0.126      5.167\n";
    const s = parseCheckHklShells(old);
    assert.equal(s[0]!.stdDev, 100);
    assert.equal(s[0]!.meanI, 722.7);
    assert.throws(() => parseCheckHklShells("Center 1/nm x\n 1 2 3\n", "s.dat"), /s\.dat:2: shell row has 3 columns/);
    assert.throws(() => parseCheckHklShells("Center 1/nm\n 1 2 3 4 5 6 7 8 9 10 zz\n", "s.dat"), /s\.dat:2: column 11: expected a number, got 'zz'/);
    assert.throws(() => parseCheckHklOverall("nothing here", "o.txt"), /o\.txt: no 'measurements in total' line/);
  });
});

describe("compare_hkl shell tables", () => {
  it("reads CC, CC* and Rsplit tables with -nan and negative values", () => {
    const cc = parseCompareHklShells(read("compare_hkl_unity_CC.dat"));
    assert.equal(cc.fom, "CC");
    assert.equal(cc.shells.length, 10);
    const rs = parseCompareHklShells(read("compare_hkl_unity_Rsplit.dat"), "compare_hkl_unity_Rsplit.dat");
    assert.equal(rs.fom, "Rsplit/%");
    assert.equal(rs.shells[3]!.value, -83.89);
    assert.ok(Number.isNaN(rs.shells[4]!.value));
    assert.equal(rs.shells[4]!.nref, 0);
    assert.equal(rs.shells.reduce((a, s) => a + s.nref, 0), 968);
    assert.equal(parseCompareHklShells(read("compare_hkl_xsphere_CCstar.dat")).fom, "CC*");
  });
  it("reads the overall lines", () => {
    assert.deepEqual(parseCompareHklOverall(read("compare_hkl_unity_CC.txt")), { fom: "CC", value: 0.553404, pairsAccepted: 968, relativeScale: 0.821597, relativeBAngstrom2: 4.160436 });
    assert.equal(parseCompareHklOverall(read("compare_hkl_unity_CCstar.txt")).value, 0.8441001);
    const r = parseCompareHklOverall(read("compare_hkl_xsphere_Rsplit.txt"));
    assert.deepEqual([r.fom, r.value, r.pairsAccepted], ["Rsplit", 2.61, 173]);
    assert.equal(parseCompareHklOverall(read("compare_hkl_xsphere_CC.txt")).value, 0.9981241);
    assert.throws(() => parseCompareHklOverall("x", "c.txt"), /c\.txt: no 'Overall/);
  });
});
