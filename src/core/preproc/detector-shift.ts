/**
 * Per-shot detector shift from the pattern centre, with ellipticity (diffractem `make_geometry`,
 * `update_det_shift`), ../shared/spec/preprocessing.md §12.
 */

/** 2×2 matrix RR = Rᵀ·diag(ρ^-½, ρ^½)·R, row-major [r00, r01, r10, r11]; maps detector px offsets to lab px offsets. */
export function ellipticityMatrix(ratio: number, angleDeg: number): [number, number, number, number] {
  const phi = (angleDeg * Math.PI) / 180;
  const c = Math.cos(phi), s = Math.sin(phi);
  const a = ratio ** -0.5, b = ratio ** 0.5;
  // R = [[c, -s], [s, c]]; D·R = [[a·c, −a·s], [b·s, b·c]]; Rᵀ·(D·R).
  const m00 = a * c, m01 = -a * s, m10 = b * s, m11 = b * c;
  return [c * m00 + s * m10, c * m01 + s * m11, -s * m00 + c * m10, -s * m01 + c * m11];
}

export interface DetectorShiftOptions {
  readonly xsize: number;
  readonly ysize: number;
  /** Pixel size in m. */
  readonly pixelSizeM: number;
  readonly ellipseRatio: number;
  readonly ellipseAngleDeg: number;
}

/** Detector shift in mm that puts the beam at the lab origin; centre in pixel-centre convention. */
export function detectorShiftMm(centerX: number, centerY: number, o: DetectorShiftOptions): { xMm: number; yMm: number } {
  const [r00, r01, r10, r11] = ellipticityMatrix(o.ellipseRatio, o.ellipseAngleDeg);
  const sx = centerX - o.xsize / 2 + 0.5, sy = centerY - o.ysize / 2 + 0.5;
  const pxsMm = o.pixelSizeM * 1000;
  return { xMm: -pxsMm * (r00 * sx + r01 * sy), yMm: -pxsMm * (r10 * sx + r11 * sy) };
}
