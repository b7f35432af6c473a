/** File loading shared by the merge/stats/export/compare commands, with errors naming the file. */
import { existsSync, readFileSync } from "node:fs";
import type { UnitCell } from "../../core/geometry/cell.ts";
import { parseCellFile } from "../../core/formats/cell-file.ts";
import { parseHkl, type HklReflections } from "../../core/formats/hkl-file.ts";

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} ${path} does not exist`);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function loadHkl(path: string): HklReflections {
  return parseHkl(readText(path, "reflection list"), path);
}

export function loadCell(path: string): UnitCell {
  return parseCellFile(readText(path, "unit cell file"), path);
}

/** Half-set file names beside a merged list: out.hkl → out.hkl1, out.hkl2. */
export function halfSetPaths(path: string): [string, string] {
  return [`${path}1`, `${path}2`];
}
