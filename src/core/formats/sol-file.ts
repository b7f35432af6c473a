/**
 * Indexing solution file (.sol) read by CrystFEL's `--indexing=file` (fromfile.c) and written by
 * diffractem's stream2sol: `<filename> <event> a*xyz b*xyz c*xyz det_shift_x det_shift_y <lattice>`,
 * vectors in nm⁻¹ (lab frame), shifts in mm. The filename may contain spaces (the last 13 fields
 * are split off); the legacy form has no lattice symbol (12 trailing fields).
 */
import type { Centering, LatticeType, ReciprocalBasis, UniqueAxis } from "../geometry/cell.ts";
import { cFixed } from "./c-format.ts";
import { lineError, needNumber, splitLines } from "./text-lines.ts";

/** One crystal of a solution file. */
export interface SolEntry {
  readonly filename: string;
  readonly event: string;
  /** a*, b*, c* in nm⁻¹, lab frame. */
  readonly basis: ReciprocalBasis;
  /** Detector shift x, y in mm. */
  readonly detShiftMm: readonly [x: number, y: number];
  /** From the lattice symbol; null in the legacy form. */
  readonly lattice: LatticeType | null;
  readonly centering: Centering | null;
  readonly uniqueAxis: UniqueAxis | null;
}

const LATTICE_CHAR: Record<LatticeType, string> = { triclinic: "a", monoclinic: "m", orthorhombic: "o", tetragonal: "t", cubic: "c", rhombohedral: "r", hexagonal: "h" };
const CHAR_LATTICE: Record<string, LatticeType> = { a: "triclinic", m: "monoclinic", o: "orthorhombic", t: "tetragonal", c: "cubic", r: "rhombohedral", h: "hexagonal" };
const SYMBOL_RE = /^[amotcrh][PABCIFRH][abc?]?$/;

/** Lattice symbol as in .sol files and CrystFEL (`tPc`, `mCb`, `oP`, `aP`, `cF`, `rR`, `hPc`). */
export function latticeSymbol(lattice: LatticeType, centering: Centering, uniqueAxis: UniqueAxis): string {
  const withAxis = lattice === "monoclinic" || lattice === "tetragonal" || lattice === "hexagonal";
  return LATTICE_CHAR[lattice] + centering + (withAxis ? uniqueAxis : "");
}

/** Parses a lattice symbol; null when it is not one. */
export function parseLatticeSymbol(sym: string): { lattice: LatticeType; centering: Centering; uniqueAxis: UniqueAxis } | null {
  if (!SYMBOL_RE.test(sym)) return null;
  return { lattice: CHAR_LATTICE[sym[0]!]!, centering: sym[1] as Centering, uniqueAxis: (sym[2] ?? "?") as UniqueAxis };
}

/** Key of a (filename, event) pair, as used to group crystals per frame. */
export function solKey(filename: string, event: string): string {
  return `${filename}\u0000${event}`;
}

/** Parses a .sol file; blank lines and `;`/`#` comment lines are skipped. */
export function parseSol(text: string, source = "solution file"): SolEntry[] {
  const out: SolEntry[] = [];
  splitLines(text).forEach((raw, idx) => {
    const n = idx + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) return;
    const f = line.split(/\s+/);
    const last = f[f.length - 1]!;
    const sym = parseLatticeSymbol(last);
    const trailing = sym ? 13 : 12;
    if (f.length < trailing + 1) throw lineError(source, n, `expected filename, event, 9 vector components, 2 shifts${sym ? " and lattice symbol" : ""}; got ${f.length} fields`);
    const start = f.length - trailing;
    // The filename may contain spaces: rebuild it from the original line up to the event field.
    const filename = f.slice(0, start).join(" ");
    const event = f[start]!;
    const num = (j: number, what: string): number => {
      const v = needNumber(f[start + 1 + j], source, n, what);
      if (!Number.isFinite(v)) throw lineError(source, n, `${what} is not finite`);
      return v;
    };
    const names = ["a*x", "a*y", "a*z", "b*x", "b*y", "b*z", "c*x", "c*y", "c*z"];
    const v = names.map((w, j) => num(j, w));
    out.push({
      filename, event,
      basis: { astar: [v[0]!, v[1]!, v[2]!], bstar: [v[3]!, v[4]!, v[5]!], cstar: [v[6]!, v[7]!, v[8]!] },
      detShiftMm: [num(9, "det_shift_x"), num(10, "det_shift_y")],
      lattice: sym?.lattice ?? null, centering: sym?.centering ?? null, uniqueAxis: sym?.uniqueAxis ?? null,
    });
  });
  return out;
}

/** Groups entries by (filename, event), keeping file order; several entries = several crystals. */
export function groupSol(entries: readonly SolEntry[]): Map<string, SolEntry[]> {
  const m = new Map<string, SolEntry[]>();
  for (const e of entries) {
    const key = solKey(e.filename, e.event);
    const list = m.get(key);
    if (list) list.push(e);
    else m.set(key, [e]);
  }
  return m;
}

/** Writes a .sol file (vectors `%+.7f` nm⁻¹, shifts `%.4f` mm, lattice symbol when known). */
export function formatSol(entries: readonly SolEntry[]): string {
  let s = "";
  for (const e of entries) {
    if (/\s/.test(e.event)) throw new Error(`formatSol: event '${e.event}' contains whitespace`);
    const v = [...e.basis.astar, ...e.basis.bstar, ...e.basis.cstar].map((x) => cFixed(x, 0, 7, true));
    const sym = e.lattice && e.centering ? ` ${latticeSymbol(e.lattice, e.centering, e.uniqueAxis ?? "?")}` : "";
    s += `${e.filename} ${e.event} ${v.join(" ")} ${cFixed(e.detShiftMm[0], 0, 4)} ${cFixed(e.detShiftMm[1], 0, 4)}${sym}\n`;
  }
  return s;
}
