/**
 * Simulator parameters with defaults (a lysozyme SerialED experiment on a Lambda 750k at 200 kV).
 * Every number carries its unit in the name; detector coordinates in the CXI pixel-centre convention
 * unless stated otherwise.
 */
import type { UnitCell } from "../geometry/cell.ts";
import type { PartialityModel } from "../geometry/predict.ts";

export interface SimConfig {
  readonly seed: number;
  /** Total crystals (features on the maps), split over nFiles grid regions. */
  readonly nCrystals: number;
  /** Dose-fractionation movie length: shots per crystal, frame = 0..F−1. */
  readonly framesPerCrystal: number;
  /** Number of HDF5 files (= grid regions, one map each). */
  readonly nFiles: number;
  /** Probability that the beam hits a crystal (else its shots are empty: crystal missed). */
  readonly hitFraction: number;
  readonly sampleName: string;
  readonly runId: number;
  /** Stem of the file names: `<prefix>_r<region>.h5`. */
  readonly filePrefix: string;

  /** Nominal cell (P4₃2₁2). */
  readonly cell: UnitCell;
  /** Relative per-crystal jitter (σ) of a (= b) and c. */
  readonly cellJitter: number;
  readonly nAtoms: number;
  readonly moleculeRadiusAngstrom: number;
  readonly bFactorA2: number;
  /** Resolution limit of the intensity model (spots beyond are not generated), Å. */
  readonly dMinAngstrom: number;

  readonly wavelengthAngstrom: number;
  readonly cameraLengthM: number;
  readonly pixelSizeM: number;
  readonly nFs: number;
  readonly nSs: number;
  /** Mean beam position (pattern centre), CXI convention, px. */
  readonly beamCenterFs: number;
  readonly beamCenterSs: number;
  /** Gaussian jitter (σ, px) of the pattern centre from one scan point (crystal) to the next, clipped at 4σ. */
  readonly centerJitterPx: number;
  /** Gaussian drift (σ, px) of the pattern centre between the frames of one crystal's movie, clipped at 4σ. */
  readonly centerDriftPx: number;
  /** Elliptical distortion (preprocessing.md §10): ratio ρ and axis angle φ (deg). */
  readonly ellipseRatio: number;
  readonly ellipseAngleDeg: number;

  /** Reciprocal profile radius R (nm⁻¹) — median over crystals; log-normal spread (σ of ln). */
  readonly profileRadiusNm: number;
  readonly profileRadiusSpread: number;
  readonly partialityModel: PartialityModel;
  /** Gaussian spot σ (px), median over crystals; log-normal spread. */
  readonly spotSigmaPx: number;
  readonly spotSigmaSpread: number;
  /** Integrated counts per unit of true intensity at full partiality, frame 0, median crystal. */
  readonly countsPerIntensity: number;
  /** Log-normal spread (σ of ln) of the per-crystal scale (crystal volume). */
  readonly crystalScaleSpread: number;
  /** Dose decay: I_f = I·exp(−(f+½)·(doseDecayPerFrame + doseBPerFrameA2·s²/2)), s = 1/d (Å⁻¹). */
  readonly doseDecayPerFrame: number;
  readonly doseBPerFrameA2: number;

  /** Radial inelastic background (counts/px/frame at lab radius r px): steep exponential + Lorentzian wing + floor. */
  readonly bgInelasticCounts: number;
  readonly bgInelasticScalePx: number;
  readonly bgWingCounts: number;
  readonly bgWingScalePx: number;
  readonly bgFloorCounts: number;
  /** Background factor of shots without a crystal in the beam (support film only). */
  readonly emptyBackgroundFactor: number;
  /** Zero-order beam: 2-D Lorentzian, true peak counts/px/frame and HWHM (px). */
  readonly beamPeakCounts: number;
  readonly beamHwhmPx: number;

  /** Paralyzable dead time τ (ms) and frame exposure T (ms): measured m = n·exp(−n·τ/T) (preprocessing.md §3). */
  readonly deadTimeMs: number;
  readonly shutterTimeMs: number;
  /** Counter depth: counts are clipped here (12-bit Lambda = 4095). */
  readonly counterMax: number;
  /** Fraction of randomly dead pixels (read 0), plus one dead column (fs index). */
  readonly deadPixelFraction: number;
  readonly deadColumnFs: number;

  /** STEM map image size (px, square) and its pixel size (µm). */
  readonly mapSizePx: number;
  readonly mapPixelSizeUm: number;
  /** Scan-line height (map px) used to order the crystals into lines; auxiliary point offset (map px). */
  readonly scanLineHeightPx: number;
  readonly auxPredistPx: number;
}

export const LYSOZYME_CELL: UnitCell = { aA: 79.1, bA: 79.1, cA: 37.9, alphaDeg: 90, betaDeg: 90, gammaDeg: 90, lattice: "tetragonal", centering: "P", uniqueAxis: "c" };

export const DEFAULT_SIM_CONFIG: SimConfig = {
  seed: 1,
  nCrystals: 40,
  framesPerCrystal: 5,
  nFiles: 1,
  hitFraction: 0.85,
  sampleName: "lyso_sim",
  runId: 1,
  filePrefix: "sim",
  cell: LYSOZYME_CELL,
  cellJitter: 0.003,
  nAtoms: 300,
  moleculeRadiusAngstrom: 14,
  bFactorA2: 18,
  dMinAngstrom: 1.6,
  wavelengthAngstrom: 0.0251,
  cameraLengthM: 1.58,
  pixelSizeM: 55e-6,
  nFs: 1556,
  nSs: 516,
  beamCenterFs: 771.3,
  beamCenterSs: 254.6,
  centerJitterPx: 3,
  centerDriftPx: 0.15,
  ellipseRatio: 1.018,
  ellipseAngleDeg: 62,
  profileRadiusNm: 0.03,
  profileRadiusSpread: 0.2,
  partialityModel: "sphere",
  spotSigmaPx: 1.2,
  spotSigmaSpread: 0.1,
  countsPerIntensity: 0.15,
  crystalScaleSpread: 0.35,
  doseDecayPerFrame: 0.06,
  doseBPerFrameA2: 4,
  bgInelasticCounts: 60,
  bgInelasticScalePx: 45,
  bgWingCounts: 6,
  bgWingScalePx: 160,
  bgFloorCounts: 0.25,
  emptyBackgroundFactor: 0.45,
  beamPeakCounts: 900,
  beamHwhmPx: 4,
  deadTimeMs: 1.9e-3,
  shutterTimeMs: 2,
  counterMax: 4095,
  deadPixelFraction: 3e-4,
  deadColumnFs: 1203,
  mapSizePx: 1024,
  mapPixelSizeUm: 0.05,
  scanLineHeightPx: 60,
  auxPredistPx: 100,
};

/** Defaults overridden by `partial`; checks ranges and throws a clear error naming the parameter. */
export function resolveSimConfig(partial: Partial<SimConfig> = {}): SimConfig {
  const c: SimConfig = { ...DEFAULT_SIM_CONFIG, ...partial };
  const need = (ok: boolean, what: string): void => { if (!ok) throw new Error(`simulation config: ${what}`); };
  need(Number.isInteger(c.seed), `seed must be an integer (got ${c.seed})`);
  need(Number.isInteger(c.nCrystals) && c.nCrystals >= 0, `nCrystals must be an integer ≥ 0 (got ${c.nCrystals})`);
  need(Number.isInteger(c.framesPerCrystal) && c.framesPerCrystal >= 1, `framesPerCrystal must be an integer ≥ 1 (got ${c.framesPerCrystal})`);
  need(Number.isInteger(c.nFiles) && c.nFiles >= 1, `nFiles must be an integer ≥ 1 (got ${c.nFiles})`);
  need(c.hitFraction >= 0 && c.hitFraction <= 1, `hitFraction must be in [0, 1] (got ${c.hitFraction})`);
  need(c.ellipseRatio > 0.5 && c.ellipseRatio < 2, `ellipseRatio out of range (got ${c.ellipseRatio})`);
  need(c.profileRadiusNm > 0, `profileRadiusNm must be > 0`);
  need(c.spotSigmaPx > 0.3 && c.spotSigmaPx < 10, `spotSigmaPx out of range (got ${c.spotSigmaPx})`);
  need(c.dMinAngstrom >= 0.8, `dMinAngstrom must be ≥ 0.8 Å (got ${c.dMinAngstrom})`);
  need(c.deadTimeMs >= 0 && c.shutterTimeMs > 0, "deadTimeMs ≥ 0 and shutterTimeMs > 0 required");
  need(c.nFs >= 16 && c.nSs >= 16, "detector must be at least 16×16 pixels");
  need(c.deadColumnFs < c.nFs, `deadColumnFs ${c.deadColumnFs} outside the detector`);
  need(c.mapSizePx >= 64, "mapSizePx must be ≥ 64");
  return c;
}
