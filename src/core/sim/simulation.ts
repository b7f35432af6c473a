/**
 * The SerialED simulator: a deterministic experiment (shot/feature tables, maps, crystals, per-shot
 * geometry) whose frames are rendered on demand, each from its own random stream, so any worker can render
 * any shot in any order. Conventions: lab frame and reciprocal vectors as CrystFEL (z along the beam,
 * nm⁻¹); detector positions in the CXI pixel-centre convention unless a name says `Corner`.
 */
import type { ReciprocalBasis, UnitCell } from "../geometry/cell.ts";
import { reciprocalBasis } from "../geometry/cell.ts";
import type { Column, Table } from "../dataset/table.ts";
import { makeTable } from "../dataset/table.ts";
import type { Mat3 } from "../geometry/vec3.ts";
import { detectorShiftForCenter, diffractemPanel, ellipticityMatrix, type DetectorPanel, type DetectorShift } from "../geometry/detector.ts";
import { predictSpots } from "../geometry/predict.ts";
import { resolveSimConfig, type SimConfig } from "./config.ts";
import { createRng } from "./rng.ts";
import { createIntensityModel, type IntensityModel } from "./structure-model.ts";
import { randomRotation, rotateBasis } from "./orientation.ts";
import { layoutCrystals, renderMapImage, scanOrder, type MapCrystal } from "./map-layout.ts";
import { gaussianMass } from "./special.ts";

/** Ground truth of one crystal. */
export interface SimCrystal {
  /** Index in Simulation.crystals. */
  readonly index: number;
  readonly fileIndex: number;
  /** Feature id on its map (0-based). */
  readonly crystalId: number;
  /** Was the crystal hit by the beam (else its shots are empty)? */
  readonly hit: boolean;
  /** Actual (jittered) cell. */
  readonly cell: UnitCell;
  /** Orientation: lab = U·standard setting. */
  readonly rotation: Mat3;
  /** a*, b*, c* in the lab frame, nm⁻¹ (CrystFEL convention). */
  readonly basis: ReciprocalBasis;
  readonly profileRadiusNm: number;
  readonly spotSigmaPx: number;
  /** Counts per unit true intensity at full partiality in frame 0. */
  readonly scale: number;
  readonly map: MapCrystal;
}

/** One output file (= grid region). */
export interface SimFile {
  readonly index: number;
  /** File name without directory, e.g. `sim_r01.h5`. */
  readonly name: string;
  readonly region: number;
  readonly run: number;
  /** Global index of its first shot and its number of shots. */
  readonly shotStart: number;
  readonly shotCount: number;
  /** Shot table rows of this file (key columns of data-model.md §3). */
  readonly shots: Table;
  /** Feature table (crystal_id, crystal_x, crystal_y, area, equivalent_diameter). */
  readonly features: Table;
  /** Indices (into Simulation.crystals) of its crystals, by crystal_id. */
  readonly crystals: readonly number[];
}

/** Per-shot ground truth, columnar over all shots (global shot index). */
export interface ShotTruth {
  readonly fileIndex: Int32Array;
  readonly shotInFile: Int32Array;
  /** Global crystal index or −1 (auxiliary shot). */
  readonly crystalIndex: Int32Array;
  readonly frame: Int32Array;
  /** 1 = a crystal diffracts in this shot. */
  readonly hit: Uint8Array;
  /** Pattern centre (where the beam hits the detector), CXI pixel-centre convention. */
  readonly centerFs: Float64Array;
  readonly centerSs: Float64Array;
  /** Scale of the radial background and of the zero-order beam. */
  readonly backgroundFactor: Float64Array;
  readonly beamFactor: Float64Array;
}

/** True spots of one shot (expected values before noise, dead time and clipping). */
export interface TrueSpots {
  readonly count: number;
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  /** Spot centre, CXI pixel-centre convention (CrystFEL = +0.5). */
  readonly fs: Float64Array;
  readonly ss: Float64Array;
  /** Expected integrated counts of the spot in this frame. */
  readonly counts: Float64Array;
  readonly partiality: Float64Array;
  readonly excitationErrorNm: Float64Array;
  readonly invDNm: Float64Array;
  /** True full intensity I(hkl) (truth.hkl scale). */
  readonly intensity: Float64Array;
}

export interface Simulation {
  readonly config: SimConfig;
  readonly files: readonly SimFile[];
  /** All shot tables concatenated (file column = file name). */
  readonly shots: Table;
  readonly nShots: number;
  readonly crystals: readonly SimCrystal[];
  readonly truth: ShotTruth;
  /** Panel without shift (diffractem make_geometry with the true ellipticity). */
  readonly panel: DetectorPanel;
  /** RR of preprocessing.md §12 for the true ellipticity. */
  readonly ellipticity: { readonly ratio: number; readonly angleDeg: number; readonly matrix: [[number, number], [number, number]] };
  readonly intensities: IntensityModel;
  /** 1 = dead pixel (reads 0), shape [nSs, nFs]. */
  readonly deadMask: Uint8Array;
  readonly saturation: { readonly deadTimeMs: number; readonly shutterTimeMs: number; readonly s: number; readonly counterMax: number };
  /** Detector shift (m) that makes the panel predict this shot's pattern (CrystFEL `detector_shift_x/y`). */
  shotShift(shot: number): DetectorShift;
  trueSpots(shot: number): TrueSpots;
  /** The detector frame of a shot, uint16 counts, row-major [nSs, nFs]. Deterministic per shot. */
  renderShot(shot: number, out?: Uint16Array): Uint16Array;
  /** Expected counts (no noise, no dead time, no dead pixels) — for tests and diagnostics. */
  expectedFrame(shot: number): Float32Array;
  /** STEM map of a file: [mapSizePx, mapSizePx] float32. */
  mapImage(fileIndex: number): Float32Array;
}

const STREAM_CRYSTAL = 11, STREAM_SHOT = 12, STREAM_NOISE = 13, STREAM_DEAD = 14, STREAM_HIT = 15;

/** Optional precomputed pieces (e.g. to share the intensity model between simulations with the same structure). */
export interface SimulationParts {
  /** Must come from createIntensityModel with this config's cell, nAtoms, molecule radius, B, dMin and seed. */
  readonly intensities?: IntensityModel;
}

/** Builds the experiment (tables, crystals, geometry, true intensities); frames are rendered on demand. */
export function createSimulation(partial: Partial<SimConfig> = {}, parts: SimulationParts = {}): Simulation {
  const config = resolveSimConfig(partial);
  const c = config;
  const intensities = parts.intensities ?? createIntensityModel({ cell: c.cell, nAtoms: c.nAtoms, moleculeRadiusAngstrom: c.moleculeRadiusAngstrom, bFactorA2: c.bFactorA2, dMinAngstrom: c.dMinAngstrom, seed: c.seed });
  const panel = diffractemPanel({ nFs: c.nFs, nSs: c.nSs, pixelSizeM: c.pixelSizeM, cameraLengthM: c.cameraLengthM, ellipseRatio: c.ellipseRatio, ellipseAngleDeg: c.ellipseAngleDeg });
  const rr = ellipticityMatrix(c.ellipseRatio, c.ellipseAngleDeg);

  // ---- crystals, maps, scan order, shots
  const crystals: SimCrystal[] = [];
  const files: SimFile[] = [];
  const tFile: number[] = [], tShotIn: number[] = [], tCrystal: number[] = [], tFrame: number[] = [], tHit: number[] = [];
  const tCx: number[] = [], tCy: number[] = [], tBg: number[] = [], tBeam: number[] = [];
  const allCols = newShotColumns();
  for (let f = 0; f < c.nFiles; f++) {
    const region = f + 1;
    const nHere = Math.floor((c.nCrystals * (f + 1)) / c.nFiles) - Math.floor((c.nCrystals * f) / c.nFiles);
    const layout = layoutCrystals(c.seed, region, nHere, c.mapSizePx);
    const name = `${c.filePrefix}_r${String(region).padStart(2, "0")}.h5`;
    const fileCrystals: number[] = [];
    for (let id = 0; id < layout.length; id++) {
      const g = crystals.length;
      const rng = createRng(c.seed, STREAM_CRYSTAL, g);
      const ja = 1 + c.cellJitter * rng.normal(), jc = 1 + c.cellJitter * rng.normal();
      const cell: UnitCell = { ...c.cell, aA: c.cell.aA * ja, bA: c.cell.bA * ja, cA: c.cell.cA * jc };
      const rotation = randomRotation(rng);
      const basis = rotateBasis(rotation, reciprocalBasis(cell));
      const profileRadiusNm = c.profileRadiusNm * Math.exp(c.profileRadiusSpread * rng.normal());
      const spotSigmaPx = Math.min(3 * c.spotSigmaPx, Math.max(0.5 * c.spotSigmaPx, c.spotSigmaPx * Math.exp(c.spotSigmaSpread * rng.normal())));
      const scale = c.countsPerIntensity * Math.exp(c.crystalScaleSpread * rng.normal());
      const hit = createRng(c.seed, STREAM_HIT, g).uniform() < c.hitFraction;
      crystals.push({ index: g, fileIndex: f, crystalId: id, hit, cell, rotation, basis, profileRadiusNm, spotSigmaPx, scale, map: layout[id]! });
      fileCrystals.push(g);
    }
    const scan = scanOrder(layout, c.scanLineHeightPx, c.auxPredistPx);
    const cols = newShotColumns();
    const shotStart = tFile.length;
    let k = 0;
    for (const pt of scan) {
      const nFrames = pt.crystal < 0 ? 1 : c.framesPerCrystal;
      // The beam centre moves from scan point to scan point (descan/hysteresis: several px) but stays
      // put, up to a small drift, during one crystal's dose-fractionation movie.
      const prng = createRng(c.seed, STREAM_SHOT, tFile.length, 1);
      const clip4 = (v: number): number => Math.max(-4, Math.min(4, v));
      const pointCx = c.beamCenterFs + c.centerJitterPx * clip4(prng.normal());
      const pointCy = c.beamCenterSs + c.centerJitterPx * clip4(prng.normal());
      for (let fr = 0; fr < nFrames; fr++) {
        const g = tFile.length;
        const srng = createRng(c.seed, STREAM_SHOT, g);
        const drift = (): number => c.centerDriftPx * clip4(srng.normal());
        const cx = pointCx + drift(), cy = pointCy + drift();
        const cryst = pt.crystal < 0 ? undefined : crystals[fileCrystals[pt.crystal]!]!;
        const hit = cryst?.hit ?? false;
        const bg = hit ? Math.max(0.6, Math.min(1.6, 0.75 + 0.25 * (cryst!.scale / c.countsPerIntensity))) : c.emptyBackgroundFactor;
        const beam = 1 + 0.02 * srng.normal();
        const posJx = 0.7 * srng.normal(), posJy = 0.7 * srng.normal();
        tFile.push(f); tShotIn.push(k); tCrystal.push(cryst ? cryst.index : -1); tFrame.push(pt.crystal < 0 ? -1 : fr); tHit.push(hit ? 1 : 0);
        tCx.push(cx); tCy.push(cy); tBg.push(bg); tBeam.push(beam);
        for (const tgt of [cols, allCols]) {
          tgt.file.push(name); tgt.subset.push("entry"); tgt.Event.push(`entry//${k}`); tgt.shot_in_subset.push(k);
          tgt.sample.push(c.sampleName); tgt.region.push(region); tgt.run.push(c.runId);
          tgt.crystal_id.push(pt.crystal); tgt.frame.push(pt.crystal < 0 ? -1 : fr); tgt.selected.push(1);
          tgt.pos_x.push(pt.x + posJx); tgt.pos_y.push(pt.y + posJy);
          tgt.crystal_x.push(cryst ? cryst.map.x : NaN); tgt.crystal_y.push(cryst ? cryst.map.y : NaN);
        }
        k++;
      }
    }
    const features = makeTable([
      ["crystal_id", { type: "int", data: Float64Array.from(layout, (_, i) => i) }],
      ["crystal_x", { type: "float", data: Float64Array.from(layout, (m) => m.x) }],
      ["crystal_y", { type: "float", data: Float64Array.from(layout, (m) => m.y) }],
      ["area", { type: "float", data: Float64Array.from(layout, (m) => Math.PI * m.semiMajorPx * m.semiMinorPx) }],
      ["equivalent_diameter", { type: "float", data: Float64Array.from(layout, (m) => 2 * Math.sqrt(m.semiMajorPx * m.semiMinorPx)) }],
    ], `features of ${name}`);
    files.push({ index: f, name, region, run: c.runId, shotStart, shotCount: k, shots: shotTable(cols, `shots of ${name}`), features, crystals: fileCrystals });
  }
  const nShots = tFile.length;
  const truth: ShotTruth = {
    fileIndex: Int32Array.from(tFile), shotInFile: Int32Array.from(tShotIn), crystalIndex: Int32Array.from(tCrystal), frame: Int32Array.from(tFrame),
    hit: Uint8Array.from(tHit), centerFs: Float64Array.from(tCx), centerSs: Float64Array.from(tCy), backgroundFactor: Float64Array.from(tBg), beamFactor: Float64Array.from(tBeam),
  };

  // ---- dead pixels
  const nPix = c.nFs * c.nSs;
  const deadMask = new Uint8Array(nPix);
  {
    const rng = createRng(c.seed, STREAM_DEAD);
    const nDead = Math.round(c.deadPixelFraction * nPix);
    for (let i = 0; i < nDead; i++) deadMask[rng.int(nPix)] = 1;
    if (c.deadColumnFs >= 0) for (let ss = 0; ss < c.nSs; ss++) deadMask[ss * c.nFs + c.deadColumnFs] = 1;
  }

  // ---- radial profiles (lab radius in px, step 1/4 px)
  const rStep = 0.25;
  const rMaxPx = Math.hypot(c.nFs, c.nSs) * 1.2 + 200;
  const nR = Math.ceil(rMaxPx / rStep) + 2;
  const bgProfile = new Float32Array(nR), beamProfile = new Float32Array(nR);
  for (let i = 0; i < nR; i++) {
    const r = i * rStep;
    bgProfile[i] = c.bgInelasticCounts * Math.exp(-r / c.bgInelasticScalePx) + c.bgWingCounts / (1 + (r / c.bgWingScalePx) ** 2) + c.bgFloorCounts;
    beamProfile[i] = c.beamPeakCounts / (1 + (r / c.beamHwhmPx) ** 2);
  }
  const satS = c.deadTimeMs / c.shutterTimeMs;

  const checkShot = (shot: number): void => {
    if (!Number.isInteger(shot) || shot < 0 || shot >= nShots) throw new Error(`simulation: shot ${shot} out of range 0..${nShots - 1}`);
  };
  const shotShift = (shot: number): DetectorShift => { checkShot(shot); return detectorShiftForCenter(panel, truth.centerFs[shot]!, truth.centerSs[shot]!); };

  const trueSpots = (shot: number): TrueSpots => {
    checkShot(shot);
    const ci = truth.crystalIndex[shot]!;
    if (ci < 0 || !truth.hit[shot]) return emptySpots();
    const cr = crystals[ci]!;
    const pred = predictSpots(cr.basis, panel, { wavelengthAngstrom: c.wavelengthAngstrom, profileRadiusNm: cr.profileRadiusNm, maxInvDNm: 10 / c.dMinAngstrom, partialityModel: c.partialityModel, shift: shotShift(shot) });
    const fr = truth.frame[shot]!;
    const n = pred.count;
    const counts = new Float64Array(n), inten = new Float64Array(n), fs = new Float64Array(n), ss = new Float64Array(n);
    const dose = fr + 0.5;
    for (let i = 0; i < n; i++) {
      const I = intensities.intensity(pred.h[i]!, pred.k[i]!, pred.l[i]!);
      const sA = pred.invDNm[i]! / 10;
      inten[i] = I;
      counts[i] = cr.scale * I * pred.partiality[i]! * Math.exp(-dose * (c.doseDecayPerFrame + (c.doseBPerFrameA2 * sA * sA) / 2));
      fs[i] = pred.fs[i]! - 0.5;
      ss[i] = pred.ss[i]! - 0.5;
    }
    return { count: n, h: pred.h, k: pred.k, l: pred.l, fs, ss, counts, partiality: pred.partiality, excitationErrorNm: pred.excitationErrorNm, invDNm: pred.invDNm, intensity: inten };
  };

  const expectedFrame = (shot: number): Float32Array => {
    checkShot(shot);
    const out = new Float32Array(nPix);
    const cx = truth.centerFs[shot]!, cy = truth.centerSs[shot]!;
    const bgF = truth.backgroundFactor[shot]!, beamF = truth.beamFactor[shot]!;
    const a = rr[0][0], b = rr[0][1], d = rr[1][1];
    const inv = 1 / rStep;
    for (let ss = 0; ss < c.nSs; ss++) {
      const dy = ss - cy;
      const row = ss * c.nFs;
      for (let fs = 0; fs < c.nFs; fs++) {
        const dx = fs - cx;
        // undistorted lab offset (pixel units) = RR·(detector offset); the pattern is radially symmetric there
        const lx = a * dx + b * dy, ly = b * dx + d * dy;
        const t = Math.sqrt(lx * lx + ly * ly) * inv;
        const i0 = t | 0;
        const w = t - i0;
        out[row + fs] = bgF * (bgProfile[i0]! + w * (bgProfile[i0 + 1]! - bgProfile[i0]!)) + beamF * (beamProfile[i0]! + w * (beamProfile[i0 + 1]! - beamProfile[i0]!));
      }
    }
    const spots = trueSpots(shot);
    if (spots.count > 0) {
      const sigma = crystals[truth.crystalIndex[shot]!]!.spotSigmaPx;
      const half = Math.ceil(4 * sigma);
      const gx = new Float64Array(2 * half + 1), gy = new Float64Array(2 * half + 1);
      for (let i = 0; i < spots.count; i++) {
        const counts = spots.counts[i]!;
        if (!(counts > 0.02)) continue;
        const x0 = spots.fs[i]!, y0 = spots.ss[i]!;
        const ix = Math.round(x0), iy = Math.round(y0);
        for (let j = -half; j <= half; j++) {
          gx[j + half] = gaussianMass(ix + j - 0.5, ix + j + 0.5, x0, sigma);
          gy[j + half] = gaussianMass(iy + j - 0.5, iy + j + 0.5, y0, sigma);
        }
        for (let jy = -half; jy <= half; jy++) {
          const yy = iy + jy;
          if (yy < 0 || yy >= c.nSs) continue;
          const wy = counts * gy[jy + half]!;
          const row = yy * c.nFs;
          for (let jx = -half; jx <= half; jx++) {
            const xx = ix + jx;
            if (xx < 0 || xx >= c.nFs) continue;
            out[row + xx] = out[row + xx]! + wy * gx[jx + half]!;
          }
        }
      }
    }
    return out;
  };

  // dead-time response m(n) as a table (n = true counts per pixel per frame), clipped to the counter depth
  const satTable = new Uint16Array(65536);
  for (let n = 0; n < satTable.length; n++) satTable[n] = Math.min(c.counterMax, Math.round(satS > 0 ? n * Math.exp(-n * satS) : n));
  const uBuf = new Float64Array(nPix);

  const renderShot = (shot: number, out?: Uint16Array): Uint16Array => {
    const lam = expectedFrame(shot);
    const frame = out ?? new Uint16Array(nPix);
    if (frame.length !== nPix) throw new Error(`renderShot: output has ${frame.length} pixels, expected ${nPix}`);
    const rng = createRng(c.seed, STREAM_NOISE, shot);
    rng.fillUniform(uBuf);
    for (let i = 0; i < nPix; i++) {
      const l = lam[i]!;
      let n: number;
      if (l < 30) {
        // Poisson by inversion with one uniform per pixel; the first 8 steps unrolled without branches
        let p = expNeg(l), f = p;
        const u = uBuf[i]!;
        n = +(u > f);
        p *= l; f += p; n += +(u > f);
        p *= l * 0.5; f += p; n += +(u > f);
        p *= l * INV_INT[3]!; f += p; n += +(u > f);
        p *= l * 0.25; f += p; n += +(u > f);
        p *= l * 0.2; f += p; n += +(u > f);
        p *= l * INV_INT[6]!; f += p; n += +(u > f);
        p *= l * INV_INT[7]!; f += p; n += +(u > f);
        if (n === 8) {
          p *= l * 0.125; f += p;
          while (u > f && n < 200) { n++; p *= l * INV_INT[n]!; f += p; }
        }
      } else {
        n = rng.poisson(l);
      }
      frame[i] = deadMask[i] ? 0 : satTable[n > 65535 ? 65535 : n]!;
    }
    return frame;
  };

  const mapImage = (fileIndex: number): Float32Array => {
    const file = files[fileIndex];
    if (!file) throw new Error(`simulation: file index ${fileIndex} out of range 0..${files.length - 1}`);
    return renderMapImage(c.seed, file.region, file.crystals.map((g) => crystals[g]!.map), c.mapSizePx);
  };

  return {
    config, files, shots: shotTable(allCols, "shots"), nShots, crystals, truth, panel,
    ellipticity: { ratio: c.ellipseRatio, angleDeg: c.ellipseAngleDeg, matrix: rr },
    intensities, deadMask, saturation: { deadTimeMs: c.deadTimeMs, shutterTimeMs: c.shutterTimeMs, s: satS, counterMax: c.counterMax },
    shotShift, trueSpots, renderShot, expectedFrame, mapImage,
  };
}

const INV_INT = Float64Array.from({ length: 202 }, (_, i) => (i === 0 ? 0 : 1 / i));
// exp(−x) for 0 ≤ x < 30 by table + linear interpolation (relative error < 1e-7)
const EXP_STEP = 1024;
const EXP_TABLE = Float64Array.from({ length: 30 * EXP_STEP + 2 }, (_, i) => Math.exp(-i / EXP_STEP));
function expNeg(x: number): number {
  const t = x * EXP_STEP;
  const i = t | 0;
  const a = EXP_TABLE[i]!;
  return a + (t - i) * (EXP_TABLE[i + 1]! - a);
}

interface ShotColumns {
  file: string[]; subset: string[]; Event: string[]; shot_in_subset: number[]; sample: string[]; region: number[]; run: number[];
  crystal_id: number[]; frame: number[]; selected: number[]; pos_x: number[]; pos_y: number[]; crystal_x: number[]; crystal_y: number[];
}

function newShotColumns(): ShotColumns {
  return { file: [], subset: [], Event: [], shot_in_subset: [], sample: [], region: [], run: [], crystal_id: [], frame: [], selected: [], pos_x: [], pos_y: [], crystal_x: [], crystal_y: [] };
}

function shotTable(s: ShotColumns, what: string): Table {
  const int = (v: number[]): Column => ({ type: "int", data: Float64Array.from(v) });
  const flt = (v: number[]): Column => ({ type: "float", data: Float64Array.from(v) });
  return makeTable([
    ["file", { type: "string", data: s.file }], ["subset", { type: "string", data: s.subset }], ["Event", { type: "string", data: s.Event }],
    ["shot_in_subset", int(s.shot_in_subset)], ["sample", { type: "string", data: s.sample }], ["region", int(s.region)], ["run", int(s.run)],
    ["crystal_id", int(s.crystal_id)], ["frame", int(s.frame)], ["selected", { type: "bool", data: Uint8Array.from(s.selected) }],
    ["pos_x", flt(s.pos_x)], ["pos_y", flt(s.pos_y)], ["crystal_x", flt(s.crystal_x)], ["crystal_y", flt(s.crystal_y)],
  ], what);
}

function emptySpots(): TrueSpots {
  const i = new Int32Array(0), f = new Float64Array(0);
  return { count: 0, h: i, k: i, l: i, fs: f, ss: f, counts: f, partiality: f, excitationErrorNm: f, invDNm: f, intensity: f };
}
