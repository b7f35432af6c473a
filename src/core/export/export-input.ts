/** Common input of the phasing-format writers (MTZ, SHELX, mmCIF). */
import type { UnitCell } from "../geometry/cell.ts";
import type { ReflectionList } from "../merging/observations.ts";
import type { SpaceGroup } from "../symmetry/space-groups.ts";

export interface ExportInput {
  /** Merged intensities in the asymmetric unit. */
  readonly reflections: ReflectionList;
  readonly cell: UnitCell;
  readonly spaceGroup: SpaceGroup;
  /** Wavelength, Å (electrons at 200 kV: 0.0251). */
  readonly wavelengthA: number;
  /** Names written into the file (MTZ project/crystal/dataset, mmCIF entry id). */
  readonly projectName?: string;
  readonly crystalName?: string;
  readonly datasetName?: string;
  /** Free-text title / history line. */
  readonly title?: string;
}

/** Throws a clear Error if the input is unusable (no reflections, bad cell or wavelength, NaN values). */
export function assertExportInput(input: ExportInput, format: string): void {
  const { reflections: r, cell } = input;
  if (r.count === 0) throw new Error(`${format} export: no reflections to write`);
  for (const [name, v] of Object.entries({ a: cell.aA, b: cell.bA, c: cell.cA, alpha: cell.alphaDeg, beta: cell.betaDeg, gamma: cell.gammaDeg })) {
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${format} export: cell ${name} = ${v} is not a positive number`);
  }
  if (!(input.wavelengthA > 0)) throw new Error(`${format} export: wavelength ${input.wavelengthA} Å is not positive`);
  for (let i = 0; i < r.count; i++) {
    if (!Number.isFinite(r.intensity[i]!) || !Number.isFinite(r.sigma[i]!)) throw new Error(`${format} export: reflection ${r.h[i]} ${r.k[i]} ${r.l[i]} has a non-finite intensity or sigma`);
  }
}
