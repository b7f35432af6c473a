// `serialed simulate` end to end: files readable by h5py (every column and stack), counts as requested,
// frames equal to the simulator's, and truth files consistent with each other and with CrystFEL conventions.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import { parseHkl } from "../../src/core/formats/hkl-file.ts";
import { parseSol } from "../../src/core/formats/sol-file.ts";
import { parseGeom } from "../../src/core/formats/geom-file.ts";
import { parseCellFile } from "../../src/core/formats/cell-file.ts";
import type { DetectorPanel } from "../../src/core/geometry/detector.ts";
import { scatteringVectorToPanel } from "../../src/core/geometry/detector.ts";
import { scatteringVector } from "../../src/core/geometry/cell.ts";

const ROOT = join(import.meta.dirname, "../..");
const N_CRYSTALS = 150, N_FRAMES = 5;

interface PyFile {
  columns: Record<string, (number | string | null)[]>;
  features: Record<string, number>;
  stacks: Record<string, { shape: number[]; dtype: string; chunks: number[] | null; filters: string[]; sums?: number[]; hash?: Record<string, number> }>;
  map: { shape: number[]; dtype: string };
  sample: { name: string; region: number; run: number };
  signal: string;
  mask_good: number;
  mask_dead: number;
}

const csv = (text: string): Record<string, string>[] => {
  const [head, ...rows] = text.trim().split("\n");
  const keys = head!.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [keys[i]!, v])));
};

describe("serialed simulate --crystals 150 --frames 5", () => {
  let dir = "";
  let py: Record<string, PyFile> = {};
  let stdout = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const r = spawnSync(process.execPath, [join(ROOT, "bin/serialed.mjs"), "simulate", "--out", dir, "--crystals", String(N_CRYSTALS), "--frames", String(N_FRAMES), "--files", "2", "--seed", "11", "--workers", "2"], { encoding: "utf8", cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    stdout = r.stdout;
    const files = readFileSync(join(dir, "sim.lst"), "utf8").trim().split("\n").map((n) => join(dir, n));
    const p = spawnSync("/usr/bin/python3", [join(ROOT, "test/sim/read_sim_files.py"), ...files], { encoding: "utf8", maxBuffer: 1 << 28 });
    assert.equal(p.status, 0, p.stderr);
    py = JSON.parse(p.stdout) as Record<string, PyFile>;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the requested shots, crystals and frames (h5py reads every column and stack)", () => {
    const files = Object.values(py);
    assert.equal(files.length, 2);
    let nShots = 0, nAux = 0;
    const crystals = new Map<string, number[]>();
    for (const f of files) {
      const n = f.columns["Event"]!.length;
      for (const [name, col] of Object.entries(f.columns)) assert.equal(col.length, n, `column ${name}`);
      for (const key of ["file", "subset", "Event", "shot_in_subset", "sample", "region", "run", "crystal_id", "frame", "selected", "pos_x", "pos_y", "crystal_x", "crystal_y"]) assert.ok(key in f.columns, `column ${key}`);
      const raw = f.stacks["raw_counts"]!;
      assert.deepEqual(raw.shape, [n, 516, 1556]);
      assert.equal(raw.dtype, "uint16");
      assert.deepEqual(raw.chunks, [1, 516, 1556]);
      assert.deepEqual(raw.filters, ["32004"], "LZ4");
      assert.equal(raw.sums!.length, n);
      assert.ok(raw.sums!.every((v) => v > 0.5 * 516 * 1556), "every frame has counts");
      assert.equal(f.signal, "raw_counts");
      assert.deepEqual(f.map.shape, [1024, 1024]);
      for (let i = 0; i < n; i++) {
        const cid = f.columns["crystal_id"]![i] as number, fr = f.columns["frame"]![i] as number;
        if (fr === -1) { nAux++; assert.equal(cid, -1); continue; }
        const key = `${f.sample.region}/${cid}`;
        crystals.set(key, [...(crystals.get(key) ?? []), fr]);
      }
      assert.equal(f.features["crystal_id"], new Set(f.columns["crystal_id"]!.filter((c) => c !== -1)).size);
      nShots += n;
    }
    assert.equal(crystals.size, N_CRYSTALS);
    for (const frames of crystals.values()) assert.deepEqual(frames, [0, 1, 2, 3, 4]);
    assert.equal(nShots, N_CRYSTALS * N_FRAMES + nAux);
    assert.ok(nAux > 2, `${nAux} auxiliary shots`);
    assert.match(stdout, new RegExp(`${nShots} shots`));
  });

  it("is summarised with the expected counts by `serialed info` (the project's own reader)", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/serialed.mjs"), "info", join(dir, "sim.lst")], { encoding: "utf8", cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    const nShots = Object.values(py).reduce((a, f) => a + f.columns["Event"]!.length, 0);
    assert.match(r.stdout, new RegExp(`Shots: ${nShots}\\b`));
    assert.match(r.stdout, new RegExp(`Crystals: ${N_CRYSTALS}\\b`));
    assert.match(r.stdout, /raw_counts\s+\(\d+, 516, 1556\)\s+<u2\s+lz4/);
  });

  it("stores exactly the frames the simulator renders (checked on a sample of shots)", () => {
    const sim = createSimulation({ nCrystals: N_CRYSTALS, framesPerCrystal: N_FRAMES, nFiles: 2, seed: 11 });
    const w = Int32Array.from({ length: 516 * 1556 }, (_, i) => i % 9973);
    for (const f of sim.files) {
      const hashes = py[join(dir, f.name)]!.stacks["raw_counts"]!.hash!;
      for (const k of [0, 1, Math.floor(f.shotCount / 2), f.shotCount - 1]) {
        const frame = sim.renderShot(f.shotStart + k);
        let h = 0;
        for (let i = 0; i < frame.length; i++) h += frame[i]! * w[i]!;
        assert.equal(hashes[String(k)], h, `${f.name} shot ${k}`);
      }
    }
  });

  it("writes a dead-pixel mask and truth files that agree with each other", () => {
    const f = Object.values(py)[0]!;
    assert.equal(f.mask_good + f.mask_dead, 516 * 1556);
    assert.ok(f.mask_dead >= 516, "dead column + dead pixels");
    const t = join(dir, "truth");
    const hkl = parseHkl(readFileSync(join(t, "truth.hkl"), "utf8"), "truth.hkl");
    assert.equal(hkl.symmetry, "422");
    assert.ok(hkl.count > 10000);
    const cell = parseCellFile(readFileSync(join(t, "lyso.cell"), "utf8"));
    assert.equal(cell.aA, 79.1);
    const shots = csv(readFileSync(join(t, "shots.csv"), "utf8"));
    const sol = parseSol(readFileSync(join(t, "truth.sol"), "utf8"));
    assert.equal(sol.length, shots.filter((s) => s["hit"] === "1").length);
    const crystals = csv(readFileSync(join(t, "crystals.csv"), "utf8"));
    assert.equal(crystals.length, N_CRYSTALS);
    const ell = JSON.parse(readFileSync(join(t, "ellipticity.json"), "utf8")) as { ellipse_ratio: number; ellipse_angle: number };
    assert.ok(ell.ellipse_ratio > 1.01 && ell.ellipse_ratio < 1.02);
  });

  it("lets CrystFEL's geometry (.geom + detector shift) and the .sol reproduce the true spot positions", () => {
    const t = join(dir, "truth");
    const geom = parseGeom(readFileSync(join(t, "geometry.geom"), "utf8"), "geometry.geom");
    const p = geom.panels[0]!;
    const clen = geom.clen?.kind === "value" ? geom.clen.value : NaN;
    const panel: DetectorPanel = { nFs: p.maxFs - p.minFs + 1, nSs: p.maxSs - p.minSs + 1, cornerXPx: p.cornerXPx, cornerYPx: p.cornerYPx, fsVec: [p.fs.x, p.fs.y, p.fs.z], ssVec: [p.ss.x, p.ss.y, p.ss.z], resPxPerM: p.resPxPerM!, cameraLengthM: clen };
    const shots = new Map(csv(readFileSync(join(t, "shots.csv"), "utf8")).map((s) => [`${s["file"]} ${s["Event"]}`, s]));
    const sol = new Map(parseSol(readFileSync(join(t, "truth.sol"), "utf8")).map((e) => [`${e.filename} ${e.event}`, e]));
    // the first ~2 MB of spots.csv (complete lines only)
    const fd = openSync(join(t, "spots.csv"), "r");
    const buf = Buffer.alloc(2 << 20);
    const nRead = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const head = buf.subarray(0, nRead).toString("utf8");
    const spots = csv(head.slice(0, head.lastIndexOf("\n")));
    assert.ok(spots.length > 1000);
    let worst = 0;
    for (const s of spots) {
      const key = `${s["file"]} ${s["Event"]}`;
      const shot = shots.get(key)!, e = sol.get(key)!;
      const shift = { xM: Number(shot["det_shift_x_mm"]) / 1000, yM: Number(shot["det_shift_y_mm"]) / 1000 };
      const pos = scatteringVectorToPanel(panel, scatteringVector(e.basis, Number(s["h"]), Number(s["k"]), Number(s["l"])), geom.wavelengthAngstrom!, shift)!;
      // CrystFEL corner convention = CXI + 0.5
      worst = Math.max(worst, Math.abs(pos.fs - 0.5 - Number(s["fs"])), Math.abs(pos.ss - 0.5 - Number(s["ss"])));
    }
    assert.ok(worst < 0.01, `worst deviation ${worst} px`);
  });
});
