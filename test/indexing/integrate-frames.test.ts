/**
 * Dose fractions end to end (issue #6), through the CLI: simulate 6 crystals × 4 frames, pre-process
 * once aggregating frames 1–3 and once keeping frames 0–1 separately, index the aggregated set (.sol), then
 * `serialed integrate --frames 0-1` on the per-frame files: each crystal's solution is broadcast by
 * region/run/crystal_id, frames 0–1 are summed, and the integrated crystals keep the orientations
 * and give intensities that correlate with those of frames 1–3.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { parseStream } from "../../src/core/formats/stream-reader.ts";
import { parseSol } from "../../src/core/formats/sol-file.ts";
import { lysozymeYaml } from "../preproc/lysozyme-yaml.ts";

const BIN = join(import.meta.dirname, "../../bin/serialed.mjs");
function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, `serialed ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length, ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i]! - ma) * (b[i]! - mb); saa += (a[i]! - ma) ** 2; sbb += (b[i]! - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

describe("serialed integrate --frames", () => {
  it("re-integrates a different dose fraction of indexed crystals", () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-frames-"));
    cli(["simulate", "--out", join(dir, "sim"), "--crystals", "6", "--frames", "4", "--files", "1", "--seed", "21", "--hit-fraction", "1", "--workers", "2"]);
    const base = lysozymeYaml.replace(/pxmask: .*/, "pxmask: null").replace(/reference: .*/, "reference: null").replace(/min_peaks: .*/, "min_peaks: 5");
    writeFileSync(join(dir, "agg.yaml"), base.replace(/agg_query: .*/, "agg_query: 'frame >= 1 and frame <= 3'"));
    writeFileSync(join(dir, "all.yaml"), base.replace(/aggregate: .*/, "aggregate: false").replace(/select_query: .*/, "select_query: 'frame >= 0 and frame <= 1'"));
    const lst = join(dir, "sim", "sim.lst");
    cli(["preprocess", "--opts", join(dir, "agg.yaml"), "--out", join(dir, "agg"), "--workers", "2", lst]);
    cli(["preprocess", "--opts", join(dir, "all.yaml"), "--out", join(dir, "all"), "--workers", "2", lst]);
    const geom = join(dir, "g.geom");
    writeFileSync(geom, readFileSync(join(dir, "sim", "truth", "geometry.geom"), "utf8").replace("/%/data/raw_counts", "/%/data/corrected"));
    const cell = join(dir, "sim", "truth", "lyso.cell");
    cli(["index", "--geom", geom, "--cell", cell, "--min-peaks", "10", "-j", "2", "--out", join(dir, "agg.stream"), "--sol", join(dir, "agg.sol"), join(dir, "agg", "processed.lst")]);
    const sol = parseSol(readFileSync(join(dir, "agg.sol"), "utf8"));
    assert.ok(sol.length >= 5, `${sol.length} of 6 aggregated patterns indexed`);
    cli(["integrate", "--geom", geom, "--cell", cell, "--sol", join(dir, "agg.sol"), "--frames", "0-1", "-j", "2", "--out", join(dir, "f01.stream"), join(dir, "all", "processed.lst")]);
    const agg = parseStream(readFileSync(join(dir, "agg.stream"), "utf8"));
    const f01 = parseStream(readFileSync(join(dir, "f01.stream"), "utf8"));
    const withCrystals = f01.chunks.filter((c) => c.crystals.length > 0);
    const solEvents = new Set(sol.map((e) => `${e.filename} ${e.event}`));
    assert.equal(withCrystals.length, solEvents.size, "every indexed pattern is re-integrated once");
    const crystals = withCrystals.flatMap((c) => c.crystals.map((cr) => ({ c, cr })));
    assert.equal(crystals.length, sol.length, "with all its lattices");
    // same orientations: every re-integrated crystal carries a basis (nm⁻¹) of the .sol, each .sol crystal once
    const vec = (b: { astar: readonly number[]; bstar: readonly number[]; cstar: readonly number[] }): number[] => [...b.astar, ...b.bstar, ...b.cstar];
    const near = (a: number[], b: number[]): boolean => a.every((v, i) => Math.abs(v - b[i]!) < 2e-4);
    const used = new Set<number>();
    for (const { c, cr } of crystals) {
      const v = vec(cr.basis);
      const j = sol.findIndex((e) => near(vec(e.basis), v));
      assert.ok(j >= 0, `${c.filename} ${c.event}: basis not from the .sol`);
      assert.ok(!used.has(j), "each .sol crystal once"); used.add(j);
    }
    // intensities of frames 0-1 vs frames 1-3 on common reflections of the same crystal (matched by basis)
    const aggCrystals = agg.chunks.flatMap((c) => c.crystals);
    const ia: number[] = [], ib: number[] = [];
    for (const { cr } of crystals) {
      const other = aggCrystals.find((o) => near(vec(o.basis), vec(cr.basis)));
      assert.ok(other, "crystal found in the aggregated stream");
      const R = other.reflections, ref = new Map<string, number>();
      for (let i = 0; i < R.count; i++) ref.set(`${R.h[i]},${R.k[i]},${R.l[i]}`, R.intensity[i]!);
      const Q = cr.reflections;
      for (let i = 0; i < Q.count; i++) {
        const v = ref.get(`${Q.h[i]},${Q.k[i]},${Q.l[i]}`);
        if (v !== undefined && Q.intensity[i]! > 3 * Q.sigma[i]!) { ia.push(Q.intensity[i]!); ib.push(v); }
      }
    }
    const cc = pearson(ia, ib);
    const ratio = ib.reduce((s, v) => s + v, 0) / ia.reduce((s, v) => s + v, 0);
    console.log(`# ${crystals.length} crystals, ${ia.length} common strong reflections, CC(I 0-1, I 1-3) = ${cc.toFixed(3)}, ΣI(1-3)/ΣI(0-1) = ${ratio.toFixed(2)}`);
    assert.ok(ia.length > 200, `${ia.length} common reflections`);
    // single crystals, counting noise: 0.66 measured; a wrong detector shift gave −0.6
    assert.ok(cc > 0.5, `CC ${cc}`);
    // same crystals, similar exposure (3 vs 2 frames, the later ones damaged): same order of magnitude
    assert.ok(ratio > 0.3 && ratio < 3, `intensity ratio ${ratio}`);
  });
});
