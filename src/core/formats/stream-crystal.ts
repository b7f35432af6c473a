/** Crystal blocks of a stream chunk (`--- Begin crystal` … `--- End crystal`). */
import type { Centering, LatticeType, UniqueAxis } from "../geometry/cell.ts";
import type { Vec3 } from "../geometry/vec3.ts";
import type { StreamCrystal, StreamReflections } from "./stream-types.ts";
import { splitFields, type ChunkCursor } from "./chunk-cursor.ts";
import { emptyReflections, readReflectionTable } from "./stream-tables.ts";
import { parseNumber } from "./text-lines.ts";

const LATTICES = new Set(["triclinic", "monoclinic", "orthorhombic", "tetragonal", "rhombohedral", "hexagonal", "cubic"]);
const CENTERINGS = new Set(["P", "A", "B", "C", "I", "F", "R", "H"]);
const AXES = new Set(["a", "b", "c", "?", "*"]);

/** Reads a crystal block; the cursor is just after `--- Begin crystal`. */
export function readCrystal(cur: ChunkCursor): StreamCrystal {
  const startLine = cur.lineNo;
  let astar: Vec3 | null = null, bstar: Vec3 | null = null, cstar: Vec3 | null = null;
  let lattice: LatticeType = "triclinic", centering: Centering = "P", uniqueAxis: UniqueAxis = "?";
  let cellParams: [number, number, number, number, number, number] | null = null;
  let profileRadius: number | null = null, resLimit: number | null = null;
  let detShift: [number, number] = [0, 0];
  const extra = new Map<string, string>();
  let refl: StreamReflections | null = null;
  for (let line = cur.next(); line !== null; line = cur.next()) {
    if (line.startsWith("--- End crystal")) {
      if (!astar || !bstar || !cstar) throw cur.fail(`crystal block started at line ${startLine} lacks astar/bstar/cstar`);
      return {
        basis: { astar, bstar, cstar }, lattice, centering, uniqueAxis, cellParamsNmDeg: cellParams,
        profileRadiusInvNm: profileRadius, detShiftMm: detShift, resolutionLimitInvNm: resLimit, extra,
        reflections: refl ?? emptyReflections(),
      };
    }
    if (line.startsWith("Reflections measured after indexing")) { refl = readReflectionTable(cur); continue; }
    if (line.startsWith("Cell parameters")) { cellParams = cellLine(cur, line); continue; }
    if (line.trim() === "----- End chunk -----" || line.startsWith("----- Begin chunk")) {
      throw cur.fail(`crystal block started at line ${startLine} has no '--- End crystal'`);
    }
    const eq = line.indexOf(" = ");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 3).trim();
    switch (key) {
      case "astar": astar = cur.vec(value, key); break;
      case "bstar": bstar = cur.vec(value, key); break;
      case "cstar": cstar = cur.vec(value, key); break;
      case "lattice_type":
        if (!LATTICES.has(value)) throw cur.fail(`unknown lattice_type '${value}'`);
        lattice = value as LatticeType; break;
      case "centering":
        if (!CENTERINGS.has(value)) throw cur.fail(`unknown centering '${value}'`);
        centering = value as Centering; break;
      case "unique_axis":
        if (!AXES.has(value)) throw cur.fail(`unknown unique_axis '${value}'`);
        uniqueAxis = (value === "*" ? "?" : value) as UniqueAxis; break;
      case "profile_radius": profileRadius = cur.num(value.split(/\s+/)[0], key); break;
      case "diffraction_resolution_limit": resLimit = cur.num(value.split(/\s+/)[0], key); break;
      case "predict_refine/det_shift x": {
        // "predict_refine/det_shift x = 0.000 y = 0.000 mm"
        const m = /^(\S+)\s+y\s*=\s*(\S+)/.exec(value);
        if (!m) throw cur.fail(`malformed det_shift line '${line}'`);
        detShift = [cur.num(m[1], "det_shift x"), cur.num(m[2], "det_shift y")];
        break;
      }
      default: extra.set(key, value);
    }
  }
  throw cur.fail(`chunk is truncated inside a crystal block (started at line ${startLine}): no '--- End crystal'`);
}

/** "Cell parameters a b c nm, al be ga deg" → [a, b, c (nm), al, be, ga (deg)]. */
function cellLine(cur: ChunkCursor, line: string): [number, number, number, number, number, number] {
  const f = cur.tok;
  const n = splitFields(line, f);
  const v = [f[2], f[3], f[4], f[6], f[7], f[8]].map((t) => (t === undefined ? null : parseNumber(t.replace(/,$/, ""))));
  if (n < 9 || v.some((x) => x === null)) throw cur.fail(`malformed 'Cell parameters' line '${line}'`);
  return v as [number, number, number, number, number, number];
}
