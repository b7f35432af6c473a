/**
 * CrystFEL unit cell file (.cell, "CrystFEL unit cell file version 1.0"): `key = value` lines,
 * lengths in A or nm, angles in deg, `;` comments. A PDB `CRYST1` line is accepted instead.
 */
import type { Centering, LatticeType, UniqueAxis, UnitCell } from "../geometry/cell.ts";
import { cFixed } from "./c-format.ts";
import { keyValue, lineError, needNumber, splitLines, tokens } from "./text-lines.ts";

const LATTICES: readonly LatticeType[] = ["triclinic", "monoclinic", "orthorhombic", "tetragonal", "rhombohedral", "hexagonal", "cubic"];
const CENTERINGS: readonly Centering[] = ["P", "A", "B", "C", "I", "F", "R", "H"];
const AXES: readonly UniqueAxis[] = ["a", "b", "c", "?"];

/** Parses a .cell file (or a PDB CRYST1 line). `source` names the file in errors. */
export function parseCellFile(text: string, source = "cell file"): UnitCell {
  const lines = splitLines(text);
  const cryst1 = lines.findIndex((l) => l.startsWith("CRYST1"));
  if (cryst1 >= 0) return parseCryst1(lines[cryst1]!, source, cryst1 + 1);
  let lattice: LatticeType = "triclinic";
  let centering: Centering = "P";
  let uniqueAxis: UniqueAxis | null = null;
  const len: Record<string, number> = {};
  const ang: Record<string, number> = {};
  let sawVersion = false;
  lines.forEach((raw, idx) => {
    const n = idx + 1;
    const line = raw.split(";")[0]!.trim();
    if (line === "") return;
    if (line.startsWith("CrystFEL unit cell file version")) {
      const v = line.slice(31).trim();
      if (!v.startsWith("1.")) throw lineError(source, n, `unsupported unit cell file version '${v}'`);
      sawVersion = true;
      return;
    }
    const kv = keyValue(line);
    if (!kv) throw lineError(source, n, `expected 'key = value', got '${line}'`);
    const [key, value] = kv;
    switch (key) {
      case "lattice_type":
        if (!LATTICES.includes(value as LatticeType)) throw lineError(source, n, `unknown lattice_type '${value}' (expected one of ${LATTICES.join(", ")})`);
        lattice = value as LatticeType;
        return;
      case "centering":
      case "centring":
        if (!CENTERINGS.includes(value as Centering)) throw lineError(source, n, `unknown centering '${value}' (expected one of ${CENTERINGS.join(", ")})`);
        centering = value as Centering;
        return;
      case "unique_axis":
        if (!AXES.includes(value as UniqueAxis)) throw lineError(source, n, `unknown unique_axis '${value}' (expected a, b, c or ?)`);
        uniqueAxis = value as UniqueAxis;
        return;
      case "a": case "b": case "c": {
        const [num, unit] = tokens(value);
        const v = needNumber(num, source, n, key);
        if (unit === "A" || unit === undefined) len[key] = v;
        else if (unit === "nm") len[key] = v * 10;
        else throw lineError(source, n, `unknown length unit '${unit}' for ${key} (expected A or nm)`);
        if (!(len[key]! > 0)) throw lineError(source, n, `cell length ${key} must be positive`);
        return;
      }
      case "al": case "be": case "ga": {
        const [num, unit] = tokens(value);
        const v = needNumber(num, source, n, key);
        if (unit === "deg" || unit === undefined) ang[key] = v;
        else if (unit === "rad") ang[key] = (v * 180) / Math.PI;
        else throw lineError(source, n, `unknown angle unit '${unit}' for ${key} (expected deg)`);
        if (!(ang[key]! > 0 && ang[key]! < 180)) throw lineError(source, n, `cell angle ${key} out of range (0, 180)`);
        return;
      }
      default:
        // Unknown keys are tolerated (CrystFEL warns and goes on).
        return;
    }
  });
  if (!sawVersion && Object.keys(len).length === 0) throw new Error(`${source}: not a CrystFEL unit cell file (no version line, no cell lengths)`);
  for (const k of ["a", "b", "c"]) if (len[k] === undefined) throw new Error(`${source}: missing cell length '${k}'`);
  for (const k of ["al", "be", "ga"]) if (ang[k] === undefined) throw new Error(`${source}: missing cell angle '${k}'`);
  return {
    aA: len["a"]!, bA: len["b"]!, cA: len["c"]!, alphaDeg: ang["al"]!, betaDeg: ang["be"]!, gammaDeg: ang["ga"]!,
    lattice, centering, uniqueAxis: uniqueAxis ?? defaultUniqueAxis(lattice),
  };
}

function defaultUniqueAxis(lattice: LatticeType): UniqueAxis {
  if (lattice === "tetragonal" || lattice === "hexagonal") return "c";
  if (lattice === "monoclinic") return "b";
  return "?";
}

/** PDB CRYST1 record: a b c alpha beta gamma space-group; lattice guessed from metric and symbol. */
function parseCryst1(line: string, source: string, n: number): UnitCell {
  const f = tokens(line);
  const v = [1, 2, 3, 4, 5, 6].map((i) => needNumber(f[i], source, n, "CRYST1 cell parameter"));
  const [a, b, c, al, be, ga] = v as [number, number, number, number, number, number];
  const sg = f.slice(7).join(" ");
  const first = sg[0] ?? "P";
  const centering: Centering = CENTERINGS.includes(first as Centering) ? (first as Centering) : "P";
  const eq = (x: number, y: number): boolean => Math.abs(x - y) < 1e-3 * Math.max(x, y);
  const r90 = (x: number): boolean => Math.abs(x - 90) < 0.01;
  let lattice: LatticeType = "triclinic";
  let uniqueAxis: UniqueAxis = "?";
  if (r90(al) && r90(be) && r90(ga)) {
    if (eq(a, b) && eq(b, c)) lattice = "cubic";
    else if (eq(a, b)) { lattice = "tetragonal"; uniqueAxis = "c"; }
    else lattice = "orthorhombic";
  } else if (r90(al) && r90(be) && Math.abs(ga - 120) < 0.01 && eq(a, b)) {
    lattice = "hexagonal"; uniqueAxis = "c";
  } else if (eq(a, b) && eq(b, c) && eq(al, be) && eq(be, ga)) {
    lattice = "rhombohedral";
  } else if ([r90(al), r90(be), r90(ga)].filter(Boolean).length === 2) {
    lattice = "monoclinic"; uniqueAxis = !r90(al) ? "a" : !r90(be) ? "b" : "c";
  }
  return { aA: a, bA: b, cA: c, alphaDeg: al, betaDeg: be, gammaDeg: ga, lattice, centering: lattice === "hexagonal" && centering === "R" ? "R" : centering, uniqueAxis };
}

/** Writes a .cell file as CrystFEL does (`%.2f A`, `%.2f deg`); `decimals` raises the precision. */
export function formatCellFile(cell: UnitCell, decimals = 2): string {
  const out = ["CrystFEL unit cell file version 1.0", "", `lattice_type = ${cell.lattice}`];
  if (cell.uniqueAxis !== "?") out.push(`unique_axis = ${cell.uniqueAxis}`);
  out.push(`centering = ${cell.centering}`);
  out.push(`a = ${cFixed(cell.aA, 0, decimals)} A`, `b = ${cFixed(cell.bA, 0, decimals)} A`, `c = ${cFixed(cell.cA, 0, decimals)} A`);
  out.push(`al = ${cFixed(cell.alphaDeg, 0, decimals)} deg`, `be = ${cFixed(cell.betaDeg, 0, decimals)} deg`, `ga = ${cFixed(cell.gammaDeg, 0, decimals)} deg`);
  return out.join("\n") + "\n";
}
