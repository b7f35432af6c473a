/** Export writers checked with Debian's gemmi (MTZ, mmCIF) and the SHELX fixed-column format. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCellFile } from "../../src/core/formats/cell-file.ts";
import { parseHkl } from "../../src/core/formats/hkl-file.ts";
import { prepareForSpaceGroup } from "../../src/core/export/prepare-export.ts";
import { writeMtz } from "../../src/core/export/mtz-writer.ts";
import { writeMmcifReflections } from "../../src/core/export/mmcif-refln.ts";
import { shelxInsHeader, shelxScale, writeShelxHkl } from "../../src/core/export/shelx-hkl.ts";
import { packHkl, type ReflectionList } from "../../src/core/merging/observations.ts";
import { spaceGroup } from "../../src/core/symmetry/space-groups.ts";

const FIX = "/work/shared/fixtures/crystfel/";
const cell = parseCellFile(readFileSync(FIX + "lyso_ed.cell", "utf8"));
const sg = spaceGroup("P43212");
const merged = parseHkl(readFileSync(FIX + "lyso_ed_unity.hkl", "utf8"));
const gemmi = (...args: string[]): string => execFileSync("gemmi", args, { encoding: "utf8" });

function tsvRows(text: string): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (const line of text.trim().split("\n").slice(1)) {
    const f = line.split("\t").map(Number);
    rows.set(packHkl(f[0]!, f[1]!, f[2]!), f.slice(3));
  }
  return rows;
}

function expectValues(list: ReflectionList, rows: Map<number, number[]>, cols: [number, number]): void {
  assert.equal(rows.size, list.count);
  for (let i = 0; i < list.count; i++) {
    const r = rows.get(packHkl(list.h[i]!, list.k[i]!, list.l[i]!));
    assert.ok(r !== undefined, `missing ${list.h[i]} ${list.k[i]} ${list.l[i]}`);
    assert.ok(Math.abs(r[cols[0]]! - list.intensity[i]!) <= 0.006 + 1e-6 * Math.abs(list.intensity[i]!), `I of ${list.h[i]} ${list.k[i]} ${list.l[i]}: ${r[cols[0]]} vs ${list.intensity[i]}`);
    assert.ok(Math.abs(r[cols[1]]! - list.sigma[i]!) <= 0.006 + 1e-6 * list.sigma[i]!, "sigma");
  }
}

describe("prepareForSpaceGroup", () => {
  it("drops the P4₃2₁2 absences and, for CCP4's ASU, averages Friedel mates", () => {
    const c = prepareForSpaceGroup(merged, sg, { asu: "crystfel" });
    assert.ok(c.droppedAbsent > 0);
    assert.equal(c.reflections.count + c.droppedAbsent, merged.count);
    for (let i = 0; i < c.reflections.count; i++) {
      const h = c.reflections.h[i]!, k = c.reflections.k[i]!, l = c.reflections.l[i]!;
      assert.ok(!(h === 0 && k === 0 && l % 4 !== 0) && !(k === 0 && l === 0 && h % 2 !== 0), `${h} ${k} ${l} is absent`);
    }
    const p = prepareForSpaceGroup(merged, sg, { asu: "ccp4" });
    assert.equal(p.reflections.count + p.mergedDuplicates + p.droppedAbsent, merged.count);
    for (let i = 0; i < p.reflections.count; i++) {
      const h = p.reflections.h[i]!, k = p.reflections.k[i]!, l = p.reflections.l[i]!;
      assert.ok(h >= k && k >= 0 && l >= 0, `${h} ${k} ${l} outside h>=k>=0, l>=0`);
    }
  });
});

describe("writeMtz", () => {
  it("writes an MTZ that gemmi reads with the right cell, space group, wavelength, columns and values", () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-mtz-"));
    const { reflections } = prepareForSpaceGroup(merged, sg, { asu: "ccp4" });
    const path = join(dir, "lyso.mtz");
    writeFileSync(path, writeMtz({ reflections, cell, spaceGroup: sg, wavelengthA: 0.0251, datasetName: "lyso" }));
    const info = gemmi("mtz", path);
    assert.match(info, /Space Group: P 43 21 2/);
    assert.match(info, /Space Group Number: 96/);
    assert.match(info, /cell\s+79\.1\s+79\.1\s+37\.9\s+90\s+90\s+90/);
    assert.match(info, /wavelength\s+0\.0251/);
    assert.match(info, new RegExp(`Number of Reflections = ${reflections.count}\\b`));
    assert.match(info, /IMEAN\s+J\s+1/);
    assert.match(info, /SIGIMEAN\s+Q\s+1/);
    assert.match(gemmi("mtz", "--check-asu=ccp4", path), /inside \/ outside of ASU: \d+ \/ 0/);
    expectValues(reflections, tsvRows(gemmi("mtz", "--tsv", path)), [0, 1]);
  });

  it("refuses empty lists and non-finite values with a clear error", () => {
    const empty = { count: 0, h: new Int32Array(0), k: new Int32Array(0), l: new Int32Array(0), intensity: new Float64Array(0), sigma: new Float64Array(0), nmeas: new Int32Array(0) };
    assert.throws(() => writeMtz({ reflections: empty, cell, spaceGroup: sg, wavelengthA: 0.0251 }), /MTZ export: no reflections/);
    const bad = { ...empty, count: 1, h: Int32Array.of(1), k: Int32Array.of(0), l: Int32Array.of(1), intensity: Float64Array.of(Number.NaN), sigma: Float64Array.of(1), nmeas: Int32Array.of(2) };
    assert.throws(() => writeMtz({ reflections: bad, cell, spaceGroup: sg, wavelengthA: 0.0251 }), /1 0 1 has a non-finite intensity/);
  });
});

describe("writeMmcifReflections", () => {
  it("writes an mmCIF that gemmi validates and converts to MTZ with the same values", () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-cif-"));
    const { reflections } = prepareForSpaceGroup(merged, sg, { asu: "ccp4" });
    const cif = join(dir, "lyso-sf.cif");
    writeFileSync(cif, writeMmcifReflections({ reflections, cell, spaceGroup: sg, wavelengthA: 0.0251, datasetName: "lyso" }));
    gemmi("validate", cif);
    assert.match(gemmi("grep", "_symmetry.space_group_name_H-M", cif), /P 43 21 2/);
    assert.match(gemmi("grep", "_cell.length_c", cif), /37\.900/);
    const mtz = join(dir, "from-cif.mtz");
    gemmi("cif2mtz", cif, mtz);
    const info = gemmi("mtz", mtz);
    assert.match(info, /Space Group: P 43 21 2/);
    const tsv = gemmi("mtz", "--tsv", mtz);
    const header = tsv.split("\n")[0]!.split("\t");
    const iCol = header.indexOf("IMEAN") - 3, sCol = header.indexOf("SIGIMEAN") - 3;
    assert.ok(iCol >= 0 && sCol >= 0, `columns ${header.join(",")}`);
    expectValues(reflections, tsvRows(tsv), [iCol, sCol]);
  });
});

describe("writeShelxHkl", () => {
  it("writes HKLF 4 fixed columns (3I4, 2F8.2) ending with a zero line", () => {
    const { reflections } = prepareForSpaceGroup(merged, sg, { asu: "crystfel" });
    const text = writeShelxHkl(reflections);
    const lines = text.split("\n");
    assert.equal(lines.at(-1), "");
    assert.equal(lines.at(-2), "   0   0   0    0.00    0.00");
    const body = lines.slice(0, -2);
    assert.equal(body.length, reflections.count);
    const s = shelxScale(reflections);
    body.forEach((line, i) => {
      assert.equal(line.length, 28, `line ${i} "${line}"`);
      assert.equal(Number(line.slice(0, 4)), reflections.h[i]);
      assert.equal(Number(line.slice(4, 8)), reflections.k[i]);
      assert.equal(Number(line.slice(8, 12)), reflections.l[i]);
      assert.ok(Math.abs(Number(line.slice(12, 20)) - reflections.intensity[i]! * s) <= 0.005 + 1e-9);
      assert.ok(Math.abs(Number(line.slice(20, 28)) - reflections.sigma[i]! * s) <= 0.005 + 1e-9);
    });
  });

  it("scales intensities down so the largest fits in F8.2", () => {
    const list = { count: 2, h: Int32Array.of(1, 2), k: Int32Array.of(0, 1), l: Int32Array.of(0, 3), intensity: Float64Array.of(2.5e6, -10), sigma: Float64Array.of(1000, 5), nmeas: Int32Array.of(3, 3) };
    const s = shelxScale(list);
    assert.ok(s < 1 && 2.5e6 * s <= 99999.99);
    const first = writeShelxHkl(list).split("\n")[0]!;
    assert.equal(first.length, 28);
    assert.ok(Math.abs(Number(first.slice(12, 20)) - 2.5e6 * s) < 0.01);
  });

  it("gives LATT −1 and the 7 non-identity SYMM cards for P4₃2₁2", () => {
    const ins = shelxInsHeader(cell, sg, 0.0251);
    assert.match(ins, /^CELL 0\.02510 79\.1000 79\.1000 37\.9000 90\.0000 90\.0000 90\.0000$/m);
    assert.match(ins, /^LATT -1$/m);
    assert.equal(ins.match(/^SYMM /gm)?.length, 7);
  });
});
