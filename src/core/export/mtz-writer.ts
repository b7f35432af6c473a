/**
 * Minimal merged MTZ (CCP4 binary reflection file): columns H K L IMEAN SIGIMEAN, little-endian,
 * with CELL, SYMINF, SYMM, RESO, COLUMN, dataset (PROJECT/CRYSTAL/DATASET/DCELL/DWAVEL) records.
 * Layout per merging-and-export.md §6.2: "MTZ " + header word position + machine stamp, data from
 * byte 80 (word 21) as nref × ncol float32 rows, then 80-character ASCII header records.
 */
import { invResolutionFn } from "../geometry/cell.ts";
import { formatSymOp } from "../symmetry/symop.ts";
import { assertExportInput, type ExportInput } from "./export-input.ts";

const f = (x: number, w: number, p: number): string => x.toFixed(p).padStart(w);

function record(text: string): string {
  if (text.length > 80) throw new Error(`MTZ header record longer than 80 characters: ${text}`);
  return text.padEnd(80, " ");
}

/** Encodes the reflections as an MTZ file. */
export function writeMtz(input: ExportInput): Uint8Array {
  assertExportInput(input, "MTZ");
  const { reflections: r, cell, spaceGroup: sg } = input;
  const ncol = 5;
  const nref = r.count;
  const invD = invResolutionFn(cell);
  const mins = new Array<number>(ncol).fill(Number.POSITIVE_INFINITY);
  const maxs = new Array<number>(ncol).fill(Number.NEGATIVE_INFINITY);
  let resMin = Number.POSITIVE_INFINITY, resMax = 0; // 1/d² in Å⁻²
  const data = new Float32Array(nref * ncol);
  for (let i = 0; i < nref; i++) {
    const row = [r.h[i]!, r.k[i]!, r.l[i]!, r.intensity[i]!, r.sigma[i]!];
    for (let c = 0; c < ncol; c++) {
      const v = Math.fround(row[c]!);
      data[i * ncol + c] = v;
      if (v < mins[c]!) mins[c] = v;
      if (v > maxs[c]!) maxs[c] = v;
    }
    const s2 = (invD(r.h[i]!, r.k[i]!, r.l[i]!) / 10) ** 2;
    if (s2 > 0 && s2 < resMin) resMin = s2;
    if (s2 > resMax) resMax = s2;
  }
  const cellText = [cell.aA, cell.bA, cell.cA, cell.alphaDeg, cell.betaDeg, cell.gammaDeg].map((v) => f(v, 10, 4)).join("");
  const pg = `PG${sg.entry.pointGroup.replace(/\s+/g, "")}`;
  const latt = sg.entry.xhm.endsWith(":R") ? "R" : sg.entry.hm.charAt(0);
  const project = input.projectName ?? "serialed", crystal = input.crystalName ?? "crystal", dataset = input.datasetName ?? "merged";
  const recs: string[] = [
    "VERS MTZ:V1.1",
    `TITLE ${(input.title ?? "serialed-studio merged intensities").slice(0, 70)}`,
    `NCOL ${String(ncol).padStart(8)} ${String(nref).padStart(12)} ${String(0).padStart(8)}`,
    `CELL ${cellText}`,
    "SORT    1   2   3   0   0",
    `SYMINF ${String(sg.ops.length).padStart(3)} ${String(new Set(sg.ops.map((o) => o.rot.join())).size).padStart(2)} ${latt} ${String(sg.entry.ccp4).padStart(5)} ${`'${sg.entry.hm}'`.padStart(22)} ${pg}`,
    ...sg.ops.map((o) => `SYMM ${formatSymOp(o)}`),
    `RESO ${resMin.toPrecision(9)} ${resMax.toPrecision(9)}`,
    "VALM NAN",
    ...["H", "K", "L", "IMEAN", "SIGIMEAN"].map((label, c) => {
      const type = c < 3 ? "H" : c === 3 ? "J" : "Q";
      const ds = c < 3 ? 0 : 1;
      return `COLUMN ${label.padEnd(30)} ${type} ${mins[c]!.toPrecision(9).padStart(17)} ${maxs[c]!.toPrecision(9).padStart(17)} ${String(ds).padStart(4)}`;
    }),
    "NDIF        2",
    "PROJECT       0 HKL_base",
    "CRYSTAL       0 HKL_base",
    "DATASET       0 HKL_base",
    `DCELL         0 ${cellText}`,
    `DWAVEL        0 ${f(0, 10, 5)}`,
    `PROJECT       1 ${project.slice(0, 64)}`,
    `CRYSTAL       1 ${crystal.slice(0, 64)}`,
    `DATASET       1 ${dataset.slice(0, 64)}`,
    `DCELL         1 ${cellText}`,
    `DWAVEL        1 ${f(input.wavelengthA, 10, 5)}`,
    "END",
    "MTZHIST   1",
    "From serialed-studio merge/export",
    "MTZENDOFHEADERS",
  ];
  const header = recs.map(record).join("");
  const dataBytes = nref * ncol * 4;
  const out = new Uint8Array(80 + dataBytes + header.length);
  const view = new DataView(out.buffer);
  out.set([0x4d, 0x54, 0x5a, 0x20], 0); // "MTZ "
  view.setInt32(4, 21 + nref * ncol, true); // 1-based word position of the header
  out.set([0x44, 0x41, 0x00, 0x00], 8); // machine stamp: little-endian IEEE
  for (let i = 0; i < data.length; i++) view.setFloat32(80 + i * 4, data[i]!, true);
  for (let i = 0; i < header.length; i++) out[80 + dataBytes + i] = header.charCodeAt(i) & 0x7f;
  return out;
}
