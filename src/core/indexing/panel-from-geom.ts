/**
 * PanelGeometry (the indexer's single-panel model) from a parsed CrystFEL .geom.
 */
import type { GeometryFile } from "../formats/geom-file.ts";
import type { PanelGeometry } from "./ewald-geometry.ts";
import type { DetectorPanel } from "../geometry/detector.ts";

/**
 * Uses the first panel. `clenM` overrides the camera length (needed when the file gives an HDF5
 * path); throws naming `source` when wavelength, res or clen are missing.
 */
export function panelFromGeom(geom: GeometryFile, source = "geometry file", over: { clenM?: number; wavelengthA?: number } = {}): PanelGeometry {
  const p = geom.panels[0];
  if (!p) throw new Error(`${source}: no panel defined`);
  if (geom.panels.length > 1) throw new Error(`${source}: ${geom.panels.length} panels; the built-in indexer supports one panel`);
  const wavelengthA = over.wavelengthA ?? geom.wavelengthAngstrom;
  if (wavelengthA === null || !(wavelengthA > 0)) throw new Error(`${source}: no wavelength (wavelength/photon_energy/electron_voltage as a number)`);
  const res = p.resPxPerM ?? geom.resPxPerM;
  if (res === null || !(res > 0)) throw new Error(`${source}: no res (pixels per metre)`);
  const clen = p.clen ?? geom.clen;
  let clenM = over.clenM;
  if (clenM === undefined) {
    if (clen === null) throw new Error(`${source}: no clen (camera length)`);
    if (clen.kind !== "value") throw new Error(`${source}: clen is the HDF5 path ${clen.path}; give the camera length explicitly`);
    clenM = clen.value + p.coffsetM;
  }
  return {
    wavelengthA, clenM, resPxPerM: res,
    cornerXPx: p.cornerXPx, cornerYPx: p.cornerYPx,
    fsX: p.fs.x, fsY: p.fs.y, ssX: p.ss.x, ssY: p.ss.y,
    widthPx: p.maxFs - p.minFs + 1, heightPx: p.maxSs - p.minSs + 1,
  };
}

/** PanelGeometry from the simulator/detector module's DetectorPanel (src/core/geometry/detector.ts). */
export function panelFromDetector(p: DetectorPanel, wavelengthA: number): PanelGeometry {
  return {
    wavelengthA, clenM: p.cameraLengthM, resPxPerM: p.resPxPerM,
    cornerXPx: p.cornerXPx, cornerYPx: p.cornerYPx,
    fsX: p.fsVec[0], fsY: p.fsVec[1], ssX: p.ssVec[0], ssY: p.ssVec[1],
    widthPx: p.nFs, heightPx: p.nSs,
  };
}
