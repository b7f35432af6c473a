/** `serialed export`: merged .hkl → MTZ, SHELX HKLF 4, mmCIF or CrystFEL .hkl in a space group. */
import { formatHkl } from "../../../core/formats/hkl-file.ts";
import type { ExportInput } from "../../../core/export/export-input.ts";
import { writeMmcifReflections } from "../../../core/export/mmcif-refln.ts";
import { writeMtz } from "../../../core/export/mtz-writer.ts";
import { prepareForSpaceGroup } from "../../../core/export/prepare-export.ts";
import { shelxInsHeader, shelxScale, writeShelxHkl } from "../../../core/export/shelx-hkl.ts";
import { spaceGroup } from "../../../core/symmetry/space-groups.ts";
import { getNumber, getString, parseArgs } from "../args.ts";
import { loadCell, loadHkl } from "../../merge/load-inputs.ts";
import { writeFileAtomic } from "../../merge/write-atomic.ts";

export const summary = "Export merged intensities for phasing: MTZ, SHELX HKLF 4, mmCIF _refln, CrystFEL .hkl";
export const usage = `Usage: serialed export out.hkl --format mtz|shelx|mmcif|hkl --cell c.cell --spacegroup P43212 --out FILE

Maps the reflections to an asymmetric unit (mtz/mmcif: CCP4's, of the Laue group, so Friedel mates
are averaged into IMEAN; shelx/hkl: CrystFEL's, of the space group's point group), drops
systematically absent reflections (unless --keep-absent) and writes:
  mtz    CCP4 MTZ with columns H K L IMEAN SIGIMEAN, cell, symmetry operators, wavelength, dataset
  shelx  HKLF 4 (3I4,2F8.2), values scaled to fit, terminated by a zero line; with --ins FILE also
         the CELL/ZERR/LATT/SYMM cards for the .ins file
  mmcif  structure-factor mmCIF: cell, symmetry, wavelength, _refln loop (intensity_meas/sigma)
  hkl    CrystFEL reflection list 2.0 (Symmetry: the space group's point group)

Options:
  --format F         mtz, shelx, mmcif or hkl (required)
  --cell FILE        CrystFEL unit cell file (required)
  --spacegroup SG    space group symbol or number, e.g. P43212 or 96 (required)
  --wavelength Å     wavelength (default 0.0251, 200 kV electrons)
  --out FILE         output file (required)
  --keep-absent      keep systematically absent reflections
  --ins FILE         shelx: also write the .ins header cards
  --name NAME        project/dataset name written into MTZ/mmCIF
`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { format: { value: true }, cell: { value: true }, spacegroup: { value: true }, wavelength: { value: true }, out: { value: true }, "keep-absent": { value: false }, ins: { value: true }, name: { value: true } });
  const file = p.positional[0];
  const format = getString(p, "format"), cellPath = getString(p, "cell"), sgName = getString(p, "spacegroup"), out = getString(p, "out");
  if (file === undefined || format === undefined || cellPath === undefined || sgName === undefined || out === undefined) {
    console.error("serialed export: need out.hkl --format --cell --spacegroup --out (see --help)");
    return 2;
  }
  if (!["mtz", "shelx", "mmcif", "hkl"].includes(format)) throw new Error(`--format must be mtz, shelx, mmcif or hkl, not '${format}'`);
  const sg = spaceGroup(sgName);
  const cell = loadCell(cellPath);
  const prep = prepareForSpaceGroup(loadHkl(file), sg, { keepAbsent: p.flags.has("keep-absent"), asu: format === "mtz" || format === "mmcif" ? "ccp4" : "crystfel" });
  console.error(`${prep.reflections.count} reflections in ${sg.entry.hm} (dropped ${prep.droppedAbsent} systematic absences, merged ${prep.mergedDuplicates} symmetry/Friedel duplicates)`);
  const name = getString(p, "name") ?? "serialed";
  const input: ExportInput = { reflections: prep.reflections, cell, spaceGroup: sg, wavelengthA: getNumber(p, "wavelength", 0.0251, { min: 0 }), projectName: name, crystalName: name, datasetName: name, title: `${name} from ${file}` };
  if (format === "mtz") writeFileAtomic(out, writeMtz(input));
  else if (format === "mmcif") writeFileAtomic(out, writeMmcifReflections(input));
  else if (format === "hkl") writeFileAtomic(out, formatHkl({ ...prep.reflections, symmetry: sg.pointGroupName, notes: [`Exported by serialed-studio in ${sg.entry.hm}`, ""] }));
  else {
    const s = shelxScale(prep.reflections);
    if (s !== 1) console.error(`intensities scaled by ${s.toPrecision(6)} to fit the F8.2 fields`);
    writeFileAtomic(out, writeShelxHkl(prep.reflections, { scale: s }));
    const ins = getString(p, "ins");
    if (ins !== undefined) writeFileAtomic(ins, shelxInsHeader(cell, sg, input.wavelengthA, name));
  }
  console.error(`wrote ${out}`);
  return 0;
}
