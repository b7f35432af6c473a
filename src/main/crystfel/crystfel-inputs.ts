/**
 * Writes the input files of a CrystFEL run the way diffractem does (crystfel-formats.md §1–3):
 * `<base>.geom` (make_geometry, ellipticity in the fs/ss vectors, or a given geometry text),
 * `<base>.cell`, `<base>.lst` (one `file //event` line per pattern, as list_events writes it),
 * and `<base>.sol` for `--indexing=file`. Writers of src/core/formats; files written atomically.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { formatCellFile } from "../../core/formats/cell-file.ts";
import { formatDiffractemGeometry } from "../../core/formats/geom-diffractem.ts";
import type { DiffractemGeometryParams } from "../../core/formats/geom-diffractem.ts";
import { formatSol } from "../../core/formats/sol-file.ts";
import type { SolEntry } from "../../core/formats/sol-file.ts";
import type { UnitCell } from "../../core/geometry/cell.ts";
import { writeFileAtomic } from "../project/atomic-write.ts";

/** One pattern: file path as indexamajig should open it, and event id (e.g. `//12` or `entry//12`). */
export interface CrystfelEvent {
  readonly file: string;
  readonly event: string;
}

/** Event list text: `file event` per line (list_events format). */
export function formatEventList(events: readonly CrystfelEvent[]): string {
  return events.map((e) => {
    if (/[\n\r]/.test(e.file) || /\s/.test(e.event)) throw new Error(`event list: bad entry '${e.file}' '${e.event}'`);
    return `${e.file} ${e.event}\n`;
  }).join("");
}

/** Events `//0` … `//n-1` of one multi-event file (what list_events writes for a 3-D stack with dim0 = %). */
export function eventsOfFile(file: string, nEvents: number, prefix = ""): CrystfelEvent[] {
  return Array.from({ length: nEvents }, (_, i) => ({ file, event: `${prefix}//${i}` }));
}

export interface CrystfelInputSet {
  readonly geometry: DiffractemGeometryParams | { readonly text: string };
  readonly cell: UnitCell;
  readonly events: readonly CrystfelEvent[];
  readonly solutions?: readonly SolEntry[];
}

export interface CrystfelInputFiles {
  readonly geom: string;
  readonly cell: string;
  readonly lst: string;
  readonly sol?: string;
}

export function writeCrystfelInputs(dir: string, base: string, x: CrystfelInputSet): CrystfelInputFiles {
  mkdirSync(dir, { recursive: true });
  if (x.events.length === 0) throw new Error(`CrystFEL inputs for ${base}: no patterns in the event list`);
  const f = { geom: join(dir, `${base}.geom`), cell: join(dir, `${base}.cell`), lst: join(dir, `${base}.lst`) };
  writeFileAtomic(f.geom, "text" in x.geometry ? x.geometry.text : formatDiffractemGeometry(x.geometry));
  writeFileAtomic(f.cell, formatCellFile(x.cell));
  writeFileAtomic(f.lst, formatEventList(x.events));
  if (!x.solutions) return f;
  const sol = join(dir, `${base}.sol`);
  writeFileAtomic(sol, formatSol(x.solutions));
  return { ...f, sol };
}
