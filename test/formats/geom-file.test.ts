import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beamPositionPx, electronWavelengthAngstrom, formatGeom, formatGeomVector, panelMasks, parseGeom, parseGeomVector } from "../../src/core/formats/geom-file.ts";
import { ellipticityMatrix, formatDiffractemGeometry } from "../../src/core/formats/geom-diffractem.ts";

const FIX = "/work/shared/fixtures/crystfel";
const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe("parseGeom", () => {
  it("reads the fixture geometry", () => {
    const g = parseGeom(readFileSync(join(FIX, "lyso_ed.geom"), "utf8"), "lyso_ed.geom");
    assert.equal(g.wavelengthKey, "wavelength");
    close(g.wavelengthAngstrom!, 0.0251, 1e-12, "λ");
    assert.deepEqual(g.clen, { kind: "value", value: 1.58 });
    assert.equal(g.resPxPerM, 18181.818182);
    assert.equal(g.aduPerPhoton, 1);
    assert.equal(g.data, "/entry/data/data");
    assert.deepEqual(g.dims, ["%", "ss", "fs"]);
    assert.equal(g.peakList, "/entry/data");
    assert.equal(g.peakListType, "cxi");
    assert.equal(g.panels.length, 1);
    const p = g.panels[0]!;
    assert.deepEqual([p.name, p.minFs, p.maxFs, p.minSs, p.maxSs], ["p0", 0, 1555, 0, 515]);
    assert.deepEqual([p.cornerXPx, p.cornerYPx], [-770.3, -250.7]);
    assert.deepEqual(p.fs, { x: 1, y: 0, z: 0 });
    assert.deepEqual(p.ss, { x: 0, y: 1, z: 0 });
    assert.equal(p.resPxPerM, 18181.818182);
    assert.deepEqual(p.clen, { kind: "value", value: 1.58 });
    const b = beamPositionPx(p);
    close(b.fs, 770.3, 1e-9, "beam fs");
    close(b.ss, 250.7, 1e-9, "beam ss");
  });
  it("converts photon_energy, electron_voltage and wavelength in m", () => {
    const base = "p0/min_fs = 0\np0/max_fs = 9\np0/min_ss = 0\np0/max_ss = 9\np0/corner_x = -5\np0/corner_y = -5\np0/fs = x\np0/ss = y\n";
    // CrystFEL 0.12 wrote 493960.655889 eV for 0.0251 Å (its hc differs from CODATA 2018 by 1e-6).
    close(parseGeom(`photon_energy = 493960.655889\n${base}`).wavelengthAngstrom!, 0.0251, 5e-8, "photon_energy");
    close(parseGeom(`photon_energy = 12.3984198 keV\n${base}`).wavelengthAngstrom!, 1.0, 1e-6, "keV");
    close(parseGeom(`wavelength = 2.51e-12 m\n${base}`).wavelengthAngstrom!, 0.0251, 1e-12, "m");
    // 200 kV electrons: 0.025079 Å; 300 kV: 0.019687 Å (standard tables).
    close(parseGeom(`electron_voltage = 200 kV\n${base}`).wavelengthAngstrom!, 0.025079, 2e-6, "200 kV");
    close(electronWavelengthAngstrom(300e3), 0.019687, 2e-6, "300 kV");
    close(electronWavelengthAngstrom(100e3), 0.037014, 2e-6, "100 kV");
    const pth = parseGeom(`photon_energy = /entry/beam/energy eV\nclen = /%/shots/clen\ndetector_shift_x = /%/shots/det_shift_x_mm mm\n${base}`);
    assert.equal(pth.wavelengthAngstrom, null);
    assert.deepEqual(pth.wavelengthValue, { kind: "path", path: "/entry/beam/energy", unit: "eV" });
    assert.deepEqual(pth.clen, { kind: "path", path: "/%/shots/clen", unit: null });
    assert.deepEqual(pth.detectorShiftX, { kind: "path", path: "/%/shots/det_shift_x_mm", unit: "mm" });
  });
  it("parses direction vectors with x, y, z terms", () => {
    assert.deepEqual(parseGeomVector("+0.9888x -0.0028y"), { x: 0.9888, y: -0.0028, z: 0 });
    assert.deepEqual(parseGeomVector("-y"), { x: 0, y: -1, z: 0 });
    assert.deepEqual(parseGeomVector("0.5x+0.5y-0.1z"), { x: 0.5, y: 0.5, z: -0.1 });
    assert.equal(parseGeomVector("1.0q"), null);
    assert.equal(parseGeomVector("x y banana"), null);
  });
  it("reports malformed lines with their line number", () => {
    assert.throws(() => parseGeom("clen = 1\nthis is wrong\n", "g.geom"), /g\.geom:2: expected 'key = value'/);
    assert.throws(() => parseGeom("clen = 1\np0/fs = 1.0q\np0/ss = y\np0/min_fs = 0\np0/max_fs = 1\np0/min_ss = 0\np0/max_ss = 1\np0/corner_x = 0\np0/corner_y = 0\n", "g.geom"), /g\.geom:2: p0\/fs: malformed direction/);
    assert.throws(() => parseGeom("wavelength = 0.0251 furlong\np0/fs = x\n", "g.geom"), /g\.geom:1: wavelength: unknown unit 'furlong'/);
    assert.throws(() => parseGeom("res = abc\np0/fs = x\np0/ss = y\np0/min_fs = 0\np0/max_fs = 1\np0/min_ss = 0\np0/max_ss = 1\np0/corner_x = 0\np0/corner_y = 0\n", "g.geom"), /g\.geom:1: (p0\/)?res: expected a number/);
    assert.throws(() => parseGeom("p0/fs = x\n", "g.geom"), /g\.geom: panel 'p0' has no 'min_fs'/);
    assert.throws(() => parseGeom("clen = 1\n", "g.geom"), /no panels defined/);
  });
});

describe("formatDiffractemGeometry", () => {
  it("writes a file our parser reads back, with the ellipticity in fs/ss and corner = RR·(−x/2, −y/2)", () => {
    const text = formatDiffractemGeometry({ wavelengthAngstrom: 0.0251, cameraLength: 1.58, pixelSizeM: 55e-6, xsize: 1556, ysize: 516, ellipticityRatio: 1.023, ellipticityAngleDeg: 83 });
    const g = parseGeom(text, "written.geom");
    close(g.wavelengthAngstrom!, 0.0251, 1e-8, "λ");
    assert.deepEqual(g.clen, { kind: "value", value: 1.58 });
    close(g.resPxPerM!, 18181.818181818184, 1e-6, "res");
    assert.deepEqual(g.detectorShiftX, { kind: "path", path: "/%/shots/det_shift_x_mm", unit: "mm" });
    const p = g.panels[0]!;
    const rr = ellipticityMatrix(1.023, 83);
    close(p.fs.x, rr[0][0], 6e-5, "fs.x"); close(p.fs.y, rr[1][0], 6e-5, "fs.y");
    close(p.ss.x, rr[0][1], 6e-5, "ss.x"); close(p.ss.y, rr[1][1], 6e-5, "ss.y");
    close(p.cornerXPx, rr[0][0] * -778 + rr[0][1] * -258, 0.006, "corner_x");
    close(p.cornerYPx, rr[1][0] * -778 + rr[1][1] * -258, 0.006, "corner_y");
    // RR is symmetric with determinant 1 and eigenvalues ρ^∓½.
    close(rr[0][1], rr[1][0], 1e-12, "symmetric");
    close(rr[0][0] * rr[1][1] - rr[0][1] * rr[1][0], 1, 1e-12, "det");
    // The beam (lab origin) maps back to the detector centre (xsize//2, ysize//2).
    const b = beamPositionPx(p);
    // %+.4f vectors and %.2f corners limit this to ~0.05 px.
    close(b.fs, 778, 0.05, "beam fs");
    close(b.ss, 258, 0.05, "beam ss");
    assert.match(text, /^p0\/fs = [+-]\d\.\d{4}x [+-]\d\.\d{4}y$/m);
    assert.match(text, /^p0\/mask_good = 0x01$/m);
  });
  it("without ellipticity gives unit vectors and the plain centre corner", () => {
    const g = parseGeom(formatDiffractemGeometry({ wavelengthAngstrom: 0.0251, cameraLength: "/%/shots/clen", pixelSizeM: 55e-6, xsize: 1556, ysize: 516, energyKey: "wavelength", maskPath: null }));
    const p = g.panels[0]!;
    assert.deepEqual([p.fs.x, p.fs.y, p.ss.x, p.ss.y, p.cornerXPx, p.cornerYPx], [1, 0, 0, 1, -778, -258]);
    assert.deepEqual(g.clen, { kind: "path", path: "/%/shots/clen", unit: null });
    assert.equal(g.wavelengthKey, "wavelength");
    assert.equal(p.keys.get("mask"), undefined);
  });
});

describe("formatGeom", () => {
  it("round-trips the fixture and writes edited panels", () => {
    const g = parseGeom(readFileSync(join(FIX, "lyso_ed.geom"), "utf8"));
    const text = formatGeom(g, ["written by a test"]);
    assert.ok(text.startsWith("; written by a test\n"));
    assert.match(text, /^p0\/fs = \+1\.000000x \+0\.000000y$/m);
    const back = parseGeom(text);
    const strip = (ps: typeof g.panels): unknown => ps.map(({ keys, ...rest }) => ({ ...rest, data: keys.get("data"), mask: keys.get("mask") }));
    assert.deepEqual(strip(back.panels), strip(g.panels));
    assert.equal(back.wavelengthAngstrom, g.wavelengthAngstrom);
    assert.deepEqual(back.dims, g.dims);
    const moved = { ...g, panels: [{ ...g.panels[0]!, cornerXPx: -700.125, ss: { x: -0.0028, y: 1.0112, z: 0.001 } }] };
    const p = parseGeom(formatGeom(moved)).panels[0]!;
    assert.equal(p.cornerXPx, -700.125);
    assert.deepEqual(p.ss, { x: -0.0028, y: 1.0112, z: 0.001 });
    assert.equal(formatGeomVector({ x: -0, y: 0.5, z: 0 }), "-0.000000x +0.500000y");
  });
});

describe("panelMasks", () => {
  it("reads old-style and CrystFEL 0.10 mask keys", () => {
    const d = parseGeom(formatDiffractemGeometry({ wavelengthAngstrom: 0.0251, cameraLength: 1.58, pixelSizeM: 55e-6, xsize: 10, ysize: 10 }));
    assert.deepEqual(panelMasks(d.panels[0]!), [{ data: "/mask", file: "pxmask.h5", goodBits: 1, badBits: 0 }]);
    const base = "p0/min_fs = 0\np0/max_fs = 9\np0/min_ss = 0\np0/max_ss = 9\np0/corner_x = -5\np0/corner_y = -5\np0/fs = x\np0/ss = y\n";
    const g = parseGeom(`mask0_data = /entry/mask\nmask0_goodbits = 0x00\nmask0_badbits = 0xff\nmask1_data = /other\nmask1_file = m.h5\n${base}`);
    assert.deepEqual(panelMasks(g.panels[0]!), [{ data: "/entry/mask", file: null, goodBits: 0, badBits: 255 }, { data: "/other", file: "m.h5", goodBits: 0, badBits: 0 }]);
    assert.deepEqual(panelMasks(parseGeom(base).panels[0]!), []);
    assert.throws(() => panelMasks(parseGeom(`mask = /m\nmask_good = banana\n${base}`).panels[0]!, "g.geom"), /g\.geom: panel 'p0': mask_good must be a non-negative integer/);
  });
});
