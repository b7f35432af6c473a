/**
 * Ground-truth side files of a simulation as text (written by src/main/sim into DIR/truth/):
 * shots.csv, crystals.csv, spots.csv rows, ellipticity.json, saturation.json, truth.hkl (CrystFEL 2.0,
 * symmetry 422, asymmetric unit), geometry.geom, lyso.cell, truth.sol. Positions in CSV files use the CXI
 * pixel-centre convention (CrystFEL = +0.5); reciprocal vectors nm⁻¹ in CrystFEL's lab frame.
 */
import { formatCellFile } from "../formats/cell-file.ts";
import { formatHkl } from "../formats/hkl-file.ts";
import { formatSol, type SolEntry } from "../formats/sol-file.ts";
import type { Simulation } from "./simulation.ts";

const f6 = (x: number): string => (Number.isFinite(x) ? x.toFixed(6) : "nan");
const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : "nan");

export const SHOTS_CSV_HEADER = "shot,file,Event,crystal_id,frame,hit,crystal_index,center_x,center_y,det_shift_x_mm,det_shift_y_mm,n_spots";

/** One row per shot: true pattern centre (CXI), detector shift (mm, preprocessing.md §12) and spot count. */
export function shotsCsv(sim: Simulation): string {
  const rows = [SHOTS_CSV_HEADER];
  for (let i = 0; i < sim.nShots; i++) {
    const f = sim.files[sim.truth.fileIndex[i]!]!;
    const k = sim.truth.shotInFile[i]!;
    const ci = sim.truth.crystalIndex[i]!;
    const sh = sim.shotShift(i);
    const n = sim.truth.hit[i] ? sim.trueSpots(i).count : 0;
    rows.push(`${i},${f.name},entry//${k},${ci < 0 ? -1 : sim.crystals[ci]!.crystalId},${sim.truth.frame[i]},${sim.truth.hit[i]},${ci},${f6(sim.truth.centerFs[i]!)},${f6(sim.truth.centerSs[i]!)},${f6(sh.xM * 1000)},${f6(sh.yM * 1000)},${n}`);
  }
  return rows.join("\n") + "\n";
}

export const CRYSTALS_CSV_HEADER = "crystal_index,file,region,crystal_id,hit,a_A,b_A,c_A,astar_x,astar_y,astar_z,bstar_x,bstar_y,bstar_z,cstar_x,cstar_y,cstar_z,profile_radius_nm,spot_sigma_px,scale,crystal_x,crystal_y";

/** One row per crystal: true cell (Å), orientation as a*, b*, c* (nm⁻¹, lab), profile radius, scale, map position. */
export function crystalsCsv(sim: Simulation): string {
  const rows = [CRYSTALS_CSV_HEADER];
  for (const c of sim.crystals) {
    const f = sim.files[c.fileIndex]!;
    const v = [...c.basis.astar, ...c.basis.bstar, ...c.basis.cstar].map((x) => x.toFixed(8));
    rows.push(`${c.index},${f.name},${f.region},${c.crystalId},${c.hit ? 1 : 0},${f4(c.cell.aA)},${f4(c.cell.bA)},${f4(c.cell.cA)},${v.join(",")},${f6(c.profileRadiusNm)},${f4(c.spotSigmaPx)},${f6(c.scale)},${f4(c.map.x)},${f4(c.map.y)}`);
  }
  return rows.join("\n") + "\n";
}

export const SPOTS_CSV_HEADER = "shot,file,Event,h,k,l,fs,ss,counts,partiality,excitation_error_nm,invd_nm,intensity";

/** CSV rows (no header) of the true spots of one shot with expected counts ≥ minCounts. */
export function spotsCsvRows(sim: Simulation, shot: number, minCounts = 0): string {
  const sp = sim.trueSpots(shot);
  if (sp.count === 0) return "";
  const f = sim.files[sim.truth.fileIndex[shot]!]!;
  const pre = `${shot},${f.name},entry//${sim.truth.shotInFile[shot]},`;
  let s = "";
  for (let i = 0; i < sp.count; i++) {
    if (!(sp.counts[i]! >= minCounts)) continue;
    s += `${pre}${sp.h[i]},${sp.k[i]},${sp.l[i]},${f4(sp.fs[i]!)},${f4(sp.ss[i]!)},${sp.counts[i]!.toFixed(3)},${sp.partiality[i]!.toFixed(5)},${sp.excitationErrorNm[i]!.toExponential(4)},${sp.invDNm[i]!.toFixed(5)},${sp.intensity[i]!.toFixed(3)}\n`;
  }
  return s;
}

/** Ellipticity truth (preprocessing.md §10 convention: correction p_cor = RR·p_obs). */
export function ellipticityJson(sim: Simulation): string {
  return JSON.stringify({
    ellipse_ratio: sim.ellipticity.ratio,
    ellipse_angle: sim.ellipticity.angleDeg,
    correction_matrix_RR: sim.ellipticity.matrix,
    note: "observed detector offsets from the centre = RR^-1 · undistorted offsets; preprocessing.md §10/§12",
  }, null, 2) + "\n";
}

/** Dead-time model and detector response. */
export function saturationJson(sim: Simulation): string {
  const s = sim.saturation;
  return JSON.stringify({
    model: "paralyzable: recorded m = round(n * exp(-n * dead_time / shutter_time)), then clipped at counter_max; n = Poisson true counts",
    dead_time_ms: s.deadTimeMs, shutter_time_ms: s.shutterTimeMs, s: s.s, counter_max: s.counterMax,
    dead_pixels: Array.from(sim.deadMask).reduce((a, b) => a + b, 0), dead_column_fs: sim.config.deadColumnFs,
  }, null, 2) + "\n";
}

/** True merged intensities in the 422 asymmetric unit as a CrystFEL reflection list 2.0 (σ = 0, nmeas = 1). */
export function truthHkl(sim: Simulation): string {
  const u = sim.intensities.unique;
  return formatHkl({
    h: u.h, k: u.k, l: u.l, intensity: u.intensity, sigma: new Float64Array(u.count), nmeas: new Int32Array(u.count).fill(1), symmetry: "422",
    notes: [`Simulated true intensities (serialed simulate, seed ${sim.config.seed}); d >= ${sim.config.dMinAngstrom} A`],
  });
}

/**
 * CrystFEL geometry of the experiment in diffractem's layout (preprocessing.md §12) with the true ellipticity,
 * written with 6 decimals so that CrystFEL predicts the simulated positions to < 0.001 px. The per-shot beam
 * position enters through `detector_shift_x/y` (true values: truth/shots.csv det_shift_*_mm).
 */
export function geometryGeom(sim: Simulation, maskFile = "mask.h5"): string {
  const c = sim.config, p = sim.panel;
  const v = (a: number, b: number): string => `${a >= 0 ? "+" : ""}${a.toFixed(6)}x ${b >= 0 ? "+" : ""}${b.toFixed(6)}y`;
  return [
    "; Geometry of a simulated SerialED experiment (serialed simulate).",
    `; Ellipticity ratio ${c.ellipseRatio}, angle ${c.ellipseAngleDeg} deg (preprocessing.md §12).`,
    "; The beam position per shot is carried by the detector shift columns (true values in truth/shots.csv).",
    "",
    `wavelength = ${c.wavelengthAngstrom} A`,
    "adu_per_photon = 1",
    `clen = ${c.cameraLengthM}`,
    `res = ${(1 / c.pixelSizeM).toFixed(6)}`,
    "data = /%/data/raw_counts",
    "dim0 = %",
    "dim1 = ss",
    "dim2 = fs",
    "peak_list = /%/data",
    "peak_list_type = cxi",
    "detector_shift_x = /%/shots/det_shift_x_mm mm",
    "detector_shift_y = /%/shots/det_shift_y_mm mm",
    "p0/min_ss = 0",
    `p0/max_ss = ${c.nSs - 1}`,
    "p0/min_fs = 0",
    `p0/max_fs = ${c.nFs - 1}`,
    `p0/corner_x = ${p.cornerXPx.toFixed(6)}`,
    `p0/corner_y = ${p.cornerYPx.toFixed(6)}`,
    `p0/fs = ${v(p.fsVec[0], p.fsVec[1])}`,
    `p0/ss = ${v(p.ssVec[0], p.ssVec[1])}`,
    "p0/mask = /mask",
    `p0/mask_file = ${maskFile}`,
    "p0/mask_good = 0x01",
    "p0/mask_bad = 0x00",
    "",
  ].join("\n");
}

/** The nominal cell as a CrystFEL .cell file. */
export function cellFile(sim: Simulation): string {
  return formatCellFile(sim.config.cell);
}

/** One .sol line per hit shot: true a*, b*, c* (nm⁻¹), detector shift 0 (the geometry's shift columns carry the centre). */
export function truthSol(sim: Simulation): string {
  const entries: SolEntry[] = [];
  for (let i = 0; i < sim.nShots; i++) {
    if (!sim.truth.hit[i]) continue;
    const c = sim.crystals[sim.truth.crystalIndex[i]!]!;
    entries.push({ filename: sim.files[sim.truth.fileIndex[i]!]!.name, event: `entry//${sim.truth.shotInFile[i]}`, basis: c.basis, detShiftMm: [0, 0], lattice: "tetragonal", centering: "P", uniqueAxis: "c" });
  }
  return formatSol(entries);
}

/** The .lst of the data files (names relative to the output folder). */
export function listFile(sim: Simulation): string {
  return sim.files.map((f) => f.name).join("\n") + "\n";
}
