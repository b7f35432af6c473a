/**
 * Single-panel detector geometry in CrystFEL's model (libcrystfel detgeom.h, crystfel-formats.md §1).
 *
 * Lab frame: z along the beam, the beam hits the lab origin; metres. A pixel coordinate (fs, ss) uses the
 * CrystFEL **corner convention** (integer = pixel corner; CXI/diffractem pixel-centre coordinates are
 * `crystfel - 0.5`). Its lab position in pixel units is `corner + fs·fsVec + ss·ssVec`, where
 * `corner.z = cameraLength·res`; metres = pixel units / res, plus the detector shift (m).
 * Scattering: k_in = (0, 0, 1/λ), k_out = k_in + q, q in nm⁻¹.
 */
import type { Vec3 } from "./vec3.ts";

export interface DetectorPanel {
  /** Panel width (fast-scan pixels) and height (slow-scan pixels). */
  readonly nFs: number;
  readonly nSs: number;
  /** Lab x, y of the corner of pixel (0, 0), in pixel units (CrystFEL `corner_x`, `corner_y`). */
  readonly cornerXPx: number;
  readonly cornerYPx: number;
  /** Lab-frame step for +1 pixel along fs / ss, in pixel units (CrystFEL `fs`, `ss`; z usually 0). */
  readonly fsVec: Vec3;
  readonly ssVec: Vec3;
  /** Pixels per metre (CrystFEL `res`). */
  readonly resPxPerM: number;
  /** Camera length, metres (CrystFEL `clen`, + `coffset`). */
  readonly cameraLengthM: number;
}

/** Lab-frame shift of the whole detector, metres (CrystFEL `detector_shift_x/y`). */
export interface DetectorShift {
  readonly xM: number;
  readonly yM: number;
}

const NO_SHIFT: DetectorShift = { xM: 0, yM: 0 };

/** Wavenumber 1/λ in nm⁻¹ for a wavelength in Å. */
export function waveNumberNm(wavelengthAngstrom: number): number {
  return 10 / wavelengthAngstrom;
}

/**
 * 2x2 ellipticity matrix RR = Rᵀ·diag(ρ^-½, ρ^½)·R of preprocessing.md §10/§12 (R = rotation by φ).
 * RR maps observed detector offsets (pixels) to undistorted lab offsets (pixels); rows [[xx, xy], [yx, yy]].
 */
export function ellipticityMatrix(ratio: number, angleDeg: number): [[number, number], [number, number]] {
  const phi = (angleDeg * Math.PI) / 180;
  const c = Math.cos(phi), s = Math.sin(phi);
  const a = 1 / Math.sqrt(ratio), b = Math.sqrt(ratio);
  // Rᵀ diag(a, b) R with R = [[c, -s], [s, c]]
  return [
    [a * c * c + b * s * s, (b - a) * c * s],
    [(b - a) * c * s, a * s * s + b * c * c],
  ];
}

export interface DiffractemPanelOptions {
  readonly nFs?: number;
  readonly nSs?: number;
  readonly pixelSizeM?: number;
  readonly cameraLengthM: number;
  readonly ellipseRatio?: number;
  readonly ellipseAngleDeg?: number;
}

/**
 * The panel diffractem's `make_geometry` writes (preprocessing.md §12): corner = RR·(−(nFs//2), −(nSs//2)),
 * fs = RR·(1,0), ss = RR·(0,1). Without a detector shift the beam hits pixel (nFs//2, nSs//2) (corner convention).
 */
export function diffractemPanel(o: DiffractemPanelOptions): DetectorPanel {
  const nFs = o.nFs ?? 1556, nSs = o.nSs ?? 516;
  const rr = ellipticityMatrix(o.ellipseRatio ?? 1, o.ellipseAngleDeg ?? 0);
  const x0 = -Math.floor(nFs / 2), y0 = -Math.floor(nSs / 2);
  return {
    nFs, nSs,
    cornerXPx: rr[0][0] * x0 + rr[0][1] * y0,
    cornerYPx: rr[1][0] * x0 + rr[1][1] * y0,
    fsVec: [rr[0][0], rr[1][0], 0],
    ssVec: [rr[0][1], rr[1][1], 0],
    resPxPerM: 1 / (o.pixelSizeM ?? 55e-6),
    cameraLengthM: o.cameraLengthM,
  };
}

/**
 * Detector shift (metres) that puts the beam at a pattern centre given in CXI pixel-centre convention,
 * for a diffractemPanel (preprocessing.md §12: shift_mm = −pxs_mm·RR·(cx − nFs/2 + 0.5, cy − nSs/2 + 0.5)).
 */
export function detectorShiftForCenter(panel: DetectorPanel, centerFsCxi: number, centerSsCxi: number): DetectorShift {
  // lab position (pixel units, unshifted) of the centre, corner convention = cxi + 0.5
  const fs = centerFsCxi + 0.5, ss = centerSsCxi + 0.5;
  const x = panel.cornerXPx + fs * panel.fsVec[0] + ss * panel.ssVec[0];
  const y = panel.cornerYPx + fs * panel.fsVec[1] + ss * panel.ssVec[1];
  return { xM: -x / panel.resPxPerM, yM: -y / panel.resPxPerM };
}

/** Lab position (metres) of panel coordinate (fs, ss) in the corner convention. */
export function panelToLabM(panel: DetectorPanel, fs: number, ss: number, shift: DetectorShift = NO_SHIFT): Vec3 {
  const r = panel.resPxPerM;
  return [
    (panel.cornerXPx + fs * panel.fsVec[0] + ss * panel.ssVec[0]) / r + shift.xM,
    (panel.cornerYPx + fs * panel.fsVec[1] + ss * panel.ssVec[1]) / r + shift.yM,
    panel.cameraLengthM + (fs * panel.fsVec[2] + ss * panel.ssVec[2]) / r,
  ];
}

/**
 * Panel coordinates (corner convention, not bounds-checked) where a ray from the lab origin along `dir`
 * meets the panel plane, or null if it does not (parallel / behind). Same linear solve as CrystFEL's
 * `locate_peak_on_panel`.
 */
export function rayToPanel(panel: DetectorPanel, dir: Vec3, shift: DetectorShift = NO_SHIFT): { fs: number; ss: number } | null {
  const r = panel.resPxPerM;
  // unknowns (t, fs, ss): t·dir − fs·fsVec − ss·ssVec = corner  (all in pixel units)
  const cx = panel.cornerXPx + shift.xM * r, cy = panel.cornerYPx + shift.yM * r, cz = panel.cameraLengthM * r;
  const f = panel.fsVec, s = panel.ssVec;
  const m00 = dir[0], m01 = -f[0], m02 = -s[0];
  const m10 = dir[1], m11 = -f[1], m12 = -s[1];
  const m20 = dir[2], m21 = -f[2], m22 = -s[2];
  const det = m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
  if (Math.abs(det) < 1e-300) return null;
  const t = (cx * (m11 * m22 - m12 * m21) - m01 * (cy * m22 - m12 * cz) + m02 * (cy * m21 - m11 * cz)) / det;
  if (!(t > 0)) return null;
  const fs = (m00 * (cy * m22 - m12 * cz) - cx * (m10 * m22 - m12 * m20) + m02 * (m10 * cz - cy * m20)) / det;
  const ss = (m00 * (m11 * cz - cy * m21) - m01 * (m10 * cz - cy * m20) + cx * (m10 * m21 - m11 * m20)) / det;
  return { fs, ss };
}

/**
 * Panel coordinates (corner convention, not bounds-checked) of the ray k_in + q for a scattering vector
 * q (nm⁻¹, lab frame). q need not lie exactly on the Ewald sphere (CrystFEL projects along k_in + q).
 */
export function scatteringVectorToPanel(panel: DetectorPanel, q: Vec3, wavelengthAngstrom: number, shift: DetectorShift = NO_SHIFT): { fs: number; ss: number } | null {
  const k = waveNumberNm(wavelengthAngstrom);
  return rayToPanel(panel, [q[0], q[1], q[2] + k], shift);
}

/** Scattering vector (nm⁻¹, on the Ewald sphere) of panel coordinate (fs, ss) in the corner convention. */
export function panelToScatteringVector(panel: DetectorPanel, fs: number, ss: number, wavelengthAngstrom: number, shift: DetectorShift = NO_SHIFT): Vec3 {
  const p = panelToLabM(panel, fs, ss, shift);
  const k = waveNumberNm(wavelengthAngstrom);
  const n = Math.hypot(p[0], p[1], p[2]);
  return [(k * p[0]) / n, (k * p[1]) / n, k * (p[2] / n - 1)];
}

/** 1/d (nm⁻¹) of panel coordinate (fs, ss), corner convention. */
export function panelInvResolutionNm(panel: DetectorPanel, fs: number, ss: number, wavelengthAngstrom: number, shift: DetectorShift = NO_SHIFT): number {
  const q = panelToScatteringVector(panel, fs, ss, wavelengthAngstrom, shift);
  return Math.hypot(q[0], q[1], q[2]);
}
