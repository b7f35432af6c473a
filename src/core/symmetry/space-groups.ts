/**
 * Space groups: lookup by symbol or number, operators for MTZ/mmCIF/SHELX, systematic absences
 * (centring and screw/glide), and the CrystFEL point-group name of each group.
 */
import { SPACE_GROUP_TABLE } from "./space-group-table.ts";
import type { SpaceGroupEntry } from "./space-group-types.ts";
import { closeRotations, parseSymOp, type SymOp } from "./symop.ts";
import { POINT_GROUP_NAMES, pointGroup, samePointGroup, type PointGroup } from "./point-groups.ts";

export interface SpaceGroup {
  readonly entry: SpaceGroupEntry;
  /** All operators, centring included. */
  readonly ops: readonly SymOp[];
  /** Number of operators without centring translations (primitive operators). */
  readonly primitiveCount: number;
  /** Lattice centring letter: P, A, B, C, I, F, R (H-setting R groups give "R", R-axes give "P"). */
  readonly centering: string;
  /** CrystFEL name of the point group, e.g. "422", "321_H", "32_R". */
  readonly pointGroupName: string;
}

/** The 65 Sohncke space groups (only rotations/screws; chiral molecules such as proteins crystallise in these). */
export const SOHNCKE_NUMBERS: readonly number[] = [
  1, 3, 4, 5, 16, 17, 18, 19, 20, 21, 22, 23, 24, 75, 76, 77, 78, 79, 80, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98,
  143, 144, 145, 146, 149, 150, 151, 152, 153, 154, 155, 168, 169, 170, 171, 172, 173, 177, 178, 179, 180, 181, 182,
  195, 196, 197, 198, 199, 207, 208, 209, 210, 211, 212, 213, 214,
];

const norm = (s: string): string => s.replace(/\s+/g, "").toUpperCase();
const cache = new Map<SpaceGroupEntry, SpaceGroup>();

function build(entry: SpaceGroupEntry): SpaceGroup {
  const c = cache.get(entry);
  if (c !== undefined) return c;
  const ops = entry.ops.map(parseSymOp);
  const rots = closeRotations(ops.map((o) => o.rot));
  const pgOps = new Int32Array(rots.length * 9);
  rots.forEach((w, i) => pgOps.set(w, i * 9));
  const probe: PointGroup = { name: "?", ops: pgOps, count: rots.length, centrosymmetric: false };
  const rAxes = entry.xhm.endsWith(":R");
  const hexAxes = entry.system === "trigonal" || entry.system === "hexagonal";
  const candidates = POINT_GROUP_NAMES.filter((n) => (rAxes ? n.endsWith("_R") : !n.endsWith("_R") || !hexAxes));
  const pgName = candidates.find((n) => samePointGroup(pointGroup(n), probe));
  if (pgName === undefined) throw new Error(`internal: no CrystFEL point group for ${entry.xhm}`);
  const letter = entry.hm.charAt(0);
  const sg: SpaceGroup = { entry, ops, primitiveCount: countPrimitive(ops), centering: rAxes ? "P" : letter, pointGroupName: pgName };
  cache.set(entry, sg);
  return sg;
}

/** Primitive operators: one per distinct rotation part. */
function countPrimitive(ops: readonly SymOp[]): number {
  return new Set(ops.map((o) => o.rot.join(","))).size;
}

/**
 * Finds a space group by number ("96"), short name ("P43212"), H–M symbol ("P 43 21 2") or extended
 * symbol ("R 3 2:R", "H32"). Throws an Error naming the symbol when unknown.
 */
export function spaceGroup(symbol: string | number): SpaceGroup {
  const s = String(symbol).trim();
  let entry: SpaceGroupEntry | undefined;
  if (/^\d+$/.test(s)) entry = SPACE_GROUP_TABLE.find((e) => e.number === Number(s) && e.ccp4 === e.number);
  else {
    const n = norm(s);
    entry = SPACE_GROUP_TABLE.find((e) => norm(e.xhm) === n) ?? SPACE_GROUP_TABLE.find((e) => norm(e.short) === n || norm(e.hm) === n);
  }
  if (entry === undefined) throw new Error(`unknown space group "${s}" (give the number, e.g. 96, or the symbol, e.g. P43212)`);
  return build(entry);
}

/** The operators without centring duplicates (one per rotation part), e.g. for SHELX SYMM cards. */
export function primitiveOps(sg: SpaceGroup): SymOp[] {
  const seen = new Set<string>();
  const out: SymOp[] = [];
  for (const o of sg.ops) {
    const k = o.rot.join(",");
    if (!seen.has(k)) {
      seen.add(k);
      out.push(o);
    }
  }
  return out;
}

/**
 * true if (h, k, l) is systematically absent in the space group: some operator (W, t) leaves the
 * index invariant (h·W = h) with a non-integral phase shift h·t (this covers centring, screw axes and
 * glide planes).
 */
export function isSystematicallyAbsent(sg: SpaceGroup, h: number, k: number, l: number): boolean {
  for (const o of sg.ops) {
    const w = o.rot;
    if (h * w[0]! + k * w[3]! + l * w[6]! !== h || h * w[1]! + k * w[4]! + l * w[7]! !== k || h * w[2]! + k * w[5]! + l * w[8]! !== l) continue;
    const phase = h * o.trans12[0] + k * o.trans12[1] + l * o.trans12[2];
    if (((phase % 12) + 12) % 12 !== 0) return true;
  }
  return false;
}

/** true if (h, k, l) is absent because of the lattice centring alone (CrystFEL's check_hkl "possible" rule). */
export function isCenteringAbsent(centering: string, h: number, k: number, l: number): boolean {
  switch (centering) {
    case "P": return false;
    case "A": return (k + l) % 2 !== 0;
    case "B": return (h + l) % 2 !== 0;
    case "C": return (h + k) % 2 !== 0;
    case "I": return (h + k + l) % 2 !== 0;
    case "F": return (h + k) % 2 !== 0 || (h + l) % 2 !== 0 || (k + l) % 2 !== 0;
    case "R": return (-h + k + l) % 3 !== 0; // obverse, hexagonal axes
    case "H": return (h - k) % 3 !== 0;
    default: throw new Error(`unknown centring "${centering}"`);
  }
}
