/**
 * Data of the "ellipticity & cell" plots of the wizard: runs the geometry analysis of helper
 * "index"/"geometry" (src/main/geometry/run-geometry.ts: polar histograms before/after the
 * ellipticity correction, radial profile, virtual powder and pair-distance curves, cell refinement)
 * on the processed files of the project's latest pre-processing run, with the project's options.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GeometryPlots } from "../../core/api/host-api.ts";
import { parseCellFile } from "../../core/formats/cell-file.ts";
import { preProcOptsFromObject } from "../../core/options/preproc-opts.ts";
import { latestRun } from "../../core/project/project-model.ts";
import type { Project } from "../../core/project/project-model.ts";
import { analyzeGeometry } from "../geometry/run-geometry.ts";
import { resolveInProject } from "../project/project-store.ts";

export async function geometryPlots(projectDir: string, project: Project): Promise<GeometryPlots> {
  const ds = project.datasets[0];
  const run = ds ? latestRun(project, "centre-peaks", ds.name, "done") : undefined;
  if (!ds || !run) throw new Error("the ellipticity & cell plots need a finished centre & peaks run");
  const files = run.outputs.filter((f) => /\.(h5|nxs)$/.test(f)).map((f) => resolveInProject(projectDir, f));
  if (files.length === 0) throw new Error(`run ${run.id} wrote no processed files`);
  const o = preProcOptsFromObject({ ...(project.steps.aggregate?.options ?? {}), ...(project.steps.corrections?.options ?? {}), ...(project.steps["centre-peaks"]?.options ?? {}) }, "project options").opts;
  const g = project.steps.geometry?.options ?? {};
  const cellPath = typeof g["cell"] === "string" && g["cell"] !== "" ? resolveInProject(projectDir, g["cell"]) : undefined;
  const startCell = cellPath && existsSync(cellPath) ? parseCellFile(readFileSync(cellPath, "utf8"), cellPath) : undefined;
  const a = await analyzeGeometry({
    files, wavelengthA: o.wavelength, clenM: o.cam_length, pixelSizeM: o.pixel_size, xsize: o.xsize, ysize: o.ysize,
    rMinPx: 10, rMaxPx: 300, dMinA: 16, minPeaks: Math.max(1, o.min_peaks), ...(startCell ? { startCell } : {}),
  });
  const cell = a.cell;
  return {
    nPeaks: a.nPeaks, nPatterns: a.nPatterns,
    ratio: a.ellipticity.ratio, angleDeg: a.ellipticity.angleDeg, ratioSigma: a.ellipticity.ratioSigma, angleSigmaDeg: a.ellipticity.angleSigmaDeg,
    nR: a.polarBefore.nR, nAz: a.polarBefore.nAz, radiusPx: a.polarBefore.radiusPx, azimuthDeg: a.polarBefore.azimuthDeg,
    before: a.polarBefore.counts, after: a.polarAfter.counts, profileBefore: a.polarBefore.radialProfile, profileAfter: a.polarAfter.radialProfile,
    powderX: a.powder.x, powderY: a.powder.y, powderPeaks: a.powderPeaks, pairsX: a.pairs.x, pairsY: a.pairs.y, pairPeaks: a.pairPeaks,
    cellLines: cell ? cell.lines : new Float64Array(0),
    cell: cell ? [cell.cell.aA, cell.cell.bA, cell.cell.cA, cell.cell.alphaDeg, cell.cell.betaDeg, cell.cell.gammaDeg] : null,
    cellParams: cell ? cell.parameters.map((p, i) => ({ name: String(p), sigma: cell.sigmas[i] ?? 0 })) : [],
    source: join(projectDir, "runs", run.id),
  };
}
