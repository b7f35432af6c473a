/** The merge/stats/export/compare subcommands end to end on the CrystFEL fixtures. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHkl } from "../../src/core/formats/hkl-file.ts";

const FIX = "/work/shared/fixtures/crystfel/";
const CLI = join(import.meta.dirname, "../../bin/serialed.mjs");
const run = (...args: string[]): { code: number; out: string; err: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};

describe("serialed merge / stats / export / compare", () => {
  const dir = mkdtempSync(join(tmpdir(), "serialed-merge-cli-"));
  const out = join(dir, "lyso.hkl");

  it("merges the fixture stream into .hkl, .hkl1, .hkl2 and a per-crystal CSV", () => {
    const r = run("merge", FIX + "lyso_ed.stream", "--symmetry", "422", "--model", "unity", "--iterations", "1", "--out", out);
    assert.equal(r.code, 0, r.err);
    const merged = parseHkl(readFileSync(out, "utf8"));
    assert.equal(merged.symmetry, "422");
    assert.ok(merged.count >= 9703, `${merged.count}`);
    assert.ok(parseHkl(readFileSync(`${out}1`, "utf8")).count > 3000);
    assert.ok(parseHkl(readFileSync(`${out}2`, "utf8")).count > 3000);
    const csv = readFileSync(`${out}.crystals.csv`, "utf8").trim().split("\n");
    assert.equal(csv.length, 30);
    assert.match(csv[0]!, /^crystal,label,scale,bFactorA2,included,deltaCcHalf/);
    assert.ok(!readdirSync(dir).some((f) => f.endsWith(".tmp")), "no temporary files left");
  });

  it("prints the shell table with CC½ from the half-sets and writes JSON/CSV", () => {
    const r = run("stats", out, "--cell", FIX + "lyso_ed.cell", "--shells", "10", "--json", join(dir, "s.json"), "--csv", join(dir, "s.csv"));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /overall/);
    const json = JSON.parse(readFileSync(join(dir, "s.json"), "utf8")) as { shells: { nref: number; ccHalf: number | null }[] };
    assert.equal(json.shells.length, 11);
    assert.ok((json.shells[10]!.ccHalf ?? 0) > 0.4);
    assert.equal(readFileSync(join(dir, "s.csv"), "utf8").trim().split("\n").length, 12);
  });

  it("reproduces compare_hkl's overall Rsplit on the fixture half-sets", () => {
    const r = run("compare", FIX + "lyso_ed_unity.hkl1", FIX + "lyso_ed_unity.hkl2", "--cell", FIX + "lyso_ed.cell", "--fom", "Rsplit");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Overall Rsplit = 50\.18 %/);
    assert.match(r.err, /968 reflection pairs accepted/);
  });

  it("exports MTZ, SHELX, mmCIF and hkl", () => {
    for (const fmt of ["mtz", "shelx", "mmcif", "hkl"]) {
      const f = join(dir, `x.${fmt}`);
      const r = run("export", out, "--format", fmt, "--cell", FIX + "lyso_ed.cell", "--spacegroup", "P43212", "--out", f);
      assert.equal(r.code, 0, r.err);
      assert.ok(existsSync(f));
    }
    assert.equal(readFileSync(join(dir, "x.mtz")).subarray(0, 4).toString("latin1"), "MTZ ");
  });

  it("fails with a clear message on bad input", () => {
    let r = run("merge", join(dir, "missing.stream"), "--symmetry", "422", "--out", join(dir, "m.hkl"));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /missing\.stream/);
    r = run("merge", FIX + "lyso_ed.stream", "--symmetry", "42", "--out", join(dir, "m.hkl"));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /unknown point group "42"/);
    r = run("export", out, "--format", "mtz", "--cell", FIX + "lyso_ed.cell", "--spacegroup", "P99", "--out", join(dir, "y.mtz"));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /unknown space group "P99"/);
    r = run("stats", FIX + "lyso_ed.geom", "--cell", FIX + "lyso_ed.cell");
    assert.notEqual(r.code, 0);
    assert.match(r.err, /lyso_ed\.geom/);
  });

  it("merges the truncated stream, warning about the cut chunk", () => {
    const r = run("merge", FIX + "lyso_ed_truncated.stream", "--symmetry", "422", "--out", join(dir, "t.hkl"));
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: .*lyso_ed_truncated\.stream.*\/\/2/);
    assert.match(r.err, /2 crystals/);
  });
});
