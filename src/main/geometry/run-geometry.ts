/**
 * Geometry from the data (issue #5): ellipticity from all peaks relative to their pattern centres,
 * virtual powder and pair-distance curves, cell refinement, per-shot detector shifts, and the
 * CrystFEL .geom / .cell / updated options. Returns plain typed arrays for the viewer panes.
 */
import { readFileSync } from "node:fs";
import type { UnitCell } from "../../core/geometry/cell.ts";
import { correctEllipticity, polarHistogram, refineEllipticity, type EllipticityResult, type PolarHistogram } from "../../core/geometry/ellipticity.ts";
import { findCurvePeaks, histogram1d, pairDistanceHistogram, peakInvDNm, smoothCurve, type Curve } from "../../core/geometry/powder.ts";
import { refineCellFromCurves, type CellRefineResult } from "../../core/geometry/cell-refine.ts";
import { ellipticityMatrix } from "../../core/formats/geom-diffractem.ts";
import { openCxiFile } from "../indexing/cxi-input.ts";

export interface GeometryInputs {
  readonly files: readonly string[];
  readonly wavelengthA: number;
  readonly clenM: number;
  readonly pixelSizeM: number;
  readonly xsize: number;
  readonly ysize: number;
  readonly rMinPx: number;
  readonly rMaxPx: number;
  readonly startCell?: UnitCell;
  readonly dMinA: number;
  readonly peakList?: string;
  readonly minPeaks: number;
}

export interface ShotShift { readonly file: string; readonly event: string; readonly xMm: number; readonly yMm: number }

export interface GeometryAnalysis {
  readonly nPeaks: number;
  readonly nPatterns: number;
  readonly ellipticity: EllipticityResult;
  readonly polarBefore: PolarHistogram;
  readonly polarAfter: PolarHistogram;
  /** Powder (1/d, nm⁻¹) and pair-distance curves with picked peak positions. */
  readonly powder: Curve;
  readonly powderPeaks: Float64Array;
  readonly pairs: Curve;
  readonly pairPeaks: Float64Array;
  readonly cell: CellRefineResult | null;
  readonly shifts: readonly ShotShift[];
}

export async function analyzeGeometry(o: GeometryInputs): Promise<GeometryAnalysis> {
  const dx: number[] = [], dy: number[] = [], starts: number[] = [0];
  const centres: { file: string; event: string; cx: number; cy: number }[] = [];
  for (const path of o.files) {
    const f = await openCxiFile(path, o.peakList ?? "/%/data", "/%/data/corrected");
    try {
      const cx = f.shotColumn("center_x"), cy = f.shotColumn("center_y");
      if (!cx || !cy) throw new Error(`${path}: the shot table has no center_x/center_y (run serialed preprocess first)`);
      for (let k = 0; k < f.peaks.nShots; k++) {
        const n = f.peaks.nPeaks[k]!, ox = cx[k]!, oy = cy[k]!;
        if (!Number.isFinite(ox) || !Number.isFinite(oy)) continue;
        centres.push({ file: path, event: f.event(k), cx: ox, cy: oy });
        if (n < o.minPeaks) continue;
        const off = k * f.peaks.width;
        for (let i = 0; i < n; i++) { dx.push(f.peaks.x[off + i]! - ox); dy.push(f.peaks.y[off + i]! - oy); }
        starts.push(dx.length);
      }
    } finally { f.close(); }
  }
  if (dx.length < 100) throw new Error(`geometry: only ${dx.length} peaks in patterns with ≥ ${o.minPeaks} peaks; need more data`);
  const ell = refineEllipticity(dx, dy, dx.length, { rMinPx: o.rMinPx, rMaxPx: o.rMaxPx });
  const polarBefore = polarHistogram(dx, dy, dx.length, o.rMinPx, o.rMaxPx, 199, 19);
  const c = correctEllipticity(dx, dy, dx.length, ell.ratio, ell.angleDeg);
  const polarAfter = polarHistogram(c.x, c.y, c.x.length, o.rMinPx, o.rMaxPx, 199, 19);
  const s = peakInvDNm(c.x, c.y, c.x.length, o.pixelSizeM, o.clenM, o.wavelengthA);
  const sMax = 10 / o.dMinA;
  const powder = smoothCurve(histogram1d(s, s.length, 0, sMax, 1000), 1.5);
  const powderPeaks = findCurvePeaks(powder, 0.05).position.filter((v) => v > 0.02);
  const pairs = smoothCurve(pairDistanceHistogram(c.x, c.y, starts, o.pixelSizeM, o.clenM, o.wavelengthA, sMax, 500), 1);
  const pairPeaks = findCurvePeaks(pairs, 0.1).position;
  let cell: CellRefineResult | null = null;
  if (o.startCell) cell = refineCellFromCurves(pairs, powder, o.startCell, { dMinA: o.dMinA }).result;
  const rr = ellipticityMatrix(ell.ratio, ell.angleDeg);
  const pxsMm = o.pixelSizeM * 1000, x0 = o.xsize / 2, y0 = o.ysize / 2;
  const shifts = centres.map((q) => {
    const px = q.cx - x0 + 0.5, py = q.cy - y0 + 0.5;
    return { file: q.file, event: q.event, xMm: -pxsMm * (rr[0][0] * px + rr[0][1] * py), yMm: -pxsMm * (rr[1][0] * px + rr[1][1] * py) };
  });
  return { nPeaks: dx.length, nPatterns: starts.length - 1, ellipticity: ell, polarBefore, polarAfter, powder, powderPeaks, pairs, pairPeaks, cell, shifts };
}

/** Reads a text file or throws naming it. */
export function readText(path: string, what: string): string {
  try { return readFileSync(path, "utf8"); } catch (e) { throw new Error(`${what} ${path}: ${(e as Error).message}`, { cause: e }); }
}
