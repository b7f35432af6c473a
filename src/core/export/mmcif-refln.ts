/**
 * mmCIF reflection file (structure-factor CIF as deposited to the PDB): cell, symmetry, wavelength
 * and a `_refln` loop with measured intensities (intensity_meas / intensity_sigma).
 */
import { assertExportInput, type ExportInput } from "./export-input.ts";

const q = (s: string): string => (/[\s']/.test(s) ? `'${s.replace(/'/g, "")}'` : s);

export function writeMmcifReflections(input: ExportInput): string {
  assertExportInput(input, "mmCIF");
  const { reflections: r, cell, spaceGroup: sg } = input;
  const id = (input.datasetName ?? "serialed").replace(/\s+/g, "_");
  const lines = [
    `data_r${id}sf`,
    "#",
    `_entry.id ${id}`,
    "#",
    `_cell.entry_id ${id}`,
    `_cell.length_a ${cell.aA.toFixed(3)}`,
    `_cell.length_b ${cell.bA.toFixed(3)}`,
    `_cell.length_c ${cell.cA.toFixed(3)}`,
    `_cell.angle_alpha ${cell.alphaDeg.toFixed(3)}`,
    `_cell.angle_beta ${cell.betaDeg.toFixed(3)}`,
    `_cell.angle_gamma ${cell.gammaDeg.toFixed(3)}`,
    "#",
    `_symmetry.entry_id ${id}`,
    `_symmetry.space_group_name_H-M ${q(sg.entry.hm)}`,
    `_symmetry.Int_Tables_number ${sg.entry.number}`,
    "#",
    "_diffrn_radiation_wavelength.id 1",
    `_diffrn_radiation_wavelength.wavelength ${input.wavelengthA.toPrecision(6)}`,
    "#",
    "loop_",
    "_refln.crystal_id",
    "_refln.wavelength_id",
    "_refln.scale_group_code",
    "_refln.index_h",
    "_refln.index_k",
    "_refln.index_l",
    "_refln.intensity_meas",
    "_refln.intensity_sigma",
    "_refln.status",
  ];
  for (let i = 0; i < r.count; i++) {
    lines.push(`1 1 1 ${r.h[i]} ${r.k[i]} ${r.l[i]} ${r.intensity[i]!.toFixed(2)} ${r.sigma[i]!.toFixed(2)} o`);
  }
  lines.push("#", "");
  return lines.join("\n");
}
