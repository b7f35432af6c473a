/**
 * Detector ↔ reciprocal-space mapping for one flat panel, CrystFEL conventions (libcrystfel detgeom.c):
 * lab z along the beam, the beam hits the lab origin, pixel (fs, ss) in CORNER convention
 * (= CXI + 0.5) sits at lab position `(corner + fs·fsVec + ss·ssVec)/res + detectorShift`, the detector
 * plane at z = clen. Scattering vectors q = k_out − k_in in nm⁻¹ (|k| = 1/λ), like stream astar/bstar/cstar.
 */

/** Single-panel detector + beam, as in a CrystFEL .geom (one panel). */
export interface PanelGeometry {
  /** Electron wavelength, Å. */
  readonly wavelengthA: number;
  /** Camera length (detector distance), m. */
  readonly clenM: number;
  /** Pixels per metre (CrystFEL `res`). */
  readonly resPxPerM: number;
  /** Lab position of the corner of pixel (0,0), in pixel units (CrystFEL corner_x/corner_y). */
  readonly cornerXPx: number;
  readonly cornerYPx: number;
  /** Lab-frame step (pixel units) per +1 fast-scan pixel (x, y components). */
  readonly fsX: number;
  readonly fsY: number;
  /** Lab-frame step (pixel units) per +1 slow-scan pixel. */
  readonly ssX: number;
  readonly ssY: number;
  /** Panel size in pixels (fs × ss). */
  readonly widthPx: number;
  readonly heightPx: number;
}

/** |k| = 1/λ in nm⁻¹. */
export function waveNumberInvNm(wavelengthA: number): number {
  return 10 / wavelengthA;
}

/** Reciprocal-space size of one pixel near the beam, nm⁻¹ (pixel angle × |k|). */
export function pixelInvNm(g: PanelGeometry): number {
  return waveNumberInvNm(g.wavelengthA) / (g.resPxPerM * g.clenM);
}

/**
 * Scattering vectors of peaks. fs/ss in CORNER convention; detector shift (lab, mm) per pattern.
 * Returns a Float64Array of length 3n: q_x, q_y, q_z (nm⁻¹) per peak.
 */
export function peaksToQ(g: PanelGeometry, fs: ArrayLike<number>, ss: ArrayLike<number>, n: number, shiftXMm = 0, shiftYMm = 0): Float64Array {
  const out = new Float64Array(3 * n);
  const k = waveNumberInvNm(g.wavelengthA);
  const L = g.clenM;
  for (let i = 0; i < n; i++) {
    const f = fs[i]!, s = ss[i]!;
    const x = (g.cornerXPx + f * g.fsX + s * g.ssX) / g.resPxPerM + shiftXMm * 1e-3;
    const y = (g.cornerYPx + f * g.fsY + s * g.ssY) / g.resPxPerM + shiftYMm * 1e-3;
    const inv = k / Math.sqrt(x * x + y * y + L * L);
    out[3 * i] = x * inv;
    out[3 * i + 1] = y * inv;
    out[3 * i + 2] = L * inv - k;
  }
  return out;
}

/** 1/d of a scattering vector, nm⁻¹. */
export function qLength(q: ArrayLike<number>, i: number): number {
  return Math.hypot(q[3 * i]!, q[3 * i + 1]!, q[3 * i + 2]!);
}

/**
 * Detector position (corner convention fs, ss) where the ray k_in + g hits the panel plane, for a
 * reciprocal-lattice vector g (nm⁻¹, lab) that need not lie on the Ewald sphere (CrystFEL places
 * spots along k_in + g). Writes [fs, ss] into `out` and returns false if the ray misses the plane.
 */
export function reciprocalToPixel(g: PanelGeometry, gx: number, gy: number, gz: number, out: Float64Array, shiftXMm = 0, shiftYMm = 0): boolean {
  const k = waveNumberInvNm(g.wavelengthA);
  const kz = k + gz;
  if (kz <= 0) return false;
  const xM = (g.clenM * gx) / kz - shiftXMm * 1e-3;
  const yM = (g.clenM * gy) / kz - shiftYMm * 1e-3;
  const px = xM * g.resPxPerM - g.cornerXPx;
  const py = yM * g.resPxPerM - g.cornerYPx;
  // solve [fsX ssX; fsY ssY] [fs; ss] = [px; py]
  const det = g.fsX * g.ssY - g.ssX * g.fsY;
  out[0] = (px * g.ssY - g.ssX * py) / det;
  out[1] = (g.fsX * py - px * g.fsY) / det;
  return true;
}

/** Convert an in-plane reciprocal offset (nm⁻¹) into a detector shift in mm (small-angle). */
export function invNmToShiftMm(g: PanelGeometry, dqInvNm: number): number {
  return (dqInvNm / waveNumberInvNm(g.wavelengthA)) * g.clenM * 1e3;
}
