import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseHkl } from "../../src/core/formats/hkl-file.ts";
import { POINT_GROUP_NAMES, asymmetricIndex, equivalents, laueGroupOf, pointGroup } from "../../src/core/symmetry/point-groups.ts";
import { SOHNCKE_NUMBERS, isSystematicallyAbsent, primitiveOps, spaceGroup } from "../../src/core/symmetry/space-groups.ts";
import { formatSymOp, parseSymOp } from "../../src/core/symmetry/symop.ts";

const FIX = "/work/shared/fixtures/crystfel/";

describe("pointGroup", () => {
  it("knows all 32 crystallographic point groups with their orders (plus settings)", () => {
    const order: Record<string, number> = {
      "1": 1, "-1": 2, "2": 2, "m": 2, "2/m": 4, "222": 4, "mm2": 4, "mmm": 8, "4": 4, "-4": 4, "4/m": 8, "422": 8, "4mm": 8,
      "-42m": 8, "4/mmm": 16, "3": 3, "-3": 6, "32": 6, "3m": 6, "-3m": 12, "6": 6, "-6": 6, "6/m": 12, "622": 12,
      "6mm": 12, "-6m2": 12, "6/mmm": 24, "23": 12, "m-3": 24, "432": 24, "-43m": 24, "m-3m": 48,
    };
    assert.equal(Object.keys(order).length, 32);
    for (const [name, n] of Object.entries(order)) assert.equal(pointGroup(name).count, n, name);
    for (const name of POINT_GROUP_NAMES) assert.ok(pointGroup(name).count >= 1);
    for (const v of ["-4m2", "-62m", "321_H", "312_H", "3m1_H", "31m_H", "-3m1_H", "-31m_H", "3_R", "-3_R", "32_R", "3m_R", "-3m_R", "2_uaa", "2_uac", "4_uaa", "mm2_uab"]) assert.ok(pointGroup(v).count > 1, v);
  });

  it("rejects unknown symbols with a clear error", () => {
    assert.throws(() => pointGroup("5"), /unknown point group "5"/);
  });

  it("maps every reflection of CrystFEL's 422 lists to itself (same asymmetric unit)", () => {
    const pg = pointGroup("422");
    const t = new Int32Array(3);
    for (const f of ["lyso_ed_unity.hkl", "lyso_ed_xsphere.hkl", "lyso_ed_unity.hkl1", "lyso_ed_unity.hkl2"]) {
      const r = parseHkl(readFileSync(FIX + f, "utf8"), f);
      for (let i = 0; i < r.count; i++) {
        asymmetricIndex(pg, r.h[i]!, r.k[i]!, r.l[i]!, t);
        assert.deepEqual([t[0], t[1], t[2]], [r.h[i], r.k[i], r.l[i]], `${f} row ${i}`);
      }
    }
  });

  it("gives one representative per orbit: all equivalents map to the same index", () => {
    const t = new Int32Array(3);
    for (const name of ["422", "4/mmm", "321_H", "-3m_R", "m-3m", "2_uab", "6/m"]) {
      const pg = pointGroup(name);
      for (const [h, k, l] of [[3, 1, 2], [-4, 2, 7], [1, 0, 0], [2, -5, -3]] as const) {
        asymmetricIndex(pg, h, k, l, t);
        const rep = [t[0], t[1], t[2]].join();
        const eq = equivalents(pg, h, k, l);
        for (let e = 0; e < eq.length; e += 3) {
          asymmetricIndex(pg, eq[e]!, eq[e + 1]!, eq[e + 2]!, t);
          assert.equal([t[0], t[1], t[2]].join(), rep, `${name} ${h} ${k} ${l}`);
        }
      }
    }
  });

  it("keeps Friedel mates apart in 422 and merges them in 4/mmm", () => {
    const a = new Int32Array(3), b = new Int32Array(3);
    asymmetricIndex(pointGroup("422"), 3, 1, 2, a);
    asymmetricIndex(pointGroup("422"), -3, -1, -2, b);
    assert.notDeepEqual(Array.from(a), Array.from(b));
    asymmetricIndex(pointGroup("4/mmm"), 3, 1, 2, a);
    asymmetricIndex(pointGroup("4/mmm"), -3, -1, -2, b);
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.equal(laueGroupOf(pointGroup("422")).count, 16);
  });

  it("puts the unique axis where the _ua suffix says", () => {
    // a 4-fold along a leaves h unchanged
    const eq = equivalents(pointGroup("4_uaa"), 1, 2, 3);
    for (let e = 0; e < eq.length; e += 3) assert.equal(eq[e], 1);
  });
});

describe("spaceGroup", () => {
  it("finds P4₃2₁2 by symbol and number, with point group 422", () => {
    const sg = spaceGroup("P43212");
    assert.equal(sg.entry.number, 96);
    assert.equal(spaceGroup(96).entry.hm, "P 43 21 2");
    assert.equal(spaceGroup("P 43 21 2").pointGroupName, "422");
    assert.equal(sg.ops.length, 8);
  });

  it("lists the P4₃2₁2 absences: 00l with l≠4n and h00 with h odd", () => {
    const sg = spaceGroup(96);
    for (let l = 1; l <= 12; l++) assert.equal(isSystematicallyAbsent(sg, 0, 0, l), l % 4 !== 0, `00${l}`);
    for (let h = 1; h <= 9; h++) {
      assert.equal(isSystematicallyAbsent(sg, h, 0, 0), h % 2 === 1, `${h}00`);
      assert.equal(isSystematicallyAbsent(sg, 0, h, 0), h % 2 === 1, `0${h}0`);
    }
    assert.equal(isSystematicallyAbsent(sg, 1, 1, 0), false);
    assert.equal(isSystematicallyAbsent(sg, 3, 2, 1), false);
  });

  it("covers the 65 Sohncke groups, with centring absences (C2, I222, F432) and screw absences (P2₁, P6₁)", () => {
    assert.equal(SOHNCKE_NUMBERS.length, 65);
    for (const n of SOHNCKE_NUMBERS) assert.ok(spaceGroup(n).pointGroupName.length > 0);
    assert.equal(isSystematicallyAbsent(spaceGroup("C2"), 1, 0, 0), true);
    assert.equal(isSystematicallyAbsent(spaceGroup("C2"), 1, 1, 0), false);
    assert.equal(isSystematicallyAbsent(spaceGroup("I222"), 1, 1, 1), true);
    assert.equal(isSystematicallyAbsent(spaceGroup("F432"), 1, 1, 0), true);
    assert.equal(isSystematicallyAbsent(spaceGroup("P21"), 0, 1, 0), true);
    assert.equal(isSystematicallyAbsent(spaceGroup("P21"), 0, 2, 0), false);
    const p61 = spaceGroup("P61");
    for (let l = 1; l <= 12; l++) assert.equal(isSystematicallyAbsent(p61, 0, 0, l), l % 6 !== 0);
    assert.equal(spaceGroup("P3121").pointGroupName, "321_H");
    assert.equal(spaceGroup("P3112").pointGroupName, "312_H");
    assert.equal(spaceGroup("R 3 2:R").pointGroupName, "32_R");
    assert.equal(primitiveOps(spaceGroup("F432")).length, 24);
  });

  it("rejects unknown symbols", () => {
    assert.throws(() => spaceGroup("P45"), /unknown space group "P45"/);
  });
});

describe("symop", () => {
  it("round-trips operator triplets", () => {
    for (const s of ["X,Y,Z", "-Y+1/2,X+1/2,Z+3/4", "X-Y,-Y,-Z+1/3", "-X,-X+Y,-Z+2/3"]) assert.equal(formatSymOp(parseSymOp(s)), s);
    assert.throws(() => parseSymOp("x,y"), /three comma-separated parts/);
  });
});
