/**
 * `serialed geometry` end to end: a pre-processed-like HDF5 file (CXI peaks + shot-table centres)
 * made from the simulator's spots with a known distortion (ρ = 1.018, φ = 62°) → the command
 * recovers the ellipticity and the cell, and writes a .geom that the project's reader parses with
 * the fixture geometry's conventions.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import { getH5 } from "../../src/main/h5/h5wasm-init.ts";
import { parseGeom } from "../../src/core/formats/geom-file.ts";
import { parseCellFile } from "../../src/core/formats/cell-file.ts";
import { parsePreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { run } from "../../src/main/cli/commands/geometry.ts";

describe("serialed geometry", () => {
  it("recovers the ellipticity and the cell and writes .geom/.cell/YAML", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-geometry-"));
    const sim = createSimulation({ seed: 31, nCrystals: 150, framesPerCrystal: 1 });
    const W = 600;
    const shots: number[] = [];
    for (let s = 0; s < sim.nShots; s++) if (sim.truth.crystalIndex[s]! >= 0 && sim.truth.hit[s]) shots.push(s);
    const nP = new Int32Array(shots.length), X = new Float32Array(shots.length * W), Y = new Float32Array(shots.length * W), I = new Float32Array(shots.length * W);
    const cx = new Float64Array(shots.length), cy = new Float64Array(shots.length);
    shots.forEach((s, k) => {
      const sp = sim.trueSpots(s);
      let n = 0;
      for (let i = 0; i < sp.count && n < W; i++) if (sp.counts[i]! > 30) { X[k * W + n] = sp.fs[i]!; Y[k * W + n] = sp.ss[i]!; I[k * W + n] = sp.counts[i]!; n++; }
      nP[k] = n; cx[k] = sim.truth.centerFs[s]!; cy[k] = sim.truth.centerSs[s]!;
    });
    const h5 = await getH5();
    const f = new h5.File(join(dir, "proc.h5"), "w");
    const d = f.create_group("entry").create_group("data");
    d.create_dataset({ name: "nPeaks", data: nP });
    d.create_dataset({ name: "peakXPosRaw", data: X, shape: [shots.length, W] });
    d.create_dataset({ name: "peakYPosRaw", data: Y, shape: [shots.length, W] });
    d.create_dataset({ name: "peakTotalIntensity", data: I, shape: [shots.length, W] });
    const t = f.get("entry") as unknown as { create_group(n: string): { create_dataset(o: { name: string; data: Float64Array }): unknown } };
    const sh = t.create_group("shots");
    sh.create_dataset({ name: "center_x", data: cx });
    sh.create_dataset({ name: "center_y", data: cy });
    f.close();
    writeFileSync(join(dir, "opts.yaml"), "cam_length: 1.58\nwavelength: 0.0251\npixel_size: 5.5e-5\n");
    writeFileSync(join(dir, "start.cell"), "CrystFEL unit cell file version 1.0\nlattice_type = tetragonal\ncentering = P\nunique_axis = c\na = 78.2 A\nb = 78.2 A\nc = 38.5 A\nal = 90 deg\nbe = 90 deg\nga = 90 deg\n");
    const rc = await run(["--opts", join(dir, "opts.yaml"), "--cell", join(dir, "start.cell"), "--prefix", join(dir, "g"), "--r-min", "8", "--r-max", "90", join(dir, "proc.h5")]);
    assert.equal(rc, 0);
    const opts = parsePreProcOpts(readFileSync(join(dir, "opts.yaml"), "utf8")).opts;
    // simulator spots are not on sharp powder rings: here the recovery is ~0.0012 / ~2° (the 0.001 / 2°
    // target is met on ring data, test/geometry/ellipticity.test.ts)
    assert.ok(Math.abs(opts.ellipse_ratio - 1.018) < 0.002, `ratio ${opts.ellipse_ratio}`);
    assert.ok(Math.abs(((opts.ellipse_angle - 62 + 90) % 180 + 180) % 180 - 90) < 3.5, `angle ${opts.ellipse_angle}`);
    const cell = parseCellFile(readFileSync(join(dir, "g.cell"), "utf8"));
    const meanA = sim.crystals.reduce((s, c) => s + c.cell.aA, 0) / sim.crystals.length;
    const meanC = sim.crystals.reduce((s, c) => s + c.cell.cA, 0) / sim.crystals.length;
    assert.ok(Math.abs(cell.aA / meanA - 1) < 0.002 && Math.abs(cell.cA / meanC - 1) < 0.002, `cell ${cell.aA} ${cell.cA} vs ${meanA} ${meanC}`);
    const g = parseGeom(readFileSync(join(dir, "g.geom"), "utf8"), "g.geom");
    assert.ok(Math.abs(g.wavelengthAngstrom! - 0.0251) < 1e-4);
    assert.equal(g.panels.length, 1);
    const p = g.panels[0]!;
    // fs/ss carry the ellipticity: the same matrix the simulator used (4 decimals in the file)
    assert.ok(Math.abs(p.fs.x - sim.panel.fsVec[0]) < 2e-3 && Math.abs(p.ss.y - sim.panel.ssVec[1]) < 2e-3, `fs ${JSON.stringify(p.fs)} ss ${JSON.stringify(p.ss)}`);
    assert.equal(g.detectorShiftX?.kind, "path");
    const csv = readFileSync(join(dir, "g_shifts.csv"), "utf8").trim().split("\n");
    assert.equal(csv.length, shots.length + 1);
  });
});
