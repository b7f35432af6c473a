/** `serialed geometry`: ellipticity, virtual powder, cell refinement → .geom, .cell, options YAML. */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getNumber, getString, parseArgs } from "../args.ts";
import { parsePreProcOpts, serializePreProcOpts } from "../../../core/options/preproc-opts.ts";
import { parseCellFile, formatCellFile } from "../../../core/formats/cell-file.ts";
import { parseLatticeSymbol } from "../../../core/formats/sol-file.ts";
import { formatDiffractemGeometry } from "../../../core/formats/geom-diffractem.ts";
import { expandFileSpecs } from "../../dataset/file-specs.ts";
import { analyzeGeometry, readText } from "../../geometry/run-geometry.ts";
import { shotKey, writeVirtualFile } from "../../geometry/virtual-file.ts";
import type { UnitCell } from "../../../core/geometry/cell.ts";

export const summary = "Geometry from the data: ellipticity, powder/pair-distance cell refinement → .geom, .cell, YAML";
export const usage = `Usage: serialed geometry --opts opts.yaml [--cell start.cell [--lattice tP]] [options] INPUT…

Collects all CXI peaks of the pre-processed INPUT files relative to each shot's centre
(center_x/center_y), determines the elliptical distortion (ratio, axis angle) by iterative
azimuthal-sector correlation, builds the virtual powder pattern (1/d) and the pair-distance
histogram of the corrected peaks, refines the starting cell against the pair-distance peaks, then
from there against the powder peaks (bounded least squares, ±2 Å / ±3°; diffractem's workflow)
and computes each shot's detector shift (mm). Writes <prefix>.geom
(ellipticity in the fs/ss vectors, detector_shift columns), <prefix>.cell, <prefix>_shifts.csv and
the options YAML with ellipse_ratio/ellipse_angle updated (temporary file + rename), and the
virtual file <prefix>_virtual.h5 + <prefix>_virtual.lst (diffractem write_virtual_file: all selected
shots in one file, peaks shifted so each centre sits at the centre of a virtual square detector,
original file/Event in _file/_Event, detector shifts in det_shift_x_mm/det_shift_y_mm, no image data).

Options:
  --opts FILE        diffractem options YAML (cam_length, wavelength, pixel_size, xsize, ysize, ...)
  --cell FILE        starting unit cell (.cell); with --lattice a symbol like tP, oC, cF overrides its type
  --out DIR          write everything into DIR (prefix DIR/geometry, updated options DIR/opts.yaml);
                     the --opts file is then left unchanged
  --prefix PATH      output prefix (default: next to the options file, "geometry")
  --opts-out FILE    write the updated options here instead of overwriting --opts
  --r-min PX         inner radius for the ellipticity fit (default 10)
  --r-max PX         outer radius (default 300)
  --d-min A          resolution limit of powder/pairs/cell refinement, Å (default 16)
  --min-peaks N      use patterns with at least N peaks (default 10)
  --virtual-size PX  side of the virtual file's square detector (default 1024)
  --no-virtual       do not write the virtual file
`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { opts: { value: true }, cell: { value: true }, lattice: { value: true }, prefix: { value: true }, out: { value: true }, "opts-out": { value: true }, "r-min": { value: true }, "r-max": { value: true }, "d-min": { value: true }, "min-peaks": { value: true }, "virtual-size": { value: true }, "no-virtual": { value: false }, help: { value: false } });
  if (p.flags.has("help")) { process.stdout.write(usage); return 0; }
  const optsPath = getString(p, "opts");
  if (!optsPath) throw new Error("missing --opts (see --help)");
  if (p.positional.length === 0) throw new Error("no INPUT files (see --help)");
  const inputs = expandFileSpecs(p.positional).files; // .lst (e.g. preprocess's processed.lst), globs, files
  const parsed = parsePreProcOpts(readText(optsPath, "options file"), optsPath);
  for (const w of parsed.warnings) process.stderr.write(`warning: ${w}\n`);
  const opts = parsed.opts;
  let startCell: UnitCell | undefined;
  const cellPath = getString(p, "cell");
  if (cellPath) {
    startCell = parseCellFile(readText(cellPath, "cell file"), cellPath);
    const lat = getString(p, "lattice");
    if (lat) {
      const sym = parseLatticeSymbol(lat.length === 2 && (lat[0] === "t" || lat[0] === "h") ? `${lat}c` : lat.length === 2 && lat[0] === "m" ? `${lat}b` : lat);
      if (!sym) throw new Error(`--lattice: '${lat}' is not a lattice symbol like tP, oC, mCb, cF`);
      startCell = { ...startCell, lattice: sym.lattice, centering: sym.centering, uniqueAxis: sym.uniqueAxis };
    }
  }
  const a = await analyzeGeometry({
    files: inputs, wavelengthA: opts.wavelength, clenM: opts.cam_length, pixelSizeM: opts.pixel_size, xsize: opts.xsize, ysize: opts.ysize,
    rMinPx: getNumber(p, "r-min", 10, { min: 0 }), rMaxPx: getNumber(p, "r-max", 300, { min: 1 }), dMinA: getNumber(p, "d-min", 16, { min: 0.1 }),
    minPeaks: getNumber(p, "min-peaks", 10, { integer: true, min: 0 }),
    ...(startCell ? { startCell } : {}),
  });
  const e = a.ellipticity;
  process.stdout.write(`peaks: ${a.nPeaks} in ${a.nPatterns} patterns\n`);
  process.stdout.write(`ellipticity: ratio ${e.ratio.toFixed(5)} ± ${e.ratioSigma.toFixed(5)}, angle ${e.angleDeg.toFixed(2)} ± ${e.angleSigmaDeg.toFixed(2)} deg (${e.iterations} iterations)\n`);
  process.stdout.write(`powder peaks (1/nm): ${Array.from(a.powderPeaks.slice(0, 12), (v) => v.toFixed(4)).join(" ")}\n`);
  process.stdout.write(`pair-distance peaks (1/nm): ${Array.from(a.pairPeaks.slice(0, 12), (v) => v.toFixed(4)).join(" ")}\n`);
  const outDir = getString(p, "out");
  if (outDir !== undefined && (getString(p, "prefix") !== undefined || getString(p, "opts-out") !== undefined)) throw new Error("--out cannot be combined with --prefix or --opts-out");
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });
  const prefix = outDir !== undefined ? join(outDir, "geometry") : getString(p, "prefix") ?? join(dirname(optsPath), "geometry");
  const optsOut = outDir !== undefined ? join(outDir, "opts.yaml") : getString(p, "opts-out") ?? optsPath;
  const atomic = (path: string, text: string): void => { const tmp = `${path}.tmp-${process.pid}`; writeFileSync(tmp, text); renameSync(tmp, path); };
  if (a.cell) {
    const c = a.cell;
    process.stdout.write(`refined cell: ${c.parameters.map((n, i) => `${n} = ${(n.length === 1 ? ({ a: c.cell.aA, b: c.cell.bA, c: c.cell.cA } as Record<string, number>)[n]! : ({ al: c.cell.alphaDeg, be: c.cell.betaDeg, ga: c.cell.gammaDeg } as Record<string, number>)[n]!).toFixed(3)} ± ${c.sigmas[i]!.toFixed(3)}`).join(", ")} (rms ${c.rmsInvNm.toExponential(2)} 1/nm)\n`);
    atomic(`${prefix}.cell`, formatCellFile(c.cell, 3));
  }
  atomic(`${prefix}.geom`, formatDiffractemGeometry({ wavelengthAngstrom: opts.wavelength, cameraLength: opts.cam_length, pixelSizeM: opts.pixel_size, xsize: opts.xsize, ysize: opts.ysize, ellipticityRatio: e.ratio, ellipticityAngleDeg: e.angleDeg }));
  atomic(`${prefix}_shifts.csv`, "file,Event,det_shift_x_mm,det_shift_y_mm\n" + a.shifts.map((s) => `${s.file},${s.event},${s.xMm.toFixed(5)},${s.yMm.toFixed(5)}`).join("\n") + "\n");
  atomic(optsOut, serializePreProcOpts({ ...opts, ellipse_ratio: Number(e.ratio.toFixed(5)), ellipse_angle: Number(e.angleDeg.toFixed(2)) }));
  let virt = "";
  if (!p.flags.has("no-virtual")) {
    const v = await writeVirtualFile(`${prefix}_virtual`, inputs, { virtualSizePx: getNumber(p, "virtual-size", 1024, { integer: true, min: 2 }), shiftsMm: new Map(a.shifts.map((s) => [shotKey(s.file, s.event), s])) });
    virt = `, ${v.h5Path} (${v.nShots} shots), ${v.lstPath}`;
  }
  process.stdout.write(`wrote ${prefix}.geom${a.cell ? `, ${prefix}.cell` : ""}, ${prefix}_shifts.csv, ${optsOut}${virt}\n`);
  return 0;
}
